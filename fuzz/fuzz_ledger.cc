// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the ledger record functions (placecast/io/ledger.h). The first byte picks:
//  0: CanonicalJson on the rest (and canonical form is a fixed point);
//  1: LedgerFilesFromJson on the rest (and LedgerFilesToJson round-trips what it accepts);
//  2: a record built from fuzzed fields (the rest split at NUL bytes: time_utc, command,
//     params_json, code_version, prev_hash, an inputs JSON array, an outputs JSON array) through
//     LedgerRecordCanonical and LedgerRecordHash;
//  3: a JSON array of records (objects with the LedgerRecord fields; params may be any JSON, or
//     text in "params_json") through VerifyLedger, with root_dir an empty temporary folder.
// None may throw or crash; hashes are 64 hex digits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "placecast/io/ledger.h"

namespace {

using placecast::io::LedgerFile;
using placecast::io::LedgerRecord;

std::vector<std::string_view> SplitAtNul(std::string_view s, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t nul = s.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(s.substr(0, nul));
    s.remove_prefix(nul + 1);
  }
  parts.push_back(s);
  parts.resize(max_parts);
  return parts;
}

std::vector<LedgerFile> Files(std::string_view json) {
  auto files = placecast::io::LedgerFilesFromJson(json, "files");
  return files.ok() ? std::move(*files) : std::vector<LedgerFile>{};
}

// A string member of `o`, or "" (the harness accepts any JSON; missing or mistyped fields are
// left at their defaults so the verifier sees every kind of record).
std::string Str(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const std::string& EmptyRoot() {
  static const std::string dir = [] {
    std::string d = placecast::fuzz::TempDir() + "/ledger-root";
    std::filesystem::create_directory(d);
    return d;
  }();
  return dir;
}

void CheckHash(const std::string& h) {
  if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto canonical = placecast::io::CanonicalJson(rest);
      if (canonical.ok()) {
        auto again = placecast::io::CanonicalJson(*canonical);
        if (!again.ok() || *again != *canonical) std::abort();
      }
      break;
    }
    case 1: {
      auto files = placecast::io::LedgerFilesFromJson(rest, "outputs");
      if (files.ok()) {
        auto back =
            placecast::io::LedgerFilesFromJson(placecast::io::LedgerFilesToJson(*files), "outputs");
        if (!back.ok() || *back != *files) std::abort();
      }
      break;
    }
    case 2: {
      const auto parts = SplitAtNul(rest, 7);
      LedgerRecord r;
      r.seq = 1;
      r.time_utc = parts[0];
      r.command = parts[1];
      r.params_json = parts[2];
      r.code_version = parts[3];
      r.prev_hash = parts[4];
      r.inputs = Files(parts[5]);
      r.outputs = Files(parts[6]);
      auto canonical = placecast::io::LedgerRecordCanonical(r);
      auto hash = placecast::io::LedgerRecordHash(r);
      if (canonical.ok() != hash.ok()) std::abort();
      if (hash.ok()) CheckHash(*hash);
      break;
    }
    default: {
      nlohmann::json j = nlohmann::json::parse(rest, nullptr, false);
      if (j.is_discarded() || !j.is_array()) break;
      std::vector<LedgerRecord> records;
      for (const auto& o : j) {
        if (!o.is_object()) continue;
        LedgerRecord r;
        auto seq = o.find("seq");
        if (seq != o.end() && seq->is_number_integer()) r.seq = seq->get<int64_t>();
        r.time_utc = Str(o, "time_utc");
        r.command = Str(o, "command");
        auto params = o.find("params");
        r.params_json = params != o.end() ? params->dump() : Str(o, "params_json");
        for (const char* key : {"inputs", "outputs"}) {
          auto files = o.find(key);
          if (files == o.end()) continue;
          (std::string_view(key) == "inputs" ? r.inputs : r.outputs) = Files(files->dump());
        }
        r.code_version = Str(o, "code_version");
        r.prev_hash = Str(o, "prev_hash");
        r.hash = Str(o, "hash");
        records.push_back(std::move(r));
      }
      auto v = placecast::io::VerifyLedger(records, EmptyRoot());
      if (v.records != static_cast<int64_t>(records.size())) std::abort();
      break;
    }
  }
  return 0;
}
