// SPDX-License-Identifier: Apache-2.0
// The ranking of cells and its tie rule (ranking.h). Pure functions; thread-safe.
#include "placecast/grid/ranking.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace placecast::grid {

TieBreak TieBreakFromEvents(const EventSet& events, const Grid& grid, int64_t origin_s) {
  const int32_t n = grid.num_cells();
  TieBreak t;
  t.history.assign(static_cast<size_t>(n), 0);
  t.smoothed.assign(static_cast<size_t>(n), 0);
  constexpr int64_t kSpan = kTieHistoryDays * kSecondsPerDay;
  const int64_t from = origin_s < std::numeric_limits<int64_t>::min() + kSpan
                           ? std::numeric_limits<int64_t>::min()
                           : origin_s - kSpan;
  const auto [first, last] = events.TimeRange(from, origin_s);
  for (size_t i = first; i < last; ++i) {
    const CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
    if (c != kNoCell) ++t.history[static_cast<size_t>(c)];
  }
  for (CellId c = 0; c < n; ++c) {
    int64_t sum = 0;
    for (int32_t dy = -1; dy <= 1; ++dy) {
      for (int32_t dx = -1; dx <= 1; ++dx) {
        const CellId o = grid.ColRowToCell(grid.CellCol(c) + dx, grid.CellRow(c) + dy);
        if (o != kNoCell) sum += t.history[static_cast<size_t>(o)];
      }
    }
    t.smoothed[static_cast<size_t>(c)] = sum;
  }
  return t;
}

CellRanking RankCells(const Surface& risk, const TieBreak& ties) {
  const std::vector<double>& v = risk.value;
  const size_t n = v.size();
  PLACECAST_DCHECK(ties.history.empty() || ties.history.size() == n);
  PLACECAST_DCHECK(ties.smoothed.empty() || ties.smoothed.size() == n);
  auto history = [&](CellId c) { return ties.history.empty() ? 0 : ties.history[c]; };
  auto smoothed = [&](CellId c) { return ties.smoothed.empty() ? 0 : ties.smoothed[c]; };
  // Equal on everything but the cell id.
  auto tied = [&](CellId a, CellId b) {
    return v[a] == v[b] && history(a) == history(b) && smoothed(a) == smoothed(b);
  };
  CellRanking r;
  r.cells.resize(n);
  std::iota(r.cells.begin(), r.cells.end(), 0);
  std::sort(r.cells.begin(), r.cells.end(), [&](CellId a, CellId b) {
    if (v[a] != v[b]) return v[a] > v[b];
    if (history(a) != history(b)) return history(a) > history(b);
    if (smoothed(a) != smoothed(b)) return smoothed(a) > smoothed(b);
    return a < b;
  });
  r.block_start.resize(n);
  for (size_t i = 0; i < n; ++i) {
    r.block_start[i] =
        i > 0 && tied(r.cells[i - 1], r.cells[i]) ? r.block_start[i - 1] : static_cast<int32_t>(i);
  }
  return r;
}

int32_t TopCellsForShare(double share_pct, int32_t num_cells) {
  if (num_cells <= 0) return 0;
  // The small tolerance keeps 5 % of 20 cells at exactly 1 cell despite binary rounding.
  const double k = std::ceil(share_pct / 100.0 * num_cells - 1e-9);
  return static_cast<int32_t>(std::clamp<double>(k, 1, num_cells));
}

int32_t TopCellsForArea(double area_km2, double cell_area_km2, int32_t num_cells) {
  if (num_cells <= 0) return 0;
  // The tolerance keeps an area of exactly k cells at k cells despite binary rounding.
  const double k = std::floor(area_km2 / cell_area_km2 * (1 + 1e-12));
  return static_cast<int32_t>(std::clamp<double>(k, 0, num_cells));
}

}  // namespace placecast::grid
