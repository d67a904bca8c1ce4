// SPDX-License-Identifier: Apache-2.0
// `boost`: gradient-boosted trees (XGBoost) learned on causal multi-scale history features; the
// first learned model (issue 15). Internal header (the public entry point is
// placecast/models/model.h). A BoostModel is not thread-safe.
#pragma once

#include <memory>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& BoostModelInfo();
// REQUIRES: `params` resolved against BoostModelInfo().params.
Result<std::unique_ptr<Model>> MakeBoostModel(ParamValues params);

}  // namespace placecast::models
