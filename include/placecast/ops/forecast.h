// SPDX-License-Identifier: Apache-2.0
// forecast: one model, one origin. Writes the forecast as CSV, GeoJSON and GeoPackage, a PNG map,
// an HTML report with the model card, explanations.json and run.json (resolved settings and the
// SHA-256 of every product) into the request's output folder, and records them in the ledger.
#pragma once

#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct ForecastRequest : Selection, ReleaseFields {
  static constexpr std::string_view kOp = "forecast";
  static constexpr std::string_view kSummary = "Forecast risk per grid cell from a store";
  std::string out;
  double top_pct = 5;
  // > 0: flag the top cells by area instead of share (io::ForecastProduct::top_area_km2); at most
  // one of the two is set, and then top_pct stays at its default.
  double top_area_km2 = 0;
  double top_area_sqmi = 0;      // the same in square miles (1 sq mi = 2.589988110336 km²)
  std::string load_fitted;       // run.json or fitted.json of an earlier forecast
  std::string backtest_summary;  // summary.json whose metrics go into the model card
  int64_t explain_top = 5;       // top cells explained (0 = none)

  static std::span<const Field<ForecastRequest>> Fields();
  Status Validate() const;
};

Result<Product> Run(io::Store& store, const ForecastRequest& r, Context& ctx);

OpInfo ForecastOp();

}  // namespace placecast::ops
