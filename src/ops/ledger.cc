// SPDX-License-Identifier: Apache-2.0
// The ledger operations (ledger.h).
#include "placecast/ops/ledger.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"

namespace placecast::ops {

namespace {

const FieldSpec kLedgerStoreField = {
    .name = "store", .doc = "GeoPackage store", .flags = kRequired | kNotInQuery};

}  // namespace

// ---- ledger list --------------------------------------------------------------------------------

std::span<const Field<LedgerListRequest>> LedgerListRequest::Fields() {
  using R = LedgerListRequest;
  static const std::vector<Field<R>> fields = {{kLedgerStoreField, &R::store}};
  return fields;
}

Result<Product> Run(io::Store& store, const LedgerListRequest& r, Context& ctx) {
  (void)r;
  (void)ctx;
  PLACECAST_ASSIGN_OR_RETURN(auto records, store.ReadLedger());
  Product out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-5s %-20s %-10s %-16s %s", "seq", "time_utc", "command",
                "hash", "outputs");
  out.lines.push_back(line);
  for (const auto& rec : records) {
    std::snprintf(line, sizeof(line), "%-5lld %-20s %-10s %-16s %zu",
                  static_cast<long long>(rec.seq), rec.time_utc.c_str(), rec.command.c_str(),
                  rec.hash.substr(0, 16).c_str(), rec.outputs.size());
    out.lines.push_back(line);
  }
  const std::string head =
      records.empty() ? std::string(io::kLedgerGenesisHash) : records.back().hash;
  out.lines.push_back(std::to_string(records.size()) + " record(s); head " + head);
  out.summary["records"] = records.size();
  out.summary["head"] = head;
  return out;
}

OpInfo LedgerListOp() {
  return MakeOpInfo<LedgerListRequest>(StoreUse::kRead, [](io::Store* s, const LedgerListRequest& r,
                                                           Context& c) { return Run(*s, r, c); });
}

// ---- ledger verify ------------------------------------------------------------------------------

std::span<const Field<LedgerVerifyRequest>> LedgerVerifyRequest::Fields() {
  using R = LedgerVerifyRequest;
  static const std::vector<Field<R>> fields = {
      {kLedgerStoreField, &R::store},
      {{.name = "root",
        .doc = "directory that relative output paths of records written before paths were "
               "recorded relative to the store are resolved against (default: .); newer records' "
               "paths are resolved against the store's folder",
        .flags = kNotInQuery},
       &R::root},
      {{.name = "expect_head",
        .doc = "hash the last record must have (a copy kept elsewhere; detects a deleted tail)"},
       &R::expect_head},
      {{.name = "anchor",
        .doc = "anchor file (\"seq N HASH\"): checked against the ledger when it exists (detects "
               "a truncated or rewritten ledger), then set to the verified head"},
       &R::anchor},
  };
  return fields;
}

namespace {

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

}  // namespace

Result<Product> Run(io::Store& store, const LedgerVerifyRequest& r, Context& ctx) {
  (void)ctx;
  // The whole file first: a damaged page must not pass as a verified store.
  PLACECAST_RETURN_IF_ERROR(store.CheckIntegrity(true));
  PLACECAST_ASSIGN_OR_RETURN(auto records, store.ReadLedger());
  io::LedgerStateCheck check;
  auto state = store.RecomputeState(&check.row_problems);
  if (state.ok()) {
    check.current = *state;
  } else {
    check.error = state.status().message();
  }
  io::LedgerVerification v =
      io::VerifyLedger(records, r.root, &check, io::LedgerStoreDir(store.GetPath()));
  if (!r.expect_head.empty() && v.head_hash != r.expect_head) {
    v.chain_problems.push_back("head: the last record's hash is " + v.head_hash +
                               ", not the expected " + r.expect_head +
                               " (records were appended or the tail was deleted)");
  }
  std::optional<std::pair<int64_t, std::string>> anchor;
  if (!r.anchor.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(r.anchor, ec)) {
      PLACECAST_ASSIGN_OR_RETURN(anchor, ReadAnchor(r.anchor));
      const auto& [seq, hash] = *anchor;
      if (seq > static_cast<int64_t>(records.size())) {
        v.chain_problems.push_back("anchor: " + r.anchor + " vouches for seq " +
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
  Product out;
  for (const auto& p : v.chain_problems) out.lines.push_back("chain: " + p);
  for (const auto& p : v.state_problems) out.lines.push_back("state: " + p);
  for (const auto& p : v.mismatched_outputs) out.lines.push_back("changed: " + p);
  for (const auto& p : v.missing_outputs) out.lines.push_back("missing: " + p);
  char line[1024];
  std::snprintf(line, sizeof(line),
                "ledger: %lld record(s), chain %s, data %s (%lld state(s) checked); %lld output(s) "
                "checked: %zu changed, %zu missing (%lld superseded by later records); head %s",
                static_cast<long long>(v.records), v.chain_problems.empty() ? "intact" : "BROKEN",
                v.state_problems.empty() ? "as recorded" : "EDITED",
                static_cast<long long>(v.states_checked), static_cast<long long>(v.outputs_checked),
                v.mismatched_outputs.size(), v.missing_outputs.size(),
                static_cast<long long>(v.outputs_superseded), v.head_hash.c_str());
  out.lines.push_back(line);
  out.summary["records"] = v.records;
  out.summary["chain_problems"] = v.chain_problems.size();
  out.summary["state_problems"] = v.state_problems.size();
  out.summary["outputs_checked"] = v.outputs_checked;
  out.summary["changed"] = v.mismatched_outputs.size();
  out.summary["missing"] = v.missing_outputs.size();
  out.summary["head"] = v.head_hash;
  if (!v.ok()) {
    out.finding = Status::Data(
        r.store + ": ledger verification failed: " + std::to_string(v.chain_problems.size()) +
        " chain problem(s), " + std::to_string(v.state_problems.size()) + " data problem(s), " +
        std::to_string(v.mismatched_outputs.size()) + " changed and " +
        std::to_string(v.missing_outputs.size()) + " missing output(s)");
    return out;
  }
  if (!r.anchor.empty()) {
    const std::string anchor_line =
        "seq " + std::to_string(records.size()) + " " + v.head_hash + "\n";
    PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(r.anchor, anchor_line));
    out.lines.push_back("anchor: " + r.anchor + " now vouches for seq " +
                        std::to_string(records.size()) + " (" + (anchor ? "was checked" : "new") +
                        "); keep a copy where the store's holders cannot change it");
    out.files.push_back(r.anchor);
  }
  return out;
}

OpInfo LedgerVerifyOp() {
  return MakeOpInfo<LedgerVerifyRequest>(
      StoreUse::kRead,
      [](io::Store* s, const LedgerVerifyRequest& r, Context& c) { return Run(*s, r, c); });
}

// ---- ledger replay ------------------------------------------------------------------------------

std::span<const Field<LedgerReplayRequest>> LedgerReplayRequest::Fields() {
  using R = LedgerReplayRequest;
  static const std::vector<Field<R>> fields = {
      {{.name = "seq",
        .type = FieldType::kInt,
        .min = 1,
        .doc = "seq of the record to replay",
        .flags = kRequired | kPositional},
       &R::seq},
      {kLedgerStoreField, &R::store},
      {{.name = "out",
        .type = FieldType::kOutputPath,
        .doc = "output directory for the re-run",
        .flags = kRequired | kNotInQuery},
       &R::out},
  };
  return fields;
}

Result<Product> Run(io::Store& store, const LedgerReplayRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(auto records, store.ReadLedger());
  const io::LedgerRecord* rec = nullptr;
  for (const auto& x : records) {
    if (x.seq == r.seq) rec = &x;
  }
  if (rec == nullptr) {
    return Status::InvalidInput(r.store + ": ledger: no record with seq " + std::to_string(r.seq) +
                                " (the ledger has " + std::to_string(records.size()) + ")");
  }
  auto h = io::LedgerRecordHash(*rec);
  if (!h.ok() || *h != rec->hash) {
    return Status::Data("ledger seq " + std::to_string(r.seq) +
                        ": the record does not match its hash (edited); not replaying it");
  }
  return ReplayRecord(r.store, *rec, r.out, ctx);
}

OpInfo LedgerReplayOp() {
  return MakeOpInfo<LedgerReplayRequest>(
      StoreUse::kRead,
      [](io::Store* s, const LedgerReplayRequest& r, Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
