// SPDX-License-Identifier: Apache-2.0
// `retro`: retrospective kernel hotspot map — each event of the training window spreads a quartic
// or Gaussian kernel over the surrounding cell centres. Internal header (the public entry point is
// placecast/models/model.h). A retro model is not thread-safe.
#pragma once

#include <memory>

#include "placecast/models/model.h"

namespace placecast::models {

const ModelInfo& RetroModelInfo();
// REQUIRES: `params` resolved against RetroModelInfo().params.
Result<std::unique_ptr<Model>> MakeRetroModel(ParamValues params);

// The kernel as a function of u² = (distance / bandwidth)², and its support in bandwidths.
// quartic: (1 - u²)² for u < 1; gaussian: exp(-u²/2) for u < 4. Zero outside the support.
enum class RetroKernel { kQuartic, kGaussian };
double RetroKernelValue(RetroKernel kernel, double u2);
double RetroKernelSupport(RetroKernel kernel);

}  // namespace placecast::models
