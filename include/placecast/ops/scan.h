// SPDX-License-Identifier: Apache-2.0
// scan: Kulldorff's prospective space-time permutation scan (analysis/scan.h) on a store's offence
// selection. Writes clusters.geojson (WGS 84 circles), clusters.gpkg (the circles in the store
// CRS), clusters.csv and clusters.json into the request's output folder and records them in the
// ledger. The scan's own settings (radius, windows, centres, replications, …) are the fields of
// analysis::ScanParams(), with its defaults and ranges. Not thread-safe (one run per store).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct ScanRequest : ReleaseFields {
  static constexpr std::string_view kOp = "scan";
  static constexpr std::string_view kSummary =
      "Prospective space-time permutation scan for emerging clusters (Kulldorff 2005)";
  std::string store;
  std::string offence;
  std::string date;  // analysis date YYYY-MM-DD: the last day of every window
  double max_radius_m = 500;
  int64_t max_window_days = 21;
  int64_t study_period_days = 365;
  std::string centres = "events";  // events | cells
  double centre_cell_size_m = 100;
  int64_t replications = 999;
  int64_t seed = 1;
  double alpha = 0.05;
  int64_t max_clusters = 10;
  int64_t threads = 2;  // the result does not depend on it
  std::string out;
  bool allow_enforcement_types = false;

  static std::span<const Field<ScanRequest>> Fields();
  // The scan's settings resolve (analysis::ScanRequestFromParams), the release fields go
  // together, and a public release uses grid-cell centres (event locations are incident points).
  // kInvalidInput naming the flag and the value.
  Status Validate() const;
};

// Runs the scan on the events of r.offence in the r.study_period_days days ending on r.date.
// kInvalidInput for enforcement-driven offence types without r.allow_enforcement_types; the
// store's errors; kIo writing the products.
Result<Product> Run(io::Store& store, const ScanRequest& r, Context& ctx);

OpInfo ScanOp();

}  // namespace placecast::ops
