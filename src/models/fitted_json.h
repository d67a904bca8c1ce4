// SPDX-License-Identifier: Apache-2.0
// Internal: the common part of the fitted-state JSON of models that save one (sepp_grid, sepp):
// the model name, schema version, resolved parameters and the grid the fit belongs to, written by
// FittedJsonHeader and checked by CheckFittedJsonHeader. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "placecast/grid/grid.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::models {

// {"model", "schema_version", "params", "grid": {num_cells, nx, ny, x0_m, y0_m, cell_size_m}}.
nlohmann::ordered_json FittedJsonHeader(std::string_view model, int64_t schema_version,
                                        const ParamValues& params, const grid::Grid& grid);

// Checks `j` against the header above: kInvalidInput "<model>: LoadFitted: <field>: ..." for a
// wrong model, a missing field or another grid; kUnsupported for another schema version.
Status CheckFittedJsonHeader(const nlohmann::json& j, std::string_view model,
                             int64_t schema_version, const grid::Grid& grid);

}  // namespace placecast::models
