// SPDX-License-Identifier: Apache-2.0
// Hit rate, PAI and PEI with expected-value tie handling (see include/placecast/eval/metrics.h).
// For each cell that saw events we need the number of cells ranked above its tie block (G) and the
// block's size (E), both read off the one ranking of grid/ranking.h. Stateless; thread-safe.
#include "placecast/eval/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

namespace placecast::eval {
namespace {

constexpr int kCurvePoints = 200;

std::array<double, kCurvePoints> MakeCurve() {
  std::array<double, kCurvePoints> c{};
  for (int i = 0; i < kCurvePoints; ++i) c[i] = 0.5 * (i + 1);
  return c;
}

const std::array<double, kCurvePoints> kCurve = MakeCurve();

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

std::span<const double> CurveCoveragesPct() { return kCurve; }

Result<std::vector<CoverageScore>> ScoreCoverages(const grid::Surface& risk,
                                                  std::span<const int64_t> observed,
                                                  std::span<const double> coverages_pct,
                                                  const grid::TieBreak& ties) {
  const size_t n = risk.value.size();
  if (n == 0) return Status::InvalidInput("coverage metrics: the surface has no cells");
  if (observed.size() != n) {
    return Status::InvalidInput("coverage metrics: the surface has " + std::to_string(n) +
                                " cells but the observed counts have " +
                                std::to_string(observed.size()));
  }
  for (double c : coverages_pct) {
    if (!(c > 0 && c <= 100)) {
      return Status::InvalidInput("coverage metrics: coverage_pct must be in (0, 100] (got " +
                                  Num(c) + ")");
    }
  }

  if ((!ties.history.empty() && ties.history.size() != n) ||
      (!ties.smoothed.empty() && ties.smoothed.size() != n)) {
    return Status::InvalidInput(
        "coverage metrics: the surface has " + std::to_string(n) + " cells but the tie keys have " +
        std::to_string(std::max(ties.history.size(), ties.smoothed.size())));
  }

  // Cells that saw events, and the best possible counts (observed, descending).
  struct Hot {
    int64_t count;
    double above = 0;  // G: cells ranked above the cell's tie block
    double tied = 0;   // E: cells in the block (itself included)
  };
  std::vector<Hot> hot;
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(risk.value[i])) {
      return Status::InvalidInput("coverage metrics: risk of cell " + std::to_string(i) +
                                  " is not finite (got " + Num(risk.value[i]) + ")");
    }
    if (observed[i] < 0) {
      return Status::InvalidInput("coverage metrics: observed count of cell " + std::to_string(i) +
                                  " is negative (got " + std::to_string(observed[i]) + ")");
    }
    total += observed[i];
  }

  std::vector<CoverageScore> out;
  out.reserve(coverages_pct.size());
  const double nd = static_cast<double>(n);
  if (total == 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double c : coverages_pct) out.push_back({c, c * nd / 100, 0, 0, nan, nan, nan});
    return out;
  }

  // The one ranking (grid/ranking.h); a block is what stays tied after its tie rule. Hot cells are
  // then visited by cell id, the order the hits are summed in.
  const grid::CellRanking ranking = grid::RankCells(risk, ties);
  std::vector<Hot> block(n);
  for (size_t end = n; end > 0;) {
    const size_t start = static_cast<size_t>(ranking.block_start[end - 1]);
    for (size_t i = start; i < end; ++i) {
      block[static_cast<size_t>(ranking.cells[i])] = {0, static_cast<double>(start),
                                                      static_cast<double>(end - start)};
    }
    end = start;
  }
  for (size_t i = 0; i < n; ++i) {
    if (observed[i] > 0) hot.push_back({observed[i], block[i].above, block[i].tied});
  }
  std::vector<int64_t> best(hot.size());
  for (size_t i = 0; i < hot.size(); ++i) best[i] = hot[i].count;
  std::sort(best.begin(), best.end(), std::greater<int64_t>());

  const double total_d = static_cast<double>(total);
  for (double c : coverages_pct) {
    // c × N is exact for the coverages in use, so an integral k stays integral.
    const double k = c * nd / 100;
    double hits = 0;
    for (const Hot& h : hot) {
      const double share = std::clamp((k - h.above) / h.tied, 0.0, 1.0);
      hits += static_cast<double>(h.count) * share;
    }
    double most = 0;
    const double whole = std::floor(k);
    for (size_t i = 0; i < best.size(); ++i) {
      const double di = static_cast<double>(i);
      if (di + 1 <= whole) {
        most += static_cast<double>(best[i]);
      } else {
        most += static_cast<double>(best[i]) * (k - whole);
        break;
      }
    }
    CoverageScore s;
    s.coverage_pct = c;
    s.flagged_cells = k;
    s.hits = hits;
    s.events = total;
    s.hit_rate = hits / total_d;
    s.pai = s.hit_rate * 100 / c;
    s.pei = hits / most;  // most > 0: k > 0 and some cell saw an event
    out.push_back(s);
  }
  return out;
}

std::vector<grid::CellId> EventCells(const EventSet& events, const grid::Grid& grid) {
  std::vector<grid::CellId> cells(events.size());
  for (size_t i = 0; i < events.size(); ++i)
    cells[i] = grid.PointToCell(events.x_m[i], events.y_m[i]);
  return cells;
}

std::vector<int64_t> CountEventsPerCell(const EventSet& events, const grid::Grid& grid,
                                        int64_t t0_s, int64_t t1_s,
                                        std::span<const grid::CellId> event_cells) {
  std::vector<int64_t> counts(static_cast<size_t>(grid.num_cells()), 0);
  const auto [first, last] = events.TimeRange(t0_s, t1_s);
  const bool pre = event_cells.size() == events.size();
  for (size_t i = first; i < last; ++i) {
    const grid::CellId c = pre ? event_cells[i] : grid.PointToCell(events.x_m[i], events.y_m[i]);
    if (c != grid::kNoCell) ++counts[static_cast<size_t>(c)];
  }
  return counts;
}

}  // namespace placecast::eval
