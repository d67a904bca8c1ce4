// SPDX-License-Identifier: Apache-2.0
// `naive`: the risk of a cell is the number of events in it during the training window — the
// reference every other model must beat. Internal header (the public entry point is
// placecast/models/model.h). A NaiveModel is not thread-safe.
#pragma once

#include <memory>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& NaiveModelInfo();
// REQUIRES: `params` resolved against NaiveModelInfo().params.
Result<std::unique_ptr<Model>> MakeNaiveModel(ParamValues params);

}  // namespace placecast::models
