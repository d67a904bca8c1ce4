// SPDX-License-Identifier: Apache-2.0
// The store-state digest of the ledger (include/placecast/io/store_state.h): the additive row-set
// hash over 4096 bits with ChaCha20 expansion (OpenSSL EVP), the canonical incident row, and the
// state's JSON form. Pure functions; thread-safe.
#include "placecast/io/store_state.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "placecast/io/file_util.h"
#include "placecast/io/store.h"

namespace placecast::io {
namespace {

// The algorithms are fetched from OpenSSL's provider once: fetching them per row (what EVP_sha256()
// and EVP_chacha20() imply in OpenSSL 3) takes locks and string compares that cost more than the
// hashing itself.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
const EVP_CIPHER* ChaCha20Cipher() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);
  return cipher;
}

// 512 bytes of ChaCha20 keystream under key = SHA-256("placecast/row/v1" || row), nonce 0: a
// pseudo-random 4096-bit value per row. One digest and one cipher context per thread, re-keyed
// per row.
void ExpandRow(std::string_view row, std::array<uint64_t, RowSetDigest::kLimbs>* out) {
  struct Contexts {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_CIPHER_CTX* cipher = EVP_CIPHER_CTX_new();
    bool cipher_ready = false;
    ~Contexts() {
      EVP_MD_CTX_free(md);
      EVP_CIPHER_CTX_free(cipher);
    }
  };
  thread_local Contexts ctx;
  static constexpr std::string_view kDomain = "placecast/row/v1";
  unsigned char key[32];
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx.md, Sha256Md(), nullptr);
  EVP_DigestUpdate(ctx.md, kDomain.data(), kDomain.size());
  EVP_DigestUpdate(ctx.md, row.data(), row.size());
  EVP_DigestFinal_ex(ctx.md, key, &len);
  static const unsigned char kZeros[RowSetDigest::kLimbs * 8] = {};
  static const unsigned char kIv[16] = {};
  if (!ctx.cipher_ready) {
    EVP_EncryptInit_ex2(ctx.cipher, ChaCha20Cipher(), key, kIv, nullptr);
    ctx.cipher_ready = true;
  } else {
    EVP_EncryptInit_ex2(ctx.cipher, nullptr, key, kIv, nullptr);
  }
  int n = 0;
  // Little-endian limbs, least significant first.
  EVP_EncryptUpdate(ctx.cipher, reinterpret_cast<unsigned char*>(out->data()), &n, kZeros,
                    sizeof(kZeros));
}

void AddLimbs(std::array<uint64_t, RowSetDigest::kLimbs>& a,
              const std::array<uint64_t, RowSetDigest::kLimbs>& b) {
  unsigned __int128 carry = 0;
  for (size_t i = 0; i < RowSetDigest::kLimbs; ++i) {
    carry += static_cast<unsigned __int128>(a[i]) + b[i];
    a[i] = static_cast<uint64_t>(carry);
    carry >>= 64;
  }
}

void SubLimbs(std::array<uint64_t, RowSetDigest::kLimbs>& a,
              const std::array<uint64_t, RowSetDigest::kLimbs>& b) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < RowSetDigest::kLimbs; ++i) {
    const uint64_t bi = b[i] + borrow;
    const uint64_t next_borrow = (bi < borrow) || (a[i] < bi) ? 1 : 0;
    a[i] -= bi;
    borrow = next_borrow;
  }
}

void PutU64(std::string& s, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  s.append(b, 8);
}
void PutText(std::string& s, std::string_view v) {
  PutU64(s, v.size());
  s.append(v);
}
void PutF64(std::string& s, double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  PutU64(s, u);
}

}  // namespace

void RowSetDigest::Add(std::string_view row_bytes) {
  std::array<uint64_t, kLimbs> h;
  ExpandRow(row_bytes, &h);
  AddLimbs(limbs_, h);
}
void RowSetDigest::Remove(std::string_view row_bytes) {
  std::array<uint64_t, kLimbs> h;
  ExpandRow(row_bytes, &h);
  SubLimbs(limbs_, h);
}
void RowSetDigest::Add(const RowSetDigest& other) { AddLimbs(limbs_, other.limbs_); }
void RowSetDigest::Remove(const RowSetDigest& other) { SubLimbs(limbs_, other.limbs_); }

std::string RowSetDigest::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(kLimbs * 16);
  for (size_t i = kLimbs; i-- > 0;) {
    for (int shift = 60; shift >= 0; shift -= 4) out += kDigits[(limbs_[i] >> shift) & 15];
  }
  return out;
}

Result<RowSetDigest> RowSetDigest::FromHex(std::string_view hex, std::string_view what) {
  if (hex.size() != kLimbs * 16) {
    return Status::Data(std::string(what) + ": expected " + std::to_string(kLimbs * 16) +
                        " hex digits (got " + std::to_string(hex.size()) + ")");
  }
  RowSetDigest d;
  for (size_t i = 0; i < kLimbs; ++i) {
    uint64_t v = 0;
    for (size_t k = 0; k < 16; ++k) {
      const char c = hex[(kLimbs - 1 - i) * 16 + k];
      int x;
      if (c >= '0' && c <= '9') {
        x = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        x = c - 'a' + 10;
      } else {
        return Status::Data(std::string(what) + ": not lower-case hex");
      }
      v = (v << 4) | static_cast<uint64_t>(x);
    }
    d.limbs_[i] = v;
  }
  return d;
}

std::string IncidentRowBytes(const Incident& inc) {
  std::string s;
  s.reserve(160 + inc.offence.size());
  PutText(s, inc.id);
  PutU64(s, static_cast<uint64_t>(inc.t_utc_s));
  PutText(s, inc.tz);
  PutF64(s, inc.lon);
  PutF64(s, inc.lat);
  PutF64(s, inc.x_m);
  PutF64(s, inc.y_m);
  PutText(s, inc.offence);
  PutU64(s, static_cast<uint64_t>(static_cast<int>(inc.group)));
  PutText(s, inc.district);
  PutText(s, inc.beat);
  PutText(s, inc.source);
  return s;
}

std::string StateToJson(const StoreState& st, const StateChange& change) {
  nlohmann::json j;
  j["incidents"] = st.incidents;
  j["incidents_sum"] = st.incidents_sum;
  j["study_area"] = st.study_area;
  j["metadata"] = st.metadata;
  j["ingest_runs"] = st.ingest_runs;
  j["schema"] = st.schema;
  if (!change.empty()) {
    nlohmann::json wrote = nlohmann::json::array();
    if (change.ingest_runs) wrote.push_back("ingest_runs");
    if (change.metadata) wrote.push_back("metadata");
    if (change.schema) wrote.push_back("schema");
    if (change.study_area) wrote.push_back("study_area");
    j["change"] = {{"added", change.added},
                   {"added_sum", change.added_sum.ToHex()},
                   {"removed", change.removed},
                   {"removed_sum", change.removed_sum.ToHex()},
                   {"wrote", wrote}};
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status StateFromJson(std::string_view json, std::string_view what, StoreState* st,
                     StateChange* change) {
  const std::string at(what);
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Data(at + ": state is not an object");
  auto text = [&](const char* key, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return Status::Data(at + ": state." + key + ": missing or not a string");
    }
    *out = it->get<std::string>();
    return Status::Ok();
  };
  auto it = j.find("incidents");
  if (it == j.end() || !it->is_number_integer()) {
    return Status::Data(at + ": state.incidents: missing or not an integer");
  }
  st->incidents = it->get<int64_t>();
  PLACECAST_RETURN_IF_ERROR(text("incidents_sum", &st->incidents_sum));
  PLACECAST_RETURN_IF_ERROR(text("study_area", &st->study_area));
  PLACECAST_RETURN_IF_ERROR(text("metadata", &st->metadata));
  PLACECAST_RETURN_IF_ERROR(text("ingest_runs", &st->ingest_runs));
  PLACECAST_RETURN_IF_ERROR(text("schema", &st->schema));
  *change = StateChange{};
  if (auto c = j.find("change"); c != j.end()) {
    if (!c->is_object()) return Status::Data(at + ": state.change: not an object");
    auto num = [&](const char* key, int64_t* out) -> Status {
      auto f = c->find(key);
      if (f == c->end() || !f->is_number_integer()) {
        return Status::Data(at + ": state.change." + key + ": missing or not an integer");
      }
      *out = f->get<int64_t>();
      return Status::Ok();
    };
    auto sum = [&](const char* key, RowSetDigest* out) -> Status {
      auto f = c->find(key);
      if (f == c->end() || !f->is_string()) {
        return Status::Data(at + ": state.change." + key + ": missing or not a string");
      }
      PLACECAST_ASSIGN_OR_RETURN(
          *out, RowSetDigest::FromHex(f->get<std::string>(), at + ": state.change." + key));
      return Status::Ok();
    };
    PLACECAST_RETURN_IF_ERROR(num("added", &change->added));
    PLACECAST_RETURN_IF_ERROR(num("removed", &change->removed));
    PLACECAST_RETURN_IF_ERROR(sum("added_sum", &change->added_sum));
    PLACECAST_RETURN_IF_ERROR(sum("removed_sum", &change->removed_sum));
    auto w = c->find("wrote");
    if (w == c->end() || !w->is_array()) {
      return Status::Data(at + ": state.change.wrote: missing or not an array");
    }
    for (const auto& part : *w) {
      if (!part.is_string()) return Status::Data(at + ": state.change.wrote: not a string");
      const std::string p = part.get<std::string>();
      if (p == "ingest_runs") {
        change->ingest_runs = true;
      } else if (p == "metadata") {
        change->metadata = true;
      } else if (p == "schema") {
        change->schema = true;
      } else if (p == "study_area") {
        change->study_area = true;
      } else {
        return Status::Data(at + ": state.change.wrote: unknown part \"" + p + "\"");
      }
    }
  }
  return Status::Ok();
}

std::string DescribeStateDifference(const StoreState& a, const StoreState& b) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (a.incidents != b.incidents || a.incidents_sum != b.incidents_sum) {
    add("incidents (" + std::to_string(a.incidents) + " rows vs " + std::to_string(b.incidents) +
        (a.incidents == b.incidents ? ", same count, different content)" : ")"));
  }
  if (a.study_area != b.study_area) add("study_area");
  if (a.metadata != b.metadata) add("metadata (CRS or schema version)");
  if (a.ingest_runs != b.ingest_runs) add("ingest_runs");
  if (a.schema != b.schema) add("schema (tables or indexes)");
  return out;
}

}  // namespace placecast::io
