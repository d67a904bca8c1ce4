// SPDX-License-Identifier: Apache-2.0
// Tests of the `boost` model (issue 15): its feature table on a tiny grid, causality, byte
// determinism, parameter errors, and a simulated city of bursts where it beats `naive`.
#include "models/boost.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "models/boost_features.h"
#include "models/test_util.h"
#include "placecast/grid/ranking.h"

namespace placecast::models {
namespace {

using testing::AddEventsFromText;
using testing::GridFromText;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

// A small, fast configuration for tests.
const std::map<std::string, std::string> kFast = {
    {"trees", "20"}, {"train_origins", "14"}, {"window_days", "120"}};

std::string Bytes(const grid::Surface& s) {
  std::string b(s.value.size() * sizeof(double), '\0');
  std::memcpy(b.data(), s.value.data(), b.size());
  return b;
}

TEST(BoostTest, Issue15FeaturesCountBoxesAndDaysSince) {
  const double kCell = 100;
  const auto g = GridFromText(R"(
    . . . . . . . .
    . . . . . . . .
    . . . . . . . .
    . . . . . . . .)",
                              kCell);
  EventSet ev;
  AddEventsFromText(&ev, R"(
    . . . . . . . .
    . 2 . . . . . .
    . . . . . . . .
    . . . . . . . 1)",
                    kCell, kOrigin - 3 * kSecondsPerDay);
  AddEventsFromText(&ev, R"(
    . . . . . . . .
    . . 1 . . . . .
    . . . . . . . .
    . . . . . . . .)",
                    kCell, kOrigin - kSecondsPerDay / 2);
  AddEventsFromText(&ev, R"(
    9 . . . . . . .
    . . . . . . . .
    . . . . . . . .
    . . . . . . . .)",
                    kCell, kOrigin);  // at the origin: never seen
  ev.SortByTime();
  BoostFeatures f(30);
  const auto& names = f.names();
  ASSERT_EQ(names.size(), 4u * 3 + 4);
  EXPECT_EQ(names[0], "count_1d_1x1");
  EXPECT_EQ(names[5], "count_7d_7x7");
  EXPECT_EQ(names[9], "count_30d_1x1");
  EXPECT_EQ(names[12], "days_since_cell");
  EXPECT_EQ(names[15], "month");
  std::vector<float> x;
  f.Append(ev, g, kOrigin - 30 * kSecondsPerDay, kOrigin, &x);
  ASSERT_EQ(x.size(), static_cast<size_t>(g.num_cells()) * names.size());
  auto at = [&](int col, int row, const std::string& name) {
    const size_t k =
        static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    return x[static_cast<size_t>(g.ColRowToCell(col, row)) * names.size() + k];
  };
  // Cell (1, 2) holds 2 events 3 days old; (2, 2) one event half a day old; (7, 0) one, 3 days.
  EXPECT_EQ(at(1, 2, "count_1d_1x1"), 0);
  EXPECT_EQ(at(2, 2, "count_1d_1x1"), 1);
  EXPECT_EQ(at(1, 2, "count_7d_1x1"), 2);
  EXPECT_EQ(at(1, 2, "count_7d_3x3"), 3);
  EXPECT_EQ(at(0, 3, "count_7d_3x3"), 2);  // the corner's 3x3 is cut by the edge
  EXPECT_EQ(at(0, 3, "count_7d_1x1"), 0);  // the origin's 9 events are not counted
  EXPECT_EQ(at(4, 0, "count_30d_7x7"), 4);
  EXPECT_EQ(at(3, 0, "count_30d_7x7"), 3);  // (7, 0) is four columns away
  EXPECT_EQ(at(5, 3, "count_30d_7x7"), 2);
  EXPECT_EQ(at(6, 3, "count_30d_7x7"), 1);
  EXPECT_FLOAT_EQ(at(2, 2, "days_since_cell"), 0.5f);
  EXPECT_FLOAT_EQ(at(1, 2, "days_since_cell"), 3.0f);
  EXPECT_FLOAT_EQ(at(0, 3, "days_since_3x3"), 3.0f);
  EXPECT_FLOAT_EQ(at(3, 3, "days_since_3x3"), 0.5f);
  EXPECT_FLOAT_EQ(at(5, 0, "days_since_cell"), 30.0f);  // none in the window: capped
  // Day 1000 after 1970-01-01 (a Thursday) is 1972-09-27, a Wednesday (2).
  EXPECT_EQ(at(0, 0, "day_of_week"), 2);
  EXPECT_EQ(at(0, 0, "month"), 9);
}

TEST(BoostTest, Issue15EventsAtOrAfterTheOriginChangeNothing) {
  const auto g = GridFromText(R"(
    . . . . . .
    . . . . . .
    . . . . . .
    . . . . . .)",
                              150);
  EventSet before =
      testing::RandomEvents(800, 900, 600, kOrigin - 150 * kSecondsPerDay, kOrigin, 7);
  EventSet with_future = before;
  const EventSet future =
      testing::RandomEvents(300, 900, 600, kOrigin, kOrigin + 30 * kSecondsPerDay, 8);
  for (size_t i = 0; i < future.size(); ++i) {
    with_future.Add(future.t_s[i], future.x_m[i], future.y_m[i], future.group[i], "burglary",
                    future.id[i]);
  }
  with_future.Add(kOrigin, 75, 75, OffenceGroup::kBurglaryResidential, "burglary", "at origin");
  with_future.SortByTime();
  for (const char* objective : {"poisson", "pairwise"}) {
    auto params = kFast;
    params["objective"] = objective;
    auto a = CreateModel("boost", params).value();
    auto b = CreateModel("boost", params).value();
    ASSERT_TRUE(a->Fit(before, g, kOrigin).ok());
    ASSERT_TRUE(b->Fit(with_future, g, kOrigin).ok());
    EXPECT_EQ(Bytes(a->Predict(7).value()), Bytes(b->Predict(7).value())) << objective;
  }
}

TEST(BoostTest, Issue15SameInputsGiveSameBytes) {
  const auto g = GridFromText(R"(
    . . . . . # .
    . . . . . . .
    . . # . . . .
    . . . . . . .)",
                              150);
  const EventSet ev =
      testing::RandomEvents(1500, 1050, 600, kOrigin - 200 * kSecondsPerDay, kOrigin, 3);
  for (const char* threads : {"1", "2"}) {
    auto params = kFast;
    params["threads"] = threads;
    params["zero_keep"] = "0.5";
    auto a = CreateModel("boost", params).value();
    auto b = CreateModel("boost", params).value();
    ASSERT_TRUE(a->Fit(ev, g, kOrigin).ok());
    ASSERT_TRUE(b->Fit(ev, g, kOrigin).ok());
    const std::string first = Bytes(a->Predict(1).value());
    EXPECT_EQ(first, Bytes(b->Predict(1).value())) << threads;
    ASSERT_TRUE(a->Fit(ev, g, kOrigin).ok());  // a refit of the same instance, too
    EXPECT_EQ(first, Bytes(a->Predict(1).value())) << threads;
  }
}

TEST(BoostTest, Issue15ParameterErrors) {
  struct Case {
    std::map<std::string, std::string> params;
    std::string message;
  };
  const Case cases[] = {
      {{{"trees", "0"}}, "boost: parameter trees: expected a value in [1, 5000]"},
      {{{"objective", "rank:ndcg"}}, "boost: parameter objective: "},
      {{{"zero_keep", "0"}}, "boost: parameter zero_keep: expected a value in [0.001, 1]"},
      {{{"label_days", "30"}, {"window_days", "30"}},
       "boost: parameter label_days: expected a value below window_days (30) (got 30)"},
      {{{"learning_rate", "fast"}}, "boost: parameter learning_rate: expected a number"},
  };
  for (const Case& c : cases) {
    auto m = CreateModel("boost", c.params);
    ASSERT_FALSE(m.ok()) << c.message;
    EXPECT_EQ(m.status().code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_NE(m.status().message().find(c.message), std::string::npos) << m.status().message();
  }
  auto m = CreateModel("boost", kFast).value();
  EXPECT_EQ(m->Predict(1).status().code(), ErrorCode::kInvalidInput);
}

TEST(BoostTest, Issue15OutputKindFollowsTheObjective) {
  EXPECT_EQ(CreateModel("boost", {}).value()->output_kind(), Model::OutputKind::kExpectedCount);
  EXPECT_EQ(CreateModel("boost", {{"objective", "pairwise"}}).value()->output_kind(),
            Model::OutputKind::kRelativeScore);
}

// A city of 20 x 20 cells of 100 m. 20 chronic cells have 0.1 events a day all year. Each of the
// other cells starts a 14-day burst of 0.6 events a day with probability 1/150 a day, and has a
// background of 0.003 a day. Over a year a chronic cell (about 36 events) outranks a burst cell
// (about 17), so `naive` (365 days) fills its top 20 with chronic cells; on a given day the cells
// in a burst are six times as risky, which recent counts reveal.
EventSet BurstCity(const grid::Grid& g, int64_t t0, int64_t days, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  EventSet ev;
  std::vector<int> burst_left(static_cast<size_t>(g.num_cells()), 0);
  for (int64_t d = 0; d < days; ++d) {
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      const bool chronic = c % 20 == 7;
      int& left = burst_left[static_cast<size_t>(c)];
      if (!chronic && left == 0 && u(rng) < 1.0 / 150) left = 14;
      const double rate = chronic ? 0.1 : (left > 0 ? 0.6 : 0.003);
      if (left > 0) --left;
      std::poisson_distribution<int> n(rate);
      for (int k = n(rng); k > 0; --k) {
        const int64_t t = t0 + d * kSecondsPerDay + static_cast<int64_t>(u(rng) * kSecondsPerDay);
        ev.Add(t, g.CellCenterX(c) + (u(rng) - 0.5) * 90, g.CellCenterY(c) + (u(rng) - 0.5) * 90,
               OffenceGroup::kBurglaryResidential, "burglary", "e");
      }
    }
  }
  ev.SortByTime();
  return ev;
}

TEST(BoostTest, Issue15BeatsNaiveWhenRiskComesInBursts) {
  std::string rows;
  for (int r = 0; r < 20; ++r) rows += std::string(20, '.') + "\n";
  const auto g = GridFromText(rows, 100);
  const int64_t t0 = kOrigin - 500 * kSecondsPerDay;
  const EventSet ev = BurstCity(g, t0, 520, 15);
  auto boost = CreateModel("boost", {{"trees", "60"}, {"train_origins", "28"}}).value();
  auto naive = CreateModel("naive", {}).value();
  // Events of the next day in the top 20 cells, over 10 held-out days.
  int64_t hits_boost = 0, hits_naive = 0;
  for (int64_t d = 0; d < 10; ++d) {
    const int64_t origin = kOrigin + d * kSecondsPerDay;
    std::vector<int64_t> next(static_cast<size_t>(g.num_cells()), 0);
    const auto [lo, hi] = ev.TimeRange(origin, origin + kSecondsPerDay);
    for (size_t i = lo; i < hi; ++i)
      ++next[static_cast<size_t>(g.PointToCell(ev.x_m[i], ev.y_m[i]))];
    for (auto [model, hits] : {std::pair{boost.get(), &hits_boost}, {naive.get(), &hits_naive}}) {
      ASSERT_TRUE(model->Fit(ev, g, origin).ok());
      const auto ranking =
          grid::RankCells(model->Predict(1).value(), grid::TieBreakFromEvents(ev, g, origin));
      for (size_t k = 0; k < 20; ++k) *hits += next[static_cast<size_t>(ranking.cells[k])];
    }
  }
  RecordProperty("hits_boost", std::to_string(hits_boost));
  RecordProperty("hits_naive", std::to_string(hits_naive));
  SCOPED_TRACE("boost " + std::to_string(hits_boost) + ", naive " + std::to_string(hits_naive));
  EXPECT_GT(hits_boost, 2 * hits_naive);
}

}  // namespace
}  // namespace placecast::models
