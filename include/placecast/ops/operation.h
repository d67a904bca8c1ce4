// SPDX-License-Identifier: Apache-2.0
// Operations: what a user runs (forecast, backtest, hotspots, …), one request type each
// (ops/request.h), under every front end: the command line, `placecast run REQUEST.json`, ledger
// replay, and the coming HTTP server and Python module.
//
// An operation runs against an open store, writes its products only into the output folder its
// request names, and owns its ledger record: the products are staged, recorded and published in
// one transaction of the store (io/staging.h). It prints nothing: its warnings and progress go to
// the Context, its summary comes back in the Product.
// Not thread-safe: one operation at a time per Store.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/ops/request.h"
#include "placecast/status.h"

namespace placecast::io {
class Store;
struct LedgerRecord;
}  // namespace placecast::io

namespace placecast::ops {

// Where an operation reports progress and warnings. The defaults drop them.
class Progress {
 public:
  virtual ~Progress() = default;
  // A new stage of long work ("backtest: origins"); resets the counter.
  virtual void Stage(std::string_view label) {}
  // `done` of `total` units of the current stage (total 0 = unknown).
  virtual void Update(int64_t done, int64_t total) {}
  // A plain-language warning for the user ("a window with fewer than 30 events").
  virtual void Warn(std::string_view text) {}
};

struct Context {
  Progress* progress = nullptr;  // never null when an operation runs (RunOp sets a silent one)
  // false for a replay: the products are written and published but no ledger record is added.
  bool record = true;
  // The user on whose behalf the operation runs (the coming server); "" on the command line.
  std::string user;
};

// What an operation hands back.
struct Product {
  // The human summary, one line each, as the command line prints it on stdout.
  std::vector<std::string> lines;
  // The same as data (counts, the top cell, the ledger seq, …) for the HTTP and Python front ends.
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  // The files published, under the request's output folder.
  std::vector<std::string> files;
  // Seq of the ledger record that vouches for the products (0 when none was added).
  int64_t ledger_seq = 0;
  // An outcome that is not a failure to run but a finding the caller must see after the lines
  // (ledger verify finding a problem, a replay that differs): exit code 5 on the command line.
  Status finding = Status::Ok();
};

// How an operation uses the store.
enum class StoreUse {
  kNone,      // no store (nearrepeat over a CSV)
  kOptional,  // a store when the request names one
  kRead,      // an existing store
  kCreate,    // created if missing (ingest)
};

// One operation, type-erased: what `placecast run`, ledger replay, docs and the server need.
struct OpInfo {
  std::string_view name;
  std::string_view summary;
  std::vector<FieldSpec> fields;
  StoreUse store_use = StoreUse::kRead;
  // Reads, checks and validates a JSON request; its canonical JSON (every field, in order).
  std::function<Result<nlohmann::ordered_json>(const nlohmann::json&)> canonical;
  // Runs the JSON request against `store` (null for kNone, or kOptional without a store).
  std::function<Result<Product>(io::Store*, const nlohmann::json&, Context&)> run;
};

// Every operation, in the order of docs/cli.md.
std::span<const OpInfo> ListOps();
// nullptr when there is none of that name.
const OpInfo* FindOp(std::string_view name);

// Runs the JSON request `j` ({"op": NAME, …}): finds the operation, opens the store the request
// names as the operation needs it, and runs. `store_override` replaces the request's store path
// (ledger replay checks the store the user names). kInvalidInput naming the field, or the
// operation's errors.
Result<Product> RunJson(const nlohmann::json& j, Context& ctx,
                        const std::string& store_override = "");

// Parses the text of a JSON request (`what` names it in errors: a file, "ledger seq 7").
// kInvalidInput for text that is not a JSON object or is nested deeper than the ledger allows.
Result<nlohmann::json> ParseRequest(std::string_view text, const std::string& what);

// RunJson of the request in the file `path` ("-" = standard input).
Result<Product> RunRequestFile(const std::string& path, Context& ctx,
                               const std::string& store_override = "");

// Runs the request recorded in `rec` again against the store at `store_path`, its products into
// `out_dir` (a folder field becomes `out_dir`, a file field `out_dir`/its name), without a ledger
// record, and compares them with the record's output hashes: a line per output, and a
// kReplayMismatch finding when any differs (kData when an input changed since the record, and
// nothing is run). kInvalidInput for a record without a runnable request.
Result<Product> ReplayRecord(const std::string& store_path, const io::LedgerRecord& rec,
                             const std::string& out_dir, Context& ctx);

// The store path of a request: its "store" field, or "".
std::string StoreOf(const nlohmann::json& j);

// Makes the OpInfo of request type R whose operation is
//   Result<Product> Run(io::Store* or io::Store&, const R&, Context&).
template <Request R, class RunFn>
OpInfo MakeOpInfo(StoreUse use, RunFn fn) {
  OpInfo info;
  info.name = R::kOp;
  info.summary = R::kSummary;
  info.fields = SpecsOf<R>(R::Fields());
  info.store_use = use;
  info.canonical = [](const nlohmann::json& j) -> Result<nlohmann::ordered_json> {
    PLACECAST_ASSIGN_OR_RETURN(R r, RequestFromJson<R>(j));
    return RequestToJson(r);
  };
  info.run = [fn](io::Store* store, const nlohmann::json& j, Context& ctx) -> Result<Product> {
    PLACECAST_ASSIGN_OR_RETURN(R r, RequestFromJson<R>(j));
    return fn(store, r, ctx);
  };
  return info;
}

}  // namespace placecast::ops
