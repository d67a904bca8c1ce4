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
  const FittedJsonReader top(j, model);
  auto m = j.find("model");
  if (m == j.end() || !m->is_string() || m->get<std::string>() != name) {
    return top.Bad("model: expected \"" + name + "\"");
  }
  int64_t version = 0;
  PLACECAST_RETURN_IF_ERROR(top.GetInt("schema_version", &version));
  if (version != schema_version) {
    return Status::Data(name + ": LoadFitted: schema_version " + std::to_string(version) +
                        " is not supported (expected " + std::to_string(schema_version) + ")");
  }
  auto gj = j.find("grid");
  if (gj == j.end() || !gj->is_object()) return top.Bad("grid: expected an object");
  const FittedJsonReader in_grid(*gj, model);
  int64_t num_cells = 0, nx = 0, ny = 0;
  PLACECAST_RETURN_IF_ERROR(in_grid.GetInt("num_cells", &num_cells));
  PLACECAST_RETURN_IF_ERROR(in_grid.GetInt("nx", &nx));
  PLACECAST_RETURN_IF_ERROR(in_grid.GetInt("ny", &ny));
  auto geom = [&](const char* field) {
    auto it = gj->find(field);
    return it != gj->end() && it->is_number() ? it->get<double>() : std::nan("");
  };
  if (num_cells != grid.num_cells() || nx != grid.nx() || ny != grid.ny() ||
      geom("x0_m") != grid.x0_m() || geom("y0_m") != grid.y0_m() ||
      geom("cell_size_m") != grid.cell_size_m()) {
    return top.Bad("grid: the fit is for a grid of " + std::to_string(num_cells) +
                   " active cells (" + std::to_string(nx) + " x " + std::to_string(ny) +
                   " cells of " + FormatValue(geom("cell_size_m")) + " m), not this one (" +
                   std::to_string(grid.num_cells()) + " active cells, " +
                   std::to_string(grid.nx()) + " x " + std::to_string(grid.ny()) + " of " +
                   FormatValue(grid.cell_size_m()) + " m)");
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseFittedJson(std::string_view json, std::string_view model,
                                       int64_t schema_version, const grid::Grid& grid) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return FittedJsonReader(j, model).Bad("not a JSON object");
  }
  PLACECAST_RETURN_IF_ERROR(CheckFittedJsonHeader(j, model, schema_version, grid));
  return j;
}

FittedJsonReader::FittedJsonReader(const nlohmann::json& obj, std::string_view model)
    : obj_(obj), model_(model) {}

Status FittedJsonReader::Bad(const std::string& what) const {
  return Status::InvalidInput(model_ + ": LoadFitted: " + what);
}

Status FittedJsonReader::GetNumber(const char* field, double* out) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || !it->is_number()) return Bad(std::string(field) + ": expected a number");
  *out = it->get<double>();
  return Status::Ok();
}

Status FittedJsonReader::GetInt(const char* field, int64_t* out) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || !it->is_number_integer()) {
    return Bad(std::string(field) + ": expected an integer");
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status FittedJsonReader::GetBool(const char* field, bool* out) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || !it->is_boolean()) {
    return Bad(std::string(field) + ": expected true or false");
  }
  *out = it->get<bool>();
  return Status::Ok();
}

Status FittedJsonReader::GetNumbers(const char* field, std::optional<size_t> size,
                                    bool non_negative, std::vector<double>* out) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || !it->is_array() || (size && it->size() != *size)) {
    return Bad(std::string(field) + ": expected an array of " +
               (size ? std::to_string(*size) + " numbers" : std::string("numbers")));
  }
  out->clear();
  out->reserve(it->size());
  for (size_t k = 0; k < it->size(); ++k) {
    const auto& v = (*it)[k];
    if (!v.is_number() || (non_negative && !(v.get<double>() >= 0))) {
      return Bad(std::string(field) + "[" + std::to_string(k) + "]: expected a " +
                 (non_negative ? "non-negative " : "") + "number");
    }
    out->push_back(v.get<double>());
  }
  return Status::Ok();
}

}  // namespace placecast::models
