// SPDX-License-Identifier: Apache-2.0
// Holidays against published calendars: the US Office of Personnel Management's federal holiday
// tables and the British Columbia government's statutory holiday list.
#include "placecast/common/holidays.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace placecast {
namespace {

int64_t Day(int y, int m, int d) {
  // Days since 1970-01-01 by counting, independent of the code under test.
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t n = 0;
  for (int year = 1970; year < y; ++year) {
    n += (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
  }
  for (int month = 1; month < m; ++month) {
    n += kDays[month - 1] + ((month == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 1 : 0);
  }
  return n + d - 1;
}

std::vector<std::string> HolidaysOfYear(HolidayRules rules, int y) {
  std::vector<std::string> out;
  for (int64_t day = Day(y, 1, 1); day < Day(y + 1, 1, 1); ++day) {
    const std::string_view name = HolidayName(rules, day);
    if (!name.empty()) {
      int64_t n = day - Day(y, 1, 1);
      int m = 1;
      static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      while (n >= kDays[m - 1] + ((m == 2 && y % 4 == 0) ? 1 : 0)) {
        n -= kDays[m - 1] + ((m == 2 && y % 4 == 0) ? 1 : 0);
        ++m;
      }
      out.push_back(std::to_string(m) + "-" + std::to_string(n + 1) + " " + std::string(name));
    }
  }
  return out;
}

TEST(HolidaysTest, Issue15ZonesMapToTheirCountry) {
  EXPECT_EQ(HolidayRulesForZone("America/New_York"), HolidayRules::kUnitedStates);
  EXPECT_EQ(HolidayRulesForZone("America/Chicago"), HolidayRules::kUnitedStates);
  EXPECT_EQ(HolidayRulesForZone("America/Indiana/Knox"), HolidayRules::kUnitedStates);
  EXPECT_EQ(HolidayRulesForZone("America/Vancouver"), HolidayRules::kBritishColumbia);
  EXPECT_EQ(HolidayRulesForZone("America/Toronto"), HolidayRules::kCanada);
  EXPECT_EQ(HolidayRulesForZone("Europe/London"), HolidayRules::kNone);
  EXPECT_EQ(HolidayRulesForZone("UTC"), HolidayRules::kNone);
  EXPECT_FALSE(HolidaysKnown(HolidayRules::kNone));
  EXPECT_EQ(HolidayName(HolidayRules::kNone, Day(2024, 12, 25)), "");
}

TEST(HolidaysTest, Issue15UnitedStates2024And2026MatchOpm) {
  // OPM, federal holidays 2024: no weekend dates, so no observed days.
  EXPECT_EQ(HolidaysOfYear(HolidayRules::kUnitedStates, 2024),
            (std::vector<std::string>{"1-1 New Year's Day", "1-15 Martin Luther King Jr. Day",
                                      "2-19 Washington's Birthday", "5-27 Memorial Day",
                                      "6-19 Juneteenth", "7-4 Independence Day", "9-2 Labor Day",
                                      "10-14 Columbus Day", "11-11 Veterans Day",
                                      "11-28 Thanksgiving Day", "12-25 Christmas Day"}));
  // 2026: 4 July is a Saturday, observed Friday 3 July; both count.
  const auto y2026 = HolidaysOfYear(HolidayRules::kUnitedStates, 2026);
  EXPECT_EQ(y2026.size(), 12u);
  EXPECT_EQ(HolidayName(HolidayRules::kUnitedStates, Day(2026, 7, 3)), "Independence Day");
  EXPECT_EQ(HolidayName(HolidayRules::kUnitedStates, Day(2026, 7, 4)), "Independence Day");
  // 1 January 2022 was a Saturday: observed on Friday 31 December 2021.
  EXPECT_EQ(HolidayName(HolidayRules::kUnitedStates, Day(2021, 12, 31)), "New Year's Day");
  // Juneteenth starts in 2021.
  EXPECT_EQ(HolidayName(HolidayRules::kUnitedStates, Day(2020, 6, 19)), "");
  EXPECT_EQ(HolidayName(HolidayRules::kUnitedStates, Day(2024, 12, 24)), "");
}

TEST(HolidaysTest, Issue15BritishColumbia2024MatchesTheProvincesList) {
  // Employment Standards, British Columbia, statutory holidays 2024 (Easter: 31 March).
  EXPECT_EQ(HolidaysOfYear(HolidayRules::kBritishColumbia, 2024),
            (std::vector<std::string>{
                "1-1 New Year's Day", "2-19 Family Day", "3-29 Good Friday", "5-20 Victoria Day",
                "7-1 Canada Day", "8-5 British Columbia Day", "9-2 Labour Day",
                "9-30 National Day for Truth and Reconciliation", "10-14 Thanksgiving",
                "11-11 Remembrance Day", "12-25 Christmas Day"}));
  // Easter 2025 was 20 April: Good Friday 18 April; 2019's was 21 April.
  EXPECT_EQ(HolidayName(HolidayRules::kBritishColumbia, Day(2025, 4, 18)), "Good Friday");
  EXPECT_EQ(HolidayName(HolidayRules::kBritishColumbia, Day(2019, 4, 19)), "Good Friday");
  // Victoria Day 2025: Monday 19 May (the Monday before 25 May).
  EXPECT_EQ(HolidayName(HolidayRules::kBritishColumbia, Day(2025, 5, 19)), "Victoria Day");
}

}  // namespace
}  // namespace placecast
