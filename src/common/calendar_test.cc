// SPDX-License-Identifier: Apache-2.0
#include "placecast/common/calendar.h"

#include <gtest/gtest.h>

#include "placecast/common/event_set.h"

namespace placecast {
namespace {

// New York in 2024, by hand: EST until 2024-03-10 07:00Z, EDT until 2024-11-03 06:00Z, then EST.
Calendar NewYork2024() {
  const int64_t spring = DaysFromCivil(2024, 3, 10) * kSecondsPerDay + 7 * 3600;
  const int64_t autumn = DaysFromCivil(2024, 11, 3) * kSecondsPerDay + 6 * 3600;
  return Calendar(
      "America/New_York",
      {{spring - 100 * kSecondsPerDay, -5 * 3600}, {spring, -4 * 3600}, {autumn, -5 * 3600}});
}

int64_t Utc(int y, unsigned m, unsigned d, int h = 0) {
  return DaysFromCivil(y, m, d) * kSecondsPerDay + h * 3600;
}

TEST(CalendarTest, Issue14OriginIsLocalMidnightNotUtcMidnight) {
  const Calendar ny = NewYork2024();
  auto origin = ny.ParseDate("2024-12-01", "--origin");
  ASSERT_TRUE(origin.ok()) << origin.status().ToString();
  EXPECT_EQ(*origin, Utc(2024, 12, 1, 5));  // 00:00 EST, not 19:00 on 30 November
  EXPECT_EQ(ny.FormatDate(*origin), "2024-12-01");
  EXPECT_EQ(ny.FormatDate(*origin - 1), "2024-11-30");
  EXPECT_EQ(ny.FormatDateTime(*origin), "2024-12-01T00:00:00-05:00");
  auto summer = ny.ParseDate("2024-07-01", "--origin");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(*summer, Utc(2024, 7, 1, 4));
  EXPECT_EQ(ny.Describe(), "local days in America/New_York");
}

TEST(CalendarTest, DaylightSavingDaysLast23And25Hours) {
  const Calendar ny = NewYork2024();
  const int64_t spring = *ny.ParseDate("2024-03-10", "d");
  const int64_t autumn = *ny.ParseDate("2024-11-03", "d");
  EXPECT_EQ(ny.AddDays(spring, 1) - spring, 23 * 3600);
  EXPECT_EQ(ny.AddDays(autumn, 1) - autumn, 25 * 3600);
  EXPECT_EQ(ny.HorizonEnd(spring, 1), spring + 23 * 3600);
  EXPECT_EQ(ny.HorizonEnd(spring, 1.5), spring + 23 * 3600 + 12 * 3600);
  EXPECT_EQ(ny.DaysBetween(*ny.ParseDate("2024-01-01", "d"), *ny.ParseDate("2024-12-31", "d")),
            365);
  // Walking a year day by day lands on every local midnight.
  int64_t t = *ny.ParseDate("2024-01-01", "d");
  for (int i = 0; i < 366; ++i) {
    ASSERT_TRUE(ny.IsDayStart(t)) << ny.FormatDateTime(t);
    ASSERT_EQ(ny.FormatDateTime(t).substr(10),
              i < 70 || i > 307 ? "T00:00:00-05:00" : "T00:00:00-04:00")
        << i;
    t = ny.AddDays(t, 1);
  }
  EXPECT_EQ(ny.FormatDate(t), "2025-01-01");
  EXPECT_FALSE(ny.IsDayStart(Utc(2024, 12, 1)));
}

TEST(CalendarTest, MidnightGapStartsTheDayAtTheEndOfTheGap) {
  // A zone that springs forward at local midnight (as Havana does): 00:00 never happens, the day
  // starts at 01:00 daylight time.
  const int64_t gap = Utc(2024, 3, 10, 5);  // 00:00 at -05:00
  const Calendar cal("Test/MidnightGap",
                     {{gap - 100 * kSecondsPerDay, -5 * 3600}, {gap, -4 * 3600}});
  const int64_t day = *cal.ParseDate("2024-03-10", "d");
  EXPECT_EQ(day, gap);
  EXPECT_EQ(cal.FormatDateTime(day), "2024-03-10T01:00:00-04:00");
  EXPECT_EQ(cal.AddDays(day, 1) - day, 23 * 3600);
}

TEST(CalendarTest, UtcIsTheDefault) {
  const Calendar utc;
  EXPECT_TRUE(utc.is_utc());
  EXPECT_EQ(*utc.ParseDate("2024-12-01", "d"), Utc(2024, 12, 1));
  EXPECT_EQ(utc.FormatDateTime(Utc(2024, 12, 1, 3)), "2024-12-01T03:00:00Z");
  EXPECT_EQ(utc.Describe(), "UTC days");
  EXPECT_FALSE(utc.ParseDate("2024-02-30", "--origin").ok());
}

}  // namespace
}  // namespace placecast
