// SPDX-License-Identifier: Apache-2.0
// `boost`: gradient-boosted trees (XGBoost) learned on causal multi-scale history features; the
// first learned model (issue 15). Internal header (the public entry point is
// placecast/models/model.h). A BoostModel is not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& BoostModelInfo();
// REQUIRES: `params` resolved against BoostModelInfo().params.
Result<std::unique_ptr<Model>> MakeBoostModel(ParamValues params);

// What each feature gives the trees of `model`'s last training: XGBoost's total gain of the splits
// on it, by feature name, largest first (ties by name); features no split uses are absent.
// kInvalidInput when `model` is not a boost model that has been fitted.
Result<std::vector<std::pair<std::string, double>>> BoostFeatureGains(const Model& model);
// One cell's prediction taken apart by XGBoost's per-prediction feature contributions (TreeSHAP:
// Lundberg and Lee 2017; Lundberg et al. 2020), on the booster's margin scale: the log of the
// expected count per label_days for the poisson objective, the ranking score for pairwise.
// bias + the sum of `contributions` = `margin`, up to float rounding (XGBoost sums in float).
struct BoostCellContributions {
  grid::CellId cell = grid::kNoCell;
  std::vector<double> values;         // the cell's features at the origin, in column order
  std::vector<double> contributions;  // one per feature, in column order
  double bias = 0;    // the base score plus the trees' expected output over the training rows
  double margin = 0;  // XGBoost's margin prediction for the cell
};

// The contributions of a fitted boost model for some cells, and the facts needed to read them.
struct BoostContributions {
  std::vector<std::string> feature_names;  // column order, as BoostFeatures::names() gave them
  int64_t origin_s = 0, window_start_s = 0;
  int64_t label_days = 1;
  bool pairwise = false;
  double max_margin = 0;  // pairwise: the largest margin over all cells (Predict's exp(m - max))
  std::vector<BoostCellContributions> cells;  // one per asked cell, in the order asked
};

// The origin of `model`'s fit (by Fit() or LoadFitted()). kInvalidInput when `model` is not a
// boost model or has not been fitted.
Result<int64_t> GetBoostFitOrigin(const Model& model);

// The contributions of each of `cells` (REQUIRES: active cells of `grid`) for `model`'s fit. The
// features at the origin are computed again from `events` (the fit saves the booster and its
// predictions, not the features) and checked against the fit: kInvalidInput "boost: events: not
// the events the fit was made from" when they do not reproduce its prediction of every cell, and
// when the fit's feature names are not those this version computes. kInvalidInput when `model` is
// not a fitted boost model or `grid` is not the fit's size; kInternal for an XGBoost failure.
Result<BoostContributions> GetBoostContributions(const Model& model, const EventSet& events,
                                                 const grid::Grid& grid,
                                                 const std::vector<grid::CellId>& cells);

}  // namespace placecast::models
