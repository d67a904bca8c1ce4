// SPDX-License-Identifier: Apache-2.0
// ParamSpec: the one table that declares a model's or a run's parameters (name, type, default,
// range, units, description). Flags, manifests and docs/params.md are all generated from it.
// ParamValues: a fully resolved set of values for one table, checked against it.
// Both are immutable after construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/status.h"

namespace placecast {

enum class ParamType { kInt, kDouble, kBool, kString, kEnum };

struct ParamSpec {
  std::string_view name;  // snake_case, with units in the name where it has them
  ParamType type;
  std::string_view default_value;  // as text, parsed like a user value
  double min = -1e300;             // inclusive bounds for kInt and kDouble
  double max = 1e300;
  std::string_view units;  // "m", "days", "" …
  std::string_view description;
  std::string_view choices = {};  // for kEnum: "quartic|gaussian"
};

class ParamValues {
 public:
  ParamValues() = default;

  // Resolves `given` (name -> text) against `spec`, filling defaults. Fails with kInvalidInput
  // naming `owner`, the parameter, the value and what was expected when a value does not parse or
  // is out of range, and listing every unknown key when some are not in the table.
  static Result<ParamValues> Resolve(std::span<const ParamSpec> spec,
                                     const std::map<std::string, std::string>& given,
                                     std::string_view owner);

  // Same, from a JSON object {"name": value, …} (as written by ToJson()).
  static Result<ParamValues> FromJson(std::span<const ParamSpec> spec, std::string_view json,
                                      std::string_view owner);

  // REQUIRES: `name` is in the table and of a matching type (a programmer error otherwise).
  double GetDouble(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;

  // JSON object with every parameter in table order, numbers as numbers.
  std::string ToJson() const;
  // name -> canonical text, in table order.
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  const std::pair<std::string, std::string>* Find(std::string_view name) const;
  std::vector<std::pair<std::string, std::string>> items_;
  std::vector<ParamType> types_;
};

// A Markdown table of `spec` (name, type, default, range, units, description) for docs/params.md.
std::string ParamSpecToMarkdown(std::span<const ParamSpec> spec);

}  // namespace placecast
