// SPDX-License-Identifier: Apache-2.0
// `prospective`: prospective hot-spotting (Bowers, Johnson and Pease 2004) — recent events near a
// cell raise its risk, weighted down by distance in cell widths and by age in time units.
// Internal header (the public entry point is placecast/models/model.h). Not thread-safe.
#pragma once

#include <memory>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& ProspectiveModelInfo();
// REQUIRES: `params` resolved against ProspectiveModelInfo().params.
Result<std::unique_ptr<Model>> MakeProspectiveModel(ParamValues params);

}  // namespace placecast::models
