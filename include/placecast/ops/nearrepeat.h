// SPDX-License-Identifier: Apache-2.0
// nearrepeat: the multi-band Knox test (near-repeat calculator, analysis/knox.h) on a store's
// offence selection or on an x,y,date CSV in the Near Repeat Calculator's format. Writes knox.csv
// and knox.json into the request's output folder; with a store, records them in the ledger (an
// --input CSV run has no store and so no record). The test's settings (distance, precision,
// permutations, …) are fields of analysis::KnoxParams(), with its defaults and ranges.
// Not thread-safe (one run per store).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct NearRepeatRequest : ReleaseFields {
  static constexpr std::string_view kOp = "nearrepeat";
  static constexpr std::string_view kSummary =
      "Knox test for near repeats (space-time pairs vs permutations)";
  std::string store;  // one of store and input
  std::string input;  // CSV of x,y,date rows
  std::string offence;
  std::string from;         // with a store: first date, inclusive ("" = all)
  std::string to;           // with a store: end date, exclusive ("" = all)
  std::string space_bands;  // "100,200,300" (default of analysis::KnoxParams() when empty)
  double space_step = 0;    // or equal bands of this width (m) …
  int64_t space_count = 0;  // … this many
  std::string time_bands;   // "7,14,21"
  int64_t time_step = 0;    // days
  int64_t time_count = 0;
  std::string distance = "euclidean";
  std::string coordinate_precision = "double";
  int64_t permutations = 999;
  int64_t seed = 1;
  int64_t threads = 2;  // the result does not depend on it
  std::string out;
  bool allow_enforcement_types = false;

  static std::span<const Field<NearRepeatRequest>> Fields();
  // Exactly one of store and input, an offence with a store, bands given one way each, from
  // before to, the release fields together (noise needs a store), and the Knox settings resolve.
  // kInvalidInput naming the flag and the value.
  Status Validate() const;
};

// `store` is the open store of r.store, null for an --input run.
Result<Product> Run(io::Store* store, const NearRepeatRequest& r, Context& ctx);

OpInfo NearRepeatOp();

}  // namespace placecast::ops
