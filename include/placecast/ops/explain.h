// SPDX-License-Identifier: Apache-2.0
// explain: why one cell of a forecast has its risk — the model's parts, the contributions by
// distance and age band, and the past events that weigh most, shown by time, offence and distance
// only (no ids, no coordinates). The lines are the explanation; with an output file the
// explanation is also written there as JSON and recorded in the ledger (without one, nothing is
// written or recorded). Not thread-safe (one run per store).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

// The cell is given as its id, or as a WGS 84 point in it (lon and lat together), not both.
struct ExplainRequest : Selection {
  static constexpr std::string_view kOp = "explain";
  static constexpr std::string_view kSummary =
      "Explain one cell of a forecast: model parts, distance and age bands, top events";
  // Values that mean "not given" (outside every valid range).
  static constexpr int64_t kNoCell = -1;
  static constexpr double kNoCoordinate = -999;
  int64_t cell = kNoCell;      // cell id, as in forecast.csv
  double lon = kNoCoordinate;  // degrees east
  double lat = kNoCoordinate;  // degrees north
  int64_t top = 10;            // past events listed
  std::string out;             // JSON file of the explanation; "" = none (and no ledger record)

  static std::span<const Field<ExplainRequest>> Fields();
  // The selection's checks, and the cell given one way: --cell, or --lon with --lat.
  // kInvalidInput naming the flags.
  Status Validate() const;
};

Result<Product> Run(io::Store& store, const ExplainRequest& r, Context& ctx);

OpInfo ExplainOp();

}  // namespace placecast::ops
