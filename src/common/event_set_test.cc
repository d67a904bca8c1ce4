// SPDX-License-Identifier: Apache-2.0
#include "placecast/common/event_set.h"

#include <gtest/gtest.h>

namespace placecast {
namespace {

TEST(EventSetTest, ParseDateKnownAnswers) {
  EXPECT_EQ(*ParseDate("1970-01-01", "d"), 0);
  EXPECT_EQ(*ParseDate("2024-07-01", "d"), 1719792000);
  EXPECT_EQ(*ParseDate("2024-02-29", "d"), 1709164800);
  EXPECT_EQ(FormatDate(1719792000), "2024-07-01");
  EXPECT_EQ(FormatDateTime(1719792000 + 3661), "2024-07-01T01:01:01Z");
}

TEST(EventSetTest, ParseDateRejectsBadDates) {
  for (const char* s : {"2023-13-01", "2023-02-29", "2024-7-01", "", "2024-07-01T00"}) {
    auto r = ParseDate(s, "--origin");
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().message(),
              std::string("--origin: expected a date YYYY-MM-DD (got \"") + s + "\")");
  }
}

TEST(EventSetTest, SortAndTimeRange) {
  EventSet e;
  e.Add(30, 0, 0, OffenceGroup::kTheft, "Thefts", "b");
  e.Add(10, 1, 1, OffenceGroup::kRobbery, "Robbery", "a");
  e.Add(30, 2, 2, OffenceGroup::kTheft, "Thefts", "a");
  e.SortByTime();
  ASSERT_TRUE(e.Validate().ok());
  EXPECT_EQ(e.t_s, (std::vector<int64_t>{10, 30, 30}));
  EXPECT_EQ(e.id, (std::vector<std::string>{"a", "a", "b"}));
  EXPECT_EQ(e.TimeRange(10, 30), (std::pair<size_t, size_t>{0, 1}));
  EXPECT_EQ(e.TimeRange(11, 31), (std::pair<size_t, size_t>{1, 3}));
  EXPECT_EQ(e.Filter({OffenceGroup::kTheft}).size(), 2u);
}

}  // namespace
}  // namespace placecast
