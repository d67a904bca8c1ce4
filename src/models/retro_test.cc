// SPDX-License-Identifier: Apache-2.0
// Tests of the `retro` model: hand-computed kernel values on tiny grids, kernel choice, masks,
// the sliding window against fresh fits.
#include "models/retro.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/test_util.h"

namespace placecast::models {
namespace {

using testing::AddEventsFromText;
using testing::GridFromText;
using testing::SurfaceToText;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

std::unique_ptr<Model> Retro(double bandwidth_m, int window_days, const std::string& kernel) {
  char bw[32];
  std::snprintf(bw, sizeof(bw), "%g", bandwidth_m);
  return CreateModel("retro", {{"bandwidth_m", bw},
                               {"window_days", std::to_string(window_days)},
                               {"kernel", kernel}})
      .value();
}

constexpr std::string_view kFiveByFive = R"(
    . . . . .
    . . . . .
    . . . . .
    . . . . .
    . . . . .)";

TEST(RetroTest, QuarticKnownAnswerOnFiveByFive) {
  // Bandwidth 200 m on 100 m cells, one event at the centre of the middle cell:
  // d = 0 -> 1; d = 100 (u^2 = 1/4) -> (3/4)^2 = 0.5625; d = 141.4 (u^2 = 1/2) -> 0.25;
  // d >= 200 -> 0 (the kernel's edge is excluded).
  const auto g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  AddEventsFromText(&ev, R"(
    . . . . .
    . . . . .
    . . 1 . .
    . . . . .
    . . . . .)",
                    100, kOrigin - kSecondsPerDay);
  auto m = Retro(200, 10, "quartic");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(SurfaceToText(g, *m->Predict(10)), R"(0 0 0 0 0
0 0.25 0.5625 0.25 0
0 0.5625 1 0.5625 0
0 0.25 0.5625 0.25 0
0 0 0 0 0
)");
}

TEST(RetroTest, QuarticOffCentreEventAndSums) {
  // Event at (280, 250): distances to the centres of row 2 are 230, 130, 30, 70, 170 m.
  // A second event at the centre of (0, 0) adds 1 there and 0.25 at (1, 1) (d = 141.4 m).
  const auto g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  ev.Add(kOrigin - 5, 280, 250, OffenceGroup::kTheft, "theft", "a");
  ev.Add(kOrigin - 5, 50, 50, OffenceGroup::kTheft, "theft", "b");
  ev.SortByTime();
  auto m = Retro(200, 10, "quartic");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  const auto s = *m->Predict(10);
  auto at = [&](int c, int r) { return s.value[static_cast<size_t>(g.ColRowToCell(c, r))]; };
  auto quartic = [](double d) {
    const double u2 = d * d / (200.0 * 200.0);
    return u2 < 1 ? (1 - u2) * (1 - u2) : 0.0;
  };
  EXPECT_EQ(at(0, 2), 0.0);
  EXPECT_NEAR(at(1, 2), 0.33350625, 1e-9);
  EXPECT_NEAR(at(2, 2), 0.95550625, 1e-9);
  EXPECT_NEAR(at(3, 2), 0.77000625, 1e-9);
  EXPECT_NEAR(at(4, 2), 0.07700625, 1e-9);
  EXPECT_NEAR(at(0, 0), 1.0, 1e-9);
  EXPECT_NEAR(at(1, 1), 0.25 + quartic(std::hypot(130, 100)), 1e-9);
}

TEST(RetroTest, GaussianKnownAnswerReachesFourBandwidths) {
  // Bandwidth 100 m on 100 m cells, event at the centre of (0, 0) of a 6 x 1 grid:
  // exp(-d^2 / 2h^2) at d = 0..300 m, and nothing at d = 400 m (the cut is u < 4).
  const auto g = GridFromText(". . . . . .", 100);
  EventSet ev;
  AddEventsFromText(&ev, "1 . . . . .", 100, kOrigin - kSecondsPerDay);
  auto m = Retro(100, 10, "gaussian");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  const auto s = *m->Predict(10);
  const double expected[] = {1.0, std::exp(-0.5), std::exp(-2.0), std::exp(-4.5), 0.0, 0.0};
  for (int c = 0; c < 6; ++c) EXPECT_NEAR(s.value[c], expected[c], 1e-9) << "column " << c;
  EXPECT_GT(s.value[3], 0.0);

  // The quartic kernel with the same bandwidth touches only the event's own cell.
  auto q = Retro(100, 10, "quartic");
  ASSERT_TRUE(q->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(q->Predict(10)->value, (std::vector<double>{1, 0, 0, 0, 0, 0}));
}

TEST(RetroTest, MaskedCellsGetNoMassAndMaskedEventsAreIgnored) {
  const auto g = GridFromText(R"(
    . # .
    . . #)",
                              100);
  EventSet ev;
  AddEventsFromText(&ev, R"(
    . 3 .
    1 . 2)",
                    100, kOrigin - kSecondsPerDay);  // 3 and 2 fall in masked cells
  auto m = Retro(150, 10, "quartic");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  // From the event at (0, 0): d = 100 -> (1 - 4/9)^2 = 25/81; d = 141.4 -> (1 - 8/9)^2 = 1/81.
  EXPECT_EQ(SurfaceToText(g, *m->Predict(10), "%.6f"),
            "0.308642 # 0.000000\n1.000000 0.308642 #\n");
}

TEST(RetroTest, HorizonScalesTheSurface) {
  const auto g = GridFromText(". .", 100);
  EventSet ev;
  AddEventsFromText(&ev, "2 .", 100, kOrigin - kSecondsPerDay);
  auto m = Retro(50, 4, "quartic");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(m->Predict(1)->value, (std::vector<double>{0.5, 0.0}));
}

TEST(RetroTest, WarnsWhenTheBandwidthIsSmallerThanACell) {
  const auto g = GridFromText(". .", 150);
  EventSet ev;
  AddEventsFromText(&ev, "1 .", 150, kOrigin - kSecondsPerDay);
  auto m = Retro(100, 10, "quartic");
  ASSERT_TRUE(m->Fit(ev, g, kOrigin).ok());
  const auto w = m->Warnings();
  ASSERT_FALSE(w.empty());
  EXPECT_EQ(w[0],
            "bandwidth 100 m is smaller than a 150 m cell: the surface is close to raw counts");
  auto wide = Retro(150, 10, "quartic");
  ASSERT_TRUE(wide->Fit(ev, g, kOrigin).ok());
  for (const auto& s : wide->Warnings()) EXPECT_EQ(s.find("bandwidth"), std::string::npos) << s;
}

// The same random data through a sliding instance and through a fresh instance per origin.
void ExpectSlidingEqualsFresh(const std::string& kernel, double bandwidth_m) {
  const auto g = GridFromText(R"(
    # # . . . . . . . . . . . . . . . . . .
    # . . . . . . . . . . . . . . . . . . .
    . . . . . . . # # # . . . . . . . . . .
    . . . . . . . # # # . . . . . . . . . .
    . . . . . . . . . . . . . . . . . . . .
    . . . . . . . . . . . . . . . . . . . .
    . . . . . . . . . . . . . . . . . . . .
    . . . . . . . . . . . . . . . . . . . .
    . . . . . . . . . . . . . . . . . . . #
    . . . . . . . . . . . . . . . . . . # #)",
                              150);
  const EventSet ev = testing::RandomEvents(20000, 3200, 1500, 0, 420 * kSecondsPerDay, 11);
  auto sliding = Retro(bandwidth_m, 365, kernel);
  for (int d = 0; d < 30; ++d) {
    const int64_t origin = (380 + d) * kSecondsPerDay + (d % 3) * 3600;
    ASSERT_TRUE(sliding->Fit(ev, g, origin).ok());
    auto fresh = Retro(bandwidth_m, 365, kernel);
    ASSERT_TRUE(fresh->Fit(ev, g, origin).ok());
    const auto a = *sliding->Predict(7);
    const auto b = *fresh->Predict(7);
    ASSERT_EQ(a.value.size(), b.value.size());
    for (size_t i = 0; i < a.value.size(); ++i) {
      ASSERT_EQ(a.value[i], b.value[i]) << kernel << " origin day " << d << " cell " << i;
    }
    EXPECT_EQ(sliding->Warnings(), fresh->Warnings());
  }
}

TEST(RetroTest, SlidingOverThirtyOriginsEqualsFreshFitsQuartic) {
  ExpectSlidingEqualsFresh("quartic", 230);
}

TEST(RetroTest, SlidingOverThirtyOriginsEqualsFreshFitsGaussian) {
  ExpectSlidingEqualsFresh("gaussian", 120);
}

TEST(RetroTest, OriginGoingBackOrNewEventsRefit) {
  const auto g = GridFromText(". . . . . .\n. . . . . .\n. . . . . .", 150);
  const EventSet a = testing::RandomEvents(500, 900, 450, 0, 100 * kSecondsPerDay, 1);
  const EventSet b = testing::RandomEvents(500, 900, 450, 0, 100 * kSecondsPerDay, 2);
  auto m = Retro(200, 30, "quartic");
  auto fresh_at = [&](const EventSet& ev, int64_t origin) {
    auto f = Retro(200, 30, "quartic");
    EXPECT_TRUE(f->Fit(ev, g, origin).ok());
    return f->Predict(1)->value;
  };
  ASSERT_TRUE(m->Fit(a, g, 90 * kSecondsPerDay).ok());
  ASSERT_TRUE(m->Fit(a, g, 60 * kSecondsPerDay).ok());  // backwards
  EXPECT_EQ(m->Predict(1)->value, fresh_at(a, 60 * kSecondsPerDay));
  ASSERT_TRUE(m->Fit(b, g, 70 * kSecondsPerDay).ok());  // other events, later origin
  EXPECT_EQ(m->Predict(1)->value, fresh_at(b, 70 * kSecondsPerDay));
  const auto g2 = GridFromText(". . . . . .\n. . . . . .\n. . . . . #", 150);
  ASSERT_TRUE(m->Fit(b, g2, 71 * kSecondsPerDay).ok());  // other grid
  auto f = Retro(200, 30, "quartic");
  ASSERT_TRUE(f->Fit(b, g2, 71 * kSecondsPerDay).ok());
  EXPECT_EQ(m->Predict(1)->value, f->Predict(1)->value);
}

}  // namespace
}  // namespace placecast::models
