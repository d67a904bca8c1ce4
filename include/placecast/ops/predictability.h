// SPDX-License-Identifier: Apache-2.0
// predictability: which offence types are predictable at all. For every offence group with enough
// events in the period: the Knox ratio at close range (near-repeat signal), the concentration of
// its events over cells (top-5% share, Gini), and the daily backtest hit rate and PAI at 5% of the
// best of the given models. Writes predictability.csv, predictability.json and a bar chart
// ranking the groups (predictability.png, when any group was backtested) into the request's output
// folder and records them in the ledger; the lines are the ranking. Not thread-safe (one run per
// store).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct PredictabilityRequest : ReleaseFields {
  static constexpr std::string_view kOp = "predictability";
  static constexpr std::string_view kSummary =
      "Rank offence groups by how predictable they are (Knox, concentration, backtest hit rate)";
  std::string store;
  std::string from;  // start of the period YYYY-MM-DD
  std::string to;    // end of the period YYYY-MM-DD, exclusive
  std::string out;
  std::string boundary;
  std::string boundary_crs;  // the CRS of the boundary's coordinates, overriding the file's
  std::vector<std::string> models = {"naive", "retro"};  // backtested at their defaults
  int64_t min_events = 300;
  double cell_size_m = 150;
  double knox_space_m = 200;
  int64_t knox_days = 7;
  int64_t permutations = 99;
  int64_t backtest_days = 90;  // daily origins: the last N days before `to`
  int64_t train_days = 365;
  int64_t bootstrap = 1000;
  int64_t seed = 1;
  bool allow_enforcement_types = false;

  static std::span<const Field<PredictabilityRequest>> Fields();
  // The dates (--to after --from), --backtest-days within the period, a model given, and the
  // release fields together. kInvalidInput naming the flag and the value.
  Status Validate() const;
};

Result<Product> Run(io::Store& store, const PredictabilityRequest& r, Context& ctx);

OpInfo PredictabilityOp();

}  // namespace placecast::ops
