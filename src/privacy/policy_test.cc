// SPDX-License-Identifier: Apache-2.0
// Tests for the release policies (policy.h): known answers on tiny inputs written out by hand
// (which rows, cells, areas and counts are withheld at k, what the shares, rates, ratios and radii
// become), that ε = 0 adds no noise and needs no key, that the noise of each policy is exactly the
// keyed draw of privacy.h for its query and figures (the same again, another without the key),
// that negative noised values clamp at 0, and invalid inputs with their messages.
#include "placecast/privacy/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "privacy/test_util.h"

namespace placecast::privacy {
namespace {

const std::string kKeyA(32, '\x5a');
const std::string kKeyB(32, '\xa5');
constexpr int64_t kW = kWithheldCount;

ReleaseSpec Spec(int64_t k, double epsilon, const std::string& key = "") {
  ReleaseSpec s;
  s.min_incidents = k;
  s.epsilon = epsilon;
  s.key = key;
  s.query = "{\"command\":\"test\"}";
  return s;
}

// The rounded, clamped keyed draw that every noised count of a policy must equal.
std::vector<int64_t> Expected(const std::vector<int64_t>& counts, int64_t k, double sensitivity,
                              double epsilon, const std::string& key, const std::string& query) {
  auto r = PublishCounts(counts, k, sensitivity, epsilon, key, query);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<int64_t>{};
}

template <typename T>
void ExpectInvalid(const Result<T>& r, const std::string& message) {
  ASSERT_FALSE(r.ok()) << message;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << message;
  EXPECT_EQ(r.status().message(), message);
}

// NaN-aware comparison of published figures.
void ExpectFigures(const std::vector<double>& got, const std::vector<double>& want,
                   const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << "[" << i << "] = " << got[i];
    } else {
      EXPECT_DOUBLE_EQ(got[i], want[i]) << what << "[" << i << "]";
    }
  }
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- ReleaseCounts ----

TEST(PolicyTest, ReleaseCountsWithholdsBelowKAndNeedsNoKeyWithoutNoise) {
  struct Case {
    int64_t k;
    std::vector<int64_t> want;
  } cases[] = {
      {0, {0, 2, 3, 5, 7}},
      {1, {kW, 2, 3, 5, 7}},
      {3, {kW, kW, 3, 5, 7}},
      {8, {kW, kW, kW, kW, kW}},
  };
  for (const auto& c : cases) {
    auto r = ReleaseCounts(Spec(c.k, 0), {0, 2, 3, 5, 7}, 1);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, c.want) << "k " << c.k;
    // The key plays no part when ε = 0.
    EXPECT_EQ(*ReleaseCounts(Spec(c.k, 0, kKeyA), {0, 2, 3, 5, 7}, 1), c.want) << "k " << c.k;
  }
}

TEST(PolicyTest, ReleaseCountsNoiseIsKeyedByQueryAndFigures) {
  std::vector<int64_t> counts(40, 20);
  counts[3] = 1;  // withheld at k = 2
  const ReleaseSpec spec = Spec(2, 0.5, kKeyA);
  auto r = ReleaseCounts(spec, counts, 2, "area counts");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, Expected(counts, 2, 2, 0.5, kKeyA, spec.query + "\narea counts"));
  EXPECT_EQ((*r)[3], kW);
  EXPECT_NE(*r, counts);  // noise was added
  // The same key, query and figures give the same counts; another key, query or figures do not.
  EXPECT_EQ(*ReleaseCounts(spec, counts, 2, "area counts"), *r);
  EXPECT_NE(*ReleaseCounts(Spec(2, 0.5, kKeyB), counts, 2, "area counts"), *r);
  EXPECT_NE(*ReleaseCounts(spec, counts, 2, "other counts"), *r);
  ReleaseSpec other_query = spec;
  other_query.query += " ";
  EXPECT_NE(*ReleaseCounts(other_query, counts, 2, "area counts"), *r);
  // The default figures are "counts".
  EXPECT_EQ(*ReleaseCounts(spec, counts, 2),
            Expected(counts, 2, 2, 0.5, kKeyA, spec.query + "\ncounts"));
}

TEST(PolicyTest, ReleaseCountsClampNegativeDrawsAtZero) {
  const std::vector<int64_t> zeros(30, 0);
  const ReleaseSpec spec = Spec(0, 0.2, kKeyA);  // scale 5
  auto raw = AddLaplaceNoise(std::vector<double>(30, 0), 1, 0.2, kKeyA, spec.query + "\ncounts");
  ASSERT_TRUE(raw.ok());
  auto r = ReleaseCounts(spec, zeros, 1);
  ASSERT_TRUE(r.ok());
  int negative = 0;
  for (size_t i = 0; i < zeros.size(); ++i) {
    if ((*raw)[i] < -0.5) {
      ++negative;
      EXPECT_EQ((*r)[i], 0) << i;
    } else {
      EXPECT_EQ((*r)[i], static_cast<int64_t>(std::round((*raw)[i]))) << i;
    }
  }
  EXPECT_GT(negative, 0);  // the case is exercised
}

TEST(PolicyTest, ReleaseCountsInvalidInputs) {
  ExpectInvalid(ReleaseCounts(Spec(-1, 0), {1}, 1),
                "privacy: min_incidents: expected a value >= 0 (got -1)");
  ExpectInvalid(ReleaseCounts(Spec(1, -1, kKeyA), {1}, 1),
                "privacy: epsilon: expected a finite value >= 0 (got -1)");
  ExpectInvalid(ReleaseCounts(Spec(1, 1), {1}, 1),
                "privacy: release key: expected 32 bytes (got 0)");
  ExpectInvalid(ReleaseCounts(Spec(1, 0), {4, -2}, 1),
                "privacy: counts[1]: expected a count >= 0 (got -2)");
  ExpectInvalid(ReleaseCounts(Spec(1, 1, kKeyA), {1}, 0),
                "privacy: sensitivity: expected a finite value > 0 (got 0)");
}

// ---- ReleaseRows ----

TEST(PolicyTest, ReleaseRowsLeavesOutWithheldRows) {
  auto r = ReleaseRows(Spec(4, 0), {5, 1, 0, 4, 9}, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kept, (std::vector<size_t>{0, 3, 4}));
  EXPECT_EQ(r->counts, (std::vector<int64_t>{5, 4, 9}));
  EXPECT_EQ(r->withheld, 2);
  EXPECT_EQ(r->sensitivity, 1);

  const std::vector<int64_t> counts = {50, 1, 60, 70, 2, 80};
  const ReleaseSpec spec = Spec(3, 1, kKeyA);
  auto noised = ReleaseRows(spec, counts, 1);
  ASSERT_TRUE(noised.ok());
  const auto want = Expected(counts, 3, 1, 1, kKeyA, spec.query + "\ncounts");
  EXPECT_EQ(noised->kept, (std::vector<size_t>{0, 2, 3, 5}));
  EXPECT_EQ(noised->counts, (std::vector<int64_t>{want[0], want[2], want[3], want[5]}));
  EXPECT_EQ(noised->withheld, 2);
  ExpectInvalid(ReleaseRows(Spec(1, 0), {-1}, 1),
                "privacy: counts[0]: expected a count >= 0 (got -1)");
}

// ---- ReleasePerOrigin ----

TEST(PolicyTest, ReleasePerOriginSensitivityIsWholeHorizonDays) {
  struct Case {
    double horizon_days, sensitivity;
  } cases[] = {{0.25, 1}, {1, 1}, {2.2, 3}, {7, 7}};
  for (const auto& c : cases) {
    auto r = ReleasePerOrigin(Spec(2, 0), {3, 1, 2}, 6, c.horizon_days);
    ASSERT_TRUE(r.ok()) << c.horizon_days;
    EXPECT_EQ(r->sensitivity, c.sensitivity) << c.horizon_days;
    EXPECT_EQ(r->kept, (std::vector<size_t>{0, 2})) << c.horizon_days;
    EXPECT_EQ(r->counts, (std::vector<int64_t>{3, 2})) << c.horizon_days;
    EXPECT_EQ(r->withheld, 1) << c.horizon_days;
  }
  // The noise is drawn with that sensitivity: scale 7 / 0.5.
  const std::vector<int64_t> counts = {40, 40, 40, 40, 40, 40};
  const ReleaseSpec spec = Spec(2, 0.5, kKeyA);
  auto r = ReleasePerOrigin(spec, counts, 240, 7);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts, Expected(counts, 2, 7, 0.5, kKeyA, spec.query + "\ncounts"));
  EXPECT_NE(r->counts, Expected(counts, 2, 1, 0.5, kKeyA, spec.query + "\ncounts"));
}

TEST(PolicyTest, ReleasePerOriginInvalidInputs) {
  ExpectInvalid(ReleasePerOrigin(Spec(8, 0), {3, 4}, 7, 1),
                "privacy: scored_events: 7 is fewer than k = 8: nothing can be published");
  ExpectInvalid(ReleasePerOrigin(Spec(1, 0), {3}, 3, 0),
                "privacy: horizon_days: expected a finite value > 0 (got 0)");
  ExpectInvalid(ReleasePerOrigin(Spec(1, 0), {3}, 3, NAN),
                "privacy: horizon_days: expected a finite value > 0 (got nan)");
  EXPECT_TRUE(ReleasePerOrigin(Spec(8, 0), {3, 5}, 8, 1).ok());  // k scored events suffice
}

// ---- ReleaseClusters ----

TEST(PolicyTest, ReleaseClustersWithholdsBelowKAndRoundsRadiiUpToWholeCells) {
  auto r = ReleaseClusters(Spec(5, 0), {10, 2, 6, 5}, {120, 480, 0, 300}, 100);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows.kept, (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(r->rows.counts, (std::vector<int64_t>{10, 6, 5}));
  EXPECT_EQ(r->rows.withheld, 1);
  // 120 → 200, 0 → one cell (100), 300 stays 300.
  EXPECT_EQ(r->radius_m, (std::vector<double>{200, 100, 300}));

  const ReleaseSpec spec = Spec(1, 1, kKeyA);
  auto noised = ReleaseClusters(spec, {30, 40}, {50, 50}, 100);
  ASSERT_TRUE(noised.ok());
  EXPECT_EQ(noised->rows.counts, Expected({30, 40}, 1, 1, 1, kKeyA, spec.query + "\ncounts"));
}

TEST(PolicyTest, ReleaseClustersInvalidInputs) {
  ExpectInvalid(ReleaseClusters(Spec(1, 0), {1, 2}, {10}, 100),
                "privacy: radius_m: expected 2 radii, one per cluster (got 1)");
  ExpectInvalid(ReleaseClusters(Spec(1, 0), {1}, {10}, 0),
                "privacy: step_m: expected a finite distance > 0 m (got 0)");
  ExpectInvalid(ReleaseClusters(Spec(1, 0), {1, 2}, {10, -5}, 100),
                "privacy: radius_m[1]: expected a finite distance >= 0 m (got -5)");
}

// ---- ReleasePrePost ----

TEST(PolicyTest, ReleasePrePostWithholdsWdqOnlyForTargetBufferOrControl) {
  struct Case {
    const char* name;
    std::vector<PrePost> areas;
    std::vector<int64_t> want;  // pre, post of each area
    bool wdq, wdd;
    int64_t withheld;
  } cases[] = {
      {"none below k", {{5, 6}, {3, 7}, {8, 9}}, {5, 6, 3, 7, 8, 9}, false, false, 0},
      {"buffer pre", {{5, 6}, {2, 7}, {8, 9}, {4, 9}}, {5, 6, kW, 7, 8, 9, 4, 9}, true, true, 1},
      {"buffer control only",
       {{5, 6}, {3, 7}, {8, 9}, {1, 0}},
       {5, 6, 3, 7, 8, 9, kW, kW},
       false,
       true,
       2},
      {"control post", {{5, 6}, {3, 7}, {8, 0}}, {5, 6, 3, 7, 8, kW}, true, true, 1},
  };
  for (const auto& c : cases) {
    auto r = ReleasePrePost(Spec(3, 0), c.areas, false);
    ASSERT_TRUE(r.ok()) << c.name;
    std::vector<int64_t> got;
    for (const PrePost& p : r->counts) {
      got.push_back(p.pre);
      got.push_back(p.post);
    }
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(r->wdq_withheld, c.wdq) << c.name;
    EXPECT_EQ(r->wdd_withheld, c.wdd) << c.name;
    EXPECT_EQ(r->withheld, c.withheld) << c.name;
    EXPECT_EQ(r->sensitivity, 1) << c.name;
  }
}

TEST(PolicyTest, ReleasePrePostSensitivityTwoWhenControlsOverlap) {
  const std::vector<PrePost> areas = {{20, 30}, {25, 35}, {40, 50}, {45, 55}};
  const std::vector<int64_t> flat = {20, 30, 25, 35, 40, 50, 45, 55};
  const ReleaseSpec spec = Spec(3, 1, kKeyA);
  for (bool overlap : {false, true}) {
    auto r = ReleasePrePost(spec, areas, overlap);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->sensitivity, overlap ? 2 : 1);
    const auto want = Expected(flat, 3, overlap ? 2 : 1, 1, kKeyA, spec.query + "\ncounts");
    for (size_t i = 0; i < areas.size(); ++i) {
      EXPECT_EQ(r->counts[i].pre, want[2 * i]) << overlap << " " << i;
      EXPECT_EQ(r->counts[i].post, want[2 * i + 1]) << overlap << " " << i;
    }
  }
  ExpectInvalid(ReleasePrePost(Spec(3, 0), {{1, -1}}, false),
                "privacy: counts[1]: expected a count >= 0 (got -1)");
}

// ---- ReleaseKnox ----

// 3 space bands (the last open) × 2 time bands, k = 2:
//   observed  4  1      expected  2  1
//             6  3                0  1.5
//            50 60               40 40    (open band: always withheld)
TEST(PolicyTest, ReleaseKnoxWithholdsOpenBandAndSmallCellsKnownAnswer) {
  const std::vector<int64_t> observed = {4, 1, 6, 3, 50, 60};
  const std::vector<double> expected = {2, 1, 0, 1.5, 40, 40};
  auto r = ReleaseKnox(Spec(2, 0), 3, 2, observed, expected, 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->withheld, (std::vector<uint8_t>{0, 1, 0, 0, 1, 1}));
  EXPECT_EQ(r->observed, (std::vector<int64_t>{4, kW, 6, 3, kW, kW}));
  ExpectFigures(r->knox_ratio, {2, kNaN, kNaN, 2, kNaN, kNaN}, "knox_ratio");
  EXPECT_EQ(r->close_cells, 4);
  EXPECT_EQ(r->withheld_close_cells, 1);
  EXPECT_EQ(r->sensitivity, 1);  // at least 1
}

TEST(PolicyTest, ReleaseKnoxNoiseHasTheDataSensitivity) {
  const std::vector<int64_t> observed = {30, 40, 50, 60, 70, 80, 900, 900};
  const std::vector<double> expected = {10, 10, 10, 10, 10, 10, 100, 100};
  const ReleaseSpec spec = Spec(2, 1, kKeyA);
  auto r = ReleaseKnox(spec, 4, 2, observed, expected, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sensitivity, 5);
  const auto want = Expected({30, 40, 50, 60, 70, 80}, 2, 5, 1, kKeyA, spec.query + "\ncounts");
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r->observed[i], want[i]) << i;
    EXPECT_DOUBLE_EQ(r->knox_ratio[i], want[i] / 10.0) << i;
  }
  EXPECT_EQ(r->observed[6], kW);
  EXPECT_EQ(r->observed[7], kW);
}

TEST(PolicyTest, ReleaseKnoxInvalidInputs) {
  ExpectInvalid(ReleaseKnox(Spec(1, 0), 1, 2, {1, 2}, {1, 1}, 1),
                "privacy: knox table: expected at least 2 rows and 1 column (got 1 x 2)");
  ExpectInvalid(ReleaseKnox(Spec(1, 0), 2, 2, {1, 2, 3}, {1, 1, 1, 1}, 1),
                "privacy: knox table: expected 4 observed and expected counts (got 3 and 4)");
  ExpectInvalid(ReleaseKnox(Spec(1, 0), 2, 1, {1, 2}, {1, 1}, -1),
                "privacy: max_close_pairs_per_event: expected a value >= 0 (got -1)");
}

// ---- ReleaseSurface ----

using testing::EventsFromText;
using testing::kCell;
using testing::kX0;
using testing::kY0;
using testing::MaskToText;
using testing::TinyGrid;

constexpr int64_t kDay = 86400;

TEST(PolicyTest, ReleaseSurfaceSuppressesBelowKWithoutNoise) {
  const grid::Grid g = TinyGrid();
  const EventSet ev = EventsFromText({"2001",  //
                                      "0300",  //
                                      "0005"});
  std::vector<double> values(g.num_cells());
  for (size_t i = 0; i < values.size(); ++i) values[i] = 0.5 * static_cast<double>(i);
  const std::vector<double> before = values;
  auto r = ReleaseSurface(g, ev, 0, 100 * kDay, 0, Spec(2, 0), &values);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(MaskToText(g, r->suppressed), (std::vector<std::string>{".XXX",  //
                                                                    "X.XX",  //
                                                                    "XXX."}));
  EXPECT_EQ(r->suppressed_cells, 9);
  EXPECT_EQ(r->support_m, 0);
  EXPECT_EQ(values, before);  // ε = 0: no noise

  // Support 100 m: a cell also rests on the events of its eight neighbours' centres (50 m and
  // 71 m from its square), so the counts are 5 5 4 1 / 5 5 9 6 / 3 3 8 5; k = 4.
  auto wide = ReleaseSurface(g, ev, 0, 100 * kDay, 100, Spec(4, 0), &values);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(MaskToText(g, wide->suppressed), (std::vector<std::string>{"...X",  //
                                                                       "....",  //
                                                                       "XX.."}));
  // Only training incidents of [train_from_s, origin_s) count: days 1..3 are the "2" and "1"
  // of the north row.
  auto early = ReleaseSurface(g, ev, 0, 3 * kDay + 1, 0, Spec(1, 0), &values);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(MaskToText(g, early->suppressed), (std::vector<std::string>{".XX.",  //
                                                                        "XXXX",  //
                                                                        "XXXX"}));
}

TEST(PolicyTest, ReleaseSurfaceNoiseIsKeyedAndClampedAtZero) {
  const grid::Grid g = TinyGrid();
  const EventSet ev = EventsFromText({"2001", "0300", "0005"});
  const std::vector<double> truth(g.num_cells(), 0.0);
  const ReleaseSpec spec = Spec(0, 1, kKeyA);
  auto raw = AddLaplaceNoise(truth, 1, 1, kKeyA, spec.query + "\nrisk surface");
  ASSERT_TRUE(raw.ok());
  std::vector<double> values = truth;
  auto r = ReleaseSurface(g, ev, 0, 100 * kDay, 0, spec, &values);
  ASSERT_TRUE(r.ok()) << r.status().message();
  int clamped = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], std::max(0.0, (*raw)[i])) << i;
    clamped += (*raw)[i] < 0 ? 1 : 0;
  }
  EXPECT_GT(clamped, 0);  // the case is exercised
  EXPECT_LT(clamped, static_cast<int>(values.size()));
  std::vector<double> again = truth, other = truth;
  ASSERT_TRUE(ReleaseSurface(g, ev, 0, 100 * kDay, 0, spec, &again).ok());
  ASSERT_TRUE(ReleaseSurface(g, ev, 0, 100 * kDay, 0, Spec(0, 1, kKeyB), &other).ok());
  EXPECT_EQ(again, values);
  EXPECT_NE(other, values);
}

TEST(PolicyTest, ReleaseSurfaceInvalidInputs) {
  const grid::Grid g = TinyGrid();
  const EventSet ev = EventsFromText({"2001", "0300", "0005"});
  std::vector<double> values(g.num_cells(), 1.0), short_values(3, 1.0);
  ExpectInvalid(ReleaseSurface(g, ev, 0, kDay, 0, Spec(1, 0), nullptr),
                "privacy: values: null surface");
  ExpectInvalid(ReleaseSurface(g, ev, 0, kDay, 0, Spec(1, 0), &short_values),
                "privacy: values: expected 12 values, one per cell (got 3)");
  ExpectInvalid(ReleaseSurface(g, ev, 0, kDay, -1, Spec(1, 0), &values),
                "privacy: support_m: expected a finite distance >= 0 m (got -1)");
  ExpectInvalid(ReleaseSurface(g, ev, 0, kDay, 0, Spec(1, 1), &values),
                "privacy: release key: expected 32 bytes (got 0)");
}

// ---- ReleaseAreaNeed ----

TEST(PolicyTest, ReleaseAreaNeedSharesAndRatesFromPublishedCounts) {
  // Need 6, 4, 10 in areas of 2 000, 0 and 5 000 residents; k = 3 withholds nothing.
  auto r = ReleaseAreaNeed(Spec(3, 0), {6, 4, 10}, {2000, 0, 5000});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->need_events, (std::vector<int64_t>{6, 4, 10}));
  ExpectFigures(r->need_share, {0.3, 0.2, 0.5}, "need_share");
  ExpectFigures(r->need_per_1k_residents, {3, kNaN, 2}, "need_per_1k_residents");
  EXPECT_EQ(r->total_need_events, 20);
  EXPECT_EQ(r->withheld_areas, 0);
  EXPECT_FALSE(r->group_need_withheld);
}

TEST(PolicyTest, ReleaseAreaNeedWithholdsSharesTotalAndGroupFiguresWhenAnyAreaIs) {
  // k = 5 withholds the second area: no share is published (they would give its count away),
  // rates of the others stay, the total and the group need figures are withheld.
  auto r = ReleaseAreaNeed(Spec(5, 0), {6, 4, 10}, {2000, 1000, 5000});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->need_events, (std::vector<int64_t>{6, kW, 10}));
  ExpectFigures(r->need_share, {kNaN, kNaN, kNaN}, "need_share");
  ExpectFigures(r->need_per_1k_residents, {3, kNaN, 2}, "need_per_1k_residents");
  EXPECT_EQ(r->total_need_events, kW);
  EXPECT_EQ(r->withheld_areas, 1);
  EXPECT_TRUE(r->group_need_withheld);

  // No offence anywhere: shares are undefined, the total is 0.
  auto zero = ReleaseAreaNeed(Spec(0, 0), {0, 0}, {100, 100});
  ASSERT_TRUE(zero.ok());
  ExpectFigures(zero->need_share, {kNaN, kNaN}, "need_share");
  ExpectFigures(zero->need_per_1k_residents, {0, 0}, "need_per_1k_residents");
  EXPECT_EQ(zero->total_need_events, 0);
  EXPECT_FALSE(zero->group_need_withheld);
}

TEST(PolicyTest, ReleaseAreaNeedNoiseIsKeyedAsAreaNeedCounts) {
  const std::vector<int64_t> need = {30, 50, 20};
  const ReleaseSpec spec = Spec(2, 0.5, kKeyA);
  auto r = ReleaseAreaNeed(spec, need, {1000, 2000, 4000});
  ASSERT_TRUE(r.ok());
  const auto want = Expected(need, 2, 1, 0.5, kKeyA, spec.query + "\narea need counts");
  EXPECT_EQ(r->need_events, want);
  const int64_t total = want[0] + want[1] + want[2];
  EXPECT_EQ(r->total_need_events, total);
  for (size_t i = 0; i < need.size(); ++i) {
    EXPECT_DOUBLE_EQ(r->need_share[i], static_cast<double>(want[i]) / total) << i;
  }
  EXPECT_DOUBLE_EQ(r->need_per_1k_residents[2], 1000.0 * want[2] / 4000) << "rate";
  EXPECT_NE(ReleaseAreaNeed(Spec(2, 0.5, kKeyB), need, {1000, 2000, 4000})->need_events, want);
}

TEST(PolicyTest, ReleaseAreaNeedInvalidInputs) {
  ExpectInvalid(ReleaseAreaNeed(Spec(1, 0), {1, 2}, {100}),
                "privacy: residents: expected 2 values, one per area (got 1)");
  ExpectInvalid(ReleaseAreaNeed(Spec(1, 0), {1, -2}, {100, 100}),
                "privacy: counts[1]: expected a count >= 0 (got -2)");
  ExpectInvalid(ReleaseAreaNeed(Spec(1, 2), {1}, {100}),
                "privacy: release key: expected 32 bytes (got 0)");
}

}  // namespace
}  // namespace placecast::privacy
