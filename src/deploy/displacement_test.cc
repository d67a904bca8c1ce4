// SPDX-License-Identifier: Apache-2.0
// Tests for the displacement measures: hand-computed WDQ and WDD (arithmetic in the comments), the
// zero-change and undefined cases, each reading of the WDQ table, period parsing and checks,
// counting in areas, and invalid inputs.
#include "placecast/deploy/displacement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace placecast::deploy {
namespace {

DisplacementCounts Counts(PeriodCounts a, PeriodCounts b, PeriodCounts c) {
  DisplacementCounts k;
  k.target = a;
  k.buffer = b;
  k.control = c;
  return k;
}

// A 100 → 70, B 50 → 45, C 200 → 190.
//   SM  = 70/190 − 100/200 = (14000 − 19000) / 38000 = −5000/38000 = −0.1315789
//   BDM = 45/190 − 50/200  = (9000 − 9500) / 38000   = −500/38000  = −0.0131579
//   WDQ = BDM / SM = 0.1: diffusion of benefits.
// WDD with the one control for both: ΔT = −30, ΔD = −5, ΔC = −10;
//   local = −30 + 10 = −20, displacement = −5 + 10 = 5, WDD = −15;
//   Var = (100 + 70) + (50 + 45) + 4 (200 + 190) = 170 + 95 + 1560 = 1825, se = 42.7200187,
//   z = −15 / 42.7200187 = −0.3511234, p = erfc(0.3511234 / √2) = 0.7254957,
//   95 % CI = −15 ± 1.959964 × 42.7200187 = [−98.7297, 68.7297].
TEST(DisplacementTest, HandComputedSharedControl) {
  auto r = ComputeDisplacement(Counts({100, 70}, {50, 45}, {200, 190}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->wdq.wdq_defined);
  EXPECT_NEAR(r->wdq.success_measure, -5000.0 / 38000, 1e-12);
  EXPECT_NEAR(r->wdq.buffer_measure, -500.0 / 38000, 1e-12);
  EXPECT_NEAR(r->wdq.wdq, 0.1, 1e-12);
  EXPECT_NE(r->wdq.reading.find("Diffusion of benefits (0 < WDQ <= 1)"), std::string::npos);
  const WddResult& w = r->wdd;
  EXPECT_DOUBLE_EQ(w.local, -20);
  EXPECT_DOUBLE_EQ(w.displacement, 5);
  EXPECT_DOUBLE_EQ(w.wdd, -15);
  EXPECT_DOUBLE_EQ(w.variance, 1825);
  EXPECT_NEAR(w.se, 42.720018726587654, 1e-9);
  EXPECT_NEAR(w.z, -0.3511234415883917, 1e-9);
  EXPECT_NEAR(w.p_value, 0.7254957423411543, 1e-9);
  EXPECT_NEAR(w.ci95_low, -98.72969812298847, 1e-9);
  EXPECT_NEAR(w.ci95_high, 68.72969812298847, 1e-9);
  EXPECT_NEAR(w.local_se, std::sqrt(170.0 + 390), 1e-12);
  EXPECT_NE(w.reading.find("not statistically significant"), std::string::npos);
}

// Same counts with a separate buffer control Cd 80 → 100 (ΔCd = 20):
//   local = −20, displacement = −5 − 20 = −25, WDD = −45;
//   Var = 170 + 390 + 95 + 180 = 835, se = 28.8963666, z = −1.5572892, p = 0.1194018,
//   95 % CI = [−101.6358, 11.6358]. The WDQ still uses the target's control: WDQ = 0.1.
TEST(DisplacementTest, HandComputedSeparateControls) {
  DisplacementCounts k = Counts({100, 70}, {50, 45}, {200, 190});
  k.shared_control = false;
  k.buffer_control = {80, 100};
  auto r = ComputeDisplacement(k);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->wdq.wdq, 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(r->wdd.displacement, -25);
  EXPECT_DOUBLE_EQ(r->wdd.wdd, -45);
  EXPECT_DOUBLE_EQ(r->wdd.variance, 835);
  EXPECT_NEAR(r->wdd.z, -1.5572892154634612, 1e-9);
  EXPECT_NEAR(r->wdd.p_value, 0.11940183473843355, 1e-9);
  EXPECT_NEAR(r->wdd.ci95_low, -101.63583772912338, 1e-9);
  EXPECT_NEAR(r->wdd.ci95_high, 11.635837729123374, 1e-9);
}

// A significant drop: A 200 → 100, B 100 → 100, C 300 → 300.
//   WDD = −100 + 0 − 0 = −100; Var = 300 + 200 + 4 × 600 = 2900; z = −100/53.8516 = −1.856953,
//   p = 0.0633 (not significant). With C 300 → 300 and Cd as a separate quiet control 10 → 10:
//   Var = 300 + 600 + 200 + 20 = 1120, z = −100/33.4664 = −2.988072, p = 0.0028 (significant).
TEST(DisplacementTest, SharedControlCountsTwiceInTheVariance) {
  auto shared = ComputeDisplacement(Counts({200, 100}, {100, 100}, {300, 300}));
  ASSERT_TRUE(shared.ok());
  EXPECT_DOUBLE_EQ(shared->wdd.variance, 2900);
  EXPECT_NEAR(shared->wdd.z, -100 / std::sqrt(2900.0), 1e-12);
  EXPECT_GT(shared->wdd.p_value, 0.05);
  DisplacementCounts k = Counts({200, 100}, {100, 100}, {300, 300});
  k.shared_control = false;
  k.buffer_control = {10, 10};
  auto separate = ComputeDisplacement(k);
  ASSERT_TRUE(separate.ok());
  EXPECT_DOUBLE_EQ(separate->wdd.variance, 1120);
  EXPECT_LT(separate->wdd.p_value, 0.05);
  EXPECT_NE(separate->wdd.reading.find("About 100.0 fewer events"), std::string::npos);
  EXPECT_NE(separate->wdd.reading.find("is statistically significant"), std::string::npos);
}

// No change anywhere: SM = 10/20 − 10/20 = 0, so the WDQ is undefined (never a division by 0);
// WDD = 0, Var = 20 + 10 + 4 × 40 = 190, z = 0, p = 1.
TEST(DisplacementTest, ZeroChange) {
  auto r = ComputeDisplacement(Counts({10, 10}, {5, 5}, {20, 20}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->wdq.sm_defined);
  EXPECT_FALSE(r->wdq.wdq_defined);
  EXPECT_EQ(r->wdq.success_measure, 0);
  EXPECT_EQ(r->wdq.wdq, 0);
  EXPECT_NE(r->wdq.undefined_reason.find("success measure SM is 0"), std::string::npos);
  EXPECT_NE(r->wdq.reading.find("No success against the control"), std::string::npos);
  EXPECT_TRUE(r->wdd.test_defined);
  EXPECT_EQ(r->wdd.wdd, 0);
  EXPECT_DOUBLE_EQ(r->wdd.variance, 190);
  EXPECT_EQ(r->wdd.z, 0);
  EXPECT_DOUBLE_EQ(r->wdd.p_value, 1);
}

TEST(DisplacementTest, UndefinedCases) {
  // No control event before: the ratios are undefined, the WDD still is (Var = 10 + 5 + 4 × 3).
  auto no_pre = ComputeDisplacement(Counts({4, 6}, {2, 3}, {0, 3}));
  ASSERT_TRUE(no_pre.ok());
  EXPECT_FALSE(no_pre->wdq.sm_defined);
  EXPECT_FALSE(no_pre->wdq.wdq_defined);
  EXPECT_NE(no_pre->wdq.undefined_reason.find("no event in the pre period"), std::string::npos);
  EXPECT_NE(no_pre->wdq.reading.find("Undefined:"), std::string::npos);
  EXPECT_DOUBLE_EQ(no_pre->wdd.variance, 27);
  auto no_post = ComputeDisplacement(Counts({4, 6}, {2, 3}, {3, 0}));
  EXPECT_NE(no_post->wdq.undefined_reason.find("no event in the post period"), std::string::npos);
  // Every count zero: no variance, no test.
  auto zeros = ComputeDisplacement(Counts({0, 0}, {0, 0}, {0, 0}));
  ASSERT_TRUE(zeros.ok());
  EXPECT_FALSE(zeros->wdd.test_defined);
  EXPECT_EQ(zeros->wdd.z, 0);
  EXPECT_EQ(zeros->wdd.p_value, 1);
  EXPECT_NE(zeros->wdd.reading.find("Undefined: every count is 0"), std::string::npos);
}

// Each row of the reading table, with C 100 → 100 so SM = (A1 − A0)/100, BDM = (B1 − B0)/100:
TEST(DisplacementTest, WdqReadingTable) {
  struct Case {
    PeriodCounts a, b;
    double wdq;  // NaN: no reading by value
    const char* want;
  };
  const Case cases[] = {
      {{100, 50}, {50, 20}, 0.6, "Diffusion of benefits (0 < WDQ <= 1)"},    // −0.3 / −0.5
      {{100, 80}, {50, 20}, 1.5, "Diffusion of benefits greater than"},      // −0.3 / −0.2
      {{100, 50}, {50, 50}, 0, "Neither displacement nor diffusion"},        // 0 / −0.5
      {{100, 50}, {50, 60}, -0.2, "Displacement smaller than the direct"},   // 0.1 / −0.5
      {{100, 50}, {50, 110}, -1.2, "Displacement greater than the direct"},  // 0.6 / −0.5
      {{100, 150}, {50, 110}, 1.2, "No success against the control"},        // 0.6 / 0.5
  };
  for (const Case& c : cases) {
    auto r = ComputeDisplacement(Counts(c.a, c.b, {100, 100}));
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->wdq.wdq, c.wdq, 1e-12) << c.want;
    EXPECT_NE(r->wdq.reading.find(c.want), std::string::npos) << r->wdq.reading;
  }
}

TEST(DisplacementTest, NegativeCountIsInvalid) {
  auto r = ComputeDisplacement(Counts({1, 1}, {-1, 2}, {3, 3}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("buffer: counts must be >= 0 (got -1 pre, 2 post)"),
            std::string::npos);
}

TEST(DisplacementTest, PeriodsParseAndCheck) {
  auto pre = ParsePeriod("2024-01-01:2024-01-31", "--pre");
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ(pre->days(), 31);  // both days included
  auto post = ParsePeriod("2024-02-01:2024-03-02", "--post");
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->days(), 31);  // 29 days of February 2024 + 2
  EXPECT_TRUE(CheckPeriods(*pre, *post).ok());

  struct Bad {
    const char* text;
    const char* want;
  };
  const Bad bad[] = {
      {"2024-01-01", "--pre: expected FROM:TO as YYYY-MM-DD:YYYY-MM-DD (got \"2024-01-01\")"},
      {"2024-02-01:2024-01-01", "--pre: TO is before FROM (got \"2024-02-01:2024-01-01\")"},
      {"2024-13-01:2024-12-01", "--pre FROM"},
  };
  for (const Bad& b : bad) {
    auto r = ParsePeriod(b.text, "--pre");
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.status().message().find(b.want), std::string::npos) << r.status().message();
  }
  // Post before pre, overlapping periods, unequal lengths.
  Status s = CheckPeriods(*post, *pre);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.message().find("post period: must start after the pre period ends"),
            std::string::npos);
  s = CheckPeriods(*pre, ParsePeriod("2024-01-31:2024-03-01", "--post").value());
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  s = CheckPeriods(*pre, ParsePeriod("2024-02-01:2024-02-29", "--post").value());
  EXPECT_NE(s.message().find("must be equally long (got 31 and 29 days)"), std::string::npos);
}

// Events at t = day 0, 1, 10, 11 (pre is days 0–4, post days 10–14), inside and outside a 10 m
// square with a 4 m hole (even-odd): inside-not-in-hole only counts.
TEST(DisplacementTest, CountInAreaByPeriod) {
  EventSet e;
  const int64_t d = kSecondsPerDay;
  e.Add(0 * d, 1, 1, OffenceGroup::kUnknown, "x", "a");   // in, pre
  e.Add(1 * d, 5, 5, OffenceGroup::kUnknown, "x", "b");   // in the hole
  e.Add(2 * d, 20, 1, OffenceGroup::kUnknown, "x", "c");  // outside
  e.Add(10 * d, 9, 9, OffenceGroup::kUnknown, "x", "d");  // in, post
  e.Add(11 * d, 2, 8, OffenceGroup::kUnknown, "x", "e");  // in, post
  e.Add(20 * d, 2, 8, OffenceGroup::kUnknown, "x", "f");  // in, after post
  grid::Boundary area;
  area.rings.push_back({{0, 10, 10, 0}, {0, 0, 10, 10}});
  area.rings.push_back({{3, 7, 7, 3}, {3, 3, 7, 7}});
  auto c = CountInArea(e, area, {0, 5 * d}, {10 * d, 15 * d}, "target");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->pre, 1);
  EXPECT_EQ(c->post, 2);
  auto empty = CountInArea(e, grid::Boundary{}, {0, d}, {d, 2 * d}, "control");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "control: the area has no polygon");
}

}  // namespace
}  // namespace placecast::deploy
