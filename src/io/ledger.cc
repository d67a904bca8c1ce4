// SPDX-License-Identifier: Apache-2.0
// Ledger records: canonical serialisation, hashing and verification of the chain and of the
// recorded output files. Pure functions over values (VerifyLedger also reads the output files);
// thread-safe.
#include "placecast/io/ledger.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "placecast/io/file_util.h"

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

}  // namespace

Result<std::string> CanonicalJson(std::string_view json, std::string_view what) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded()) {
    return Status::InvalidInput(std::string(what) + ": not valid JSON (got \"" +
                                std::string(json.substr(0, 80)) + "\")");
  }
  return Dump(j);
}

Result<std::string> LedgerRecordCanonical(const LedgerRecord& r) {
  nlohmann::json params = nlohmann::json::parse(r.params_json, nullptr, false);
  if (params.is_discarded()) {
    return Status::InvalidInput("ledger seq " + std::to_string(r.seq) +
                                ": params: not valid JSON (got \"" + r.params_json.substr(0, 80) +
                                "\")");
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
  return Dump(j);
}

Result<std::string> LedgerRecordHash(const LedgerRecord& record) {
  PLACECAST_ASSIGN_OR_RETURN(std::string canonical, LedgerRecordCanonical(record));
  return Sha256Hex(canonical);
}

std::string LedgerFilesToJson(const std::vector<LedgerFile>& files) {
  return Dump(FilesToJson(files));
}

Result<std::vector<LedgerFile>> LedgerFilesFromJson(std::string_view json, std::string_view what) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return Status::Corrupt(std::string(what) + ": not a JSON array of files (got \"" +
                           std::string(json.substr(0, 80)) + "\")");
  }
  std::vector<LedgerFile> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    if (!e.is_object() || !e.contains("path") || !e.contains("sha256") ||
        !e["path"].is_string() || !e["sha256"].is_string()) {
      return Status::Corrupt(std::string(what) + "[" + std::to_string(i) +
                             "]: expected {\"path\": string, \"sha256\": string} (got " +
                             Dump(e).substr(0, 80) + ")");
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

LedgerVerification VerifyLedger(const std::vector<LedgerRecord>& records,
                                const std::string& root_dir) {
  LedgerVerification v;
  v.records = static_cast<int64_t>(records.size());
  v.head_hash = std::string(kLedgerGenesisHash);
  std::string prev(kLedgerGenesisHash);
  for (size_t i = 0; i < records.size(); ++i) {
    const LedgerRecord& r = records[i];
    const std::string at = "seq " + std::to_string(r.seq) + ": ";
    const int64_t want_seq = static_cast<int64_t>(i) + 1;
    if (r.seq != want_seq) {
      v.chain_problems.push_back(at + "expected seq " + std::to_string(want_seq) +
                                 " at position " + std::to_string(want_seq) +
                                 " (a record was deleted or renumbered)");
    }
    auto h = LedgerRecordHash(r);
    if (!h.ok()) {
      v.chain_problems.push_back(at + h.status().message() + " (record edited)");
    } else if (*h != r.hash) {
      v.chain_problems.push_back(at + "hash does not match the record's content (record edited; "
                                 "stored " + Short(r.hash) + ", computed " + Short(*h) + ")");
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

  // Latest record naming each output path.
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < records.size(); ++i) {
    for (const auto& f : records[i].outputs) latest[f.path] = i;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const LedgerRecord& r = records[i];
    for (const auto& f : r.outputs) {
      if (latest[f.path] != i) {
        ++v.outputs_superseded;
        continue;
      }
      std::filesystem::path p(f.path);
      if (p.is_relative() && !root_dir.empty()) p = std::filesystem::path(root_dir) / p;
      const std::string at = "seq " + std::to_string(r.seq) + ": output " + p.string() + ": ";
      ++v.outputs_checked;
      std::error_code ec;
      if (!std::filesystem::exists(p, ec)) {
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
