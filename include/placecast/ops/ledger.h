// SPDX-License-Identifier: Apache-2.0
// The ledger operations (docs/ledger.md): `ledger list` prints the store's records, `ledger
// verify` checks the hash chain, the recorded states and every recorded product, and `ledger
// replay` runs a recorded request again and compares its products with the record. None of them
// adds a record: they check the ledger, they are not new runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct LedgerListRequest {
  static constexpr std::string_view kOp = "ledger list";
  static constexpr std::string_view kSummary = "List the ledger's records";
  std::string store;

  static std::span<const Field<LedgerListRequest>> Fields();
  Status Validate() const { return Status::Ok(); }
};

// A line per record (seq, time, command, hash prefix, outputs) and the head hash.
Result<Product> Run(io::Store& store, const LedgerListRequest& r, Context& ctx);
OpInfo LedgerListOp();

struct LedgerVerifyRequest {
  static constexpr std::string_view kOp = "ledger verify";
  static constexpr std::string_view kSummary =
      "Check the hash chain and re-hash every recorded product (exit 3 on a problem)";
  std::string store;
  std::string root;         // folder relative output paths are resolved against ("" = .)
  std::string expect_head;  // hash the last record must have
  std::string anchor;       // "seq N HASH" file: checked when it exists, then set to the head

  static std::span<const Field<LedgerVerifyRequest>> Fields();
  Status Validate() const { return Status::Ok(); }
};

// A line per problem and a summary line; Product.finding kData when any problem was found
// (the anchor is then left as it was). Errors: kData for a damaged store file (SQLite's
// integrity_check), kInvalidInput for an anchor file that is not "seq N HASH", kIo.
Result<Product> Run(io::Store& store, const LedgerVerifyRequest& r, Context& ctx);
OpInfo LedgerVerifyOp();

struct LedgerReplayRequest {
  static constexpr std::string_view kOp = "ledger replay";
  static constexpr std::string_view kSummary =
      "Re-run a recorded operation into --out and compare its output hashes";
  int64_t seq = 0;
  std::string store;
  std::string out;

  static std::span<const Field<LedgerReplayRequest>> Fields();
  Status Validate() const { return Status::Ok(); }
};

// ReplayRecord of record r.seq once its hash is checked: a line per output and the count;
// Product.finding kReplayMismatch when any differs. kInvalidInput for no such seq and for a record
// without a runnable request, kData for a record that does not match its hash (not run).
Result<Product> Run(io::Store& store, const LedgerReplayRequest& r, Context& ctx);
OpInfo LedgerReplayOp();

}  // namespace placecast::ops
