// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by the analysis writers: number formatting that is the same on every
// platform, JSON string escaping and comma-list parsing. Stateless; thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
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

inline std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
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
