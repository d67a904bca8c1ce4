// SPDX-License-Identifier: Apache-2.0
// `ensemble`: at each origin, selects or weights other registered models (its members) by their
// hit rate in a rolling backtest over the days before the origin (issue 15). Internal header (the
// public entry point is placecast/models/model.h). An EnsembleModel is not thread-safe: it owns one
// instance of each member and a cache of their scores.
#pragma once

#include <memory>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& EnsembleModelInfo();
// REQUIRES: `params` resolved against EnsembleModelInfo().params. kInvalidInput naming the
// parameter and value for an empty or unknown member, a repeated member, "ensemble" as a member,
// and a member that refuses the window_days passed on to it.
Result<std::unique_ptr<Model>> MakeEnsembleModel(ParamValues params);

}  // namespace placecast::models
