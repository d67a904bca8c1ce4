// SPDX-License-Identifier: Apache-2.0
// Tests of the feedback-loop simulation: the runaway effect with equal true rates, each
// mitigation's effect on it, a proportional allocation with a hand-worked answer, the oracle as
// the upper bound of the hit rate, determinism and invalid parameters. Numbers stated in the
// assertions come from the default run (seed 1, 50 replications); the bounds leave room for
// sampling noise but not for the effect to vanish.
#include "placecast/audit/feedback.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

namespace placecast::audit {
namespace {

FeedbackRequest EqualRates() {
  // The defaults of FeedbackParams(): 10 areas, victim 1/day, discretionary 2/day, top-2 patrols.
  auto values = ParamValues::Resolve(FeedbackParams(), {}, "simulate-feedback");
  EXPECT_TRUE(values.ok()) << values.status().ToString();
  auto req = FeedbackRequestFromParams(*values);
  EXPECT_TRUE(req.ok()) << req.status().ToString();
  return *req;
}

const FeedbackPolicyResult& Policy(const FeedbackResult& r, FeedbackMitigation m) {
  for (const auto& p : r.policies) {
    if (p.mitigation == m) return p;
  }
  ADD_FAILURE() << "no policy " << FeedbackMitigationName(m);
  return r.policies.front();
}

class FeedbackDefaultRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = SimulateFeedback(EqualRates());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    result_ = new FeedbackResult(*r);
  }
  static void TearDownTestSuite() { delete result_; }
  static FeedbackResult* result_;
};
FeedbackResult* FeedbackDefaultRun::result_ = nullptr;

TEST_F(FeedbackDefaultRun, TruthIsTwoAreasInTen) {
  EXPECT_DOUBLE_EQ(result_->true_favoured_share, 0.2);
  ASSERT_EQ(result_->policies.size(), 5u);
  // Day 0: the 10% over-recorded history puts both favoured areas in the top 2 (share 1), minus
  // the exploration share where it applies: 0.9 · 1 + 0.1 · 2/10 = 0.92.
  EXPECT_DOUBLE_EQ(Policy(*result_, FeedbackMitigation::kNone).favoured_share[0].mean, 1.0);
  EXPECT_NEAR(Policy(*result_, FeedbackMitigation::kExploration).favoured_share[0].mean, 0.92,
              1e-12);
  // The model's belief starts at 2·1.1 / (2·1.1 + 8) of the recorded history.
  EXPECT_NEAR(Policy(*result_, FeedbackMitigation::kNone).favoured_forecast_share[0].mean,
              2.2 / 10.2, 1e-12);
}

TEST_F(FeedbackDefaultRun, DiscretionaryTrainingLocksPatrolsIn) {
  // (a) Seen: final favoured share 0.69, 46 of 50 replications more than 0.1 above the truth,
  // forecast share drifting from 0.216 to 0.285.
  const auto& none = Policy(*result_, FeedbackMitigation::kNone);
  EXPECT_GT(none.final_favoured_share.mean, 0.5);
  EXPECT_GE(none.replications_over_truth, 40);
  EXPECT_GT(none.disparity.mean, 2.5);
  EXPECT_GT(none.favoured_forecast_share.back().mean, 0.26);
}

TEST_F(FeedbackDefaultRun, VictimOnlyTrainingReturnsToTheTruth) {
  // (b) Seen: final 0.16 [0, 0.48]; the forecast share returns to 0.2 once the history leaves
  // the 28-day window.
  const auto& v = Policy(*result_, FeedbackMitigation::kVictimOnly);
  EXPECT_LT(v.final_favoured_share.mean, 0.3);
  EXPECT_GT(v.final_favoured_share.mean, 0.1);
  EXPECT_NEAR(v.favoured_forecast_share.back().mean, 0.2, 0.02);
  EXPECT_LT(v.replications_over_truth, 20);
}

TEST_F(FeedbackDefaultRun, InversePropensityWeightingRemovesMostOfTheDrift) {
  // (c) Seen: final 0.18 against 0.69 without it.
  const auto& none = Policy(*result_, FeedbackMitigation::kNone);
  const auto& ipw = Policy(*result_, FeedbackMitigation::kIpw);
  EXPECT_LT(ipw.final_favoured_share.mean, 0.3);
  EXPECT_LT(ipw.final_favoured_share.mean - 0.2, 0.25 * (none.final_favoured_share.mean - 0.2));
  EXPECT_NEAR(ipw.favoured_forecast_share.back().mean, 0.2, 0.03);
}

TEST_F(FeedbackDefaultRun, ExplorationBoundsTheShare) {
  // (d) Presence is (1 - ε)·policy + ε·k/A, so the favoured share stays within
  // [ε·2/10, (1 - ε) + ε·2/10] = [0.02, 0.92] every day; it ends lower than without it (seen 0.50).
  const auto& none = Policy(*result_, FeedbackMitigation::kNone);
  const auto& ex = Policy(*result_, FeedbackMitigation::kExploration);
  for (const FeedbackStat& s : ex.favoured_share) {
    ASSERT_LE(s.hi, 0.92 + 1e-12);
    ASSERT_GE(s.lo, 0.02 - 1e-12);
  }
  EXPECT_LT(ex.final_favoured_share.mean, none.final_favoured_share.mean - 0.1);
}

TEST_F(FeedbackDefaultRun, EqualRatesLoseNoHitRate) {
  // With equal rates every allocation of 2 areas in 10 expects 20% of the offences.
  for (const auto& p : result_->policies) {
    EXPECT_NEAR(p.hit_rate.mean, 0.2, 0.005) << FeedbackMitigationName(p.mitigation);
    EXPECT_NEAR(p.hit_rate_lost.mean, 0.0, 0.005) << FeedbackMitigationName(p.mitigation);
  }
}

TEST(FeedbackTest, OracleHitRateIsTheUpperBound) {
  // (e) Rates 1..10 (victim = discretionary): the oracle patrols areas 8 and 9, which hold
  // (10 + 9) / 55 of the offences; every learning policy loses hit rate against it on average
  // (a single replication can beat it by a hair: the oracle knows the means, not the draws).
  FeedbackRequest req;
  for (int a = 0; a < 10; ++a) {
    req.victim_rate_per_day.push_back(0.5 * (a + 1));
    req.discretionary_rate_per_day.push_back(0.5 * (a + 1));
  }
  req.replications = 20;
  req.days = 200;
  auto r = SimulateFeedback(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& oracle = Policy(*r, FeedbackMitigation::kOracle);
  EXPECT_NEAR(oracle.hit_rate.mean, 19.0 / 55.0, 0.01);
  EXPECT_DOUBLE_EQ(oracle.final_favoured_share.mean, 0.0);  // areas 0, 1 are the quietest
  for (const auto& p : r->policies) {
    EXPECT_GE(p.hit_rate_lost.mean, 0.0) << FeedbackMitigationName(p.mitigation);
    EXPECT_GE(p.hit_rate_lost.lo, -0.002) << FeedbackMitigationName(p.mitigation);
    EXPECT_LE(p.hit_rate.mean, oracle.hit_rate.mean) << FeedbackMitigationName(p.mitigation);
  }
  EXPECT_GT(Policy(*r, FeedbackMitigation::kExploration).hit_rate_lost.mean, 0.01);
}

TEST(FeedbackTest, ProportionalOracleWaterFillsByHand) {
  // Rates (drawn as patrol presence, k = 2):
  //   area  0    1    2    3
  //   rate  6    1    1    1     → 2·6/9 > 1: area 0 capped at 1, the other unit split 1/3 each.
  // Favoured = area 0: share 1/2 every day; hit rate = (6 + 1/3·3)/9 = 7/9 in expectation.
  FeedbackRequest req;
  req.victim_rate_per_day = {3, 0.5, 0.5, 0.5};
  req.discretionary_rate_per_day = {3, 0.5, 0.5, 0.5};
  req.favoured_areas = 1;
  req.patrolled_areas = 2;
  req.allocation = FeedbackAllocation::kProportional;
  req.mitigations = {FeedbackMitigation::kOracle};
  req.replications = 10;
  req.days = 400;
  auto r = SimulateFeedback(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& p = r->policies[0];
  for (const FeedbackStat& s : p.favoured_share) {
    ASSERT_DOUBLE_EQ(s.lo, 0.5);
    ASSERT_DOUBLE_EQ(s.hi, 0.5);
  }
  EXPECT_NEAR(p.hit_rate.mean, 7.0 / 9.0, 0.01);
  EXPECT_EQ(p.hit_rate_lost.mean, 0.0);  // the oracle is its own reference
  req.mitigations = {FeedbackMitigation::kNone};
  auto without = SimulateFeedback(req);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(std::isnan(without->policies[0].hit_rate_lost.mean));  // no oracle, no reference
}

TEST(FeedbackTest, SameSeedSameBytes) {
  // (f)
  FeedbackRequest req = EqualRates();
  req.replications = 5;
  req.days = 60;
  auto a = SimulateFeedback(req);
  auto b = SimulateFeedback(req);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(FeedbackResultJson(req, *a), FeedbackResultJson(req, *b));
  EXPECT_EQ(FeedbackCurvesCsv(*a), FeedbackCurvesCsv(*b));
  req.seed = 2;
  auto c = SimulateFeedback(req);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(FeedbackCurvesCsv(*a), FeedbackCurvesCsv(*c));
  EXPECT_EQ(FeedbackCurvesCsv(*a).substr(0, 64),
            "mitigation,day,mean,lo,hi,forecast_mean,forecast_lo,forecast_hi\n");
}

TEST(FeedbackTest, InvalidRequestsNameTheParameterAndValue) {
  // (g)
  struct Case {
    const char* what;
    void (*edit)(FeedbackRequest&);
    const char* message;
  };
  const Case cases[] = {
      {"low above high", [](FeedbackRequest& r) { r.record_disc_low = 0.7; },
       "record_disc_low: must not exceed record_disc_high = 0.6 (got 0.7)"},
      {"epsilon", [](FeedbackRequest& r) { r.epsilon = 1.5; },
       "epsilon: expected a probability in [0, 1] (got 1.5)"},
      {"patrol all", [](FeedbackRequest& r) { r.patrolled_areas = 10; },
       "patrolled_areas: expected 1 .. areas - 1 = 9 (got 10)"},
      {"favoured", [](FeedbackRequest& r) { r.favoured_areas = 0; },
       "favoured_areas: expected 1 .. areas - 1 = 9 (got 0)"},
      {"negative rate", [](FeedbackRequest& r) { r.victim_rate_per_day[3] = -1; },
       "victim_rate_per_day: area 3: expected a finite rate in [0, 1e6] (got -1)"},
      {"rate count", [](FeedbackRequest& r) { r.discretionary_rate_per_day.pop_back(); },
       "discretionary_rate_per_day: expected one rate per area, 10 (got 9)"},
      {"window", [](FeedbackRequest& r) { r.window_days = 0; },
       "window_days: expected 1 .. 3650 (got 0)"},
      {"twice",
       [](FeedbackRequest& r) {
         r.mitigations = {FeedbackMitigation::kIpw, FeedbackMitigation::kIpw};
       },
       "mitigations: each at most once (got \"ipw\" twice)"},
      {"quiet others",
       [](FeedbackRequest& r) {
         for (size_t a = 2; a < 10; ++a)
           r.victim_rate_per_day[a] = r.discretionary_rate_per_day[a] = 0;
       },
       "rates: the favoured and the other areas must each have some true offences (got 6 and 0 per "
       "day)"},
  };
  for (const Case& c : cases) {
    FeedbackRequest req = EqualRates();
    c.edit(req);
    auto r = SimulateFeedback(req);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << c.what;
    EXPECT_EQ(r.status().message(), c.message) << c.what;
  }
  // Through the parameter table: the owner, the parameter and the value.
  auto v = ParamValues::Resolve(FeedbackParams(), {{"epsilon", "2"}}, "simulate-feedback");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("simulate-feedback: parameter epsilon"), std::string::npos)
      << v.status().message();
  EXPECT_NE(v.status().message().find("\"2\""), std::string::npos) << v.status().message();
  auto w = ParamValues::Resolve(
      FeedbackParams(), {{"areas", "10"}, {"favoured_areas", "2"}, {"patrolled_areas", "10"}},
      "simulate-feedback");
  ASSERT_TRUE(w.ok());
  auto req = FeedbackRequestFromParams(*w);
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.status().message(), "patrolled_areas: expected 1 .. areas - 1 = 9 (got 10)");
}

}  // namespace
}  // namespace placecast::audit
