// SPDX-License-Identifier: Apache-2.0
// The `boost` feature names in words (boost_words.h). Pure; thread-safe.
#include "models/boost_words.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace placecast::models {
namespace {

constexpr std::array<const char*, 7> kDays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};
constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};

std::vector<std::string_view> SplitTokens(std::string_view name) {
  std::vector<std::string_view> out;
  size_t from = 0;
  while (true) {
    const size_t at = name.find('_', from);
    out.push_back(name.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

// A whole number of at least 1 written in decimal digits only, or -1.
int64_t Positive(std::string_view t) {
  int64_t v = -1;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && end == t.data() + t.size() && !t.empty() && t[0] != '-' && v >= 1
             ? v
             : -1;
}

// "7d" or "7" -> 7 days; -1 when the token is not a look-back.
int64_t LookbackDays(std::string_view t) {
  if (!t.empty() && t.back() == 'd') t.remove_suffix(1);
  return Positive(t);
}

// "3x3" -> 3; -1 when the token is not a square neighbourhood.
int64_t ScaleCells(std::string_view t) {
  const size_t x = t.find('x');
  if (x == std::string_view::npos) return -1;
  const int64_t a = Positive(t.substr(0, x)), b = Positive(t.substr(x + 1));
  return a > 0 && a == b ? a : -1;
}

std::string Where(int64_t cells) {
  if (cells == 1) return "in the cell";
  const std::string n = std::to_string(cells);
  return "within the " + n + "\xc3\x97" + n + " neighbourhood";
}

std::string Since(int64_t days) {
  return days == 1 ? "in the last day" : "in the last " + std::to_string(days) + " days";
}

// The value as an index into a table of `size` names starting at `first`, or -1.
int64_t Category(double value, int64_t first, size_t size) {
  if (!(value == std::floor(value)) || value < static_cast<double>(first) ||
      value >= static_cast<double>(first) + static_cast<double>(size)) {
    return -1;
  }
  return static_cast<int64_t>(value) - first;
}

// Token by token, for names this version does not know.
std::string Generic(const std::vector<std::string_view>& tokens) {
  std::string out;
  for (std::string_view t : tokens) {
    if (t.empty()) continue;
    if (!out.empty()) out += ' ';
    if (t == "count") {
      out += "events";
    } else if (t == "ind") {
      out += "leading indicator:";
    } else if (const int64_t d = LookbackDays(t); d > 0 && t.back() == 'd') {
      out += d == 1 ? "1 day" : std::to_string(d) + " days";
    } else if (const int64_t s = ScaleCells(t); s > 0) {
      out += s == 1 ? std::string("cell") : Where(s).substr(sizeof("within the ") - 1);
    } else {
      out += t;
    }
  }
  return out.empty() ? std::string("unnamed feature") : out;
}

}  // namespace

std::string BoostFeatureToWords(std::string_view name, double value) {
  const std::vector<std::string_view> t = SplitTokens(name);
  const size_t n = t.size();
  if (n == 3 && t[0] == "count" && LookbackDays(t[1]) > 0 && ScaleCells(t[2]) > 0) {
    return "events " + Where(ScaleCells(t[2])) + " " + Since(LookbackDays(t[1]));
  }
  if (n == 3 && t[0] == "days" && t[1] == "since") {
    if (t[2] == "cell") return "days since the last event in the cell";
    if (ScaleCells(t[2]) > 0) return "days since the last event " + Where(ScaleCells(t[2]));
  }
  if (name == "day_of_week") {
    const int64_t k = Category(value, 0, kDays.size());
    return k < 0 ? "day of week (0 = Monday)" : std::string("day of week: ") + kDays[k];
  }
  if (name == "month") {
    const int64_t k = Category(value, 1, kMonths.size());
    return k < 0 ? "month (1 = January)" : std::string("month: ") + kMonths[k];
  }
  // The number of public holidays in the target window (one day by default).
  if (name == "holiday") {
    if (value == 0 || value == 1)
      return std::string("public holiday: ") + (value != 0 ? "yes" : "no");
    return "public holidays in the target days: " + std::to_string(std::llround(value));
  }
  // ind_<offence group>_<look-back>_<scale>; group names hold underscores themselves.
  if (n >= 4 && t[0] == "ind" && LookbackDays(t[n - 2]) > 0 && ScaleCells(t[n - 1]) > 0) {
    std::string group;
    for (size_t k = 1; k + 2 < n; ++k) {
      if (!group.empty()) group += ' ';
      group += t[k];
    }
    return "leading indicator: " + group + " events " + Where(ScaleCells(t[n - 1])) + " " +
           Since(LookbackDays(t[n - 2]));
  }
  return Generic(t);
}

}  // namespace placecast::models
