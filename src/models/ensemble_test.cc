// SPDX-License-Identifier: Apache-2.0
// Tests of the `ensemble` model: it selects the member that scored best over the look-back, follows
// a change of regime, never reads the origin's events, gives the same bytes sliding as fresh, and
// refuses bad member lists.
#include "models/ensemble.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "models/test_util.h"

namespace placecast::models {
namespace {

using testing::GridFromText;

// Twenty cells 1 km apart: no kernel of the members reaches a neighbour.
const grid::Grid& Line() {
  static const grid::Grid g = GridFromText(". . . . . . . . . . . . . . . . . . . .", 1000);
  return g;
}

constexpr int64_t kSwitchDay = 300;

// One event a day in cell 2 on days [0, kSwitchDay), then one a day in cell 15 until day 400: a
// change of regime. naive (a year's counts) keeps cell 2 on top for the whole study, prospective
// (recent events weigh more) moves to cell 15 about two weeks after the switch.
EventSet Switch() {
  EventSet ev;
  for (int64_t day = 0; day < 400; ++day) {
    const double x = day < kSwitchDay ? 2500 : 15500;
    ev.Add(day * kSecondsPerDay + 3600, x, 500, OffenceGroup::kTheft, "theft", std::to_string(day));
  }
  return ev;
}

std::unique_ptr<Model> Ensemble(std::map<std::string, std::string> params) {
  params.emplace("members", "naive,prospective");
  auto m = CreateModel("ensemble", params);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

nlohmann::json Fitted(const Model& m) { return nlohmann::json::parse(m.FittedJson()); }

bool SameBytes(const grid::Surface& a, const grid::Surface& b) {
  return a.value.size() == b.value.size() &&
         std::memcmp(a.value.data(), b.value.data(), a.value.size() * sizeof(double)) == 0;
}

TEST(EnsembleTest, SelectsTheBestMemberAndGivesItsSurface) {
  const EventSet ev = Switch();
  const int64_t origin = (kSwitchDay + 50) * kSecondsPerDay;
  auto ens = Ensemble({});
  ASSERT_TRUE(ens->Fit(ev, Line(), origin).ok());
  const nlohmann::json j = Fitted(*ens);
  EXPECT_EQ(j["chosen"], "prospective");
  EXPECT_EQ(j["mode"], "select");
  EXPECT_EQ(j["origin_s"], origin);
  EXPECT_EQ(j["lookback"]["from"], "1970-11-19");  // day 322
  EXPECT_EQ(j["lookback"]["to"], "1970-12-16");    // day 349
  EXPECT_EQ(j["lookback"]["days_with_events"], 28);
  ASSERT_EQ(j["members"].size(), 2u);
  EXPECT_EQ(j["members"][0]["name"], "naive");
  EXPECT_EQ(j["members"][0]["mean_hit_rate"], 0.0);  // cell 2 all along
  EXPECT_EQ(j["members"][0]["weight"], 0.0);
  EXPECT_EQ(j["members"][1]["name"], "prospective");
  EXPECT_EQ(j["members"][1]["mean_hit_rate"], 1.0);  // cell 15 on every look-back day
  EXPECT_EQ(j["members"][1]["weight"], 1.0);
  EXPECT_EQ(ens->Choice(), "prospective");

  auto alone = CreateModel("prospective", {}).value();
  ASSERT_TRUE(alone->Fit(ev, Line(), origin).ok());
  EXPECT_TRUE(SameBytes(*ens->Predict(7), *alone->Predict(7)));
  // prospective's kind is a relative score, so the ensemble's is too.
  EXPECT_EQ(ens->output_kind(), Model::OutputKind::kRelativeScore);
  // naive's year of counts from the look-back's first day.
  EXPECT_EQ(ens->TrainFromS(origin), origin - (28 + 365) * kSecondsPerDay);
}

TEST(EnsembleTest, SelectFollowsARegimeSwitch) {
  const EventSet ev = Switch();
  auto ens = Ensemble({});
  EXPECT_EQ(ens->Choice(), "");  // before a fit
  std::string chosen;
  int switches = 0;
  for (int64_t day = kSwitchDay - 10; day <= kSwitchDay + 40; ++day) {
    ASSERT_TRUE(ens->Fit(ev, Line(), day * kSecondsPerDay).ok());
    const std::string now = Fitted(*ens)["chosen"];
    // Before the switch both members flag cell 2 and score alike: the tie goes to the first.
    if (day <= kSwitchDay) {
      EXPECT_EQ(now, "naive") << day;
    }
    if (day >= kSwitchDay + 28) {
      EXPECT_EQ(now, "prospective") << day;
    }
    switches += !chosen.empty() && now != chosen ? 1 : 0;
    chosen = now;
  }
  EXPECT_EQ(switches, 1);
}

TEST(EnsembleTest, WeightsAreMeanHitRatesOverNormalisedSurfaces) {
  // Look-back days 292 .. 319: both members flag cell 2 before the switch, only prospective
  // flags cell 15 after it.
  const EventSet ev = Switch();
  const int64_t origin = (kSwitchDay + 20) * kSecondsPerDay;
  auto ens = Ensemble({{"mode", "weight"}});
  ASSERT_TRUE(ens->Fit(ev, Line(), origin).ok());
  const nlohmann::json j = Fitted(*ens);
  EXPECT_FALSE(j.contains("chosen"));
  char choice[96];
  std::snprintf(choice, sizeof(choice), "weight naive %.3g, prospective %.3g",
                j["members"][0]["weight"].get<double>(), j["members"][1]["weight"].get<double>());
  EXPECT_EQ(ens->Choice(), choice);
  const double r0 = j["members"][0]["mean_hit_rate"], r1 = j["members"][1]["mean_hit_rate"];
  EXPECT_GT(r0, 0.0);  // the days before the switch
  EXPECT_GT(r1, r0);
  EXPECT_DOUBLE_EQ(j["members"][0]["weight"].get<double>(), r0 / (r0 + r1));
  EXPECT_DOUBLE_EQ(j["members"][1]["weight"].get<double>(), r1 / (r0 + r1));

  grid::Surface expected{std::vector<double>(20, 0.0)};
  for (int k = 0; k < 2; ++k) {
    auto m = CreateModel(k == 0 ? "naive" : "prospective", {}).value();
    ASSERT_TRUE(m->Fit(ev, Line(), origin).ok());
    const grid::Surface s = *m->Predict(7);
    double total = 0;
    for (double v : s.value) total += v;
    const double w = j["members"][k]["weight"];
    for (size_t c = 0; c < 20; ++c) expected.value[c] += w * (s.value[c] / total);
  }
  const grid::Surface got = *ens->Predict(7);
  EXPECT_TRUE(SameBytes(got, expected));
  double total = 0;
  for (double v : got.value) total += v;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(ens->output_kind(), Model::OutputKind::kRelativeScore);
}

TEST(EnsembleTest, EventsAtOrAfterTheOriginChangeNothing) {
  const EventSet ev = Switch();
  const int64_t origin = (kSwitchDay + 15) * kSecondsPerDay;
  EventSet past;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (ev.t_s[i] < origin) {
      past.Add(ev.t_s[i], ev.x_m[i], ev.y_m[i], ev.group[i], "theft", ev.id[i]);
    }
  }
  past.SortByTime();
  for (const char* mode : {"select", "weight"}) {
    auto a = Ensemble({{"mode", mode}});
    auto b = Ensemble({{"mode", mode}});
    ASSERT_TRUE(a->Fit(ev, Line(), origin).ok());
    ASSERT_TRUE(b->Fit(past, Line(), origin).ok());
    EXPECT_TRUE(SameBytes(*a->Predict(1), *b->Predict(1))) << mode;
    EXPECT_EQ(a->FittedJson(), b->FittedJson()) << mode;
  }
}

TEST(EnsembleTest, SlidingGivesTheBytesOfFreshFits) {
  const EventSet ev = Switch();
  for (const char* mode : {"select", "weight"}) {
    auto sliding = Ensemble({{"mode", mode}, {"lookback_days", "10"}});
    for (int64_t day = kSwitchDay; day <= kSwitchDay + 24; ++day) {
      const int64_t origin = day * kSecondsPerDay;
      ASSERT_TRUE(sliding->Fit(ev, Line(), origin).ok());
      if (day % 4 != 0) continue;
      auto fresh = Ensemble({{"mode", mode}, {"lookback_days", "10"}});
      ASSERT_TRUE(fresh->Fit(ev, Line(), origin).ok());
      EXPECT_TRUE(SameBytes(*sliding->Predict(1), *fresh->Predict(1))) << mode << " " << day;
      EXPECT_EQ(sliding->FittedJson(), fresh->FittedJson()) << mode << " " << day;
    }
  }
}

TEST(EnsembleTest, AnEmptyLookBackChoosesTheFirstMemberAndSaysSo) {
  EventSet ev;
  ev.Add(100 * kSecondsPerDay, 2500, 500, OffenceGroup::kTheft, "theft", "old");
  auto ens = Ensemble({{"lookback_days", "7"}});
  ASSERT_TRUE(ens->Fit(ev, Line(), 200 * kSecondsPerDay).ok());
  EXPECT_EQ(Fitted(*ens)["chosen"], "naive");
  EXPECT_TRUE(Fitted(*ens)["members"][0]["mean_hit_rate"].is_null());
  const auto w = ens->Warnings();
  ASSERT_FALSE(w.empty());
  EXPECT_EQ(w[0],
            "no event in the 7-day look-back (lookback_days) 1970-07-13 .. 1970-07-19: the members "
            "could not be scored; chose the first member, naive");
}

TEST(EnsembleTest, FactsFollowTheMembers) {
  auto counts = CreateModel("ensemble", {{"members", "naive,sepp_grid"}}).value();
  EXPECT_EQ(counts->output_kind(), Model::OutputKind::kExpectedCount);
  auto weighted =
      CreateModel("ensemble", {{"members", "naive,sepp_grid"}, {"mode", "weight"}}).value();
  EXPECT_EQ(weighted->output_kind(), Model::OutputKind::kRelativeScore);
  auto reach = CreateModel("ensemble", {{"members", "naive,retro"}}).value();
  EXPECT_EQ(reach->SupportRadiusM(), 200);
  // window_days reaches every member that declares it (prospective does not).
  auto windows =
      CreateModel("ensemble",
                  {{"members", "naive,prospective"}, {"window_days", "90"}, {"lookback_days", "5"}})
          .value();
  const int64_t origin = 1000 * kSecondsPerDay;
  EXPECT_EQ(windows->TrainFromS(origin), origin - (5 + 90) * kSecondsPerDay);
  EXPECT_TRUE(windows->ReadsContext());
  EXPECT_EQ(windows->LoadFitted("{}", Line()).code(), ErrorCode::kInvalidInput);
}

TEST(EnsembleTest, IndicatorGroupsAreTheUnionOfTheMembers) {
  auto ens = CreateModel("ensemble", {{"members", "naive,boost"}}).value();
  auto boost = CreateModel("boost", {}).value();
  const std::vector<OffenceGroup> target = {OffenceGroup::kTheft};
  auto got = ens->IndicatorGroups(target, false);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, *boost->IndicatorGroups(target, false));
  EXPECT_FALSE(got->empty());
}

TEST(EnsembleTest, BadParametersAreInvalidInput) {
  struct Case {
    std::map<std::string, std::string> params;
    const char* message;
  };
  const Case cases[] = {
      {{{"members", "naive,kde"}},
       "ensemble: parameter members: unknown model \"kde\" (known: naive, retro, prospective, "
       "sepp_grid, sepp, boost) (got \"naive,kde\")"},
      {{{"members", "naive,ensemble"}},
       "ensemble: parameter members: an ensemble cannot be a member of an ensemble (got "
       "\"naive,ensemble\")"},
      {{{"members", "naive,,retro"}},
       "ensemble: parameter members: expected a comma-separated list of model names (got "
       "\"naive,,retro\")"},
      {{{"members", ""}},
       "ensemble: parameter members: expected a comma-separated list of model names (got \"\")"},
      {{{"members", "retro, retro"}},
       "ensemble: parameter members: \"retro\" is listed twice (got \"retro, retro\")"},
      {{{"lookback_days", "0"}},
       "ensemble: parameter lookback_days: expected a value in [1, 3650]"},
      {{{"mode", "vote"}},
       "ensemble: parameter mode: expected one of select|weight (got \"vote\")"},
      // boost needs label_days (1) < window_days.
      {{{"members", "naive,boost"}, {"window_days", "1"}}, "ensemble: member boost: "},
  };
  for (const Case& c : cases) {
    auto m = CreateModel("ensemble", c.params);
    ASSERT_FALSE(m.ok()) << c.message;
    EXPECT_EQ(m.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(m.status().message().substr(0, std::strlen(c.message)), c.message)
        << m.status().message();
  }
  // Spaces around names are allowed.
  EXPECT_TRUE(CreateModel("ensemble", {{"members", " naive , retro "}}).ok());
}

}  // namespace
}  // namespace placecast::models
