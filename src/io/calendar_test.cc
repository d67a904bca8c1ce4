// SPDX-License-Identifier: Apache-2.0
#include "placecast/io/calendar.h"

#include <gtest/gtest.h>

#include "placecast/common/event_set.h"

namespace placecast::io {
namespace {

int64_t Utc(int y, unsigned m, unsigned d, int h = 0) {
  return DaysFromCivil(y, m, d) * kSecondsPerDay + h * 3600;
}

TEST(LoadCalendarTest, Issue14PhiladelphiaDaysAreEasternDays) {
  auto cal = LoadCalendar("America/New_York");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(*cal->ParseDate("2024-12-01", "--origin"), Utc(2024, 12, 1, 5));
  EXPECT_EQ(*cal->ParseDate("2024-07-01", "--origin"), Utc(2024, 7, 1, 4));
  const int64_t spring = *cal->ParseDate("2024-03-10", "d");
  EXPECT_EQ(cal->AddDays(spring, 1) - spring, 23 * 3600);
  const int64_t autumn = *cal->ParseDate("2024-11-03", "d");
  EXPECT_EQ(cal->AddDays(autumn, 1) - autumn, 25 * 3600);
  // Rules of other eras are in the table too: 2006 changed in April and October.
  const int64_t old = *cal->ParseDate("2006-04-02", "d");
  EXPECT_EQ(cal->AddDays(old, 1) - old, 23 * 3600);
}

TEST(LoadCalendarTest, MidnightTransitionZone) {
  // Havana springs forward at midnight: 2024-03-10 begins at 01:00 CDT (05:00 UTC).
  auto cal = LoadCalendar("America/Havana");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  const int64_t day = *cal->ParseDate("2024-03-10", "d");
  EXPECT_EQ(day, Utc(2024, 3, 10, 5));
  EXPECT_EQ(cal->FormatDateTime(day), "2024-03-10T01:00:00-04:00");
}

TEST(LoadCalendarTest, UnknownZoneIsInvalidInputNamingIt) {
  auto cal = LoadCalendar("Mars/Olympus_Mons");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(cal.status().message().find("Mars/Olympus_Mons"), std::string::npos);
  auto utc = LoadCalendar("UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_TRUE(utc->is_utc());
}

}  // namespace
}  // namespace placecast::io
