// SPDX-License-Identifier: Apache-2.0
// Known-answer tests of hit rate, PAI and PEI on tiny grids drawn as text, including ties and
// fractional coverage; identities (PAI = hit rate × N / k, PEI <= 1) on simulated surfaces.
#include "placecast/eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace placecast::eval {
namespace {

// Numbers drawn as text, north row first, one value per cell; returned in CellId order (row-major
// from the south-west, every cell active).
std::vector<double> Cells(const std::vector<std::string>& rows) {
  std::vector<double> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    std::istringstream ss(*it);
    double v;
    while (ss >> v) out.push_back(v);
  }
  return out;
}

std::vector<int64_t> Counts(const std::vector<std::string>& rows) {
  std::vector<int64_t> out;
  for (double v : Cells(rows)) out.push_back(static_cast<int64_t>(v));
  return out;
}

std::vector<CoverageScore> Score(const std::vector<double>& risk, const std::vector<int64_t>& obs,
                                 const std::vector<double>& cov) {
  auto r = ScoreCoverages(grid::Surface{risk}, obs, cov, {});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<CoverageScore>{};
}

TEST(MetricsTest, DistinctRisksKnownAnswers) {
  const auto risk = Cells({
      "9 8 7 6 5",
      "4 3 2 1 0",
  });
  const auto obs = Counts({
      "2 0 1 0 0",
      "0 0 0 3 0",
  });
  // N = 10 cells, 6 events.
  struct Case {
    double c, hits, hit_rate, pai, pei;
  } cases[] = {
      {20, 2, 2.0 / 6, (2.0 / 6) / 0.2, 2.0 / 5},       // k=2: cells 9, 8; best 3+2
      {30, 3, 3.0 / 6, (3.0 / 6) / 0.3, 3.0 / 6},       // k=3: 9, 8, 7; best 3+2+1
      {25, 2.5, 2.5 / 6, (2.5 / 6) / 0.25, 2.5 / 5.5},  // k=2.5: half of cell 7; best 3+2+0.5
      {90, 6, 1, 1 / 0.9, 1},                           // k=9: all but the 0 cell
      {100, 6, 1, 1, 1},
  };
  for (const Case& c : cases) {
    auto s = Score(risk, obs, {c.c});
    ASSERT_EQ(s.size(), 1u);
    SCOPED_TRACE("coverage " + std::to_string(c.c));
    EXPECT_DOUBLE_EQ(s[0].flagged_cells, c.c / 10);
    EXPECT_DOUBLE_EQ(s[0].hits, c.hits);
    EXPECT_EQ(s[0].events, 6);
    EXPECT_DOUBLE_EQ(s[0].hit_rate, c.hit_rate);
    EXPECT_DOUBLE_EQ(s[0].pai, c.pai);
    EXPECT_DOUBLE_EQ(s[0].pei, c.pei);
  }
}

TEST(MetricsTest, TieBlockStraddlingBoundaryCountsExpectedHits) {
  const auto risk = Cells({
      "1 1 1 1 0",
      "0 0 0 0 0",
  });
  const auto obs = Counts({
      "4 0 0 0 1",
      "0 0 1 0 0",
  });
  // Tied block of 4 cells (risk 1) holding 4 events, then a block of 6 cells (risk 0) holding 2.
  struct Case {
    double c, hits;
  } cases[] = {
      {10, 4.0 * 1 / 4},        // k=1: a quarter of the first block
      {20, 4.0 * 2 / 4},        // k=2: half of it, not 4 as a favourable order would give
      {40, 4},                  // k=4: the whole first block
      {50, 4 + 2.0 * 1 / 6},    // k=5: one sixth of the second block
      {55, 4 + 2.0 * 1.5 / 6},  // k=5.5: fractional k inside a tie block
      {100, 6},
  };
  for (const Case& c : cases) {
    auto s = Score(risk, obs, {c.c});
    SCOPED_TRACE("coverage " + std::to_string(c.c));
    EXPECT_NEAR(s[0].hits, c.hits, 1e-12);
    EXPECT_NEAR(s[0].hit_rate, c.hits / 6, 1e-12);
  }
}

TEST(MetricsTest, TiesDoNotDependOnCellOrder) {
  const auto risk = Cells({
      "2 1 1 1 0",
      "1 1 0 0 2",
  });
  const auto obs = Counts({
      "0 3 0 1 0",
      "1 0 0 2 1",
  });
  const std::vector<double> cov = {10, 20, 30, 35, 50, 70, 100};
  const auto a = Score(risk, obs, cov);
  std::vector<double> rrisk(risk.rbegin(), risk.rend());
  std::vector<int64_t> robs(obs.rbegin(), obs.rend());
  const auto b = Score(rrisk, robs, cov);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_DOUBLE_EQ(a[i].hits, b[i].hits) << cov[i];
    EXPECT_DOUBLE_EQ(a[i].pei, b[i].pei) << cov[i];
  }
  // k=3.5 (35%): both risk-2 cells (1 event) + 1.5 of the 5 risk-1 cells (5 events).
  EXPECT_NEAR(a[3].hits, 1 + 5 * 1.5 / 5, 1e-12);
}

TEST(MetricsTest, FlatSurfaceScoresLikeRandomChoice) {
  const std::vector<double> risk(10, 0.25);
  const auto obs = Counts({
      "5 0 0 0 1",
      "0 0 2 0 0",
  });
  for (double c : {0.5, 1.0, 5.0, 20.0, 33.3, 100.0}) {
    auto s = Score(risk, obs, {c});
    EXPECT_NEAR(s[0].hit_rate, c / 100, 1e-12) << c;
    EXPECT_NEAR(s[0].pai, 1, 1e-12) << c;
  }
}

TEST(MetricsTest, IdentitiesHoldOnSimulatedSurfaces) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 200);
    std::vector<double> risk(n);
    std::vector<int64_t> obs(n);
    for (int i = 0; i < n; ++i) {
      risk[i] = static_cast<double>(rng() % 5);  // many ties
      obs[i] = (rng() % 4 == 0) ? static_cast<int64_t>(rng() % 3) : 0;
    }
    obs[0] += 1;
    const auto curve = CurveCoveragesPct();
    auto s = Score(risk, obs, {curve.begin(), curve.end()});
    double prev = 0;
    for (const CoverageScore& x : s) {
      SCOPED_TRACE("n=" + std::to_string(n) + " c=" + std::to_string(x.coverage_pct));
      EXPECT_NEAR(x.pai, x.hit_rate * n / x.flagged_cells, 1e-9);
      EXPECT_LE(x.pei, 1 + 1e-12);
      EXPECT_GE(x.pei, 0);
      EXPECT_GE(x.hits, prev - 1e-12);  // monotone in coverage
      prev = x.hits;
    }
    EXPECT_NEAR(s.back().hit_rate, 1, 1e-12);
  }
}

TEST(MetricsTest, OracleSurfaceHasPeiOne) {
  const auto obs = Counts({
      "0 3 0 1 0 0",
      "1 0 0 2 1 0",
      "0 0 1 0 0 4",
  });
  std::vector<double> risk(obs.begin(), obs.end());
  const auto curve = CurveCoveragesPct();
  for (const CoverageScore& x : Score(risk, obs, {curve.begin(), curve.end()})) {
    EXPECT_NEAR(x.pei, 1, 1e-12) << x.coverage_pct;
  }
}

TEST(MetricsTest, NoEventsGivesNaNScores) {
  auto s = Score({1, 2, 3}, {0, 0, 0}, {50});
  EXPECT_EQ(s[0].events, 0);
  EXPECT_EQ(s[0].hits, 0);
  EXPECT_TRUE(std::isnan(s[0].hit_rate));
  EXPECT_TRUE(std::isnan(s[0].pai));
  EXPECT_TRUE(std::isnan(s[0].pei));
}

TEST(MetricsTest, InvalidInputs) {
  const double nan = std::nan("");
  struct Case {
    std::vector<double> risk;
    std::vector<int64_t> obs;
    std::vector<double> cov;
    std::string message;
  } cases[] = {
      {{}, {}, {5}, "coverage metrics: the surface has no cells"},
      {{1, 2}, {1}, {5}, "the surface has 2 cells but the observed counts have 1"},
      {{1, nan}, {1, 0}, {5}, "risk of cell 1 is not finite (got nan)"},
      {{1, 2}, {1, -1}, {5}, "observed count of cell 1 is negative (got -1)"},
      {{1, 2}, {1, 0}, {0}, "coverage_pct must be in (0, 100] (got 0)"},
      {{1, 2}, {1, 0}, {100.5}, "coverage_pct must be in (0, 100] (got 100.5)"},
      {{1, 2}, {1, 0}, {nan}, "coverage_pct must be in (0, 100] (got nan)"},
  };
  for (const Case& c : cases) {
    auto r = ScoreCoverages(grid::Surface{c.risk}, c.obs, c.cov, {});
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

TEST(MetricsTest, Issue14TieKeysOfTheWrongLengthAreRejected) {
  grid::TieBreak ties{{1, 2, 3}, {1, 2, 3}};
  auto r = ScoreCoverages(grid::Surface{{1, 2}}, std::vector<int64_t>{1, 0},
                          std::vector<double>{50}, ties);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status().message(),
            "coverage metrics: the surface has 2 cells but the tie keys have 3");
}

TEST(MetricsTest, Issue14TiesFollowTheLongerHistory) {
  // Four cells, all risk 0 (a short window saw nothing). The event of the horizon falls in cell 2,
  // the cell with the longest history: the tie rule ranks it first, so flagging one cell (25 %)
  // catches it. Scoring ties by risk alone gave the chance level, 1/4.
  const std::vector<double> risk = {0, 0, 0, 0};
  const std::vector<int64_t> obs = {0, 0, 1, 0};
  const std::vector<double> cov = {25, 50};
  grid::TieBreak ties{{1, 0, 4, 1}, {1, 5, 5, 5}};
  auto r = ScoreCoverages(grid::Surface{risk}, obs, cov, ties);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ((*r)[0].hit_rate, 1);
  EXPECT_DOUBLE_EQ((*r)[0].pai, 4);
  EXPECT_DOUBLE_EQ(Score(risk, obs, cov)[0].hit_rate, 0.25);
  // Cells 0 and 3 tie on risk and both keys: a block of two, scored by expectation. The event in
  // cell 3 counts half at 50 % (k = 2: cell 2, then half of the block {0, 3}).
  const std::vector<int64_t> obs3 = {0, 0, 0, 1};
  grid::TieBreak ties3{{1, 0, 4, 1}, {5, 5, 5, 5}};
  auto r3 = ScoreCoverages(grid::Surface{risk}, obs3, cov, ties3);
  ASSERT_TRUE(r3.ok());
  EXPECT_DOUBLE_EQ((*r3)[0].hits, 0);
  EXPECT_DOUBLE_EQ((*r3)[1].hits, 0.5);
  // Risk still comes first: a higher risk beats any history.
  auto r4 = ScoreCoverages(grid::Surface{{0, 1, 0, 0}}, obs, cov, ties);
  ASSERT_TRUE(r4.ok());
  EXPECT_DOUBLE_EQ((*r4)[0].hits, 0);
  EXPECT_DOUBLE_EQ((*r4)[1].hits, 1);
}

TEST(MetricsTest, CurveIsHalfPercentSteps) {
  const auto c = CurveCoveragesPct();
  ASSERT_EQ(c.size(), 200u);
  EXPECT_EQ(c.front(), 0.5);
  EXPECT_EQ(c[9], 5);
  EXPECT_EQ(c.back(), 100);
}

TEST(MetricsTest, CountEventsPerCellUsesHalfOpenTimeAndActiveCells) {
  // 2 × 2 grid of 100 m cells with the north-east cell masked: cells 0 (SW), 1 (SE), 2 (NW).
  auto g = grid::Grid::Create(0, 0, 100, 2, 2, {1, 1, 1, 0}, "");
  ASSERT_TRUE(g.ok());
  EventSet ev;
  ev.Add(99, 50, 50, OffenceGroup::kTheft, "t", "a");     // before t0
  ev.Add(100, 50, 50, OffenceGroup::kTheft, "t", "b");    // cell 0
  ev.Add(150, 150, 50, OffenceGroup::kTheft, "t", "c");   // cell 1
  ev.Add(150, 150, 150, OffenceGroup::kTheft, "t", "d");  // masked
  ev.Add(160, 50, 150, OffenceGroup::kTheft, "t", "e");   // cell 2
  ev.Add(160, 500, 150, OffenceGroup::kTheft, "t", "f");  // outside
  ev.Add(200, 50, 50, OffenceGroup::kTheft, "t", "g");    // at t1: excluded
  const std::vector<int64_t> want = {1, 1, 1};
  EXPECT_EQ(CountEventsPerCell(ev, *g, 100, 200), want);
  const auto cells = EventCells(ev, *g);
  EXPECT_EQ(cells[3], grid::kNoCell);
  EXPECT_EQ(CountEventsPerCell(ev, *g, 100, 200, cells), want);
  EXPECT_EQ(CountEventsPerCell(ev, *g, 0, 1000, cells), (std::vector<int64_t>{3, 1, 1}));
}

}  // namespace
}  // namespace placecast::eval
