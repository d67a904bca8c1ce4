// SPDX-License-Identifier: Apache-2.0
// The non-template parts of ops/request.h: reading and checking one field's value.
#include "placecast/ops/request.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "placecast/common/event_set.h"
#include "placecast/common/utf8.h"

namespace placecast::ops {

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string FlagName(const FieldSpec& f) {
  std::string s(f.name);
  if (f.flags & kPositional) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  std::string flag = "--";
  for (char c : s) flag.push_back(c == '_' ? '-' : c);
  return flag;
}

std::string_view TypeName(FieldType t) {
  switch (t) {
    case FieldType::kString:
      return "text";
    case FieldType::kChoice:
      return "choice";
    case FieldType::kDate:
      return "date";
    case FieldType::kInputPath:
      return "file";
    case FieldType::kOutputPath:
      return "folder";
    case FieldType::kOutputFile:
      return "output file";
    case FieldType::kInt:
      return "integer";
    case FieldType::kDouble:
      return "number";
    case FieldType::kBool:
      return "flag";
    case FieldType::kStringList:
      return "list";
  }
  return "?";
}

namespace internal {
namespace {

// The value as a short quoted text for an error message.
std::string Shown(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 80) {
    s.resize(77);
    s += "...";
  }
  std::string shown = "\"";
  shown += EscapeInvalidUtf8(s);
  shown += '"';
  return shown;
}

Status WrongType(const FieldSpec& f, const nlohmann::json& v, std::string_view expected) {
  return Status::InvalidInput(FlagName(f) + ": expected " + std::string(expected) + " (got " +
                              Shown(v) + ")");
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

Status ReadString(const FieldSpec& f, const nlohmann::json& v, std::string* out) {
  if (!v.is_string()) return WrongType(f, v, TypeName(f.type) == "date" ? "a date" : "a string");
  *out = v.get<std::string>();
  if (!IsValidUtf8(*out)) {
    return Status::InvalidInput(FlagName(f) + ": not valid UTF-8 (got \"" +
                                EscapeInvalidUtf8(*out) + "\")");
  }
  return Status::Ok();
}

Status ReadInt(const FieldSpec& f, const nlohmann::json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return Status::Ok();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      *out = static_cast<int64_t>(d);
      return Status::Ok();
    }
  }
  return WrongType(f, v, "an integer");
}

Status ReadDouble(const FieldSpec& f, const nlohmann::json& v, double* out) {
  if (!v.is_number()) return WrongType(f, v, "a number");
  *out = v.get<double>();
  return Status::Ok();
}

Status ReadBool(const FieldSpec& f, const nlohmann::json& v, bool* out) {
  if (!v.is_boolean()) return WrongType(f, v, "true or false");
  *out = v.get<bool>();
  return Status::Ok();
}

Status ReadStringList(const FieldSpec& f, const nlohmann::json& v, std::vector<std::string>* out) {
  if (!v.is_array()) return WrongType(f, v, "an array of strings");
  out->clear();
  for (const auto& e : v) {
    std::string s;
    PLACECAST_RETURN_IF_ERROR(ReadString(f, e, &s));
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

nlohmann::json DefaultOf(const FieldSpec& f) {
  if (!f.default_json.empty()) return nlohmann::json::parse(f.default_json);
  switch (f.type) {
    case FieldType::kInt:
      return int64_t{0};
    case FieldType::kDouble:
      return 0.0;
    case FieldType::kBool:
      return false;
    case FieldType::kStringList:
      return nlohmann::json::array();
    default:
      return "";
  }
}

Status CheckString(const FieldSpec& f, const std::string& v) {
  if (v.empty()) {
    if (f.flags & kRequired) return Status::InvalidInput(FlagName(f) + ": required");
    return Status::Ok();
  }
  if (f.type == FieldType::kDate) return ParseDate(v, FlagName(f)).status();
  if (f.type == FieldType::kChoice) {
    const std::string_view all = f.choices;
    size_t start = 0;
    while (start <= all.size()) {
      const size_t bar = all.find('|', start);
      const std::string_view c =
          all.substr(start, bar == std::string_view::npos ? all.npos : bar - start);
      if (c == v) return Status::Ok();
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    std::string list(all);
    for (char& c : list) {
      if (c == '|') c = ',';
    }
    return Status::InvalidInput(FlagName(f) + ": expected one of " + list + " (got \"" + v + "\")");
  }
  return Status::Ok();
}

Status CheckNumber(const FieldSpec& f, double v, bool is_default) {
  if (!std::isfinite(v)) {
    return Status::InvalidInput(FlagName(f) + ": expected a finite number (got " + Number(v) + ")");
  }
  if (is_default) return Status::Ok();
  if (v < f.min || v > f.max) {
    return Status::InvalidInput(FlagName(f) + ": expected a value in [" + Number(f.min) + ", " +
                                Number(f.max) + "] (got " + Number(v) + ")");
  }
  return Status::Ok();
}

Status CheckStringList(const FieldSpec& f, const std::vector<std::string>& v) {
  if (v.empty() && (f.flags & kRequired)) return Status::InvalidInput(FlagName(f) + ": required");
  return Status::Ok();
}

Status UnknownFields(std::string_view op, const std::vector<std::string>& unknown,
                     std::span<const FieldSpec> known) {
  std::string msg = std::string(op) + " request: unknown field";
  msg += unknown.size() > 1 ? "s " : " ";
  for (size_t i = 0; i < unknown.size(); ++i) {
    msg += i ? ", \"" : "\"";
    msg += EscapeInvalidUtf8(unknown[i]);
    msg += '"';
  }
  msg += " (known:";
  for (const auto& f : known) {
    msg += ' ';
    msg += f.name;
  }
  msg += ')';
  return Status::InvalidInput(msg);
}

}  // namespace internal
}  // namespace placecast::ops
