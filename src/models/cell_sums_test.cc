// SPDX-License-Identifier: Apache-2.0
// Tests of the fixed-point window sums shared by the models.
#include "models/cell_sums.h"

#include <gtest/gtest.h>

#include <limits>

#include "models/test_util.h"

namespace placecast::models {
namespace {

TEST(FixedPointTest, KnownValues) {
  EXPECT_EQ(ToFixedPoint(1.0), kFixedPointOne);
  EXPECT_EQ(ToFixedPoint(0.5), int64_t{1} << 31);
  EXPECT_EQ(ToFixedPoint(0.5625), int64_t{9} << 28);
  EXPECT_EQ(ToFixedPoint(1.0 / 3.0), 1431655765);  // 2^32 / 3 = 1431655765.33
  EXPECT_EQ(ToFixedPoint(2.0 / 3.0), 2863311531);  // 2863311530.67 rounds up
  EXPECT_EQ(FromFixedPoint(3 * kFixedPointOne), 3.0);
  EXPECT_EQ(FromFixedPoint(int64_t{1} << 30), 0.25);
}

TEST(WindowStartTest, SubtractsDaysAndSaturates) {
  EXPECT_EQ(WindowStart(10 * kSecondsPerDay, 3), 7 * kSecondsPerDay);
  EXPECT_EQ(WindowStart(std::numeric_limits<int64_t>::min() + 5, 1),
            std::numeric_limits<int64_t>::min());
}

// Counts events per cell with a deposit that also records how many times it was called.
struct CountingDeposit {
  const EventSet* ev;
  const grid::Grid* g;
  SlidingCellSums* sums;
  int calls = 0;
  bool operator()(size_t i, int64_t sign) {
    ++calls;
    const grid::CellId c = g->PointToCell(ev->x_m[i], ev->y_m[i]);
    if (c == grid::kNoCell) return false;
    sums->sums()[static_cast<size_t>(c)] += sign;
    return true;
  }
};

TEST(SlidingCellSumsTest, SlidesForwardAndRefitsOtherwise) {
  const grid::Grid g = testing::GridFromText("...\n.#.\n...", 10);
  EventSet ev;
  // One event per day on days 0..9, alternating between cell (0,0) and the masked centre.
  for (int d = 0; d < 10; ++d) {
    ev.Add(d * kSecondsPerDay, d % 2 == 0 ? 5 : 15, d % 2 == 0 ? 5 : 15, OffenceGroup::kTheft,
           "theft", std::to_string(d));
  }
  SlidingCellSums sums;
  CountingDeposit dep{&ev, &g, &sums};
  const FitKey key = FitKey::Of(ev, g);
  auto r = sums.Update(key, ev, 0, 4 * kSecondsPerDay, std::ref(dep));  // days 0..3
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(dep.calls, 4);
  EXPECT_EQ(sums.sums()[0], 2);  // days 0 and 2
  EXPECT_EQ(sums.events_used(), 2);
  EXPECT_EQ(sums.events_in_window(), 4);

  dep.calls = 0;
  r = sums.Update(key, ev, 2 * kSecondsPerDay, 6 * kSecondsPerDay, std::ref(dep));  // days 2..5
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(dep.calls, 4);       // days 0, 1 leave; days 4, 5 enter
  EXPECT_EQ(sums.sums()[0], 2);  // days 2 and 4
  EXPECT_EQ(sums.events_used(), 2);

  dep.calls = 0;
  r = sums.Update(key, ev, 1 * kSecondsPerDay, 6 * kSecondsPerDay, std::ref(dep));  // back
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(dep.calls, 5);
  EXPECT_EQ(sums.sums()[0], 2);

  dep.calls = 0;
  r = sums.Update(key, ev, 8 * kSecondsPerDay, 10 * kSecondsPerDay, std::ref(dep));  // no overlap
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(dep.calls, 2);
  EXPECT_EQ(sums.sums()[0], 1);  // day 8

  EventSet copy = ev;  // a different EventSet: refit even though it is equal
  dep.ev = &copy;
  dep.calls = 0;
  r = sums.Update(FitKey::Of(copy, g), copy, 8 * kSecondsPerDay, 10 * kSecondsPerDay,
                  std::ref(dep));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(dep.calls, 2);
}

TEST(SlidingCellSumsTest, UnsortedEventsAreInvalidInput) {
  const grid::Grid g = testing::GridFromText("..", 10);
  EventSet ev;
  ev.Add(100, 5, 5, OffenceGroup::kTheft, "theft", "a");
  ev.Add(50, 5, 5, OffenceGroup::kTheft, "theft", "b");
  SlidingCellSums sums;
  auto r = sums.Update(FitKey::Of(ev, g), ev, 0, 200, [](size_t, int64_t) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("not sorted by time (event 1"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace placecast::models
