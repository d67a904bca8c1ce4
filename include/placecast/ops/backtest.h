// SPDX-License-Identifier: Apache-2.0
// backtest: rolling-origin evaluation of one or more models (eval/backtest.h) on a store's offence
// selection. Writes summary.json, per_origin.csv, hit_rate_curves.csv, hit_rate_curves.png,
// calibration.csv, reliability.png and report.html (self-contained: both images inlined) into the
// request's output folder and records them in the ledger; the lines are the table of hit rate, PAI
// and PEI at 5% of cells and one line of calibration per model. Not thread-safe (one run per
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

struct BacktestRequest : ReleaseFields {
  static constexpr std::string_view kOp = "backtest";
  static constexpr std::string_view kSummary = "Rolling-origin backtest of one or more models";
  std::string store;
  std::vector<std::string> models;  // registered names, in output order
  std::string offence;
  std::string from;  // first origin YYYY-MM-DD
  std::string to;    // last origin YYYY-MM-DD, inclusive
  int64_t train_days = 365;
  double horizon_days = 1;
  double cell_size_m = 150;
  std::string out;
  std::string boundary;
  std::string boundary_crs;        // the CRS of the boundary's coordinates, overriding the file's
  std::vector<std::string> param;  // key=value or model.key=value
  int64_t bootstrap = 2000;
  int64_t seed = 1;
  int64_t threads = 0;  // 0 = all cores; the result does not depend on it
  bool allow_enforcement_types = false;

  static std::span<const Field<BacktestRequest>> Fields();
  // The dates, --from not after --to, the --param keys against the models, the release fields
  // together, and eval::BacktestRequest::Validate. kInvalidInput naming the flag and the value.
  Status Validate() const;
};

Result<Product> Run(io::Store& store, const BacktestRequest& r, Context& ctx);

OpInfo BacktestOp();

}  // namespace placecast::ops
