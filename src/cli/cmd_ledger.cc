// SPDX-License-Identifier: Apache-2.0
// `placecast ledger list|verify|replay`: reads the store's hash-chained ledger (io/ledger.h),
// checks the chain and the recorded products, and re-runs a recorded forecast to confirm its
// output hashes. Also RecordAndPublish, through which the other subcommands
// record.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/ledger_util.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/ops/operation.h"
#include "placecast/version.h"

namespace placecast::cli {

Status RecordAndPublish(const std::string& store_path, const std::string& command,
                        const std::string& params_json, const std::vector<std::string>& input_paths,
                        io::OutputStage& stage) {
  std::vector<std::string> hashed_inputs;
  for (const auto& p : input_paths) {
    if (p != store_path) hashed_inputs.push_back(p);
  }
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> inputs,
                             io::HashLedgerFiles(hashed_inputs));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> outputs, stage.Outputs());
  io::LedgerRecord r;
  r.command = command;
  r.params_json = params_json;
  r.code_version = std::string("placecast ") + kVersion;
  r.inputs = std::move(inputs);
  r.outputs = std::move(outputs);
  auto store = io::Store::OpenGeoPackage(store_path, false);
  if (!store.ok()) return store.status().Wrap("ledger");
  // The record and the renames that publish its products commit together: a process killed
  // after the commit has its renames finished by the next command that opens the store.
  io::WriteTransaction txn(**store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin().Wrap("ledger"));
  auto appended = (*store)->AppendLedger(std::move(r));
  if (!appended.ok()) return appended.status().Wrap("ledger");
  PLACECAST_RETURN_IF_ERROR((*store)->RecordPendingMoves(stage.Moves()).Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(txn.Commit().Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(stage.Publish());
  (void)(*store)->ClearPendingMoves();
  return Status::Ok();
}

namespace {

struct LedgerFlags {
  std::string store;
  std::string root;
  std::string expect_head;
  std::string anchor;
  int64_t seq = 0;
  std::string out;
};

Result<std::vector<io::LedgerRecord>> ReadRecords(const std::string& store_path) {
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(store_path, false));
  return store->ReadLedger();
}

Status RunList(const LedgerFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(auto records, ReadRecords(f.store));
  std::printf("%-5s %-20s %-10s %-16s %s\n", "seq", "time_utc", "command", "hash", "outputs");
  for (const auto& r : records) {
    std::printf("%-5lld %-20s %-10s %-16s %zu\n", static_cast<long long>(r.seq), r.time_utc.c_str(),
                r.command.c_str(), r.hash.substr(0, 16).c_str(), r.outputs.size());
  }
  std::printf(
      "%zu record(s); head %s\n", records.size(),
      records.empty() ? std::string(io::kLedgerGenesisHash).c_str() : records.back().hash.c_str());
  return Status::Ok();
}

// The anchor file: "seq <N> <hash>\n", the head a previous verify saw (kept elsewhere).
Result<std::pair<int64_t, std::string>> ReadAnchor(const std::string& path) {
  PLACECAST_ASSIGN_OR_RETURN(std::string text, io::ReadFile(path));
  long long seq = 0;
  char hash[65] = {};
  if (std::sscanf(text.c_str(), "seq %lld %64s", &seq, hash) != 2 || seq < 0 ||
      std::string(hash).size() != 64) {
    return Status::InvalidInput(path + ":1: anchor: expected \"seq N HASH\" (got \"" +
                                io::ToHexIfBinary(text.substr(0, 80)) + "\")");
  }
  return std::make_pair(static_cast<int64_t>(seq), std::string(hash));
}

Status RunVerify(const LedgerFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
  // The whole file first: a damaged page must not pass as a verified store.
  PLACECAST_RETURN_IF_ERROR(store->CheckIntegrity(true));
  PLACECAST_ASSIGN_OR_RETURN(auto records, store->ReadLedger());
  io::LedgerStateCheck check;
  auto state = store->RecomputeState(&check.row_problems);
  if (state.ok()) {
    check.current = *state;
  } else {
    check.error = state.status().message();
  }
  io::LedgerVerification v = io::VerifyLedger(records, f.root, &check);
  if (!f.expect_head.empty() && v.head_hash != f.expect_head) {
    v.chain_problems.push_back("head: the last record's hash is " + v.head_hash +
                               ", not the expected " + f.expect_head +
                               " (records were appended or the tail was deleted)");
  }
  std::optional<std::pair<int64_t, std::string>> anchor;
  if (!f.anchor.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(f.anchor, ec)) {
      PLACECAST_ASSIGN_OR_RETURN(anchor, ReadAnchor(f.anchor));
      const auto& [seq, hash] = *anchor;
      if (seq > static_cast<int64_t>(records.size())) {
        v.chain_problems.push_back("anchor: " + f.anchor + " vouches for seq " +
                                   std::to_string(seq) + " but the ledger ends at seq " +
                                   std::to_string(records.size()) +
                                   ": records were deleted from the end (truncated)");
      } else if (seq > 0 && records[seq - 1].hash != hash) {
        v.chain_problems.push_back("anchor: seq " + std::to_string(seq) + " has hash " +
                                   records[seq - 1].hash + ", not the anchored " + hash +
                                   ": the ledger was rewritten");
      }
    }
  }
  for (const auto& p : v.chain_problems) std::printf("chain: %s\n", p.c_str());
  for (const auto& p : v.state_problems) std::printf("state: %s\n", p.c_str());
  for (const auto& p : v.mismatched_outputs) std::printf("changed: %s\n", p.c_str());
  for (const auto& p : v.missing_outputs) std::printf("missing: %s\n", p.c_str());
  std::printf(
      "ledger: %lld record(s), chain %s, data %s (%lld state(s) checked); %lld output(s) "
      "checked: %zu changed, %zu missing (%lld superseded by later records); head %s\n",
      static_cast<long long>(v.records), v.chain_problems.empty() ? "intact" : "BROKEN",
      v.state_problems.empty() ? "as recorded" : "EDITED", static_cast<long long>(v.states_checked),
      static_cast<long long>(v.outputs_checked), v.mismatched_outputs.size(),
      v.missing_outputs.size(), static_cast<long long>(v.outputs_superseded), v.head_hash.c_str());
  if (!v.ok()) {
    return Status::Corrupt(
        f.store + ": ledger verification failed: " + std::to_string(v.chain_problems.size()) +
        " chain problem(s), " + std::to_string(v.state_problems.size()) + " data problem(s), " +
        std::to_string(v.mismatched_outputs.size()) + " changed and " +
        std::to_string(v.missing_outputs.size()) + " missing output(s)");
  }
  if (!f.anchor.empty()) {
    const std::string line = "seq " + std::to_string(records.size()) + " " + v.head_hash + "\n";
    PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(f.anchor, line));
    std::printf(
        "anchor: %s now vouches for seq %zu (%s); keep a copy where the store's holders "
        "cannot change it\n",
        f.anchor.c_str(), records.size(), anchor ? "was checked" : "new");
  }
  return Status::Ok();
}

Status RunReplay(const LedgerFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(auto records, ReadRecords(f.store));
  const io::LedgerRecord* rec = nullptr;
  for (const auto& r : records) {
    if (r.seq == f.seq) rec = &r;
  }
  if (rec == nullptr) {
    return Status::NotFound(f.store + ": ledger: no record with seq " + std::to_string(f.seq) +
                            " (the ledger has " + std::to_string(records.size()) + ")");
  }
  auto h = io::LedgerRecordHash(*rec);
  if (!h.ok() || *h != rec->hash) {
    return Status::Corrupt("ledger seq " + std::to_string(f.seq) +
                           ": the record does not match its hash (edited); not replaying it");
  }
  ops::Context ctx;
  PLACECAST_ASSIGN_OR_RETURN(ops::Product p, ops::ReplayRecord(f.store, *rec, f.out, ctx));
  for (const auto& line : p.lines) std::printf("%s\n", line.c_str());
  return p.finding;
}

}  // namespace

void RegisterLedger(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<LedgerFlags>();
  auto* cmd =
      app.add_subcommand("ledger", "List, verify or replay the store's tamper-evident ledger");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "List the ledger's records");
  list->add_option("--store", f->store, "GeoPackage store")->required();
  list->callback([f, exit_code] {
    Status s = RunList(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
  auto* verify = cmd->add_subcommand(
      "verify", "Check the hash chain and re-hash every recorded product (exit 5 on a problem)");
  verify->add_option("--store", f->store, "GeoPackage store")->required();
  verify->add_option("--root", f->root,
                     "directory that relative output paths are resolved against (default: .)");
  verify->add_option("--expect-head", f->expect_head,
                     "hash the last record must have (a copy kept elsewhere; detects a deleted "
                     "tail)");
  verify->add_option("--anchor", f->anchor,
                     "anchor file (\"seq N HASH\"): checked against the ledger when it exists "
                     "(detects a truncated or rewritten ledger), then set to the verified head");
  verify->callback([f, exit_code] {
    Status s = RunVerify(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
  auto* replay = cmd->add_subcommand(
      "replay", "Re-run a recorded forecast into --out and compare its output hashes");
  replay->add_option("SEQ", f->seq, "seq of the forecast record")->required();
  replay->add_option("--store", f->store, "GeoPackage store")->required();
  replay->add_option("--out", f->out, "output directory for the re-run")->required();
  replay->callback([f, exit_code] {
    Status s = RunReplay(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
