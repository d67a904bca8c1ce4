// SPDX-License-Identifier: Apache-2.0
// Decile sums of a forecast against what happened, and their summary (calibration.h). One ranking
// (grid/ranking.h), then one pass over its tie blocks. Stateless; thread-safe.
#include "placecast/eval/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace placecast::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string G(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

Result<std::array<DecileSums, kCalibrationGroups>> CalibrationDeciles(
    const grid::Surface& risk, std::span<const int64_t> observed, const grid::TieBreak& ties) {
  const size_t n = risk.value.size();
  if (n == 0) return Status::InvalidInput("calibration: the surface has no cells");
  if (observed.size() != n) {
    return Status::InvalidInput("calibration: the surface has " + std::to_string(n) +
                                " cells but the observed counts have " +
                                std::to_string(observed.size()));
  }
  if ((!ties.history.empty() && ties.history.size() != n) ||
      (!ties.smoothed.empty() && ties.smoothed.size() != n)) {
    return Status::InvalidInput(
        "calibration: the surface has " + std::to_string(n) + " cells but the tie keys have " +
        std::to_string(std::max(ties.history.size(), ties.smoothed.size())));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(risk.value[i])) {
      return Status::InvalidInput("calibration: risk of cell " + std::to_string(i) +
                                  " is not finite (got " + G(risk.value[i]) + ")");
    }
    if (observed[i] < 0) {
      return Status::InvalidInput("calibration: observed count of cell " + std::to_string(i) +
                                  " is negative (got " + std::to_string(observed[i]) + ")");
    }
  }

  // bound[d] is the first rank position of decile d + 1; bound[10] = N.
  std::array<size_t, kCalibrationGroups + 1> bound{};
  for (size_t d = 0; d <= kCalibrationGroups; ++d) bound[d] = d * n / kCalibrationGroups;
  std::array<DecileSums, kCalibrationGroups> out{};
  for (size_t d = 0; d < kCalibrationGroups; ++d) {
    out[d].cells = static_cast<int64_t>(bound[d + 1] - bound[d]);
  }

  const grid::CellRanking ranking = grid::RankCells(risk, ties);
  size_t d = 0;  // the decile of position `pos`
  for (size_t pos = 0; pos < n; ++pos) {
    while (pos >= bound[d + 1]) ++d;
    out[d].predicted += risk.value[static_cast<size_t>(ranking.cells[pos])];
  }
  // Tie blocks in rank order: a block inside one decile adds its events there; one that spans
  // several shares them by its positions in each.
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && static_cast<size_t>(ranking.block_start[end]) == start) ++end;
    int64_t events = 0;
    for (size_t pos = start; pos < end; ++pos) {
      events += observed[static_cast<size_t>(ranking.cells[pos])];
    }
    if (events > 0) {
      const size_t first = static_cast<size_t>(std::upper_bound(bound.begin(), bound.end(), start) -
                                               bound.begin() - 1);
      if (end <= bound[first + 1]) {
        out[first].observed += static_cast<double>(events);
      } else {
        const double size = static_cast<double>(end - start);
        for (size_t k = first; k < kCalibrationGroups && bound[k] < end; ++k) {
          const size_t lo = std::max(start, bound[k]), hi = std::min(end, bound[k + 1]);
          if (hi > lo) {
            out[k].observed += static_cast<double>(events) * static_cast<double>(hi - lo) / size;
          }
        }
      }
    }
    start = end;
  }
  return out;
}

Calibration SummariseCalibration(std::span<const DecileSums> sums,
                                 models::Model::OutputKind value_kind) {
  PLACECAST_DCHECK(sums.size() == kCalibrationGroups);
  Calibration c;
  c.value_kind = value_kind;
  for (const DecileSums& s : sums) {
    c.predicted += s.predicted;
    c.observed += s.observed;
  }
  double abs_count = 0, abs_share = 0;
  for (size_t d = 0; d < sums.size(); ++d) {
    CalibrationDecile row;
    row.decile = static_cast<int>(d) + 1;
    row.cells = sums[d].cells;
    row.predicted = sums[d].predicted;
    row.observed = sums[d].observed;
    row.predicted_share = c.predicted != 0 ? row.predicted / c.predicted : kNaN;
    row.observed_share = c.observed != 0 ? row.observed / c.observed : kNaN;
    abs_count += std::abs(row.observed - row.predicted);
    abs_share += std::abs(row.observed_share - row.predicted_share);
    c.deciles.push_back(row);
  }
  const bool counts = value_kind == models::Model::OutputKind::kExpectedCount;
  c.observed_over_predicted = counts && c.predicted != 0 ? c.observed / c.predicted : kNaN;
  if (c.observed == 0) {
    c.calibration_error = kNaN;
  } else {
    c.calibration_error = counts ? abs_count / c.observed : abs_share;  // NaN shares stay NaN
  }
  return c;
}

}  // namespace placecast::eval
