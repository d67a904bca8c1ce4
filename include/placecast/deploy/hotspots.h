// SPDX-License-Identifier: Apache-2.0
// Patrollable hotspots: the top cells of a forecast grouped into compact, contiguous patrol areas
// no larger than a set area, ranked by the forecast risk they hold, each with its outline (the
// dissolved union of its cell squares). Everything here is a pure, deterministic function of its
// arguments (same grid, surface and options give the same areas in the same order): safe to call
// from several threads. Method and defaults: docs/hotspots.md.
#pragma once

#include <cstdint>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/status.h"

namespace placecast::deploy {

// Default --max-area-m2: 250 000 m² (0.25 km², e.g. 500 m × 500 m), an area one officer on foot
// can cross in a few minutes; 11 cells of 150 m. Larger areas dilute the dose of patrol time per
// square metre, smaller ones cut hot streets into pieces.
inline constexpr double kDefaultMaxAreaM2 = 250000;

struct HotspotOptions {
  // Share (in %) of the grid's active cells considered: the top ceil(coverage_pct/100 × cells)
  // cells of the ranking (grid::RankCells: descending value, ties by the tie rule).
  // Range (0, 100]; default 5, the share most hit-rate studies report.
  double coverage_pct = 5;
  // Largest area of one patrol area in m²; a component of adjacent candidate cells larger than
  // this is split. An explicit value must hold at least one cell. 0 (the default) means
  // kDefaultMaxAreaM2, or one cell when cells are larger than that.
  double max_area_m2 = 0;
  // Cells whose value is below min_risk are never included, and neither are cells of value 0
  // (they hold no forecast risk). Default 0; must be finite and >= 0.
  double min_risk = 0;
  // Keep only the first max_areas patrol areas by rank; 0 = all (default).
  int32_t max_areas = 0;
};

// One outline polygon: rings[0] is the exterior ring, counter-clockwise; the others are holes,
// clockwise. Rings are closed implicitly (the last vertex joins the first) and have no collinear
// vertices; coordinates are the grid's (metres, grid CRS).
struct OutlinePolygon {
  std::vector<grid::Ring> rings;
};

struct PatrolArea {
  int32_t rank = 0;                           // 1 = most expected events
  grid::CellId seed_cell = grid::kNoCell;     // the area's highest-risk cell: its stable id
  std::vector<grid::CellId> cells;            // ascending cell id
  double area_m2 = 0;                         // cells × cell area
  double expected_events = 0;                 // sum of the surface's values over the cells
  double risk_share = 0;                      // expected_events / total over all active cells
  double cumulative_share = 0;                // sum of risk_share over ranks 1 .. rank
  double centroid_x_m = 0, centroid_y_m = 0;  // mean of the cell centres (grid CRS)
  // The dissolved union of the cell squares, with no internal edges. A patrol area is 4-connected,
  // so this is one polygon (with holes where it surrounds unselected cells).
  std::vector<OutlinePolygon> outline;
};

struct HotspotResult {
  std::vector<PatrolArea> areas;   // by rank
  int32_t cells_considered = 0;    // ceil(coverage_pct/100 × active cells)
  int32_t cells_selected = 0;      // of those, the cells with value > 0 and >= min_risk
  int32_t components = 0;          // 4-connected components of the selected cells
  double max_area_m2 = 0;          // the area limit used (the default resolved)
  int32_t max_cells_per_area = 0;  // floor(max_area_m2 / cell area)
  int32_t areas_before_limit = 0;  // patrol areas before max_areas was applied
  double total_risk = 0;           // sum of the surface over all active cells
  double captured_share = 0;       // share of total_risk in the areas kept
};

// Finds the patrol areas of `surface` over `grid`:
//  1. candidates: the top ceil(coverage_pct/100 × cells) cells of grid::RankCells(surface, ties),
//     keeping those with value > 0 and value >= min_risk;
//  2. their 4-connected (rook adjacency) components;
//  3. a component of more than max_cells_per_area cells is split by region growing: seed at its
//     first-ranked unassigned cell; repeatedly add the unassigned cell of the component adjacent
//     to the region that touches the region on the most sides, then the first-ranked, while the
//     region has fewer than max_cells_per_area cells; then seed again among the unassigned cells;
//  4. areas ranked by expected events (descending; tie: the seed ranked first), cut to max_areas.
// When the values are relative scores rather than expected counts, "expected events" is the sum of
// scores and only the shares are meaningful.
// `ties` are the tie rule's keys at the forecast's origin (grid::TieBreakFromEvents; empty: ties
// by cell id).
// kInvalidInput when the surface or a tie key's size differs from the grid's cell count, a value
// is negative or not finite (naming the cell), coverage_pct is outside (0, 100], max_area_m2 is
// neither 0 nor at least one cell's area (naming both), min_risk is negative or not finite, or
// max_areas is negative.
Result<HotspotResult> FindHotspots(const grid::Grid& grid, const grid::Surface& surface,
                                   const grid::TieBreak& ties, const HotspotOptions& options);

// The outline of the union of `cells`' squares: one polygon per 4-connected piece, exterior ring
// counter-clockwise then holes clockwise, each ring starting at its lowest vertex (y, then x).
// Rings that touch at a corner (pieces meeting diagonally, a hole touching the exterior) are split
// there, so every ring is simple and the polygons are valid (OGC). Polygons ordered by their lowest
// vertex.
// kInvalidInput for a cell id outside 0 .. grid.num_cells()-1 or listed twice.
Result<std::vector<OutlinePolygon>> CellsToOutline(const grid::Grid& grid,
                                                   const std::vector<grid::CellId>& cells);

}  // namespace placecast::deploy
