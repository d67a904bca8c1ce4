// SPDX-License-Identifier: Apache-2.0
// Tests of the `boost` model (issue 15): its feature table on a tiny grid, causality, byte
// determinism, parameter errors, a simulated city of bursts where it beats `naive`, its saved fit
// (the same bytes after a reload; other grids, models, parameters and versions refused), and the
// explanation of a bursting cell by its features' contributions.
#include "models/boost.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "models/boost_features.h"
#include "models/test_util.h"
#include "placecast/grid/ranking.h"
#include "placecast/models/explain.h"

namespace placecast::models {
namespace {

using testing::AddEventsFromText;
using testing::GridFromText;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

// A small, fast configuration for tests.
const std::map<std::string, std::string> kFast = {
    {"trees", "20"}, {"train_origins", "14"}, {"window_days", "120"}};

// A 7 x 4 grid of 150 m cells with two masked cells, and 1,500 random events over the 200 days
// before kOrigin: the byte-determinism and saved-fit tests share it.
grid::Grid SmallCityGrid() {
  return GridFromText(R"(
    . . . . . # .
    . . . . . . .
    . . # . . . .
    . . . . . . .)",
                      150);
}
EventSet SmallCityEvents() {
  return testing::RandomEvents(1500, 1050, 600, kOrigin - 200 * kSecondsPerDay, kOrigin, 3);
}

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
  // A leading indicator: two robberies in cell (4, 1) 10 days before the origin, one in (5, 1)
  // 40 days before (outside the 30-day window).
  EventSet robbery;
  robbery.Add(kOrigin - 10 * kSecondsPerDay, 450, 150, OffenceGroup::kRobbery, "robbery", "r1");
  robbery.Add(kOrigin - 10 * kSecondsPerDay, 460, 160, OffenceGroup::kRobbery, "robbery", "r2");
  robbery.Add(kOrigin - 40 * kSecondsPerDay, 550, 150, OffenceGroup::kRobbery, "robbery", "r3");
  robbery.SortByTime();
  BoostFeatures f(30, {OffenceGroup::kRobbery}, 1);
  const auto& names = f.names();
  ASSERT_EQ(names.size(), 4u * 3 + 2 + 2 * 2 + 3);
  EXPECT_EQ(names[0], "count_1d_1x1");
  EXPECT_EQ(names[5], "count_7d_7x7");
  EXPECT_EQ(names[9], "count_30d_1x1");
  EXPECT_EQ(names[12], "days_since_cell");
  EXPECT_EQ(names[14], "ind_robbery_7d_1x1");
  EXPECT_EQ(names[17], "ind_robbery_28d_3x3");
  EXPECT_EQ(names[19], "month");
  EXPECT_EQ(names[20], "holiday");
  std::vector<float> x;
  f.Append(ev, {&robbery}, g, Calendar(), HolidayRules::kNone, kOrigin - 30 * kSecondsPerDay,
           kOrigin, &x);
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
  // Robberies: cell (4, 1) holds two 10 days old; (5, 1)'s is outside the window.
  EXPECT_EQ(at(4, 1, "ind_robbery_7d_1x1"), 0);
  EXPECT_EQ(at(4, 1, "ind_robbery_28d_1x1"), 2);
  EXPECT_EQ(at(5, 1, "ind_robbery_28d_1x1"), 0);
  EXPECT_EQ(at(5, 2, "ind_robbery_28d_3x3"), 2);
  EXPECT_EQ(at(6, 2, "ind_robbery_28d_3x3"), 0);
  // Day 1000 after 1970-01-01 (a Thursday) is 1972-09-27, a Wednesday (2); no holiday rules.
  EXPECT_EQ(at(0, 0, "day_of_week"), 2);
  EXPECT_EQ(at(0, 0, "month"), 9);
  EXPECT_EQ(at(0, 0, "holiday"), 0);
}

TEST(BoostTest, Issue15CalendarFeaturesAreTheStudysLocalDays) {
  // 2024-07-04 00:00 in New York is 04:00 UTC; at 02:00 UTC it is still 3 July there. Local
  // midnight of 4 July: Thursday (3), month 7, Independence Day. A two-day target window from
  // 3 July holds the holiday once; from 4 July at 02:00 UTC (3 July local) too.
  const auto g = GridFromText(". .", 100);
  const Calendar ny("America/New_York", {{0, -4 * 3600}});
  const HolidayRules us = HolidayRulesForZone(ny.zone());
  const int64_t july4_local = 19908 * kSecondsPerDay + 4 * 3600;  // 2024-07-04T00:00-04:00
  EventSet none;
  auto row = [&](int64_t at, int64_t target_days) {
    BoostFeatures f(30, {}, target_days);
    std::vector<float> x;
    f.Append(none, {}, g, ny, us, at - 30 * kSecondsPerDay, at, &x);
    const auto& n = f.names();
    std::map<std::string, float> out;
    for (size_t k = 0; k < n.size(); ++k) out[n[k]] = x[k];
    return out;
  };
  const auto july4 = row(july4_local, 1);
  EXPECT_EQ(july4.at("day_of_week"), 3);
  EXPECT_EQ(july4.at("month"), 7);
  EXPECT_EQ(july4.at("holiday"), 1);
  const auto late_july3 = row(july4_local - 2 * 3600, 1);  // 22:00 on 3 July, local
  EXPECT_EQ(late_july3.at("day_of_week"), 2);
  EXPECT_EQ(late_july3.at("holiday"), 0);
  EXPECT_EQ(row(july4_local - 2 * 3600, 2).at("holiday"), 1);
  // In UTC days, 02:00 UTC on 4 July would be the holiday: the local calendar is what counts.
  EXPECT_EQ(row(july4_local - 2 * 3600, 1).at("day_of_week"), 2);
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
  const auto g = SmallCityGrid();
  const EventSet ev = SmallCityEvents();
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
  auto boost =
      CreateModel(
          "boost",
          {{"trees", "60"}, {"train_origins", "28"}, {"train_step_days", "1"}, {"refit_days", "1"}})
          .value();
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

// A city of 20 x 20 cells of 100 m where robbery leads burglary: a robbery in a cell (1 in 120 a
// day per cell) raises the burglary rate of its 3x3 neighbourhood to 0.4 a day for the next 10
// days; otherwise burglaries come at 0.004 a day. The robberies are the leading indicator.
struct LeadCity {
  EventSet burglary, robbery;
};

LeadCity MakeLeadCity(const grid::Grid& g, int64_t t0, int64_t days, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  LeadCity city;
  std::vector<int> raised(static_cast<size_t>(g.num_cells()), 0);
  auto add = [&](EventSet* set, grid::CellId c, int64_t d, OffenceGroup group) {
    const int64_t t = t0 + d * kSecondsPerDay + static_cast<int64_t>(u(rng) * kSecondsPerDay);
    set->Add(t, g.CellCenterX(c) + (u(rng) - 0.5) * 90, g.CellCenterY(c) + (u(rng) - 0.5) * 90,
             group, std::string(GetOffenceGroupInfo(group).name), "e");
  };
  for (int64_t d = 0; d < days; ++d) {
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      int& left = raised[static_cast<size_t>(c)];
      std::poisson_distribution<int> n(left > 0 ? 0.4 : 0.004);
      if (left > 0) --left;
      for (int k = n(rng); k > 0; --k)
        add(&city.burglary, c, d, OffenceGroup::kBurglaryResidential);
    }
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      if (u(rng) >= 1.0 / 120) continue;
      add(&city.robbery, c, d, OffenceGroup::kRobbery);
      const int32_t col = g.CellCol(c), row = g.CellRow(c);
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          const grid::CellId n = g.ColRowToCell(col + dc, row + dr);
          if (n != grid::kNoCell) raised[static_cast<size_t>(n)] = 10;
        }
      }
    }
  }
  city.burglary.SortByTime();
  city.robbery.SortByTime();
  return city;
}

TEST(BoostTest, Issue15LearnsALeadingIndicatorAndBeatsRetro) {
  std::string rows;
  for (int r = 0; r < 20; ++r) rows += std::string(20, '.') + "\n";
  const auto g = GridFromText(rows, 100);
  const int64_t t0 = kOrigin - 400 * kSecondsPerDay;
  const LeadCity city = MakeLeadCity(g, t0, 420, 21);
  auto context = std::make_shared<FitContext>();
  context->indicators.push_back({OffenceGroup::kRobbery, city.robbery});
  const std::map<std::string, std::string> params = {{"trees", "60"},
                                                     {"train_origins", "40"},
                                                     {"train_step_days", "3"},
                                                     {"refit_days", "1"},
                                                     {"window_days", "90"}};
  auto with = CreateModel("boost", params).value();
  ASSERT_TRUE(with->SetContext(context).ok());
  auto params_without = params;
  params_without["indicators"] = "none";
  auto without = CreateModel("boost", params_without).value();
  ASSERT_TRUE(without->SetContext(std::make_shared<FitContext>()).ok());
  auto retro = CreateModel("retro", {{"window_days", "90"}, {"bandwidth_m", "150"}}).value();
  // Burglaries of the next day in the top 20 cells (5% of the city), over 20 held-out days.
  int64_t hits_with = 0, hits_without = 0, hits_retro = 0;
  for (int64_t d = 0; d < 20; ++d) {
    const int64_t origin = kOrigin + d * kSecondsPerDay;
    std::vector<int64_t> next(static_cast<size_t>(g.num_cells()), 0);
    const auto [lo, hi] = city.burglary.TimeRange(origin, origin + kSecondsPerDay);
    for (size_t i = lo; i < hi; ++i) {
      ++next[static_cast<size_t>(g.PointToCell(city.burglary.x_m[i], city.burglary.y_m[i]))];
    }
    for (auto [model, hits] : {std::pair{with.get(), &hits_with},
                               {without.get(), &hits_without},
                               {retro.get(), &hits_retro}}) {
      ASSERT_TRUE(model->Fit(city.burglary, g, origin).ok());
      const auto ranking = grid::RankCells(model->Predict(1).value(),
                                           grid::TieBreakFromEvents(city.burglary, g, origin));
      for (size_t k = 0; k < 20; ++k) *hits += next[static_cast<size_t>(ranking.cells[k])];
    }
  }
  SCOPED_TRACE("with " + std::to_string(hits_with) + ", without " + std::to_string(hits_without) +
               ", retro " + std::to_string(hits_retro));
  EXPECT_GT(hits_with, hits_without * 11 / 10);
  EXPECT_GT(hits_with, hits_retro * 5 / 4);
  // The dependence is recovered: a robbery feature carries the most gain.
  const auto gains = BoostFeatureGains(*with).value();
  ASSERT_FALSE(gains.empty());
  EXPECT_EQ(gains[0].first.rfind("ind_robbery_", 0), 0u) << gains[0].first;
  EXPECT_EQ(BoostFeatureGains(*retro).status().code(), ErrorCode::kInvalidInput);
}

TEST(BoostTest, Issue15IndicatorGroupsFollowTheParameterAndTheFlag) {
  const std::vector<OffenceGroup> burglary = {OffenceGroup::kBurglaryResidential,
                                              OffenceGroup::kBurglaryNonResidential};
  auto groups = [&](const std::string& value, bool allow) {
    return CreateModel("boost", {{"indicators", value}}).value()->IndicatorGroups(burglary, allow);
  };
  // auto: every victim-reported group but the target's, unknown and other.
  const auto automatic = groups("auto", false).value();
  EXPECT_EQ(std::count(automatic.begin(), automatic.end(), OffenceGroup::kRobbery), 1);
  EXPECT_EQ(std::count(automatic.begin(), automatic.end(), OffenceGroup::kBurglaryResidential), 0);
  EXPECT_EQ(std::count(automatic.begin(), automatic.end(), OffenceGroup::kNarcotics), 0);
  EXPECT_EQ(std::count(automatic.begin(), automatic.end(), OffenceGroup::kOther), 0);
  const auto allowed = groups("auto", true).value();
  EXPECT_EQ(std::count(allowed.begin(), allowed.end(), OffenceGroup::kNarcotics), 1);
  EXPECT_TRUE(groups("none", false).value().empty());
  EXPECT_EQ(groups("theft,robbery", false).value(),
            (std::vector<OffenceGroup>{OffenceGroup::kRobbery, OffenceGroup::kTheft}));
  struct Bad {
    std::string value, message;
  };
  for (const Bad& b : std::vector<Bad>{
           {"robbery,kde", "boost: parameter indicators: unknown offence group \"kde\""},
           {"burglary_residential", "\"burglary_residential\" is in the target selection"},
           {"narcotics",
            "\"narcotics\" is enforcement-driven (it measures where police look); "
            "pass --allow-enforcement-types to use it"},
           {"robbery,robbery", "\"robbery\" is named twice"},
           {"", "unknown offence group \"\""}}) {
    auto r = groups(b.value, false);
    ASSERT_FALSE(r.ok()) << b.value;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.status().message().find(b.message), std::string::npos) << r.status().message();
  }
}

TEST(BoostTest, Issue15RefitDaysReusesTheTreesAndMatchesAFreshFit) {
  const auto g = GridFromText(R"(
    . . . . . .
    . . . . . .
    . . . . . .)",
                              150);
  const EventSet ev = testing::RandomEvents(1500, 900, 450, kOrigin - 300 * kSecondsPerDay,
                                            kOrigin + 30 * kSecondsPerDay, 5);
  auto params = kFast;
  params["refit_days"] = "7";
  // kOrigin is day 1000; 1001 = 7 x 143 is a refit day: days 1001..1007 share trees.
  auto sliding = CreateModel("boost", params).value();
  std::vector<std::string> slid;
  for (int64_t d = 0; d < 9; ++d) {
    ASSERT_TRUE(sliding->Fit(ev, g, kOrigin + d * kSecondsPerDay).ok());
    slid.push_back(Bytes(sliding->Predict(1).value()));
    auto fresh = CreateModel("boost", params).value();
    ASSERT_TRUE(fresh->Fit(ev, g, kOrigin + d * kSecondsPerDay).ok());
    EXPECT_EQ(slid.back(), Bytes(fresh->Predict(1).value())) << "day " << d;
    EXPECT_EQ(fresh->TrainFromS(kOrigin + d * kSecondsPerDay),
              sliding->TrainFromS(kOrigin + d * kSecondsPerDay));
  }
  // Same trees within a refit period: the history read starts on the same day.
  EXPECT_EQ(sliding->TrainFromS(kOrigin + 1 * kSecondsPerDay),
            sliding->TrainFromS(kOrigin + 7 * kSecondsPerDay));
  EXPECT_LT(sliding->TrainFromS(kOrigin), sliding->TrainFromS(kOrigin + 1 * kSecondsPerDay));
  EXPECT_EQ(sliding->TrainFromS(kOrigin + 8 * kSecondsPerDay),
            sliding->TrainFromS(kOrigin + 1 * kSecondsPerDay) + 7 * kSecondsPerDay);
}

TEST(BoostTest, Issue15FittedJsonRoundTripPredictsTheSameBytes) {
  const auto g = SmallCityGrid();
  const EventSet ev = SmallCityEvents();
  for (const char* objective : {"poisson", "pairwise"}) {
    SCOPED_TRACE(objective);
    auto params = kFast;
    params["objective"] = objective;
    auto a = CreateModel("boost", params).value();
    EXPECT_EQ(a->FittedJson(), "{}");  // nothing before a fit
    ASSERT_TRUE(a->Fit(ev, g, kOrigin).ok());
    const std::string json = a->FittedJson();
    const auto j = nlohmann::json::parse(json);
    EXPECT_EQ(j["model"], "boost");
    EXPECT_EQ(j["schema_version"], 1);
    EXPECT_EQ(j["origin_s"], kOrigin);
    EXPECT_EQ(j["window_start_s"], kOrigin - 120 * kSecondsPerDay);
    EXPECT_EQ(j["feature_names"].size(), BoostFeatures(120, {}, 1).num_features());
    EXPECT_EQ(j["rate"].size(), static_cast<size_t>(g.num_cells()));
    EXPECT_TRUE(j["booster"].contains("learner"));
    auto b = CreateModel("boost", params).value();
    ASSERT_TRUE(b->LoadFitted(json, g).ok());
    for (double horizon_days : {1.0, 7.0}) {
      EXPECT_EQ(Bytes(a->Predict(horizon_days).value()), Bytes(b->Predict(horizon_days).value()));
    }
    EXPECT_EQ(b->FittedJson(), json);  // the booster, too, survives the trip unchanged
    EXPECT_EQ(b->SupportRadiusM(), a->SupportRadiusM());
  }
}

TEST(BoostTest, Issue15LoadFittedRejectsOtherGridsModelsParamsAndVersions) {
  const auto g = GridFromText(". . .\n. . .", 100);
  const EventSet ev =
      testing::RandomEvents(300, 300, 200, kOrigin - 60 * kSecondsPerDay, kOrigin, 5);
  const std::map<std::string, std::string> params = {
      {"trees", "3"}, {"train_origins", "5"}, {"window_days", "60"}};
  auto fitted = CreateModel("boost", params).value();
  ASSERT_TRUE(fitted->Fit(ev, g, kOrigin).ok());
  const std::string good = fitted->FittedJson();
  auto m = CreateModel("boost", params).value();
  ASSERT_TRUE(m->LoadFitted(good, g).ok());
  auto edit = [&](const std::function<void(nlohmann::json&)>& f) {
    auto j = nlohmann::json::parse(good);
    f(j);
    return j.dump();
  };
  const struct {
    std::string json;
    ErrorCode code;
    std::string message;
  } cases[] = {
      {"not json", ErrorCode::kInvalidInput, "boost: LoadFitted: not a JSON object"},
      {edit([](auto& j) { j["model"] = "sepp"; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: model: expected \"boost\""},
      {edit([](auto& j) { j["schema_version"] = 2; }), ErrorCode::kData,
       "boost: LoadFitted: schema_version 2 is not supported (expected 1)"},
      {edit([](auto& j) { j["params"]["trees"] = 50; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: params: the fit was made with trees = 50 (got 3); give the fit's "
       "parameters"},
      {edit([](auto& j) { j["params"]["colour"] = "red"; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: params: unknown parameter colour in the fit"},
      {edit([](auto& j) { j.erase("origin_s"); }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: origin_s: expected an integer"},
      {edit([](auto& j) { j["window_start_s"] = 0; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: window_start_s: expected origin_s - window_days x 86400 = 81216000 "
       "(got 0)"},
      {edit([](auto& j) { j["feature_names"][2] = 7; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: feature_names: expected an array of non-empty strings"},
      {edit([](auto& j) {
         j["rate"] = {1, 2};
       }),
       ErrorCode::kInvalidInput, "boost: LoadFitted: rate: expected an array of 6 numbers"},
      {edit([](auto& j) { j["rate"][4] = -1; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: rate[4]: expected a non-negative number"},
      {edit([](auto& j) { j["booster"] = "trees"; }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: booster: expected an object"},
      {edit([](auto& j) {
         j["booster"] = {{"version", {1, 7, 4}}};
       }),
       ErrorCode::kInvalidInput, "boost: LoadFitted: booster: not an XGBoost model: "},
      {edit([](auto& j) { j["feature_names"].erase(0); }), ErrorCode::kInvalidInput,
       "boost: LoadFitted: booster: a model of 17 features for 16 feature_names"},
  };
  for (const auto& c : cases) {
    Status s = m->LoadFitted(c.json, g);
    EXPECT_EQ(s.code(), c.code) << c.message;
    EXPECT_EQ(s.message().substr(0, c.message.size()), c.message);
  }
  const auto other = GridFromText(". . .", 100);
  Status s = m->LoadFitted(good, other);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(s.message(),
            "boost: LoadFitted: grid: the fit is for a grid of 6 active cells (3 x 2 cells of "
            "100 m), not this one (3 active cells, 3 x 1 of 100 m)");
  // A sepp fit is not boost's, nor boost's sepp's.
  auto sepp = CreateModel("sepp_grid", {}).value();
  EXPECT_EQ(sepp->LoadFitted(good, g).message(),
            "sepp_grid: LoadFitted: model: expected \"sepp_grid\"");
}

TEST(BoostTest, Issue15BurstingCellIsExplainedByItsCounts) {
  // In the burst city a cell in a burst is risky because of its recent events: the feature that
  // adds most to its margin is one of its recent history (with these settings, days since its
  // last event, 1.5 days: +1.85 on the log scale), and its margin is bias + the features'
  // contributions.
  std::string rows;
  for (int r = 0; r < 20; ++r) rows += std::string(20, '.') + "\n";
  const auto g = GridFromText(rows, 100);
  const EventSet ev = BurstCity(g, kOrigin - 400 * kSecondsPerDay, 400, 15);
  auto boost = CreateModel("boost", {{"trees", "40"},
                                     {"train_origins", "28"},
                                     {"train_step_days", "1"},
                                     {"refit_days", "1"},
                                     {"zero_keep", "1"},
                                     {"window_days", "365"}})
                   .value();
  ASSERT_TRUE(boost->Fit(ev, g, kOrigin).ok());
  // The non-chronic cell with the most events in the last 7 days.
  std::vector<int64_t> recent(static_cast<size_t>(g.num_cells()), 0);
  const auto [lo, hi] = ev.TimeRange(kOrigin - 7 * kSecondsPerDay, kOrigin);
  for (size_t i = lo; i < hi; ++i)
    ++recent[static_cast<size_t>(g.PointToCell(ev.x_m[i], ev.y_m[i]))];
  grid::CellId burst = 0;
  for (grid::CellId c = 0; c < g.num_cells(); ++c) {
    if (c % 20 != 7 && recent[static_cast<size_t>(c)] > recent[static_cast<size_t>(burst)])
      burst = c;
  }
  ASSERT_GE(recent[static_cast<size_t>(burst)], 3);
  auto e = ExplainFittedCells(*boost, ev, g, kOrigin, {burst}, 3, 1);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const CellExplanation& x = e->front();
  ASSERT_EQ(x.features.size(), 3u);
  SCOPED_TRACE(CellExplanationToJson(x));
  const std::string& top = x.features[0].name;
  EXPECT_TRUE(top == "count_1d_1x1" || top == "count_7d_1x1" || top == "count_7d_3x3" ||
              top == "count_28d_1x1" || top == "days_since_cell" || top == "days_since_3x3");
  EXPECT_GT(x.features[0].contribution, 0);
  double sum = x.bias + x.other_features;
  for (const ExplainFeature& f : x.features) sum += f.contribution;
  EXPECT_NEAR(sum, std::log(x.risk), 1e-5);
  // Its past events are listed as context (newest first), without a share each.
  EXPECT_FALSE(x.events_additive);
  ASSERT_EQ(x.top_events.size(), 3u);
  EXPECT_GE(x.top_events[0].t_s, x.top_events[1].t_s);
  EXPECT_LE(x.top_events[0].distance_m, 150);
  EXPECT_NE(CellExplanationToJson(x).find("\"contribution\": null"), std::string::npos);
}

namespace {

FitContext::Layer PointLayer(std::string name, std::vector<std::pair<double, double>> points) {
  FitContext::Layer l;
  l.name = std::move(name);
  l.snapshot_date = "1970-01-01";
  l.kind = FitContext::Layer::Kind::kPoint;
  for (auto [x, y] : points) l.features.push_back({grid::Ring{{x}, {y}}});
  return l;
}

}  // namespace

// Issue 15, environment layers: distances and kernel counts on a 3 x 2 grid of 100 m cells,
// worked out by hand from the cell centres (50, 50), (150, 50), (250, 50), (50, 150), ...
TEST(BoostTest, Issue15EnvironmentFeaturesAreExactDistancesAndKernelCounts) {
  const auto g = GridFromText(R"(
    . . .
    . . .)",
                              100);
  FitContext::Layer point = PointLayer("a_point", {{50, 50}});
  FitContext::Layer line;
  line.name = "b_line";
  line.kind = FitContext::Layer::Kind::kLine;
  line.features = {{grid::Ring{{0, 300}, {100, 100}}}};  // y = 100: 50 m from every centre
  FitContext::Layer square;
  square.name = "c_square";
  square.kind = FitContext::Layer::Kind::kPolygon;
  square.features = {{grid::Ring{{0, 100, 100, 0}, {0, 0, 100, 100}}}};  // cell 0
  BoostFeatures f(7, {}, 1, {&point, &line, &square});
  const auto& names = f.names();
  ASSERT_GE(names.size(), 6u);
  const size_t first = names.size() - 6;
  EXPECT_EQ(names[first], "env_a_point_dist_m");
  EXPECT_EQ(names[first + 1], "env_a_point_kde");
  EXPECT_EQ(names[first + 5], "env_c_square_kde");
  EventSet none;
  std::vector<float> x;
  f.Append(none, {}, g, Calendar(), HolidayRules::kNone, kOrigin - 7 * kSecondsPerDay, kOrigin, &x);
  const size_t nf = f.num_features();
  ASSERT_EQ(x.size(), 6 * nf);
  auto at = [&](grid::CellId c, size_t k) { return x[static_cast<size_t>(c) * nf + first + k]; };
  const grid::CellId c00 = g.ColRowToCell(0, 0), c10 = g.ColRowToCell(1, 0),
                     c21 = g.ColRowToCell(2, 1);
  // Point at the centre of cell (0, 0).
  EXPECT_FLOAT_EQ(at(c00, 0), 0);
  EXPECT_FLOAT_EQ(at(c00, 1), 1);  // a feature at the centre adds 1
  EXPECT_FLOAT_EQ(at(c10, 0), 100);
  EXPECT_FLOAT_EQ(at(c10, 1), (1 - 1.0 / 16) * (1 - 1.0 / 16));  // (1 - (100/400)^2)^2
  EXPECT_FLOAT_EQ(at(c21, 0), std::sqrt(200.0 * 200 + 100 * 100));
  EXPECT_FLOAT_EQ(at(c21, 1), (1 - 50000.0 / 160000) * (1 - 50000.0 / 160000));
  // The line y = 100.
  for (grid::CellId c : {c00, c10, c21}) {
    EXPECT_FLOAT_EQ(at(c, 2), 50);
    EXPECT_FLOAT_EQ(at(c, 3), (1 - 1.0 / 64) * (1 - 1.0 / 64));
  }
  // The square of cell (0, 0): 0 inside, else to its nearest edge or corner.
  EXPECT_FLOAT_EQ(at(c00, 4), 0);
  EXPECT_FLOAT_EQ(at(c10, 4), 50);
  EXPECT_FLOAT_EQ(at(c21, 4), std::sqrt(150.0 * 150 + 50 * 50));
  // A feature beyond 400 m adds nothing.
  FitContext::Layer far = PointLayer("far", {{1000, 50}});
  double d = 0, kde = 0;
  EnvLayerValues(far, 50, 50, &d, &kde);
  EXPECT_DOUBLE_EQ(d, 950);
  EXPECT_DOUBLE_EQ(kde, 0);
}

TEST(BoostTest, Issue15LayersParameterSelectsByNameAndWarnsOfAFutureSnapshot) {
  std::string rows;
  for (int r = 0; r < 6; ++r) rows += std::string(6, '.') + "\n";
  const auto g = GridFromText(rows, 100);
  EventSet ev = testing::RandomEvents(200, 600, 600, kOrigin - 120 * kSecondsPerDay, kOrigin, 5);
  auto context = std::make_shared<FitContext>();
  context->layers.push_back(PointLayer("stations", {{250, 250}}));
  FitContext::Layer licences = PointLayer("liquor_licences", {{50, 50}});
  licences.snapshot_date = "2025-08-01";
  licences.snapshot_s = kOrigin + kSecondsPerDay;
  context->layers.push_back(licences);
  auto params = kFast;
  auto model = CreateModel("boost", params).value();
  ASSERT_TRUE(model->SetContext(context).ok());
  ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
  const std::string warning =
      "layer liquor_licences is a snapshot of 2025-08-01, after the origin " +
      Calendar().FormatDate(kOrigin) + ": it can leak the future";
  const auto warnings = model->Warnings();
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), warning), warnings.end());
  // Columns ordered by layer name whatever the store's order.
  const auto fitted = nlohmann::json::parse(model->FittedJson());
  const std::string names = fitted.dump();
  EXPECT_LT(names.find("env_liquor_licences_dist_m"), names.find("env_stations_dist_m"));

  params["layers"] = "stations";
  auto only = CreateModel("boost", params).value();
  ASSERT_TRUE(only->SetContext(context).ok());
  ASSERT_TRUE(only->Fit(ev, g, kOrigin).ok());
  for (const auto& w : only->Warnings()) EXPECT_EQ(w.find("liquor_licences"), std::string::npos);
  params["layers"] = "none";
  auto no_layers = CreateModel("boost", params).value();
  ASSERT_TRUE(no_layers->SetContext(context).ok());
  ASSERT_TRUE(no_layers->Fit(ev, g, kOrigin).ok());
  EXPECT_EQ(no_layers->FittedJson().find("env_"), std::string::npos);
  params["layers"] = "stations,parks";
  auto missing = CreateModel("boost", params).value();
  Status st = missing->SetContext(context);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(st.message().find("boost: parameter layers: no layer \"parks\" in the store"),
            std::string::npos)
      << st.message();
}

// A city of 20 x 20 cells of 100 m whose burglary rate decays with the distance d to the nearest of
// 12 "stations" (at cell centres): 0.15 exp(-d / 80 m) + 0.002 a day. With a 7-day feature window
// the history alone is noisy; the station layer tells boost where the risk is.
TEST(BoostTest, Issue15LearnsAStationLayerAndBeatsRetroAndItselfWithoutIt) {
  std::string rows;
  for (int r = 0; r < 20; ++r) rows += std::string(20, '.') + "\n";
  const auto g = GridFromText(rows, 100);
  std::vector<std::pair<double, double>> stations;
  for (auto [col, row] : std::vector<std::pair<int, int>>{{2, 3},
                                                          {6, 15},
                                                          {10, 9},
                                                          {15, 4},
                                                          {17, 17},
                                                          {3, 11},
                                                          {12, 2},
                                                          {8, 5},
                                                          {14, 13},
                                                          {1, 18},
                                                          {18, 9},
                                                          {9, 17}}) {
    stations.emplace_back(col * 100 + 50, row * 100 + 50);
  }
  auto context = std::make_shared<FitContext>();
  context->layers.push_back(PointLayer("stations", stations));
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> u(0, 1);
  EventSet ev;
  const int64_t t0 = kOrigin - 120 * kSecondsPerDay;
  for (int64_t d = 0; d < 160; ++d) {
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      double dist = 0, kde = 0;
      EnvLayerValues(context->layers[0], g.CellCenterX(c), g.CellCenterY(c), &dist, &kde);
      std::poisson_distribution<int> n(0.15 * std::exp(-dist / 80) + 0.002);
      for (int k = n(rng); k > 0; --k) {
        const int64_t t = t0 + d * kSecondsPerDay + static_cast<int64_t>(u(rng) * kSecondsPerDay);
        ev.Add(t, g.CellCenterX(c) + (u(rng) - 0.5) * 90, g.CellCenterY(c) + (u(rng) - 0.5) * 90,
               OffenceGroup::kBurglaryResidential, "burglary", "e");
      }
    }
  }
  ev.SortByTime();
  const std::map<std::string, std::string> params = {
      {"trees", "40"}, {"train_origins", "28"}, {"train_step_days", "1"}, {"window_days", "7"}};
  auto with = CreateModel("boost", params).value();
  ASSERT_TRUE(with->SetContext(context).ok());
  auto params_without = params;
  params_without["layers"] = "none";
  auto without = CreateModel("boost", params_without).value();
  ASSERT_TRUE(without->SetContext(context).ok());
  auto retro = CreateModel("retro", {{"window_days", "7"}, {"bandwidth_m", "150"}}).value();
  // Burglaries of the next day in the top 20 cells (5% of the city), over 40 held-out days.
  int64_t hits_with = 0, hits_without = 0, hits_retro = 0;
  for (int64_t d = 0; d < 40; ++d) {
    const int64_t origin = kOrigin + d * kSecondsPerDay;
    std::vector<int64_t> next(static_cast<size_t>(g.num_cells()), 0);
    const auto [lo, hi] = ev.TimeRange(origin, origin + kSecondsPerDay);
    for (size_t i = lo; i < hi; ++i)
      ++next[static_cast<size_t>(g.PointToCell(ev.x_m[i], ev.y_m[i]))];
    for (auto [model, hits] : {std::pair{with.get(), &hits_with},
                               {without.get(), &hits_without},
                               {retro.get(), &hits_retro}}) {
      ASSERT_TRUE(model->Fit(ev, g, origin).ok());
      const auto ranking =
          grid::RankCells(model->Predict(1).value(), grid::TieBreakFromEvents(ev, g, origin));
      for (size_t k = 0; k < 20; ++k) *hits += next[static_cast<size_t>(ranking.cells[k])];
    }
  }
  RecordProperty("hits_with", std::to_string(hits_with));
  RecordProperty("hits_without", std::to_string(hits_without));
  RecordProperty("hits_retro", std::to_string(hits_retro));
  SCOPED_TRACE("with " + std::to_string(hits_with) + ", without " + std::to_string(hits_without) +
               ", retro " + std::to_string(hits_retro));
  EXPECT_GT(hits_with, hits_without * 11 / 10);
  EXPECT_GT(hits_with, hits_retro * 11 / 10);
  // The dependence is recovered: a station feature carries the most gain.
  const auto gains = BoostFeatureGains(*with).value();
  ASSERT_FALSE(gains.empty());
  EXPECT_EQ(gains[0].first.rfind("env_stations_", 0), 0u) << gains[0].first;
}

}  // namespace
}  // namespace placecast::models
