// SPDX-License-Identifier: Apache-2.0
// The one ranking of a forecast's cells, and its tie rule (docs/models.md, "Ties").
//
// Every "top cells" selection ranks cells here: the products' rank and in_top, the backtest's hit
// rate, PAI and PEI at a coverage, hotspots, allocation's automatic points, the audit's flagged
// cells. Cells are ordered by descending risk; cells of equal risk by
//   1. their history: the events of the forecast's own events (its offence selection) in the cell
//      in the kTieHistoryDays days before the origin, more first;
//   2. their smoothed history: the history summed over the cell's 3 × 3 neighbourhood, more first;
//   3. ascending cell id (south-west first), the last resort that makes the order total.
// Only events strictly before the origin enter 1 and 2, so the rule is causal like the models.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"

namespace placecast::grid {

// The history the tie rule reads: five years (5 × 365.25 days, rounded down) before the origin.
// Longer than every model's default window (365 days), so it separates cells a short window
// cannot; short enough that a place's character decades ago does not decide today's ties.
inline constexpr int64_t kTieHistoryDays = 1826;

// The tie keys of one forecast, one entry per active cell. Both vectors empty means "no history
// known" (every key 0): ties then fall to the cell id alone.
struct TieBreak {
  // Events in the cell with origin − kTieHistoryDays days <= t < origin.
  std::vector<int64_t> history;
  // The sum of `history` over the cell and its eight neighbours (masked or off-grid ones add 0).
  std::vector<int64_t> smoothed;
};

// The tie keys for a forecast from `origin_s` over `grid`: counts `events` (time-sorted, as
// EventSet keeps them) with origin_s − kTieHistoryDays × 86400 <= t < origin_s in each active cell.
// Events at or after the origin, or outside every active cell, are never counted.
TieBreak TieBreakFromEvents(const EventSet& events, const Grid& grid, int64_t origin_s);

// Cells ranked by the rule above.
struct CellRanking {
  std::vector<CellId> cells;  // by rank: cells[0] is rank 1
  // Per rank position r: the first position of r's tie block, the cells equal to it in risk,
  // history and smoothed history (they differ only by cell id). Scores that need no definite list
  // of cells (eval/metrics.h) share the hits of such a block evenly.
  std::vector<int32_t> block_start;
};

// Ranks the active cells of `risk` with `ties`. REQUIRES: ties.history and ties.smoothed are empty
// or have risk.value.size() entries each.
CellRanking RankCells(const Surface& risk, const TieBreak& ties);

// Number of top cells flagged at `share_pct` % of `num_cells`: ceil(share_pct/100 × num_cells),
// at least 1 when there are cells. REQUIRES: 0 < share_pct <= 100.
int32_t TopCellsForShare(double share_pct, int32_t num_cells);

// Number of top cells flagged for an area of `area_km2`: the largest number of whole cells whose
// total area does not exceed it (the NIJ challenge's rule: the flagged area is capped), at most
// `num_cells`; 0 when one cell is larger. REQUIRES: area_km2 > 0, cell_area_km2 > 0.
int32_t TopCellsForArea(double area_km2, double cell_area_km2, int32_t num_cells);

}  // namespace placecast::grid
