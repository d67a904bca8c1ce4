// SPDX-License-Identifier: Apache-2.0
// Tests of the `prospective` model: space and time weights by hand on tiny grids, the edges of
// both bandwidths, and repeated fits against fresh ones.
#include "models/prospective.h"

#include <gtest/gtest.h>

#include "models/test_util.h"

namespace placecast::models {
namespace {

using testing::AddEventsFromText;
using testing::GridFromText;
using testing::SurfaceToText;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

std::unique_ptr<Model> Prospective(std::map<std::string, std::string> params) {
  return CreateModel("prospective", params).value();
}

constexpr std::string_view kFiveByFive = R"(
    . . . . .
    . . . . .
    . . . . .
    . . . . .
    . . . . .)";
constexpr std::string_view kCentreEvent = R"(
    . . . . .
    . . . . .
    . . 1 . .
    . . . . .
    . . . . .)";

TEST(ProspectiveTest, SpaceWeightInWholeCells) {
  // 100 m cells, 400 m bandwidth, one event this week at the centre of the middle cell.
  // d = 0 -> 1; 100 and 141 m -> 1 cell -> 1/2; 200, 224 and 283 m -> 2 cells -> 1/3.
  const auto g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  AddEventsFromText(&ev, kCentreEvent, 100, kOrigin - 3 * kSecondsPerDay);
  auto m = Prospective({});
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(SurfaceToText(g, *m->Predict(7), "%.4f"), R"(0.3333 0.3333 0.3333 0.3333 0.3333
0.3333 0.5000 0.5000 0.5000 0.3333
0.3333 0.5000 1.0000 0.5000 0.3333
0.3333 0.5000 0.5000 0.5000 0.3333
0.3333 0.3333 0.3333 0.3333 0.3333
)");
}

TEST(ProspectiveTest, SpaceWeightInMetres) {
  // 1 / (1 + d / 100): 1, 1/2, 1/(1 + sqrt 2), 1/3, 1/(1 + sqrt 5), 1/(1 + sqrt 8).
  const auto g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  AddEventsFromText(&ev, kCentreEvent, 100, kOrigin - 3 * kSecondsPerDay);
  auto m = Prospective({{"distance", "metres"}});
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(SurfaceToText(g, *m->Predict(7), "%.4f"), R"(0.2612 0.3090 0.3333 0.3090 0.2612
0.3090 0.4142 0.5000 0.4142 0.3090
0.3333 0.5000 1.0000 0.5000 0.3333
0.3090 0.4142 0.5000 0.4142 0.3090
0.2612 0.3090 0.3333 0.3090 0.2612
)");
}

TEST(ProspectiveTest, BandwidthEdgeIsIncluded) {
  // bandwidth 200 m: the cells 200 m away count (1/3), those 224 m away do not.
  const auto g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  AddEventsFromText(&ev, kCentreEvent, 100, kOrigin - 3 * kSecondsPerDay);
  auto m = Prospective({{"bandwidth_m", "200"}});
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(SurfaceToText(g, *m->Predict(7), "%.2f"), R"(0.00 0.00 0.33 0.00 0.00
0.00 0.50 0.50 0.50 0.00
0.33 0.50 1.00 0.50 0.33
0.00 0.50 0.50 0.50 0.00
0.00 0.00 0.33 0.00 0.00
)");
}

TEST(ProspectiveTest, TimeWeightByWholeTimeUnits) {
  const auto g = GridFromText(".", 100);
  struct Case {
    int64_t age_s;
    double weight;
  };
  const Case cases[] = {
      {1, 1.0},                          // a second before the origin
      {7 * kSecondsPerDay - 1, 1.0},     // still this week
      {7 * kSecondsPerDay, 0.5},         // one whole week old
      {20 * kSecondsPerDay, 1.0 / 3.0},  // two weeks and six days
      {56 * kSecondsPerDay, 1.0 / 9.0},  // exactly bandwidth_days: in
      {56 * kSecondsPerDay + 1, 0.0},    // a second older: out
      {0, 0.0},                          // at the origin: out
  };
  for (const auto& c : cases) {
    EventSet ev;
    ev.Add(kOrigin - c.age_s, 50, 50, OffenceGroup::kTheft, "theft", "a");
    auto m = Prospective({});
    ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
    EXPECT_NEAR(m->Predict(1)->value[0], c.weight, 1e-9) << "age " << c.age_s << " s";
  }
  // A 1-day time unit: 3 days old -> 1/4.
  EventSet ev;
  ev.Add(kOrigin - 3 * kSecondsPerDay, 50, 50, OffenceGroup::kTheft, "theft", "a");
  auto m = Prospective({{"time_unit_days", "1"}});
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_NEAR(m->Predict(1)->value[0], 0.25, 1e-9);
}

TEST(ProspectiveTest, WeightsMultiplyAndSum) {
  // Two events in (0, 0), one 8 days old (1/2) and one 1 day old (1): at (1, 0), one cell away,
  // 1/2 × (1/2 + 1) = 0.75.
  const auto g = GridFromText(". .", 100);
  EventSet ev;
  ev.Add(kOrigin - 8 * kSecondsPerDay, 50, 50, OffenceGroup::kTheft, "theft", "a");
  ev.Add(kOrigin - 1 * kSecondsPerDay, 50, 50, OffenceGroup::kTheft, "theft", "b");
  auto m = Prospective({});
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(m->Predict(1)->value, (std::vector<double>{1.5, 0.75}));
}

TEST(ProspectiveTest, RepeatedFitsEqualFreshFits) {
  const auto g = GridFromText(R"(
    . . . . . . . . . .
    . . . # # . . . . .
    . . . . . . . . . .
    . . . . . . . . . #)",
                              150);
  const EventSet ev = testing::RandomEvents(4000, 1600, 650, 0, 200 * kSecondsPerDay, 5);
  auto m = Prospective({});
  for (int d = 0; d < 30; ++d) {
    const int64_t origin = (150 + d) * kSecondsPerDay + d * 1234;
    ASSERT_TRUE(m->Fit(ev, g, origin).ok());
    auto f = Prospective({});
    ASSERT_TRUE(f->Fit(ev, g, origin).ok());
    EXPECT_EQ(m->Predict(1)->value, f->Predict(1)->value) << "origin day " << d;
  }
}

}  // namespace
}  // namespace placecast::models
