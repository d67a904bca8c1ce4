// SPDX-License-Identifier: Apache-2.0
// `boost`: gradient-boosted trees (XGBoost) learned on causal multi-scale history features; the
// first learned model (issue 15). Internal header (the public entry point is
// placecast/models/model.h). A BoostModel is not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& BoostModelInfo();
// REQUIRES: `params` resolved against BoostModelInfo().params.
Result<std::unique_ptr<Model>> MakeBoostModel(ParamValues params);

// What each feature gives the trees of `model`'s last training: XGBoost's total gain of the splits
// on it, by feature name, largest first (ties by name); features no split uses are absent.
// kInvalidInput when `model` is not a boost model that has been fitted.
Result<std::vector<std::pair<std::string, double>>> BoostFeatureGains(const Model& model);

}  // namespace placecast::models
