// SPDX-License-Identifier: Apache-2.0
// Tests of the multi-band Knox test: band edges on hand-drawn cases, invalid input, agreement with
// a brute-force O(n²) count, determinism, and agreement with the Near Repeat Calculator's
// published outputs on Chicago data (tests/data/nearrepeat). Single-threaded test code.
#include "placecast/analysis/knox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace placecast::analysis {
namespace {

const std::string kDataDir = std::string(PLACECAST_TEST_DATA_DIR) + "/nearrepeat/";

// Reads the NRC input format: x,y,YYYY-MM-DD per line, no header.
EventSet ReadNrcCsv(const std::string& path) {
  EventSet ev;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string xs, ys, ds;
    std::getline(ss, xs, ',');
    std::getline(ss, ys, ',');
    std::getline(ss, ds, ',');
    auto t = ParseDate(ds, "date");
    EXPECT_TRUE(t.ok()) << path << ": " << line;
    ev.Add(*t, std::stod(xs), std::stod(ys), OffenceGroup::kUnknown, "", std::to_string(n++));
  }
  ev.SortByTime();
  return ev;
}

// The NRC verbose CSV: the observed table, and every cell's permutation counts ("Expected").
struct NrcVerbose {
  std::vector<std::vector<int64_t>> observed;                // [row][col]
  std::map<std::pair<int, int>, std::vector<double>> perms;  // (row, col) 1-based -> counts
  std::map<std::pair<int, int>, double> p_value;
};

NrcVerbose ReadNrcVerbose(const std::string& path) {
  NrcVerbose v;
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    return out;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "Observed frequencies distribution") {
      for (size_t r = i + 3; r < lines.size() && !lines[r].empty() && lines[r][0] != ' '; ++r) {
        auto f = split(lines[r]);
        std::vector<int64_t> row;
        for (size_t c = 2; c < f.size(); ++c) row.push_back(f[c].empty() ? 0 : std::stoll(f[c]));
        v.observed.push_back(row);
      }
    }
    int r = 0, c = 0;
    if (std::sscanf(lines[i].c_str(), "Row %d Column %d", &r, &c) == 2) {
      std::vector<double> counts;
      size_t k = i + 1;
      for (; k < lines.size() && lines[k].rfind("Observed", 0) != 0; ++k) {
        auto f = split(lines[k]);
        for (size_t j = (lines[k].rfind("Expected", 0) == 0 ? 1 : 0); j < f.size(); ++j) {
          if (!f[j].empty()) counts.push_back(std::stod(f[j]));
        }
      }
      v.perms[{r, c}] = counts;
      for (; k < lines.size() && lines[k].rfind("P value", 0) != 0; ++k) {
      }
      v.p_value[{r, c}] = std::stod(lines[k].substr(8));
    }
  }
  return v;
}

KnoxRequest Request(std::vector<double> space, std::vector<int64_t> time,
                    DistanceMetric metric = DistanceMetric::kEuclidean, int64_t perms = 99) {
  KnoxRequest r;
  r.space_bands_m = std::move(space);
  r.time_bands_days = std::move(time);
  r.distance = metric;
  r.permutations = perms;
  return r;
}

int64_t Day(int64_t d) { return d * kSecondsPerDay; }

// Events on a line: x in metres, day number.
EventSet Line(const std::vector<std::pair<double, int64_t>>& pts) {
  EventSet ev;
  for (size_t i = 0; i < pts.size(); ++i) {
    ev.Add(Day(pts[i].second) + 3600, pts[i].first, 0, OffenceGroup::kUnknown, "",
           std::to_string(i));
  }
  ev.SortByTime();
  return ev;
}

TEST(KnoxTest, BandEdgesAreClosedBelowOpenAbove) {
  // Four events on a line (x in m, day):
  //   A(0, 0)  B(0, 3)  C(100, 7)  D(250, 14)
  // Pairs: AB d=0 dt=3 -> same location, [0,7)
  //        AC d=100 dt=7 -> [100,200), [7,14)        (an edge value goes to the band above)
  //        AD d=250 dt=14 -> [200,inf), [14,inf)
  //        BC d=100 dt=4 -> [100,200), [0,7)
  //        BD d=250 dt=11 -> [200,inf), [7,14)
  //        CD d=150 dt=7 -> [100,200), [7,14)
  auto r = KnoxTest(Line({{0, 0}, {0, 3}, {100, 7}, {250, 14}}), Request({100, 200}, {7, 14}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows, 4);
  ASSERT_EQ(r->cols, 3);
  const std::vector<int64_t> want = {
      1, 0, 0,  // same location
      0, 0, 0,  // (0, 100)
      1, 2, 0,  // [100, 200)
      0, 1, 1,  // [200, inf)
  };
  EXPECT_EQ(r->observed, want);
  EXPECT_EQ(r->num_pairs, 6);
  EXPECT_EQ(r->close_pairs, 4);  // AB, AC, BC, CD are closer than 200 m
  // Close pairs per event: A 2 (AB, AC), B 2 (AB, BC), C 3 (AC, BC, CD), D 1 (CD).
  EXPECT_EQ(r->max_close_pairs_per_event, 3);
  EXPECT_EQ(r->space_labels, (std::vector<std::string>{"same location", "(0, 100) m",
                                                       "[100, 200) m", "[200, inf) m"}));
  EXPECT_EQ(r->time_labels,
            (std::vector<std::string>{"[0, 7) days", "[7, 14) days", "[14, inf) days"}));
}

TEST(KnoxTest, DaysAreCalendarDayDifferences) {
  // 23:00 on day 0 and 01:00 on day 1 are two hours apart but one calendar day apart.
  EventSet ev;
  ev.Add(Day(0) + 23 * 3600, 0, 0, OffenceGroup::kUnknown, "", "a");
  ev.Add(Day(1) + 1 * 3600, 50, 0, OffenceGroup::kUnknown, "", "b");
  auto r = KnoxTest(ev, Request({100}, {1, 2}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->observed[r->Index(1, 0)], 0);
  EXPECT_EQ(r->observed[r->Index(1, 1)], 1);
}

TEST(KnoxTest, ManhattanAndEuclideanDiffer) {
  // (0,0) and (60,60): Euclidean 84.9 m (< 100), Manhattan 120 m (>= 100).
  EventSet ev;
  ev.Add(Day(0), 0, 0, OffenceGroup::kUnknown, "", "a");
  ev.Add(Day(1), 60, 60, OffenceGroup::kUnknown, "", "b");
  auto e = KnoxTest(ev, Request({100, 200}, {7}, DistanceMetric::kEuclidean));
  auto m = KnoxTest(ev, Request({100, 200}, {7}, DistanceMetric::kManhattan));
  ASSERT_TRUE(e.ok() && m.ok());
  EXPECT_EQ(e->observed[e->Index(1, 0)], 1);
  EXPECT_EQ(m->observed[m->Index(2, 0)], 1);
}

TEST(KnoxTest, InvalidInputNamesFieldAndValue) {
  const EventSet two = Line({{0, 0}, {10, 1}});
  struct Case {
    KnoxRequest request;
    std::string message;
  };
  KnoxRequest zero_perm = Request({100}, {7});
  zero_perm.permutations = 0;
  KnoxRequest threads = Request({100}, {7});
  threads.threads = 0;
  const std::vector<Case> cases = {
      {Request({}, {7}), "space_bands_m: at least one band edge is needed (got none)"},
      {Request({100, 100}, {7}),
       "space_bands_m: edges must be strictly increasing (got 100 after 100)"},
      {Request({-5}, {7}), "space_bands_m: edges must be finite and > 0 (got -5)"},
      {Request({100}, {}), "time_bands_days: at least one band edge is needed (got none)"},
      {Request({100}, {7, 3}),
       "time_bands_days: edges must be strictly increasing (got 3 after 7)"},
      {Request({100}, {0}), "time_bands_days: edges must be in [1, 1000000] days (got 0)"},
      {zero_perm, "permutations: must be in [1, 1000000] (got 0)"},
      {threads, "threads: must be in [1, 64] (got 0)"},
  };
  for (const auto& c : cases) {
    auto r = KnoxTest(two, c.request);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_EQ(r.status().message(), c.message);
  }
  auto one = KnoxTest(Line({{0, 0}}), Request({100}, {7}));
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(one.status().message(), "events: the Knox test needs at least 2 events (got 1)");
}

TEST(KnoxTest, EqualBandEdgesAndParams) {
  auto e = EqualBandEdges(100, 3, "--space-step");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<double>{100, 200, 300}));
  auto bad = EqualBandEdges(0, 3, "--space-step");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--space-step: step must be > 0 (got 0)");
  auto badn = EqualBandEdges(10, 0, "--time-count");
  ASSERT_FALSE(badn.ok());
  EXPECT_EQ(badn.status().message(), "--time-count: count must be in [1, 1000] (got 0)");

  auto v = ParamValues::Resolve(KnoxParams(),
                                {{"space_bands_m", "50, 150"},
                                 {"distance", "manhattan"},
                                 {"coordinate_precision", "float32"},
                                 {"seed", "7"}},
                                "knox");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto req = KnoxRequestFromParams(*v);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->space_bands_m, (std::vector<double>{50, 150}));
  EXPECT_EQ(req->time_bands_days, (std::vector<int64_t>{7, 14, 21}));
  EXPECT_EQ(req->distance, DistanceMetric::kManhattan);
  EXPECT_TRUE(req->float32_coordinates);
  EXPECT_EQ(req->permutations, 999);
  EXPECT_EQ(req->seed, 7u);

  auto v2 = ParamValues::Resolve(KnoxParams(), {{"time_bands_days", "7,x"}}, "knox");
  ASSERT_TRUE(v2.ok());
  auto bad_list = KnoxRequestFromParams(*v2);
  ASSERT_FALSE(bad_list.ok());
  EXPECT_EQ(bad_list.status().message(),
            "time_bands_days: not a comma-separated list of numbers (got \"7,x\")");
  auto v3 = ParamValues::Resolve(KnoxParams(), {{"time_bands_days", "1.5"}}, "knox");
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(KnoxRequestFromParams(*v3).status().message(),
            "time_bands_days: edges must be whole days (got 1.5)");
}

// Every pair, the slow way, for both metrics, on clustered random points.
TEST(KnoxTest, MatchesBruteForceCount) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 2000);
  std::normal_distribution<double> jitter(0, 40);
  EventSet ev;
  for (int i = 0; i < 600; ++i) {
    double x = u(rng), y = u(rng);
    if (i % 3 == 0 && i > 0) {  // a third of the events sit near the previous one
      x = ev.x_m.back() + jitter(rng);
      y = ev.y_m.back() + jitter(rng);
    }
    if (i % 10 == 0) {  // some exact repeats
      x = std::round(x / 500) * 500;
      y = std::round(y / 500) * 500;
    }
    ev.Add(Day(static_cast<int64_t>(u(rng) / 20)), x, y, OffenceGroup::kUnknown, "",
           std::to_string(i));
  }
  ev.SortByTime();
  const std::vector<double> se = {50, 125, 300};
  const std::vector<int64_t> te = {3, 10, 30};
  for (DistanceMetric m : {DistanceMetric::kEuclidean, DistanceMetric::kManhattan}) {
    auto r = KnoxTest(ev, Request(se, te, m, 5));
    ASSERT_TRUE(r.ok());
    std::vector<int64_t> want(r->observed.size(), 0);
    for (size_t i = 0; i < ev.size(); ++i) {
      for (size_t j = i + 1; j < ev.size(); ++j) {
        const double dx = std::fabs(ev.x_m[i] - ev.x_m[j]), dy = std::fabs(ev.y_m[i] - ev.y_m[j]);
        const double d = m == DistanceMetric::kManhattan ? dx + dy : std::sqrt(dx * dx + dy * dy);
        int row = 0;
        if (d > 0) {
          row = 1;
          while (row - 1 < 3 && d >= se[row - 1]) ++row;
        }
        const int64_t gap = std::llabs(ev.t_s[i] / kSecondsPerDay - ev.t_s[j] / kSecondsPerDay);
        int col = 0;
        while (col < 3 && gap >= te[col]) ++col;
        ++want[static_cast<size_t>(row) * 4 + col];
      }
    }
    EXPECT_EQ(r->observed, want);
    // Brute force: the most close pairs (distance < 300 m) any one event is in.
    std::vector<int64_t> degree(ev.size(), 0);
    for (size_t i = 0; i < ev.size(); ++i) {
      for (size_t j = i + 1; j < ev.size(); ++j) {
        const double dx = std::fabs(ev.x_m[i] - ev.x_m[j]), dy = std::fabs(ev.y_m[i] - ev.y_m[j]);
        const double d = m == DistanceMetric::kManhattan ? dx + dy : std::sqrt(dx * dx + dy * dy);
        if (d < 300) ++degree[i], ++degree[j];
      }
    }
    EXPECT_EQ(r->max_close_pairs_per_event, *std::max_element(degree.begin(), degree.end()));
  }
}

// A withheld cell (public release) is written empty in the CSV, null in the JSON and "x" in the
// tables; the others are untouched. Cell 0 is "same location" × [0, 7) days (1 pair, AB above).
TEST(KnoxTest, WithheldCellsArePublishedEmpty) {
  auto r = KnoxTest(Line({{0, 0}, {0, 3}, {100, 7}, {250, 14}}), Request({100, 200}, {7, 14}));
  ASSERT_TRUE(r.ok());
  r->withheld.assign(r->observed.size(), 0);
  r->withheld[0] = 1;
  const std::string csv = KnoxResultToCsv(*r);
  EXPECT_NE(csv.find("\"same location\",\"[0, 7) days\",0,0,0,7,,,,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"[100, 200) m\",\"[7, 14) days\",100,200,7,14,2,"), std::string::npos);
  const std::string json = KnoxResultToJson(*r);
  EXPECT_NE(json.find("{\"space_band\": 0, \"time_band\": 0, \"observed\": null, "
                      "\"expected\": null, \"expected_sd\": null, \"knox_ratio\": null, "
                      "\"p_value\": null, \"withheld\": true},"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"space_band\": 2, \"time_band\": 1, \"observed\": 2,"), std::string::npos);
  const std::string table = KnoxResultToTable(*r);
  EXPECT_NE(table.find("same location"), std::string::npos);
  EXPECT_EQ(table.find("same location           1"), std::string::npos) << table;
}

TEST(KnoxTest, SameSeedSameBytesWhateverTheThreads) {
  const EventSet ev = ReadNrcCsv(kDataDir + "chicago_arson.csv");
  KnoxRequest q = Request({200, 400, 600}, {1, 2, 3}, DistanceMetric::kManhattan, 101);
  q.threads = 1;
  auto a = KnoxTest(ev, q);
  q.threads = 2;
  auto b = KnoxTest(ev, q);
  q.threads = 7;
  auto c = KnoxTest(ev, q);
  q.seed = 2;
  auto d = KnoxTest(ev, q);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ(KnoxResultToJson(*a), KnoxResultToJson(*b));
  EXPECT_EQ(KnoxResultToCsv(*a), KnoxResultToCsv(*c));
  EXPECT_NE(KnoxResultToCsv(*a), KnoxResultToCsv(*d));
}

TEST(KnoxTest, FindsPlantedNearRepeats) {
  // Background: uniform in space and time. Planted: 150 follow-ups within 50 m and 3 days of a
  // background event. The close-range, short-gap cell must be significant; the far, long-gap cell
  // (almost every pair) keeps a ratio of 1.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 5000);
  std::uniform_int_distribution<int64_t> day(0, 364), gap(0, 2);
  std::uniform_real_distribution<double> off(-35, 35);
  EventSet ev;
  std::vector<std::pair<double, double>> xy;
  std::vector<int64_t> days;
  for (int i = 0; i < 1500; ++i) {
    xy.push_back({u(rng), u(rng)});
    days.push_back(day(rng));
  }
  for (int i = 0; i < 150; ++i) {
    const size_t src = static_cast<size_t>(i) * 7;
    xy.push_back({xy[src].first + off(rng), xy[src].second + off(rng)});
    days.push_back(days[src] + gap(rng));
  }
  for (size_t i = 0; i < xy.size(); ++i) {
    ev.Add(Day(days[i]), xy[i].first, xy[i].second, OffenceGroup::kUnknown, "", std::to_string(i));
  }
  ev.SortByTime();
  auto r = KnoxTest(ev, Request({100, 200}, {7, 14}, DistanceMetric::kEuclidean, 199));
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->knox_ratio[r->Index(1, 0)], 3.0);
  EXPECT_LE(r->p_value[r->Index(1, 0)], 0.01);
  EXPECT_NEAR(r->knox_ratio[r->Index(3, 2)], 1.0, 0.01);
}

// The NRC reference runs: observed counts must match exactly; our mean of 999 permutations must be
// within 4 standard errors of the NRC's mean of its permutations. Both means estimate the same
// expectation; their difference has standard deviation sd·sqrt(1/P_nrc + 1/999), where sd is the
// permutation standard deviation of the cell (we use the larger of ours and the NRC's sample sd).
// p-values: |ours − NRC's| within 4·sqrt(p(1−p)/(P_nrc+1)) + 1/(P_nrc+1) (the NRC's binomial
// error plus its resolution).
struct NrcCase {
  std::string input;
  std::string verbose;
  std::vector<double> space;
  std::vector<int64_t> time;
};

class KnoxNrcTest : public ::testing::TestWithParam<NrcCase> {};

TEST_P(KnoxNrcTest, MatchesNearRepeatCalculator) {
  const NrcCase& c = GetParam();
  const EventSet ev = ReadNrcCsv(kDataDir + c.input);
  const NrcVerbose nrc = ReadNrcVerbose(kDataDir + c.verbose);
  KnoxRequest q = Request(c.space, c.time, DistanceMetric::kManhattan, 999);
  q.float32_coordinates = true;
  auto r = KnoxTest(ev, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(static_cast<int>(nrc.observed.size()), r->rows);
  for (int row = 0; row < r->rows; ++row) {
    ASSERT_EQ(static_cast<int>(nrc.observed[row].size()), r->cols);
    for (int col = 0; col < r->cols; ++col) {
      const size_t i = r->Index(row, col);
      SCOPED_TRACE(c.input + " " + r->space_labels[row] + " x " + r->time_labels[col]);
      EXPECT_EQ(r->observed[i], nrc.observed[row][col]);
      const auto& perms = nrc.perms.at({row + 1, col + 1});
      ASSERT_GE(perms.size(), 19u);
      double mean = 0, sq = 0;
      for (double p : perms) mean += p;
      mean /= static_cast<double>(perms.size());
      for (double p : perms) sq += (p - mean) * (p - mean);
      const double nrc_sd = std::sqrt(sq / static_cast<double>(perms.size() - 1));
      const double sd = std::max(nrc_sd, r->expected_sd[i]);
      const double se = sd * std::sqrt(1.0 / static_cast<double>(perms.size()) + 1.0 / 999);
      EXPECT_NEAR(r->expected[i], mean, 4 * se + 1e-9);
      const double pn = nrc.p_value.at({row + 1, col + 1});
      const double res = 1.0 / (static_cast<double>(perms.size()) + 1);
      EXPECT_NEAR(r->p_value[i], pn, 4 * std::sqrt(pn * (1 - pn) * res) + res);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    ChicagoReference, KnoxNrcTest,
    ::testing::Values(NrcCase{"chicago_be_month1.csv",
                              "chicago_be_month1_NRverbose_2019-09-23_143005.csv",
                              {100, 200, 300},
                              {7, 14, 21}},
                      NrcCase{"chicago_arson.csv",
                              "chicago_arson_NRverbose_2019-09-23_145637.csv",
                              {200, 400, 600},
                              {1, 2, 3}}));

TEST(KnoxTest, DoublePrecisionDiffersFromNrcOnlyAtAnEdge) {
  // With full-precision coordinates one arson pair at Manhattan distance 399.96 m stays below the
  // 400 m edge; the NRC, rounding coordinates to single precision, puts it at 400 m or more.
  const EventSet ev = ReadNrcCsv(kDataDir + "chicago_arson.csv");
  KnoxRequest q = Request({200, 400, 600}, {1, 2, 3}, DistanceMetric::kManhattan, 1);
  auto exact = KnoxTest(ev, q);
  q.float32_coordinates = true;
  auto f32 = KnoxTest(ev, q);
  ASSERT_TRUE(exact.ok() && f32.ok());
  EXPECT_EQ(exact->observed[exact->Index(2, 3)], 141);
  EXPECT_EQ(f32->observed[f32->Index(2, 3)], 140);
  EXPECT_EQ(exact->observed[exact->Index(3, 3)], 233);
  EXPECT_EQ(f32->observed[f32->Index(3, 3)], 234);
}

TEST(KnoxTest, WritersAgreeWithResult) {
  auto r = KnoxTest(Line({{0, 0}, {0, 3}, {100, 7}, {250, 14}}), Request({100, 200}, {7, 14}));
  ASSERT_TRUE(r.ok());
  const std::string csv = KnoxResultToCsv(*r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "space_band,time_band,space_lo_m,space_hi_m,time_lo_days,time_hi_days,observed,"
            "expected,expected_sd,knox_ratio,p_value");
  EXPECT_NE(csv.find("\"same location\",\"[0, 7) days\",0,0,0,7,1,"), std::string::npos);
  EXPECT_NE(csv.find("\"[200, inf) m\",\"[14, inf) days\",200,inf,14,inf,1,"), std::string::npos);
  const std::string json = KnoxResultToJson(*r);
  EXPECT_NE(json.find("\"pairs\": 6"), std::string::npos);
  EXPECT_NE(json.find("\"space_bands\": [\"same location\", \"(0, 100) m\""), std::string::npos);
  const std::string table = KnoxResultToTable(*r);
  EXPECT_NE(table.find("Observed pairs"), std::string::npos);
}

// The JSON product's every byte (its ledger hash depends on them): %.10g numbers (2 stays "2",
// 12345678901.5 is "1.23456789e+10"), null for NaN, infinities and withheld cells, escaped labels.
TEST(KnoxTest, JsonBytesAreKnown) {
  KnoxResult r;
  r.request.space_bands_m = {100, 150.5};
  r.request.time_bands_days = {7};
  r.request.distance = DistanceMetric::kManhattan;
  r.request.permutations = 9;
  r.request.seed = 3;
  r.num_events = 4;
  r.num_pairs = 6;
  r.close_pairs = -1;
  r.rows = 2;
  r.cols = 2;
  r.space_labels = {"same location", "a \"b\" \\ c"};
  r.time_labels = {"[0, 7) days", "[7, inf) days"};
  r.observed = {1, 2, 3, 4};
  r.expected = {2.0, 0.1234567891234, 12345678901.5, 1};
  r.expected_sd = {0, 0, 1e-7, 1};
  r.knox_ratio = {0.5, std::nan(""), std::numeric_limits<double>::infinity(), 1};
  r.p_value = {0.1, 1, 0.5, 0.3};
  r.withheld = {0, 0, 0, 1};
  EXPECT_EQ(
      KnoxResultToJson(r),
      "{\n"
      "  \"analysis\": \"knox\",\n"
      "  \"params\": {\"space_bands_m\": [100, 150.5], \"time_bands_days\": [7], "
      "\"distance\": \"manhattan\", \"coordinate_precision\": \"double\", "
      "\"permutations\": 9, \"seed\": 3},\n"
      "  \"events\": 4,\n"
      "  \"pairs\": 6,\n"
      "  \"close_pairs\": null,\n"
      "  \"space_bands\": [\"same location\", \"a \\\"b\\\" \\\\ c\"],\n"
      "  \"time_bands\": [\"[0, 7) days\", \"[7, inf) days\"],\n"
      "  \"cells\": [\n"
      "    {\"space_band\": 0, \"time_band\": 0, \"observed\": 1, \"expected\": 2, "
      "\"expected_sd\": 0, \"knox_ratio\": 0.5, \"p_value\": 0.1},\n"
      "    {\"space_band\": 0, \"time_band\": 1, \"observed\": 2, \"expected\": 0.1234567891, "
      "\"expected_sd\": 0, \"knox_ratio\": null, \"p_value\": 1},\n"
      "    {\"space_band\": 1, \"time_band\": 0, \"observed\": 3, "
      "\"expected\": 1.23456789e+10, \"expected_sd\": 1e-07, \"knox_ratio\": null, "
      "\"p_value\": 0.5},\n"
      "    {\"space_band\": 1, \"time_band\": 1, \"observed\": null, \"expected\": null, "
      "\"expected_sd\": null, \"knox_ratio\": null, \"p_value\": null, \"withheld\": true}\n"
      "  ]\n"
      "}\n");
}

}  // namespace
}  // namespace placecast::analysis
