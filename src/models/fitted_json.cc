// SPDX-License-Identifier: Apache-2.0
// The common header of fitted-state JSON (fitted_json.h). Pure; thread-safe.
#include "models/fitted_json.h"

#include <cmath>
#include <string>

#include "models/cell_sums.h"

namespace placecast::models {

nlohmann::ordered_json FittedJsonHeader(std::string_view model, int64_t schema_version,
                                        const ParamValues& params, const grid::Grid& grid) {
  nlohmann::ordered_json j;
  j["model"] = std::string(model);
  j["schema_version"] = schema_version;
  j["params"] = nlohmann::ordered_json::parse(params.ToJson());
  j["grid"] = {
      {"num_cells", grid.num_cells()}, {"nx", grid.nx()},     {"ny", grid.ny()},
      {"x0_m", grid.x0_m()},           {"y0_m", grid.y0_m()}, {"cell_size_m", grid.cell_size_m()}};
  return j;
}

Status CheckFittedJsonHeader(const nlohmann::json& j, std::string_view model,
                             int64_t schema_version, const grid::Grid& grid) {
  const std::string name(model);
  auto bad = [&](const std::string& what) {
    return Status::InvalidInput(name + ": LoadFitted: " + what);
  };
  auto get_int = [&](const nlohmann::json& obj, const char* field, int64_t* out) -> Status {
    auto it = obj.find(field);
    if (it == obj.end() || !it->is_number_integer()) {
      return bad(std::string(field) + ": expected an integer");
    }
    *out = it->get<int64_t>();
    return Status::Ok();
  };
  auto m = j.find("model");
  if (m == j.end() || !m->is_string() || m->get<std::string>() != name) {
    return bad("model: expected \"" + name + "\"");
  }
  int64_t version = 0;
  PLACECAST_RETURN_IF_ERROR(get_int(j, "schema_version", &version));
  if (version != schema_version) {
    return Status::Unsupported(name + ": LoadFitted: schema_version " + std::to_string(version) +
                               " is not supported (expected " + std::to_string(schema_version) +
                               ")");
  }
  auto gj = j.find("grid");
  if (gj == j.end() || !gj->is_object()) return bad("grid: expected an object");
  int64_t num_cells = 0, nx = 0, ny = 0;
  PLACECAST_RETURN_IF_ERROR(get_int(*gj, "num_cells", &num_cells));
  PLACECAST_RETURN_IF_ERROR(get_int(*gj, "nx", &nx));
  PLACECAST_RETURN_IF_ERROR(get_int(*gj, "ny", &ny));
  auto geom = [&](const char* field) {
    auto it = gj->find(field);
    return it != gj->end() && it->is_number() ? it->get<double>() : std::nan("");
  };
  if (num_cells != grid.num_cells() || nx != grid.nx() || ny != grid.ny() ||
      geom("x0_m") != grid.x0_m() || geom("y0_m") != grid.y0_m() ||
      geom("cell_size_m") != grid.cell_size_m()) {
    return bad("grid: the fit is for a grid of " + std::to_string(num_cells) + " active cells (" +
               std::to_string(nx) + " x " + std::to_string(ny) + " cells of " +
               FormatValue(geom("cell_size_m")) + " m), not this one (" +
               std::to_string(grid.num_cells()) + " active cells, " + std::to_string(grid.nx()) +
               " x " + std::to_string(grid.ny()) + " of " + FormatValue(grid.cell_size_m()) +
               " m)");
  }
  return Status::Ok();
}

}  // namespace placecast::models
