// SPDX-License-Identifier: Apache-2.0
// ParamValues resolution against a ParamSpec table. Pure functions; thread-safe.
#include "placecast/params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

namespace placecast {
namespace {

std::string_view TypeName(ParamType t) {
  switch (t) {
    case ParamType::kInt:
      return "integer";
    case ParamType::kDouble:
      return "number";
    case ParamType::kBool:
      return "boolean";
    case ParamType::kString:
      return "string";
    case ParamType::kEnum:
      return "choice";
  }
  return "?";
}

std::string FormatNumber(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// Parses `text` as the spec's type and returns its canonical text.
Result<std::string> Canonical(const ParamSpec& s, std::string_view text, std::string_view owner) {
  auto bad = [&](std::string_view expected) {
    return Status::InvalidInput(std::string(owner) + ": parameter " + std::string(s.name) + ": " +
                                std::string(expected) + " (got \"" + std::string(text) + "\")");
  };
  switch (s.type) {
    case ParamType::kInt:
    case ParamType::kDouble: {
      double v = 0;
      const char* b = text.data();
      const char* e = b + text.size();
      auto r = std::from_chars(b, e, v);
      if (text.empty() || r.ec != std::errc() || r.ptr != e || !std::isfinite(v)) {
        return bad(std::string("expected a ") + std::string(TypeName(s.type)));
      }
      if (s.type == ParamType::kInt && v != std::floor(v)) return bad("expected an integer");
      if (v < s.min || v > s.max) {
        return bad("expected a value in [" + FormatNumber(s.min) + ", " + FormatNumber(s.max) +
                   "]" + (s.units.empty() ? "" : " " + std::string(s.units)));
      }
      return FormatNumber(v);
    }
    case ParamType::kBool:
      if (text == "true" || text == "1" || text == "yes") return std::string("true");
      if (text == "false" || text == "0" || text == "no") return std::string("false");
      return bad("expected true or false");
    case ParamType::kString:
      return std::string(text);
    case ParamType::kEnum: {
      std::string_view c = s.choices;
      while (!c.empty()) {
        auto bar = c.find('|');
        std::string_view one = c.substr(0, bar);
        if (one == text) return std::string(text);
        if (bar == std::string_view::npos) break;
        c.remove_prefix(bar + 1);
      }
      return bad("expected one of " + std::string(s.choices));
    }
  }
  return Status::Internal("unknown parameter type");
}

}  // namespace

Result<ParamValues> ParamValues::Resolve(std::span<const ParamSpec> spec,
                                         const std::map<std::string, std::string>& given,
                                         std::string_view owner) {
  std::string unknown;
  for (const auto& [k, v] : given) {
    bool found = false;
    for (const auto& s : spec) found = found || s.name == k;
    if (!found) unknown += (unknown.empty() ? "" : ", ") + k;
  }
  if (!unknown.empty()) {
    std::string known;
    for (const auto& s : spec) known += (known.empty() ? "" : ", ") + std::string(s.name);
    return Status::InvalidInput(std::string(owner) + ": unknown parameter(s): " + unknown +
                                " (known: " + known + ")");
  }
  ParamValues out;
  for (const auto& s : spec) {
    auto it = given.find(std::string(s.name));
    std::string_view text = it == given.end() ? s.default_value : std::string_view(it->second);
    PLACECAST_ASSIGN_OR_RETURN(std::string canon, Canonical(s, text, owner));
    out.items_.emplace_back(std::string(s.name), std::move(canon));
    out.types_.push_back(s.type);
  }
  return out;
}

Result<ParamValues> ParamValues::FromJson(std::span<const ParamSpec> spec, std::string_view json,
                                          std::string_view owner) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidInput(std::string(owner) + ": parameters are not a JSON object");
  }
  std::map<std::string, std::string> given;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) {
      given[it.key()] = it->get<std::string>();
    } else if (it->is_boolean()) {
      given[it.key()] = it->get<bool>() ? "true" : "false";
    } else if (it->is_number()) {
      given[it.key()] = FormatNumber(it->get<double>());
    } else {
      return Status::InvalidInput(std::string(owner) + ": parameter " + it.key() +
                                  ": expected a number, string or boolean (got " + it->dump() +
                                  ")");
    }
  }
  return Resolve(spec, given, owner);
}

const std::pair<std::string, std::string>* ParamValues::Find(std::string_view name) const {
  for (const auto& kv : items_) {
    if (kv.first == name) return &kv;
  }
  PLACECAST_DCHECK(false && "parameter not in table");
  return nullptr;
}

double ParamValues::GetDouble(std::string_view name) const {
  const auto* kv = Find(name);
  return kv ? std::strtod(kv->second.c_str(), nullptr) : 0.0;
}
int64_t ParamValues::GetInt(std::string_view name) const {
  return static_cast<int64_t>(std::llround(GetDouble(name)));
}
bool ParamValues::GetBool(std::string_view name) const {
  const auto* kv = Find(name);
  return kv && kv->second == "true";
}
const std::string& ParamValues::GetString(std::string_view name) const {
  static const std::string kEmpty;
  const auto* kv = Find(name);
  return kv ? kv->second : kEmpty;
}

std::string ParamValues::ToJson() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto& [k, v] = items_[i];
    switch (types_[i]) {
      case ParamType::kInt:
        j[k] = std::llround(std::strtod(v.c_str(), nullptr));
        break;
      case ParamType::kDouble:
        j[k] = std::strtod(v.c_str(), nullptr);
        break;
      case ParamType::kBool:
        j[k] = (v == "true");
        break;
      default:
        j[k] = v;
    }
  }
  return j.dump();
}

std::string ParamSpecToMarkdown(std::span<const ParamSpec> spec) {
  std::ostringstream o;
  o << "| name | type | default | range | units | description |\n|---|---|---|---|---|---|\n";
  for (const auto& s : spec) {
    std::string range;
    if (s.type == ParamType::kInt || s.type == ParamType::kDouble) {
      range = "[";
      range += s.min <= -1e299 ? std::string("-inf") : FormatNumber(s.min);
      range += ", ";
      range += s.max >= 1e299 ? std::string("inf") : FormatNumber(s.max);
      range += "]";
    } else if (s.type == ParamType::kEnum) {
      range = std::string(s.choices);
      for (auto& c : range) c = c == '|' ? ',' : c;
    }
    o << "| `" << s.name << "` | " << TypeName(s.type) << " | `" << s.default_value << "` | "
      << range << " | " << s.units << " | ";
    for (char c : s.description) {  // a '|' in the text would end the table cell
      if (c == '|') o << '\\';
      o << c;
    }
    o << " |\n";
  }
  return o.str();
}

}  // namespace placecast
