// SPDX-License-Identifier: Apache-2.0
// Internal: the common part of the fitted-state JSON of models that save one (sepp_grid, sepp):
// the model name, schema version, resolved parameters and the grid the fit belongs to, written by
// FittedJsonHeader and checked by CheckFittedJsonHeader; and FittedJsonReader, which reads the
// model's own fields with the same messages for every model. Pure functions; thread-safe (a
// reader only reads the JSON it was given).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/grid/grid.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::models {

// {"model", "schema_version", "params", "grid": {num_cells, nx, ny, x0_m, y0_m, cell_size_m}}.
nlohmann::ordered_json FittedJsonHeader(std::string_view model, int64_t schema_version,
                                        const ParamValues& params, const grid::Grid& grid);

// Checks `j` against the header above: kInvalidInput "<model>: LoadFitted: <field>: ..." for a
// wrong model, a missing field or another grid; kData for another schema version.
Status CheckFittedJsonHeader(const nlohmann::json& j, std::string_view model,
                             int64_t schema_version, const grid::Grid& grid);

// Parses a LoadFitted() argument and checks its header: the JSON object on success;
// kInvalidInput "<model>: LoadFitted: not a JSON object" for text that does not parse or is not
// an object, else as CheckFittedJsonHeader.
Result<nlohmann::json> ParseFittedJson(std::string_view json, std::string_view model,
                                       int64_t schema_version, const grid::Grid& grid);

// Reads the fields of one JSON object of a model's fitted state. Every failure is kInvalidInput
// "<model>: LoadFitted: <field>: expected ..." naming the field (and the index for an array
// element). `obj` must outlive the reader.
class FittedJsonReader {
 public:
  FittedJsonReader(const nlohmann::json& obj, std::string_view model);

  // kInvalidInput "<model>: LoadFitted: <what>", for the checks the model makes itself.
  Status Bad(const std::string& what) const;

  // Any JSON number: "<field>: expected a number".
  Status GetNumber(const char* field, double* out) const;
  // A JSON integer: "<field>: expected an integer".
  Status GetInt(const char* field, int64_t* out) const;
  // true or false: "<field>: expected true or false".
  Status GetBool(const char* field, bool* out) const;
  // An array of numbers, of exactly `size` elements when given, each >= 0 when `non_negative`:
  // "<field>: expected an array of <size> numbers" (or "of numbers" without a size), and
  // "<field>[<k>]: expected a [non-negative ]number" for the first bad element. `*out` is
  // replaced on success; on failure it holds the elements before the bad one.
  Status GetNumbers(const char* field, std::optional<size_t> size, bool non_negative,
                    std::vector<double>* out) const;

 private:
  const nlohmann::json& obj_;
  std::string model_;
};

}  // namespace placecast::models
