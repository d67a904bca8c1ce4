// SPDX-License-Identifier: Apache-2.0
// How an operation records itself in the store's ledger (io/ledger.h): its products are staged
// (io/staging.h), the record of the request and of the staged products' SHA-256 commits, and only
// then are the products moved into place; a failure to record (busy, read-only or full store)
// leaves no product behind. The record's command is the operation's name and its params are the
// request's JSON (WriteRequest), so `placecast ledger replay` and `placecast run` can run it again.
// Internal to src/ops. Not thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

// The files a request reads: the non-empty values of its kInputPath fields, in table order.
std::vector<std::string> InputPaths(const nlohmann::ordered_json& request,
                                    const std::vector<FieldSpec>& specs);

// Records `request` (with the SHA-256 of its input files and of the staged products under their
// final paths) and publishes `stage`; with ctx.record false (a replay) only publishes. Returns the
// record's seq (0 when none was added). Errors of the store (prefixed "ledger: "), or kIo when a
// product cannot be moved after the record committed.
Result<int64_t> RecordAndPublish(io::Store& store, const Context& ctx,
                                 const nlohmann::ordered_json& request,
                                 const std::vector<FieldSpec>& specs, io::OutputStage& stage);

template <Request R>
Result<int64_t> RecordAndPublish(io::Store& store, const Context& ctx, const R& r,
                                 io::OutputStage& stage) {
  return RecordAndPublish(store, ctx, RequestToJson(r), SpecsOf<R>(R::Fields()), stage);
}

}  // namespace placecast::ops
