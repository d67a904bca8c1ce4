// SPDX-License-Identifier: Apache-2.0
// Ledger records: canonical serialisation, hashing and verification of the chain and of the
// recorded output files. Pure functions over values (VerifyLedger also reads the output files);
// thread-safe.
#include "placecast/io/ledger.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "placecast/io/file_util.h"
#include "placecast/io/store_state.h"

namespace placecast::io {
namespace {

// nlohmann::json keeps object members in a std::map: sorted by byte order, which is the canonical
// key order. dump() without indentation writes no whitespace.
std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

nlohmann::json FilesToJson(const std::vector<LedgerFile>& files) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& f : files) a.push_back({{"path", f.path}, {"sha256", f.sha256}});
  return a;
}

std::string Short(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) + "…" : h; }

// Parses JSON whose nesting is at most kMaxJsonDepth (nlohmann's dump recurses per level, so a
// hostile record nested a million deep would overflow the stack); discarded otherwise.
nlohmann::json ParseBounded(std::string_view json) {
  if (!JsonDepthWithin(json, kMaxJsonDepth)) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(json, nullptr, false);
}

bool ChangesAllowOnly(const StateChange& c, const StoreState& a, const StoreState& b,
                      std::string* why) {
  std::string out;
  auto add = [&](const char* part) { out += (out.empty() ? "" : ", ") + std::string(part); };
  if (a.study_area != b.study_area && !c.study_area) add("study_area");
  if (a.metadata != b.metadata && !c.metadata) add("metadata (CRS or schema version)");
  if (a.ingest_runs != b.ingest_runs && !c.ingest_runs) add("ingest_runs");
  if (a.schema != b.schema && !c.schema) add("schema (tables or indexes)");
  *why = out;
  return out.empty();
}

}  // namespace

bool JsonDepthWithin(std::string_view json, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Result<std::string> CanonicalJson(std::string_view json, std::string_view what) {
  nlohmann::json j = ParseBounded(json);
  if (j.is_discarded()) {
    return Status::InvalidInput(std::string(what) + ": not valid JSON, or nested deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels (got \"" +
                                ToHexIfBinary(json.substr(0, 80)) + "\")");
  }
  try {
    return Dump(j);
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a string
    return Status::InvalidInput(std::string(what) + ": " + e.what());
  }
}

Result<std::string> LedgerRecordCanonical(const LedgerRecord& r) {
  nlohmann::json params = ParseBounded(r.params_json);
  if (params.is_discarded()) {
    return Status::InvalidInput("ledger seq " + std::to_string(r.seq) +
                                ": params: not valid JSON, or nested deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels (got \"" +
                                ToHexIfBinary(r.params_json.substr(0, 80)) + "\")");
  }
  nlohmann::json j;
  j["seq"] = r.seq;
  j["time_utc"] = r.time_utc;
  j["command"] = r.command;
  j["params"] = std::move(params);
  j["inputs"] = FilesToJson(r.inputs);
  j["outputs"] = FilesToJson(r.outputs);
  j["code_version"] = r.code_version;
  j["prev_hash"] = r.prev_hash;
  if (!r.paths.empty()) j["paths"] = r.paths;
  if (!r.state_json.empty()) {
    nlohmann::json state = ParseBounded(r.state_json);
    if (state.is_discarded() || !state.is_object()) {
      return Status::InvalidInput("ledger seq " + std::to_string(r.seq) +
                                  ": state: not a JSON object");
    }
    j["state"] = std::move(state);
  }
  try {
    return Dump(j);
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a field
    return Status::InvalidInput("ledger seq " + std::to_string(r.seq) + ": " + e.what());
  }
}

Result<std::string> LedgerRecordHash(const LedgerRecord& record) {
  PLACECAST_ASSIGN_OR_RETURN(std::string canonical, LedgerRecordCanonical(record));
  return Sha256Hex(canonical);
}

std::string LedgerFilesToJson(const std::vector<LedgerFile>& files) {
  return Dump(FilesToJson(files));
}

Result<std::vector<LedgerFile>> LedgerFilesFromJson(std::string_view json, std::string_view what) {
  nlohmann::json j = ParseBounded(json);
  if (j.is_discarded() || !j.is_array()) {
    return Status::Data(std::string(what) + ": not a JSON array of files (got \"" +
                        ToHexIfBinary(json.substr(0, 80)) + "\")");
  }
  std::vector<LedgerFile> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    if (!e.is_object() || !e.contains("path") || !e.contains("sha256") || !e["path"].is_string() ||
        !e["sha256"].is_string()) {
      return Status::Data(
          std::string(what) + "[" + std::to_string(i) +
          "]: expected {\"path\": string, \"sha256\": string} (got " +
          e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80) + ")");
    }
    out.push_back({e["path"].get<std::string>(), e["sha256"].get<std::string>()});
  }
  return out;
}

Result<std::vector<LedgerFile>> HashLedgerFiles(const std::vector<std::string>& paths) {
  std::vector<LedgerFile> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (p.empty() || !std::filesystem::is_regular_file(p, ec)) continue;
    PLACECAST_ASSIGN_OR_RETURN(std::string h, Sha256File(p));
    out.push_back({p, std::move(h)});
  }
  return out;
}

std::string StoreRelativeLedgerPath(const std::string& path, const std::string& store_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file = fs::absolute(path, ec).lexically_normal();
  if (ec) return path;
  const fs::path dir = fs::absolute(store_dir.empty() ? "." : store_dir, ec).lexically_normal();
  if (ec || store_dir.empty()) return file.string();
  const fs::path rel = file.lexically_relative(dir);
  if (rel.empty() || *rel.begin() == "..") return file.string();
  return rel.string();
}

std::string LedgerStoreDir(const std::string& store_path) {
  if (store_path.empty()) return "";
  const std::filesystem::path parent = std::filesystem::path(store_path).parent_path();
  return parent.empty() ? "." : parent.string();
}

void MakeLedgerPathsStoreRelative(LedgerRecord* record, const std::string& store_path) {
  const std::string dir = LedgerStoreDir(store_path);
  record->paths = std::string(kLedgerPathsStoreRelative);
  for (auto* files : {&record->inputs, &record->outputs}) {
    for (LedgerFile& f : *files) f.path = StoreRelativeLedgerPath(f.path, dir);
  }
}

std::string ResolveLedgerPath(const LedgerRecord& record, const std::string& path,
                              const std::string& store_dir, const std::string& root_dir) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  const std::string& base = record.paths == kLedgerPathsStoreRelative ? store_dir : root_dir;
  return base.empty() ? path : (std::filesystem::path(base) / p).string();
}

std::string ToHexIfBinary(std::string_view s) {
  std::string out;
  for (const unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

LedgerVerification VerifyLedger(const std::vector<LedgerRecord>& records,
                                const std::string& root_dir, const LedgerStateCheck* store,
                                const std::string& store_dir) {
  LedgerVerification v;
  v.records = static_cast<int64_t>(records.size());
  v.head_hash = std::string(kLedgerGenesisHash);
  std::string prev(kLedgerGenesisHash);
  for (size_t i = 0; i < records.size(); ++i) {
    const LedgerRecord& r = records[i];
    const std::string at = "seq " + std::to_string(r.seq) + ": ";
    const int64_t want_seq = static_cast<int64_t>(i) + 1;
    if (r.seq != want_seq) {
      v.chain_problems.push_back(at + "expected seq " + std::to_string(want_seq) + " at position " +
                                 std::to_string(want_seq) +
                                 " (a record was deleted or renumbered)");
    }
    auto h = LedgerRecordHash(r);
    if (!h.ok()) {
      v.chain_problems.push_back(at + h.status().message() + " (record edited)");
    } else if (*h != r.hash) {
      v.chain_problems.push_back(at +
                                 "hash does not match the record's content (record edited; "
                                 "stored " +
                                 Short(r.hash) + ", computed " + Short(*h) + ")");
    }
    if (r.prev_hash != prev) {
      v.chain_problems.push_back(
          at + "prev_hash does not match the hash of the record before it (" +
          (i == 0 ? std::string("genesis") : "seq " + std::to_string(records[i - 1].seq)) +
          "): a record was deleted, inserted or reordered (stored " + Short(r.prev_hash) +
          ", expected " + Short(prev) + ")");
    }
    prev = r.hash;
  }
  if (!records.empty()) v.head_hash = records.back().hash;

  // The state each record vouches for: every record's state must be the previous record's plus
  // its own change; the store's data now must be the last record's state.
  std::optional<StoreState> prev_state;
  int64_t prev_seq = 0, same_since = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const LedgerRecord& r = records[i];
    if (r.state_json.empty()) continue;  // a record from before states were kept
    const std::string at = "seq " + std::to_string(r.seq) + " (" + r.command + "): ";
    StoreState st;
    StateChange change;
    Status parsed = StateFromJson(r.state_json, "seq " + std::to_string(r.seq), &st, &change);
    if (!parsed.ok()) {
      v.state_problems.push_back(parsed.message());
      prev_state.reset();
      continue;
    }
    ++v.states_checked;
    std::optional<StoreState> base = prev_state;
    if (!base && r.seq == 1) {  // the store's first record starts from an empty store
      StoreState empty;
      empty.incidents_sum = RowSetDigest{}.ToHex();
      base = empty;
    }
    if (base) {
      auto before = RowSetDigest::FromHex(base->incidents_sum, "state");
      auto after = RowSetDigest::FromHex(st.incidents_sum, "state");
      bool incidents_ok = before.ok() && after.ok() &&
                          base->incidents + change.added - change.removed == st.incidents;
      if (incidents_ok) {
        RowSetDigest want = *before;
        want.Add(change.added_sum);
        want.Remove(change.removed_sum);
        incidents_ok = want == *after;
      }
      const std::string from = prev_state ? "seq " + std::to_string(prev_seq) : "an empty store";
      if (!incidents_ok) {
        v.state_problems.push_back(
            at + "its incidents (" + std::to_string(st.incidents) + " rows) are not what " + from +
            " left (" + std::to_string(base->incidents) + " rows) plus this record's own change (" +
            std::to_string(change.added) + " added, " + std::to_string(change.removed) +
            " removed): incidents were edited, added or deleted outside placecast in between");
      }
      std::string why;
      if (prev_state && !ChangesAllowOnly(change, *prev_state, st, &why)) {
        v.state_problems.push_back(at + "the " + why + " changed since " + from +
                                   " without this record writing it: edited outside placecast");
      }
    }
    if (!prev_state || !(st == *prev_state)) same_since = r.seq;
    prev_state = st;
    prev_seq = r.seq;
  }
  if (store != nullptr) {
    for (const auto& p : store->row_problems) v.state_problems.push_back("store: " + p);
    if (!store->error.empty()) {
      v.state_problems.push_back("store: " + store->error);
    } else if (prev_state) {
      const std::string diff = DescribeStateDifference(store->current, *prev_state);
      if (!diff.empty()) {
        v.state_problems.push_back("store: the data no longer match the state recorded by seq " +
                                   std::to_string(prev_seq) + " (the last record; seq " +
                                   std::to_string(same_since) + ".." + std::to_string(prev_seq) +
                                   " vouch for it): " + diff + " changed after seq " +
                                   std::to_string(prev_seq) + " outside placecast");
      }
    } else if (records.empty() && store->current.incidents > 0) {
      v.state_problems.push_back("store: it holds " + std::to_string(store->current.incidents) +
                                 " incidents but no ledger record: the ledger was dropped or "
                                 "emptied (every ingest records itself)");
    }
  }

  // Latest record naming each output file (keyed by where the path resolves: an older record's
  // path as given and a newer record's store-relative path may name the same file).
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < records.size(); ++i) {
    for (const auto& f : records[i].outputs) {
      latest[std::filesystem::path(ResolveLedgerPath(records[i], f.path, store_dir, root_dir))
                 .lexically_normal()
                 .string()] = i;
    }
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const LedgerRecord& r = records[i];
    for (const auto& f : r.outputs) {
      const std::filesystem::path p(ResolveLedgerPath(r, f.path, store_dir, root_dir));
      if (latest[p.lexically_normal().string()] != i) {
        ++v.outputs_superseded;
        continue;
      }
      const std::string at = "seq " + std::to_string(r.seq) + ": output " + p.string() + ": ";
      ++v.outputs_checked;
      std::error_code ec;
      if (!std::filesystem::exists(std::filesystem::symlink_status(p, ec))) {
        v.missing_outputs.push_back(at + "missing");
        continue;
      }
      auto h = Sha256File(p.string());
      if (!h.ok()) {
        v.missing_outputs.push_back(at + "unreadable (" + h.status().message() + ")");
      } else if (*h != f.sha256) {
        v.mismatched_outputs.push_back(at + "sha256 differs from the record (recorded " +
                                       Short(f.sha256) + ", now " + Short(*h) + ")");
      }
    }
  }
  return v;
}

}  // namespace placecast::io
