// SPDX-License-Identifier: Apache-2.0
// Tests for retention periods: parsing (valid forms, every rejected form with its message) and
// the cutoff date (calendar months clamp to the month's last day), with a brute-force cross-check
// of month arithmetic by stepping back one month at a time.
#include "placecast/io/retention.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "placecast/common/event_set.h"

namespace placecast::io {
namespace {

int64_t Day(const char* date) { return *ParseDate(date, "test"); }

TEST(RetentionPeriodTest, ParsesEachUnitAndRoundTrips) {
  struct Case {
    const char* text;
    int64_t count;
    RetentionUnit unit;
  };
  for (const Case& c :
       {Case{"365d", 365, RetentionUnit::kDays}, Case{"52w", 52, RetentionUnit::kWeeks},
        Case{"24m", 24, RetentionUnit::kMonths}, Case{"3y", 3, RetentionUnit::kYears},
        Case{"1d", 1, RetentionUnit::kDays}, Case{"007y", 7, RetentionUnit::kYears},
        Case{"1000y", 1000, RetentionUnit::kYears}}) {
    SCOPED_TRACE(c.text);
    auto p = ParseRetentionPeriod(c.text, "--older-than");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->count, c.count);
    EXPECT_EQ(p->unit, c.unit);
    EXPECT_EQ(*ParseRetentionPeriod(p->ToString(), "x"), *p);
  }
}

TEST(RetentionPeriodTest, RejectsBadTextNamingFlagAndValue) {
  for (const char* text : {"", "d", "365", "0d", "-3d", "1.5y", "3 d", "3M", "3D", "d3", "3dd",
                           "12x", "99999999999d", "366001d", "1001y"}) {
    SCOPED_TRACE(text);
    auto p = ParseRetentionPeriod(text, "--older-than");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(p.status().message().find("--older-than: expected "), std::string::npos)
        << p.status().message();
    EXPECT_NE(p.status().message().find("(got \"" + std::string(text) + "\")"), std::string::npos)
        << p.status().message();
  }
}

TEST(RetentionCutoffTest, KnownAnswers) {
  struct Case {
    const char* as_of;
    const char* period;
    const char* cutoff;
  };
  for (const Case& c : {
           // 2025-01-01 − 365 days = 2024-01-02 (2024 is a leap year of 366 days).
           Case{"2025-01-01", "365d", "2024-01-02"},
           // 52 weeks = 364 days: 2025-01-01 − 364 d = 2024-01-03.
           Case{"2025-01-01", "52w", "2024-01-03"},
           // Calendar months keep the day: 2025-01-15 − 2 months = 2024-11-15.
           Case{"2025-01-15", "2m", "2024-11-15"},
           // ... clamped to the month's last day: March 31 − 1 month = Feb 29 in a leap year.
           Case{"2024-03-31", "1m", "2024-02-29"},
           Case{"2023-03-31", "1m", "2023-02-28"},
           // A year is 12 months: Feb 29 − 1 year = Feb 28.
           Case{"2024-02-29", "1y", "2023-02-28"},
           Case{"2024-02-29", "4y", "2020-02-29"},
           // 24 months across two year ends.
           Case{"2025-11-25", "24m", "2023-11-25"},
           Case{"2025-11-25", "3y", "2022-11-25"},
       }) {
    SCOPED_TRACE(std::string(c.as_of) + " - " + c.period);
    auto p = ParseRetentionPeriod(c.period, "x");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(FormatDate(RetentionCutoffS(Day(c.as_of), *p)), c.cutoff);
  }
}

TEST(RetentionCutoffTest, TimeOfDayOfAsOfIsDropped) {
  // as-of 2025-01-01T23:59:59Z is the date 2025-01-01; the cutoff is a UTC midnight.
  const int64_t as_of = Day("2025-01-01") + 86399;
  EXPECT_EQ(RetentionCutoffS(as_of, {1, RetentionUnit::kDays}), Day("2024-12-31"));
  EXPECT_EQ(RetentionCutoffS(as_of, {1, RetentionUnit::kMonths}), Day("2024-12-01"));
}

TEST(RetentionCutoffTest, MonthsMatchSteppingBackOneMonthAtATime) {
  // Brute force: walk back month by month on (year, month), clamping the original day each time.
  for (const char* start : {"2024-01-31", "2023-05-30", "2000-02-29", "1999-12-31"}) {
    const int64_t as_of = Day(start);
    int64_t y;
    unsigned m, d;
    CivilFromDays(as_of / kSecondsPerDay, &y, &m, &d);
    int64_t cy = y;
    unsigned cm = m;
    for (int64_t n = 1; n <= 60; ++n) {
      if (cm == 1) {
        cm = 12;
        --cy;
      } else {
        --cm;
      }
      // Days in (cy, cm): from its first day to the first day of the next month.
      const unsigned last = static_cast<unsigned>(
          (cm == 12 ? DaysFromCivil(cy + 1, 1, 1) : DaysFromCivil(cy, cm + 1, 1)) -
          DaysFromCivil(cy, cm, 1));
      const int64_t want = DaysFromCivil(cy, cm, std::min(d, last)) * kSecondsPerDay;
      ASSERT_EQ(RetentionCutoffS(as_of, {n, RetentionUnit::kMonths}), want)
          << start << " - " << n << "m";
      if (n % 12 == 0) {
        ASSERT_EQ(RetentionCutoffS(as_of, {n / 12, RetentionUnit::kYears}), want);
      }
    }
  }
}

}  // namespace
}  // namespace placecast::io
