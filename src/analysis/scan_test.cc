// SPDX-License-Identifier: Apache-2.0
// Tests of the space-time permutation scan: a hand-drawn case with known counts and expectation,
// invalid input, a planted cluster found, no cluster under the null in most seeds, determinism and
// the polygon helper. Single-threaded test code.
#include "placecast/analysis/scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace placecast::analysis {
namespace {

constexpr int64_t kDay0 = 19000;  // 2022-01-08
int64_t Day(int64_t d) { return (kDay0 + d) * kSecondsPerDay; }

ScanRequest Request(int64_t replications = 99) {
  ScanRequest r;
  r.analysis_date_s = Day(99);
  r.study_period_days = 100;
  r.max_radius_m = 300;
  r.max_window_days = 7;
  r.replications = replications;
  return r;
}

TEST(ScanTest, HandDrawnCaseHasKnownCountsAndExpectation) {
  // Study period: days 0..99 (analysis date = day 99), windows up to 7 days.
  // Location A (0,0): 3 events on days 97, 98, 99.   Location B (100,0): 1 event on day 10.
  // Location F (5000,0): 16 events on days 0..15.
  // N = 20. Circle {A}: C = 3, window 3 days holds 3 events in total, so μ = 3·3/20 = 0.45,
  // c = 3. Adding B (100 m) raises C to 4 without a recent event, so {A} alone is the best.
  EventSet ev;
  for (int64_t d : {97, 98, 99}) ev.Add(Day(d), 0, 0, OffenceGroup::kUnknown, "", "a");
  ev.Add(Day(10), 100, 0, OffenceGroup::kUnknown, "", "b");
  for (int64_t d = 0; d < 16; ++d) ev.Add(Day(d), 5000, 0, OffenceGroup::kUnknown, "", "f");
  ev.SortByTime();
  auto r = SpaceTimePermutationScan(ev, Request(9));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_events, 20);
  EXPECT_EQ(r->num_locations, 3);
  ASSERT_FALSE(r->clusters.empty());
  const ScanCluster& c = r->clusters[0];
  EXPECT_EQ(c.centre_x_m, 0);
  EXPECT_EQ(c.radius_m, 0);
  EXPECT_EQ(c.window_days, 3);
  EXPECT_EQ(c.window_start_s, Day(97));
  EXPECT_EQ(c.window_end_s, Day(100));
  EXPECT_EQ(c.observed, 3);
  EXPECT_DOUBLE_EQ(c.expected, 0.45);
  const double want = 3 * std::log(3 / 0.45) + 17 * std::log(17 / 19.55);
  EXPECT_NEAR(c.log_glr, want, 1e-12);
  EXPECT_EQ(c.rank, 1);
}

TEST(ScanTest, InvalidInputNamesFieldAndValue) {
  EventSet two;
  two.Add(Day(98), 0, 0, OffenceGroup::kUnknown, "", "a");
  two.Add(Day(99), 0, 0, OffenceGroup::kUnknown, "", "b");
  struct Case {
    ScanRequest request;
    std::string message;
  };
  std::vector<Case> cases;
  auto add = [&](auto edit, std::string message) {
    ScanRequest q = Request();
    edit(q);
    cases.push_back({q, std::move(message)});
  };
  add([](ScanRequest& q) { q.max_radius_m = 0; }, "max_radius_m: must be in (0, 100000] m (got 0)");
  add([](ScanRequest& q) { q.max_window_days = 100; },
      "max_window_days: must be in [1, 1000] and shorter than study_period_days (100) (got 100)");
  add([](ScanRequest& q) { q.replications = -1; },
      "replications: must be in [0, 1000000] (got -1)");
  add([](ScanRequest& q) { q.alpha = 2; }, "alpha: must be in [0, 1] (got 2)");
  add([](ScanRequest& q) { q.min_cases = 0; }, "min_cases: must be >= 1 (got 0)");
  add([](ScanRequest& q) { q.study_period_days = 1; },
      "study_period_days: must be in [2, 100000] (got 1)");
  for (const auto& c : cases) {
    auto r = SpaceTimePermutationScan(two, c.request);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
  ScanRequest late = Request();
  late.analysis_date_s = Day(500);
  auto r = SpaceTimePermutationScan(two, late);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "events: the scan needs at least 2 events between 2023-02-13 and 2023-05-23 (got 0)");

  auto v =
      ParamValues::Resolve(ScanParams(), {{"max_radius_m", "250"}, {"centres", "cells"}}, "scan");
  ASSERT_TRUE(v.ok());
  auto q = ScanRequestFromParams(*v, Day(99));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->max_radius_m, 250);
  EXPECT_EQ(q->centres, ScanCentres::kGridCells);
  EXPECT_EQ(q->max_window_days, 21);
  auto bad = ParamValues::Resolve(ScanParams(), {{"radius", "250"}}, "scan");
  EXPECT_FALSE(bad.ok());
}

// Background events uniform over 5 km × 5 km and 100 days on a 25 m lattice of locations.
EventSet Background(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> cell(0, 199), day(0, 99);
  EventSet ev;
  for (int i = 0; i < n; ++i) {
    ev.Add(Day(day(rng)), cell(rng) * 25.0, cell(rng) * 25.0, OffenceGroup::kUnknown, "",
           std::to_string(i));
  }
  return ev;
}

TEST(ScanTest, FindsPlantedCluster) {
  // 2,000 background events plus 20 within 150 m of (3000, 2000) in the last 5 days (95..99).
  EventSet ev = Background(3, 2000);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> ang(0, 2 * std::numbers::pi), rad(0, 150);
  std::uniform_int_distribution<int> day(95, 99);
  for (int i = 0; i < 20; ++i) {
    const double a = ang(rng), d = rad(rng);
    ev.Add(Day(day(rng)), std::round((3000 + d * std::cos(a)) / 25) * 25,
           std::round((2000 + d * std::sin(a)) / 25) * 25, OffenceGroup::kUnknown, "",
           std::to_string(100000 + i));
  }
  ev.SortByTime();
  for (ScanCentres centres : {ScanCentres::kEventLocations, ScanCentres::kGridCells}) {
    ScanRequest q = Request(99);
    q.centres = centres;
    auto r = SpaceTimePermutationScan(ev, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_FALSE(r->clusters.empty());
    const ScanCluster& c = r->clusters[0];
    EXPECT_LT(std::hypot(c.centre_x_m - 3000, c.centre_y_m - 2000), 150);
    EXPECT_GE(c.window_days, 4);
    EXPECT_LE(c.window_days, 6);
    EXPECT_GE(c.observed, 15);
    EXPECT_DOUBLE_EQ(c.p_value, 0.01);
    EXPECT_TRUE(c.significant);
    // Secondary clusters share no location with the first and are not significant.
    for (size_t k = 1; k < r->clusters.size(); ++k) {
      EXPECT_FALSE(r->clusters[k].significant) << k;
      EXPECT_LE(r->clusters[k].log_glr, c.log_glr);
    }
  }
}

TEST(ScanTest, NoClusterInMostNullSeeds) {
  // Under the null (days independent of places) the most likely cluster's Monte Carlo p-value is
  // uniform on {0.01, 0.02, …, 1} with 99 replications, so P(p <= 0.05) = 0.05: one significant
  // run expected in 20 seeds, and 4 or more has probability 1.6% (binomial(20, 0.05)).
  int significant = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    EventSet ev = Background(100 + seed, 600);
    ev.SortByTime();
    ScanRequest q = Request(99);
    q.seed = seed;
    auto r = SpaceTimePermutationScan(ev, q);
    ASSERT_TRUE(r.ok());
    if (!r->clusters.empty() && r->clusters[0].significant) ++significant;
  }
  EXPECT_LE(significant, 3);
}

TEST(ScanTest, SameSeedSameBytesWhateverTheThreads) {
  EventSet ev = Background(9, 800);
  ev.SortByTime();
  ScanRequest q = Request(40);
  q.threads = 1;
  auto a = SpaceTimePermutationScan(ev, q);
  q.threads = 3;
  auto b = SpaceTimePermutationScan(ev, q);
  q.seed = 2;
  auto c = SpaceTimePermutationScan(ev, q);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(ScanResultToJson(*a), ScanResultToJson(*b));
  EXPECT_EQ(ScanResultToCsv(*a), ScanResultToCsv(*b));
  EXPECT_EQ(a->replicate_max_log_glr, b->replicate_max_log_glr);
  EXPECT_NE(a->replicate_max_log_glr, c->replicate_max_log_glr);
}

// Every cylinder scored directly: for each centre, every distinct distance up to the radius and
// every window. The scan's most likely cluster must have the largest log GLR of all cylinders and
// every reported cluster the largest of its centre's, on snapped coordinates (many equal
// distances), with event-location and grid centres and 1..3 threads.
TEST(ScanTest, MatchesBruteForceOverEveryCylinder) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> cell(0, 20), day(0, 39), hot(0, 3);
  EventSet ev;
  for (int i = 0; i < 400; ++i) {
    // Snapped to 50 m; a quarter of the events crowd a corner in the last week.
    const bool late = i % 4 == 0;
    const double x = (late ? hot(rng) : cell(rng)) * 50.0, y = (late ? hot(rng) : cell(rng)) * 50.0;
    ev.Add(Day(late ? 33 + day(rng) % 7 : day(rng)), x, y, OffenceGroup::kUnknown, "", "");
  }
  ev.SortByTime();
  ScanRequest q;
  q.analysis_date_s = Day(39);
  q.study_period_days = 40;
  q.max_radius_m = 180;
  q.max_window_days = 7;
  q.replications = 0;
  q.max_clusters = 50;
  const int64_t n = static_cast<int64_t>(ev.size());
  std::vector<int64_t> n_window(8, 0);  // events in the last w days
  for (size_t i = 0; i < ev.size(); ++i) {
    const int64_t off = 39 - (ev.t_s[i] / kSecondsPerDay - kDay0);
    for (int64_t w = 1; w <= 7; ++w) n_window[w] += off < w;
  }
  auto llr = [&](double c, double mu) {
    double v = c * std::log(c / mu);
    if (c < n) v += (n - c) * std::log((n - c) / (n - mu));
    return v;
  };
  // Best log GLR over the cylinders centred at (cx, cy).
  auto brute = [&](double cx, double cy) {
    std::vector<double> d2s;
    for (size_t i = 0; i < ev.size(); ++i) {
      const double ex = ev.x_m[i] - cx, ey = ev.y_m[i] - cy, d2 = ex * ex + ey * ey;
      if (d2 <= 180.0 * 180.0) d2s.push_back(d2);
    }
    double best = 0;
    for (double r2 : d2s) {
      int64_t total = 0;
      std::vector<int64_t> c(8, 0);
      for (size_t i = 0; i < ev.size(); ++i) {
        const double ex = ev.x_m[i] - cx, ey = ev.y_m[i] - cy;
        if (ex * ex + ey * ey > r2) continue;
        ++total;
        const int64_t off = 39 - (ev.t_s[i] / kSecondsPerDay - kDay0);
        for (int64_t w = 1; w <= 7; ++w) c[w] += off < w;
      }
      for (int64_t w = 1; w <= 7; ++w) {
        const double mu = static_cast<double>(total * n_window[w]) / static_cast<double>(n);
        if (c[w] >= 2 && c[w] > mu) best = std::max(best, llr(static_cast<double>(c[w]), mu));
      }
    }
    return best;
  };
  for (const bool cells : {false, true}) {
    double overall = 0;
    if (cells) {
      for (int r = -4; r <= 18; ++r) {
        for (int c = -4; c <= 18; ++c)
          overall = std::max(overall, brute((c + 0.5) * 70, (r + 0.5) * 70));
      }
    } else {
      for (size_t i = 0; i < ev.size(); ++i)
        overall = std::max(overall, brute(ev.x_m[i], ev.y_m[i]));
    }
    for (int threads = 1; threads <= 3; ++threads) {
      q.centres = cells ? ScanCentres::kGridCells : ScanCentres::kEventLocations;
      q.centre_cell_size_m = 70;
      q.threads = threads;
      auto r = SpaceTimePermutationScan(ev, q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_GT(r->clusters.size(), 3u);
      EXPECT_NEAR(r->clusters[0].log_glr, overall, 1e-9 * overall) << cells << " " << threads;
      for (const ScanCluster& c : r->clusters) {
        EXPECT_NEAR(c.log_glr, brute(c.centre_x_m, c.centre_y_m), 1e-9 * c.log_glr) << c.rank;
        EXPECT_NEAR(c.log_glr, llr(static_cast<double>(c.observed), c.expected), 1e-9 * c.log_glr);
      }
    }
  }
}

TEST(ScanTest, ClusterToRingIsACircle) {
  ScanCluster c;
  c.centre_x_m = 100;
  c.centre_y_m = 200;
  c.radius_m = 50;
  const grid::Ring ring = ClusterToRing(c, 8);
  ASSERT_EQ(ring.x_m.size(), 8u);
  for (size_t k = 0; k < 8; ++k) {
    EXPECT_NEAR(std::hypot(ring.x_m[k] - 100, ring.y_m[k] - 200), 50, 1e-9);
  }
  EXPECT_NEAR(ring.x_m[0], 150, 1e-9);
  EXPECT_NEAR(ring.y_m[2], 250, 1e-9);  // counter-clockwise from east
  c.radius_m = 0;
  EXPECT_NEAR(ClusterToRing(c, 4, 10).x_m[0], 110, 1e-9);
}

// The JSON product's every byte (its ledger hash depends on them): centres with 12 significant
// digits, every other number %.10g, dates as YYYY-MM-DD, the window's last day inclusive, and an
// empty cluster list on the clusters line.
TEST(ScanTest, JsonBytesAreKnown) {
  ScanResult r;
  r.request.analysis_date_s = 1704067200;  // 2024-01-01
  r.request.max_radius_m = 1000;
  r.request.centres = ScanCentres::kGridCells;
  r.request.centre_cell_size_m = 250;
  r.request.replications = 99;
  r.request.seed = 7;
  r.num_events = 40;
  r.num_locations = 30;
  r.num_centres = 12;
  r.study_start_s = 1672531200;  // 2023-01-01
  const std::string head =
      "{\n"
      "  \"analysis\": \"scan\",\n"
      "  \"params\": {\"analysis_date\": \"2024-01-01\", \"days\": \"UTC days\", "
      "\"study_period_days\": 365, "
      "\"max_radius_m\": 1000, \"max_window_days\": 21, \"centres\": \"cells\", "
      "\"centre_cell_size_m\": 250, \"min_cases\": 2, \"replications\": 99, \"seed\": 7, "
      "\"alpha\": 0.05, \"max_clusters\": 10},\n"
      "  \"study_start\": \"2023-01-01\",\n"
      "  \"events\": 40,\n"
      "  \"locations\": 30,\n"
      "  \"centres\": 12,\n";
  EXPECT_EQ(ScanResultToJson(r), head + "  \"clusters\": []\n}\n");
  ScanCluster c;
  c.rank = 1;
  c.centre_x_m = 500123.456789;
  c.centre_y_m = 4000000.12345;
  c.radius_m = 123.45678912;
  c.window_start_s = 1703462400;  // 2023-12-25
  c.window_end_s = 1704153600;    // 2024-01-02, exclusive
  c.window_days = 8;
  c.locations = 3;
  c.observed = 6;
  c.expected = 1.5;
  c.log_glr = 4.1234567891;
  c.p_value = 0.01;
  c.significant = true;
  r.clusters = {c, c};
  r.clusters[1].rank = 2;
  r.clusters[1].log_glr = std::nan("");
  r.clusters[1].significant = false;
  const std::string row =
      "\"centre_x_m\": 500123.456789, \"centre_y_m\": 4000000.12345, "
      "\"radius_m\": 123.4567891, \"window_start\": \"2023-12-25\", "
      "\"window_end\": \"2024-01-01\", \"window_days\": 8, \"locations\": 3, \"observed\": 6, "
      "\"expected\": 1.5, ";
  EXPECT_EQ(ScanResultToJson(r), head + "  \"clusters\": [\n    {\"rank\": 1, " + row +
                                     "\"log_glr\": 4.123456789, \"p_value\": 0.01, "
                                     "\"significant\": true},\n    {\"rank\": 2, " +
                                     row +
                                     "\"log_glr\": null, \"p_value\": 0.01, "
                                     "\"significant\": false}\n  ]\n}\n");
}

}  // namespace
}  // namespace placecast::analysis
