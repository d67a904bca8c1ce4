// SPDX-License-Identifier: Apache-2.0
// hotspots: the top cells of one forecast grouped into compact, contiguous patrol areas
// (deploy::FindHotspots), written as a ranked CSV table, GeoJSON (WGS 84), a GeoPackage layer (grid
// CRS), a PNG map and summary.json into the request's output folder, byte-reproducibly, and
// recorded in the ledger. Method in docs/hotspots.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct HotspotsRequest : Selection, ReleaseFields {
  static constexpr std::string_view kOp = "hotspots";
  static constexpr std::string_view kSummary =
      "Group the top cells of a forecast into compact, contiguous patrol areas";
  std::string out;
  // Share of active cells considered (the top of the ranking), in %: (0, 100].
  double coverage_pct = 5;
  // Largest patrol area in m² (at least one cell); 0 = 250000 m², or one cell when cells are
  // larger.
  double max_area_m2 = 0;
  // Cells with lower risk are never included; finite, >= 0.
  double min_risk = 0;
  // Keep only the first N areas; 0 = all.
  int64_t max_areas = 0;

  static std::span<const Field<HotspotsRequest>> Fields();
  // The selection's and the release fields' checks, and the options' ranges (--coverage-pct,
  // --max-area-m2 against --cell-size-m, --min-risk, --max-areas). kInvalidInput naming the flag.
  Status Validate() const;
};

// Runs the forecast of the selection, applies the public release (suppressed cells count as risk
// 0), groups the top cells, writes the products into r.out and records them. Errors of the
// forecast, of deploy::FindHotspots, of projection, of writing, and of the ledger.
Result<Product> Run(io::Store& store, const HotspotsRequest& r, Context& ctx);

OpInfo HotspotsOp();

}  // namespace placecast::ops
