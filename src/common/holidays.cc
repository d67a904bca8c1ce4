// SPDX-License-Identifier: Apache-2.0
// Holiday tables computed from their rules (fixed dates, n-th weekday of a month, Easter).
#include "placecast/common/holidays.h"

#include <array>

#include "placecast/common/event_set.h"

namespace placecast {
namespace {

// Days since 1970-01-01 of year-month-day (proleptic Gregorian; H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday.
int Weekday(int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

// The n-th (1-based) `weekday` of a month; n = -1 for the last one.
int64_t NthWeekday(int64_t y, unsigned m, int weekday, int n) {
  if (n > 0) {
    const int64_t first = DaysFromCivil(y, m, 1);
    return first + (weekday - Weekday(first) + 7) % 7 + 7 * (n - 1);
  }
  const int64_t last = DaysFromCivil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
  return last - (Weekday(last) - weekday + 7) % 7;
}

// Easter Sunday (Gregorian; the anonymous "Meeus/Jones/Butcher" algorithm).
int64_t EasterSunday(int64_t y) {
  const int64_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int64_t f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int64_t i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int64_t m = (a + 11 * h + 22 * l) / 451;
  const int64_t month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return DaysFromCivil(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

constexpr int kMonday = 0, kThursday = 3, kSaturday = 5, kSunday = 6;

struct Holiday {
  std::string_view name;
  int64_t day;
  bool observed_on_weekday;  // a weekend date is also observed on a weekday
};

// The holidays of year `y` under `rules`, at most 16.
struct YearHolidays {
  std::array<Holiday, 16> h;
  int n = 0;
  void Add(std::string_view name, int64_t day, bool observed = false) {
    h[static_cast<size_t>(n++)] = {name, day, observed};
  }
};

YearHolidays HolidaysOf(HolidayRules rules, int64_t y) {
  YearHolidays out;
  if (rules == HolidayRules::kUnitedStates) {
    out.Add("New Year's Day", DaysFromCivil(y, 1, 1), true);
    if (y >= 1986) out.Add("Martin Luther King Jr. Day", NthWeekday(y, 1, kMonday, 3));
    out.Add("Washington's Birthday", NthWeekday(y, 2, kMonday, 3));
    out.Add("Memorial Day", NthWeekday(y, 5, kMonday, -1));
    if (y >= 2021) out.Add("Juneteenth", DaysFromCivil(y, 6, 19), true);
    out.Add("Independence Day", DaysFromCivil(y, 7, 4), true);
    out.Add("Labor Day", NthWeekday(y, 9, kMonday, 1));
    out.Add("Columbus Day", NthWeekday(y, 10, kMonday, 2));
    out.Add("Veterans Day", DaysFromCivil(y, 11, 11), true);
    out.Add("Thanksgiving Day", NthWeekday(y, 11, kThursday, 4));
    out.Add("Christmas Day", DaysFromCivil(y, 12, 25), true);
    return out;
  }
  if (rules == HolidayRules::kNone) return out;
  // Canada (Canada Labour Code) and British Columbia (Employment Standards Act).
  out.Add("New Year's Day", DaysFromCivil(y, 1, 1), true);
  if (rules == HolidayRules::kBritishColumbia) {
    if (y >= 2019) {
      out.Add("Family Day", NthWeekday(y, 2, kMonday, 3));
    } else if (y >= 2013) {
      out.Add("Family Day", NthWeekday(y, 2, kMonday, 2));
    }
  }
  out.Add("Good Friday", EasterSunday(y) - 2);
  if (rules == HolidayRules::kCanada) out.Add("Easter Monday", EasterSunday(y) + 1);
  // Victoria Day: the Monday before 25 May.
  const int64_t may25 = DaysFromCivil(y, 5, 25);
  out.Add("Victoria Day", may25 - 1 - (Weekday(may25 - 1) - kMonday + 7) % 7);
  out.Add("Canada Day", DaysFromCivil(y, 7, 1), true);
  out.Add(rules == HolidayRules::kBritishColumbia ? "British Columbia Day" : "Civic Holiday",
          NthWeekday(y, 8, kMonday, 1));
  out.Add("Labour Day", NthWeekday(y, 9, kMonday, 1));
  if (y >= (rules == HolidayRules::kBritishColumbia ? 2023 : 2021)) {
    out.Add("National Day for Truth and Reconciliation", DaysFromCivil(y, 9, 30), true);
  }
  out.Add("Thanksgiving", NthWeekday(y, 10, kMonday, 2));
  out.Add("Remembrance Day", DaysFromCivil(y, 11, 11), true);
  out.Add("Christmas Day", DaysFromCivil(y, 12, 25), true);
  if (rules == HolidayRules::kCanada) out.Add("Boxing Day", DaysFromCivil(y, 12, 26), true);
  return out;
}

// The weekday a weekend holiday is observed on: the US moves Saturday to Friday and Sunday to
// Monday; Canada moves both to the Monday.
int64_t ObservedDay(HolidayRules rules, int64_t day) {
  const int wd = Weekday(day);
  if (rules == HolidayRules::kUnitedStates) {
    if (wd == kSaturday) return day - 1;
    if (wd == kSunday) return day + 1;
    return day;
  }
  if (wd == kSaturday) return day + 2;
  if (wd == kSunday) return day + 1;
  return day;
}

}  // namespace

HolidayRules HolidayRulesForZone(std::string_view zone) {
  static constexpr std::string_view kCanadian[] = {
      "America/Toronto",    "America/Montreal",    "America/Edmonton", "America/Winnipeg",
      "America/Halifax",    "America/St_Johns",    "America/Regina",   "America/Moncton",
      "America/Whitehorse", "America/Yellowknife", "America/Iqaluit",  "Canada/Eastern",
      "Canada/Central",     "Canada/Mountain",     "Canada/Atlantic",  "Canada/Newfoundland"};
  static constexpr std::string_view kUnitedStates[] = {"America/New_York",
                                                       "America/Chicago",
                                                       "America/Denver",
                                                       "America/Phoenix",
                                                       "America/Los_Angeles",
                                                       "America/Anchorage",
                                                       "America/Detroit",
                                                       "America/Boise",
                                                       "America/Juneau",
                                                       "America/Indiana/Indianapolis",
                                                       "America/Kentucky/Louisville",
                                                       "Pacific/Honolulu",
                                                       "US/Eastern",
                                                       "US/Central",
                                                       "US/Mountain",
                                                       "US/Pacific",
                                                       "US/Alaska",
                                                       "US/Hawaii",
                                                       "US/Arizona"};
  if (zone == "America/Vancouver" || zone == "Canada/Pacific") {
    return HolidayRules::kBritishColumbia;
  }
  for (std::string_view z : kCanadian) {
    if (zone == z) return HolidayRules::kCanada;
  }
  for (std::string_view z : kUnitedStates) {
    if (zone == z) return HolidayRules::kUnitedStates;
  }
  if (zone.starts_with("America/Indiana/") || zone.starts_with("America/Kentucky/") ||
      zone.starts_with("America/North_Dakota/")) {
    return HolidayRules::kUnitedStates;
  }
  return HolidayRules::kNone;
}

std::string_view HolidayName(HolidayRules rules, int64_t day) {
  if (rules == HolidayRules::kNone) return "";
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(day, &y, &m, &d);
  if (y < 1971 || y > 2199) return "";
  // A holiday observed on a weekday of the neighbouring year (1 January on a Saturday is
  // observed on 31 December in the US): look at both years.
  for (int64_t year : {y, y + 1, y - 1}) {
    const YearHolidays hs = HolidaysOf(rules, year);
    for (int i = 0; i < hs.n; ++i) {
      const Holiday& h = hs.h[static_cast<size_t>(i)];
      if (h.day == day) return h.name;
    }
  }
  for (int64_t year : {y, y + 1, y - 1}) {
    const YearHolidays hs = HolidaysOf(rules, year);
    for (int i = 0; i < hs.n; ++i) {
      const Holiday& h = hs.h[static_cast<size_t>(i)];
      if (h.observed_on_weekday && ObservedDay(rules, h.day) == day) return h.name;
    }
  }
  return "";
}

}  // namespace placecast
