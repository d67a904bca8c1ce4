// SPDX-License-Identifier: Apache-2.0
// Request fields from ParamSpec tables (param_fields.h).
#include "ops/param_fields.h"

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "placecast/status.h"

namespace placecast::ops {
namespace {

// Texts made here (quoted enum defaults) outlive every FieldSpec pointing at them.
std::string_view Keep(std::string s) {
  static std::mutex mu;
  static std::deque<std::string> kept;
  std::lock_guard<std::mutex> lock(mu);
  kept.push_back(std::move(s));
  return kept.back();
}

}  // namespace

FieldSpec FieldOfParam(std::span<const ParamSpec> table, std::string_view name,
                       std::string_view doc, unsigned flags) {
  const ParamSpec* p = nullptr;
  for (const ParamSpec& s : table) {
    if (s.name == name) p = &s;
  }
  PLACECAST_DCHECK(p != nullptr);
  FieldSpec f;
  if (p == nullptr) {
    f.name = name;
    return f;
  }
  f.name = p->name;
  f.units = p->units;
  f.doc = doc.empty() ? p->description : doc;
  f.flags = flags;
  switch (p->type) {
    case ParamType::kInt:
      f.type = FieldType::kInt;
      f.default_json = p->default_value;
      f.min = p->min;
      f.max = p->max;
      break;
    case ParamType::kDouble:
      f.type = FieldType::kDouble;
      f.default_json = p->default_value;
      f.min = p->min;
      f.max = p->max;
      break;
    case ParamType::kBool:
      f.type = FieldType::kBool;
      f.default_json = p->default_value;
      break;
    case ParamType::kEnum:
      f.type = FieldType::kChoice;
      f.choices = p->choices;
      f.default_json = Keep(nlohmann::json(std::string(p->default_value)).dump());
      break;
    case ParamType::kString:
      f.type = FieldType::kString;
      f.default_json = Keep(nlohmann::json(std::string(p->default_value)).dump());
      break;
  }
  return f;
}

std::string ParamText(int64_t v) { return std::to_string(v); }

std::string ParamText(double v) { return nlohmann::json(v).dump(); }

}  // namespace placecast::ops
