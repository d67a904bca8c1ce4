// SPDX-License-Identifier: Apache-2.0
// Tests of the `naive` model: counts on tiny grids drawn as text, window edges, sliding.
#include "models/naive.h"

#include <gtest/gtest.h>

#include "models/test_util.h"

namespace placecast::models {
namespace {

using testing::AddEventsFromText;
using testing::GridFromText;
using testing::SurfaceToText;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

std::unique_ptr<Model> Naive(int window_days) {
  return CreateModel("naive", {{"window_days", std::to_string(window_days)}}).value();
}

TEST(NaiveTest, CountsEventsPerCell) {
  const auto g = GridFromText(R"(
    . . . . .
    . . # . .
    . . . . .
    . . . . .
    . . . . .)",
                              100);
  EventSet ev;
  AddEventsFromText(&ev, R"(
    1 . . . .
    . . 4 . .
    . . . 3 .
    . . . . .
    . 2 . . 1)",
                    100, kOrigin - kSecondsPerDay);
  ev.SortByTime();
  auto m = Naive(10);
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  auto s = m->Predict(10);  // horizon == window: the counts themselves
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(SurfaceToText(g, *s), R"(1 0 0 0 0
0 0 # 0 0
0 0 0 3 0
0 0 0 0 0
0 2 0 0 1
)");
}

TEST(NaiveTest, ScalesCountsToTheHorizon) {
  const auto g = GridFromText("..", 100);
  EventSet ev;
  AddEventsFromText(&ev, "4 .", 100, kOrigin - kSecondsPerDay);
  auto m = Naive(8);
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(m->Predict(2)->value, (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(m->Predict(8)->value, (std::vector<double>{4.0, 0.0}));
}

TEST(NaiveTest, WindowIncludesItsStartAndExcludesTheOrigin) {
  const auto g = GridFromText(". . . .", 100);
  const int64_t start = kOrigin - 10 * kSecondsPerDay;
  EventSet ev;
  ev.Add(start - 1, 50, 50, OffenceGroup::kTheft, "theft", "before the window");
  ev.Add(start, 150, 50, OffenceGroup::kTheft, "theft", "at the window start");
  ev.Add(kOrigin - 1, 250, 50, OffenceGroup::kTheft, "theft", "a second before the origin");
  ev.Add(kOrigin, 350, 50, OffenceGroup::kTheft, "theft", "at the origin");
  auto m = Naive(10);
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(SurfaceToText(g, *m->Predict(10)), "0 1 1 0\n");
}

TEST(NaiveTest, SlidingOverThirtyOriginsEqualsFreshFits) {
  const auto g = GridFromText(R"(
    . . . . . . . .
    . . # # . . . .
    . . . . . . # .
    . . . . . . . .)",
                              150);
  // Some events fall outside the grid (x up to 1500 m > 8 cells of 150 m).
  const EventSet ev = testing::RandomEvents(3000, 1500, 600, 0, 400 * kSecondsPerDay, 7);
  auto sliding = Naive(30);
  for (int d = 0; d < 30; ++d) {
    const int64_t origin = (360 + d) * kSecondsPerDay + d * 977;  // not on midnight
    ASSERT_TRUE(sliding->Fit(ev, g, origin).ok());
    auto fresh = Naive(30);
    ASSERT_TRUE(fresh->Fit(ev, g, origin).ok());
    EXPECT_EQ(sliding->Predict(1)->value, fresh->Predict(1)->value) << "origin day " << d;
  }
}

}  // namespace
}  // namespace placecast::models
