// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by the analysis writers: number formatting that is the same on every
// platform, the JSON layout of the analysis products and comma-list parsing. Stateless;
// thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placecast/status.h"

namespace placecast::analysis::internal {

// %.*g of a finite value; "inf"/"-inf"/"nan" otherwise (CSV), or "null" when `json` is true.
inline std::string Num(double v, int digits = 10, bool json = false) {
  if (!std::isfinite(v)) {
    if (json) return "null";
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

using Json = nlohmann::ordered_json;

// Significant digits of the floating-point members named here; every other one gets 10.
using JsonDigits = std::vector<std::pair<std::string_view, int>>;

// Given as a top-level member's digits, the member is written as nlohmann writes it (compact, its
// own number format), not in the analysis layout: the `privacy` record of a public release.
inline constexpr int kJsonAsIs = 0;

inline int DigitsOf(std::string_view key, const JsonDigits& by_key, int digits) {
  for (const auto& [k, d] : by_key) {
    if (k == key) return d;
  }
  return digits;
}

// A scalar as the analysis products have always written it: floating-point numbers as %.*g
// (null when not finite), so that 2.0 stays "2" and products keep their bytes and ledger hashes;
// strings, integers, booleans and null as nlohmann writes them (invalid UTF-8 replaced).
inline void AppendJsonInline(const Json& v, int digits, const JsonDigits& by_key,
                             std::string* out) {
  if (v.is_object()) {
    *out += '{';
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it != v.begin()) *out += ", ";
      *out += Json(it.key()).dump(-1, ' ', false, Json::error_handler_t::replace);
      *out += ": ";
      AppendJsonInline(it.value(), DigitsOf(it.key(), by_key, 10), by_key, out);
    }
    *out += '}';
  } else if (v.is_array()) {
    *out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) *out += ", ";
      AppendJsonInline(v[i], digits, by_key, out);
    }
    *out += ']';
  } else if (v.is_number_float()) {
    *out += Num(v.get<double>(), digits, true);
  } else {
    *out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

// The layout of the analysis JSON products (knox.json, clusters.json): one top-level member per
// line, indented by 2; a non-empty array of objects one object per line, indented by 4; anything
// else on one line with ", " and ": " separators. Ends with "}\n".
// REQUIRES: doc is an object.
inline std::string DumpAnalysisJson(const Json& doc, const JsonDigits& by_key = {}) {
  std::string out = "{\n";
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it != doc.begin()) out += ",\n";
    out += "  " + Json(it.key()).dump(-1, ' ', false, Json::error_handler_t::replace) + ": ";
    const Json& v = it.value();
    const int digits = DigitsOf(it.key(), by_key, 10);
    if (digits == kJsonAsIs) {
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
      continue;
    }
    bool rows = v.is_array() && !v.empty();
    for (const Json& e : v) rows = rows && e.is_object();
    if (!rows) {
      AppendJsonInline(v, digits, by_key, &out);
      continue;
    }
    out += "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      out += i ? ",\n    " : "    ";
      AppendJsonInline(v[i], digits, by_key, &out);
    }
    out += "\n  ]";
  }
  return out + "\n}\n";
}

// "100, 200,300" -> {100, 200, 300}. kInvalidInput naming `what` and the bad item.
inline Result<std::vector<double>> ParseNumberList(std::string_view text, std::string_view what) {
  std::vector<double> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string item(text.substr(pos, end - pos));
    const size_t a = item.find_first_not_of(" \t");
    const size_t b = item.find_last_not_of(" \t");
    item = a == std::string::npos ? "" : item.substr(a, b - a + 1);
    char* stop = nullptr;
    const double v = item.empty() ? 0 : std::strtod(item.c_str(), &stop);
    if (item.empty() || stop == nullptr || *stop != '\0' || !std::isfinite(v)) {
      return Status::InvalidInput(std::string(what) +
                                  ": not a comma-separated list of numbers (got \"" +
                                  std::string(text) + "\")");
    }
    out.push_back(v);
    pos = end + 1;
  }
  return out;
}

}  // namespace placecast::analysis::internal
