// SPDX-License-Identifier: Apache-2.0
// Retention periods and their cutoff dates (placecast/io/retention.h). Pure functions.
#include "placecast/io/retention.h"

#include <algorithm>

#include "placecast/common/event_set.h"

namespace placecast::io {
namespace {

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::string RetentionPeriod::ToString() const {
  static constexpr char kLetters[] = {'d', 'w', 'm', 'y'};
  return std::to_string(count) + kLetters[static_cast<int>(unit)];
}

Result<RetentionPeriod> ParseRetentionPeriod(std::string_view text, std::string_view what) {
  auto bad = [&](const std::string& expected) {
    return Status::InvalidInput(std::string(what) + ": expected " + expected + " (got \"" +
                                std::string(text) + "\")");
  };
  constexpr const char* kForm =
      "a duration: a positive whole number and d (days), w (weeks), m (months) or y (years), "
      "e.g. 365d, 52w, 24m, 3y";
  if (text.size() < 2 || text.size() > 12) return bad(kForm);
  RetentionPeriod p;
  int64_t max = 0;
  switch (text.back()) {
    case 'd':
      p.unit = RetentionUnit::kDays;
      max = kMaxRetentionDays;
      break;
    case 'w':
      p.unit = RetentionUnit::kWeeks;
      max = kMaxRetentionWeeks;
      break;
    case 'm':
      p.unit = RetentionUnit::kMonths;
      max = kMaxRetentionMonths;
      break;
    case 'y':
      p.unit = RetentionUnit::kYears;
      max = kMaxRetentionYears;
      break;
    default:
      return bad(kForm);
  }
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return bad(kForm);
    p.count = p.count * 10 + (text[i] - '0');
  }
  if (p.count < 1) return bad(kForm);
  if (p.count > max) {
    return bad("at most " + std::to_string(max) + std::string(1, text.back()) +
               " (about 1,000 years)");
  }
  return p;
}

int64_t RetentionCutoffS(int64_t as_of_s, const RetentionPeriod& period, const Calendar& calendar) {
  const int64_t day = calendar.DayOf(as_of_s);
  switch (period.unit) {
    case RetentionUnit::kDays:
      return calendar.DayStart(day - period.count);
    case RetentionUnit::kWeeks:
      return calendar.DayStart(day - 7 * period.count);
    case RetentionUnit::kMonths:
    case RetentionUnit::kYears:
      break;
  }
  const int64_t months = period.unit == RetentionUnit::kYears ? 12 * period.count : period.count;
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) - months;
  const int64_t ty = total >= 0 ? total / 12 : -((-total + 11) / 12);
  const unsigned tm = static_cast<unsigned>(total - ty * 12) + 1;
  const unsigned td = std::min(d, DaysInMonth(ty, tm));
  return calendar.DayStart(DaysFromCivil(ty, tm, td));
}

}  // namespace placecast::io
