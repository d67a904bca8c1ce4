// SPDX-License-Identifier: Apache-2.0
// Calibration of forecasts by decile of predicted risk: how the events that happened compare with
// what a model predicted, for the riskiest tenth of the cells, the next tenth, and so on (a
// reliability table; Murphy & Winkler 1977, Bröcker & Smith 2007). See docs/evaluation.md,
// "Calibration". Pure functions of their arguments; safe to call from any number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/models/model.h"
#include "placecast/status.h"

namespace placecast::eval {

// Deciles: ten groups of ranked cells.
inline constexpr size_t kCalibrationGroups = 10;

// Sums of one decile over one forecast, or over many (added in origin order).
struct DecileSums {
  int64_t cells = 0;     // cells (over many forecasts: cell-origins)
  double predicted = 0;  // Σ predicted value of those cells
  // Σ events observed in those cells. A tie block that straddles a decile boundary shares its
  // events between the deciles in proportion to its cells in each, so this may be fractional.
  double observed = 0;
};

// The decile sums of one forecast. The active cells are ranked by grid::RankCells(risk, ties)
// (risk, highest first, then the tie keys), and rank positions [floor(d × N / 10),
// floor((d + 1) × N / 10)) form decile d + 1 (decile 1 = the riskiest tenth), so decile sizes
// differ by at most one cell (with N < 10 some deciles are empty). `predicted` sums the risk at
// each position. Cells still tied after risk and both tie keys (a block that differs only by cell
// id) have equal risk; their events are shared between the deciles the block spans in proportion
// to its positions in each (the expected value under a random order within the block, as
// ScoreCoverages treats ties), so the result does not depend on cell ids.
// kInvalidInput when the lengths differ or are 0, when a risk value is not finite, when a count is
// negative, or when the tie keys have the wrong length.
Result<std::array<DecileSums, kCalibrationGroups>> CalibrationDeciles(
    const grid::Surface& risk, std::span<const int64_t> observed, const grid::TieBreak& ties);

// One row of a reliability table.
struct CalibrationDecile {
  int decile = 0;  // 1 = the riskiest tenth
  int64_t cells = 0;
  double predicted = 0;
  double observed = 0;
  double predicted_share = 0;  // predicted / Σ predicted over deciles; NaN when that is 0
  double observed_share = 0;   // observed / Σ observed over deciles; NaN when that is 0
};

// A model's calibration, summarised from its decile sums.
struct Calibration {
  // What the values are: with kExpectedCount predicted and observed are compared as counts, with
  // kRelativeScore only as shares of their totals.
  models::Model::OutputKind value_kind = models::Model::OutputKind::kRelativeScore;
  std::vector<CalibrationDecile> deciles;  // kCalibrationGroups rows, decile 1 first
  double predicted = 0;                    // Σ over deciles
  double observed = 0;                     // Σ over deciles
  // kExpectedCount: observed / predicted. NaN for kRelativeScore or when predicted is 0.
  double observed_over_predicted = 0;
  // The deciles' absolute miscalibration as a share of the observed events:
  //   kExpectedCount: Σ_d |observed_d − predicted_d| / Σ_d observed_d, which counts a bias of the
  //     total as well as a wrong spread over the deciles;
  //   kRelativeScore: Σ_d |observed_share_d − predicted_share_d| (the same with the predictions
  //     rescaled to the observed total).
  // 0 = every decile as predicted; ≥ 0, at most 2 for shares. NaN when nothing was observed, or
  // for kRelativeScore when nothing was predicted.
  double calibration_error = 0;
};

// The calibration of `sums` (kCalibrationGroups entries, decile 1 first), summed in decile order.
// REQUIRES: sums.size() == kCalibrationGroups.
Calibration SummariseCalibration(std::span<const DecileSums> sums,
                                 models::Model::OutputKind value_kind);

}  // namespace placecast::eval
