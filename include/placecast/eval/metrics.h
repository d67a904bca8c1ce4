// SPDX-License-Identifier: Apache-2.0
// Coverage metrics of one forecast against what happened: hit rate, PAI (Chainey, Tompson & Uhlig
// 2008) and PEI (Hunt 2016) at a given share of the study area's cells, with a tie rule that does
// not flatter surfaces full of equal values. Pure functions of their arguments; safe to call from
// any number of threads at once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/status.h"

namespace placecast::eval {

// The scores of one forecast at one coverage.
//
// With N active cells and coverage c %, the flagged area is k = c × N / 100 cells; k may be
// fractional. Cells are ranked by grid::RankCells: risk, highest first, ties by the forecast's
// tie rule (five-year history, then its 3 × 3 smoothing; grid/ranking.h).
//
// Ties: cells equal in risk and in both tie keys form a block (they differ only by cell id, the
// rule's arbitrary last step, which a score never uses). A block that lies wholly inside the top k
// counts all its events; a block that straddles the k boundary, with G cells ranked above it, E
// cells in it and H events in it, contributes H × (k − G) / E: the expected hits when the order
// inside the block is uniformly random. The result therefore does not depend on cell ids, and a
// surface and history of equal values score exactly what a random choice of cells would (hit rate
// = c / 100). A fractional k is the same rule: a part-taken cell contributes its fraction of its
// events.
struct CoverageScore {
  double coverage_pct = 0;   // c
  double flagged_cells = 0;  // k = c × N / 100
  double hits = 0;           // (expected) events in the flagged cells
  int64_t events = 0;        // events observed in all active cells
  // hits / events: a fraction 0..1. NaN when events == 0.
  double hit_rate = 0;
  // Predictive accuracy index: hit_rate / (k / N) = hit_rate × 100 / c. 1 = no better than
  // chance; NaN when events == 0.
  double pai = 0;
  // Predictive efficiency index: hits / the most hits any k cells could have caught (the k cells
  // with the most observed events, a part-taken cell counting its fraction). 0..1; 1 = as good as
  // hindsight. NaN when events == 0.
  double pei = 0;
};

// Scores `risk` (one value per active cell) against `observed` (events per active cell in the
// horizon) at each of `coverages_pct`, in the given order, ranking with `ties`
// (grid::TieBreakFromEvents at the forecast's origin; empty = ties by risk alone).
// kInvalidInput when the lengths differ or are 0, when a risk value is not finite, when a count
// is negative, or when a coverage is outside (0, 100].
Result<std::vector<CoverageScore>> ScoreCoverages(const grid::Surface& risk,
                                                  std::span<const int64_t> observed,
                                                  std::span<const double> coverages_pct,
                                                  const grid::TieBreak& ties);

// The fixed coverages of the hit-rate curve: 0.5, 1, 1.5, …, 100 % (200 points, step 0.5 %).
std::span<const double> CurveCoveragesPct();

// Events per active cell of `grid` with t0_s <= t < t1_s (events outside every active cell are not
// counted). `event_cells` may hold each event's cell precomputed (same length as `events`, from
// EventCells()); when empty the cells are looked up here.
std::vector<int64_t> CountEventsPerCell(const EventSet& events, const grid::Grid& grid,
                                        int64_t t0_s, int64_t t1_s,
                                        std::span<const grid::CellId> event_cells = {});

// The active cell of every event (grid::kNoCell for events outside the active cells).
std::vector<grid::CellId> EventCells(const EventSet& events, const grid::Grid& grid);

}  // namespace placecast::eval
