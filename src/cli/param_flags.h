// SPDX-License-Identifier: Apache-2.0
// The one check of `--param` keys against the models of a run: every subcommand that takes
// `--param key=value` / `--param model.key=value` (forecast, explain, backtest, audit, hotspots,
// allocate) goes through ParamsForModels(). Unknown keys are errors that list them.
// Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "placecast/status.h"

namespace placecast::cli {

// Checks `params` (as returned by ParseParamFlags: model -> key -> value, unqualified keys under
// "") against the ParamSpec tables of `models`, the models this run uses:
//   - a qualifier must name one of `models` (`--param nosuch.bandwidth_m=5` is an error);
//   - a qualified key must be a parameter of that model;
//   - an unqualified key must be a parameter of at least one of `models` (ParamsFor gives it only
//     to the models that declare it).
// Models that are not registered are skipped (creating them reports kNotFound, listing the known
// ones). kInvalidInput listing every unknown key, with why and the keys each model takes.
Status CheckParamKeys(const std::map<std::string, std::map<std::string, std::string>>& params,
                      const std::vector<std::string>& models);

// True when the registered model `model` declares the parameter `key`; also true for a model that
// is not registered (nothing is known about it).
bool ModelHasParam(const std::string& model, const std::string& key);

// ParseParamFlags(flags), then CheckParamKeys(…, models); on success, for each of `models`, the
// parameters it gets: the unqualified keys it declares, overlaid by the keys qualified with its
// name. kInvalidInput for a malformed flag or an unknown key.
Result<std::map<std::string, std::map<std::string, std::string>>> ParamsForModels(
    const std::vector<std::string>& flags, const std::vector<std::string>& models);

}  // namespace placecast::cli
