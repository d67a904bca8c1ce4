// SPDX-License-Identifier: Apache-2.0
// Tests for the public-release privacy tools: suppression known answers on a 4 × 3 grid drawn as
// text, the Laplace mechanism's mean and scale over many draws and its determinism, and donut
// geomasking's displacement bounds, plus invalid inputs with their codes and messages.
#include "placecast/io/privacy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/products_test_fixture.h"
#include "placecast/io/products.h"

namespace placecast::io {
namespace {

constexpr double kCell = 100;
constexpr double kX0 = 1000, kY0 = 2000;

grid::Grid TinyGrid() {
  auto g = grid::Grid::Create(kX0, kY0, kCell, 4, 3, {}, "EPSG:32618");
  EXPECT_TRUE(g.ok());
  return std::move(g).value();
}

// Events drawn per cell, north row first: a digit is the number of events at the cell's centre.
EventSet EventsFromText(const std::vector<std::string>& rows) {
  EventSet ev;
  const int ny = static_cast<int>(rows.size());
  int n = 0;
  for (int i = 0; i < ny; ++i) {
    const int row = ny - 1 - i;
    for (size_t col = 0; col < rows[i].size(); ++col) {
      for (int k = 0; k < rows[i][col] - '0'; ++k) {
        char id[32];
        std::snprintf(id, sizeof(id), "e%d", n);
        ev.Add(86400 * (n + 1), kX0 + (col + 0.5) * kCell, kY0 + (row + 0.5) * kCell,
               OffenceGroup::kRobbery, "ROBBERY", id);
        ++n;
      }
    }
  }
  ev.SortByTime();
  return ev;
}

// The suppression mask as text, north row first: "X" suppressed, "." published.
std::vector<std::string> MaskToText(const grid::Grid& g, const std::vector<uint8_t>& sup) {
  std::vector<std::string> out;
  for (int row = g.ny() - 1; row >= 0; --row) {
    std::string line;
    for (int col = 0; col < g.nx(); ++col) line += sup[g.ColRowToCell(col, row)] ? 'X' : '.';
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> CountsToText(const grid::Grid& g, const std::vector<int64_t>& n) {
  std::vector<std::string> out;
  for (int row = g.ny() - 1; row >= 0; --row) {
    std::string line;
    for (int col = 0; col < g.nx(); ++col) line += std::to_string(n[g.ColRowToCell(col, row)]);
    out.push_back(line);
  }
  return out;
}

const std::vector<std::string> kEvents = {"2001",  //
                                          "0300",  //
                                          "0005"};

TEST(PrivacyTest, SuppressCellOnlyKnownAnswer) {
  const auto g = TinyGrid();
  const auto ev = EventsFromText(kEvents);
  std::vector<uint8_t> sup;
  std::vector<int64_t> n;
  ASSERT_TRUE(SuppressSmallCells(g, ev, 0, 1 << 30, 0, 2, &sup, &n).ok());
  EXPECT_EQ(CountsToText(g, n), kEvents);
  EXPECT_EQ(MaskToText(g, sup), (std::vector<std::string>{".XXX",  //
                                                          "X.XX",  //
                                                          "XXX."}));
}

TEST(PrivacyTest, SuppressWithKernelSupportKnownAnswer) {
  // support 100 m from events at cell centres reaches the 8 neighbours (edge 50 m, corner 70.7 m)
  // but not cells two away (150 m): each count is a 3 × 3 box sum.
  const auto g = TinyGrid();
  const auto ev = EventsFromText(kEvents);
  std::vector<uint8_t> sup;
  std::vector<int64_t> n;
  ASSERT_TRUE(SuppressSmallCells(g, ev, 0, 1 << 30, 100, 4, &sup, &n).ok());
  EXPECT_EQ(CountsToText(g, n), (std::vector<std::string>{"5541",  //
                                                          "5596",  //
                                                          "3385"}));
  EXPECT_EQ(MaskToText(g, sup), (std::vector<std::string>{"...X",  //
                                                          "....",  //
                                                          "XX.."}));
}

TEST(PrivacyTest, SupportOfFiftyMetresReachesEdgeNeighboursOnly) {
  const auto g = TinyGrid();
  const auto ev = EventsFromText({"0000",  //
                                  "0100",  //
                                  "0000"});
  auto n = CountSupportingEvents(g, ev, 0, 1 << 30, 50);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(CountsToText(g, *n), (std::vector<std::string>{"0100",  //
                                                           "1110",  //
                                                           "0100"}));
}

TEST(PrivacyTest, EventOutsideGridCountsWithinSupport) {
  const auto g = TinyGrid();
  EventSet ev;
  ev.Add(100, kX0 - 30, kY0 + 150, OffenceGroup::kRobbery, "ROBBERY", "out");
  auto n0 = CountSupportingEvents(g, ev, 0, 1000, 0);
  ASSERT_TRUE(n0.ok());
  EXPECT_EQ(CountsToText(g, *n0), (std::vector<std::string>{"0000", "0000", "0000"}));
  auto n40 = CountSupportingEvents(g, ev, 0, 1000, 40);
  ASSERT_TRUE(n40.ok());
  EXPECT_EQ(CountsToText(g, *n40), (std::vector<std::string>{"0000", "1000", "0000"}));
}

TEST(PrivacyTest, OnlyEventsInTheWindowCount) {
  const auto g = TinyGrid();
  const auto ev = EventsFromText({"0000",    //
                                  "0300",    //
                                  "0000"});  // times 1, 2, 3 days
  auto n = CountSupportingEvents(g, ev, 2 * 86400, 3 * 86400, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)[g.ColRowToCell(1, 1)], 1);
}

TEST(PrivacyTest, SuppressInvalidInputs) {
  const auto g = TinyGrid();
  const auto ev = EventsFromText(kEvents);
  std::vector<uint8_t> sup;
  struct Case {
    double support_m;
    int64_t k;
    int64_t t0, t1;
    std::vector<uint8_t>* out;
    std::string message;
  } cases[] = {
      {-1, 2, 0, 10, &sup, "privacy: support_m: expected a finite distance >= 0 m (got -1)"},
      {NAN, 2, 0, 10, &sup, "privacy: support_m: expected a finite distance >= 0 m (got nan)"},
      {0, -3, 0, 10, &sup, "privacy: min_incidents: expected an integer >= 0 (got -3)"},
      {0, 2, 10, 0, &sup, "privacy: training window: from (10) is after to (0)"},
      {0, 2, 0, 10, nullptr, "privacy: suppressed: null output"},
  };
  for (const auto& c : cases) {
    Status s = SuppressSmallCells(g, ev, c.t0, c.t1, c.support_m, c.k, c.out);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
}

// Over 200 000 draws of Laplace(0, b = 1 / 0.5 = 2): the mean is 0 with standard error
// sqrt(2)·b/sqrt(n) ≈ 0.0063, tolerance 0.03 (~5 s.e.); the mean absolute value estimates b with
// standard error b/sqrt(n) ≈ 0.0045, tolerance 0.03 (1.5 %); the variance 2b² = 8 within 3 %.
TEST(PrivacyTest, LaplaceMeanAndScale) {
  const size_t n = 200000;
  std::vector<double> zeros(n, 0.0);
  auto noisy = AddLaplaceNoise(zeros, 1.0, 0.5, 42);
  ASSERT_TRUE(noisy.ok());
  double sum = 0, sum_abs = 0, sum_sq = 0;
  for (double v : *noisy) {
    sum += v;
    sum_abs += std::abs(v);
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sum_abs / n, 2.0, 0.03);
  EXPECT_NEAR(sum_sq / n, 8.0, 0.24);
}

TEST(PrivacyTest, LaplaceScaleFollowsSensitivityOverEpsilon) {
  const size_t n = 100000;
  std::vector<double> base(n, 10.0);
  auto noisy = AddLaplaceNoise(base, 3.0, 1.5, 7);  // b = 2
  ASSERT_TRUE(noisy.ok());
  double sum_abs = 0;
  for (double v : *noisy) sum_abs += std::abs(v - 10.0);
  EXPECT_NEAR(sum_abs / n, 2.0, 0.04);
}

TEST(PrivacyTest, LaplaceDeterministicInSeed) {
  const std::vector<double> v = {0, 1, 2, 3, 4};
  auto a = AddLaplaceNoise(v, 1, 1, 1);
  auto b = AddLaplaceNoise(v, 1, 1, 1);
  auto c = AddLaplaceNoise(v, 1, 1, 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NE((*a)[i], v[i]);
}

TEST(PrivacyTest, LaplaceInvalidInputs) {
  struct Case {
    std::vector<double> values;
    double sensitivity, epsilon;
    std::string message;
  } cases[] = {
      {{1}, 0, 1, "privacy: sensitivity: expected a finite value > 0 (got 0)"},
      {{1}, 1, 0, "privacy: epsilon: expected a finite value > 0 (got 0)"},
      {{1}, 1, -2, "privacy: epsilon: expected a finite value > 0 (got -2)"},
      {{1}, 1, INFINITY, "privacy: epsilon: expected a finite value > 0 (got inf)"},
      {{1, NAN}, 1, 1, "privacy: values[1]: expected a finite number (got nan)"},
  };
  for (const auto& c : cases) {
    auto r = AddLaplaceNoise(c.values, c.sensitivity, c.epsilon, 1);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

// k = 3 on counts 0, 2, 3, 5, 7 without noise: 0 and 2 are below 3 and withheld (-1), the rest
// are published as they are.
TEST(PrivacyTest, PublishCountsWithholdsBelowKWithoutNoise) {
  auto r = PublishCounts({0, 2, 3, 5, 7}, 3, 1, 0, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<int64_t>{kWithheldCount, kWithheldCount, 3, 5, 7}));
  auto none = PublishCounts({0, 2}, 0, 1, 0, 1);  // k = 0 withholds nothing
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (std::vector<int64_t>{0, 2}));
}

// Brute-force cross-check: each published count is max(0, round(count + the AddLaplaceNoise draw
// of its own index)), whatever k withholds elsewhere, and withheld ones stay -1.
TEST(PrivacyTest, PublishCountsNoiseIsRoundedClampedLaplaceOfTheSameIndex) {
  const std::vector<int64_t> counts = {0, 1, 4, 9, 30, 2, 0, 12};
  auto raw = AddLaplaceNoise({0, 1, 4, 9, 30, 2, 0, 12}, 2, 0.5, 99);
  ASSERT_TRUE(raw.ok());
  for (int64_t k : {0, 3, 10}) {
    auto r = PublishCounts(counts, k, 2, 0.5, 99);
    ASSERT_TRUE(r.ok());
    for (size_t i = 0; i < counts.size(); ++i) {
      const int64_t want = counts[i] < k
                               ? kWithheldCount
                               : static_cast<int64_t>(std::max(0.0, std::round((*raw)[i])));
      EXPECT_EQ((*r)[i], want) << "k " << k << " index " << i;
    }
  }
  auto again = PublishCounts(counts, 3, 2, 0.5, 99);
  auto other = PublishCounts(counts, 3, 2, 0.5, 100);
  ASSERT_TRUE(again.ok() && other.ok());
  EXPECT_EQ(*again, *PublishCounts(counts, 3, 2, 0.5, 99));
  EXPECT_NE(*again, *other);
}

TEST(PrivacyTest, PublishCountsInvalidInputs) {
  struct Case {
    std::vector<int64_t> counts;
    int64_t k;
    double sensitivity, epsilon;
    std::string message;
  } cases[] = {
      {{1}, -1, 1, 0, "privacy: min_incidents: expected a value >= 0 (got -1)"},
      {{1, -3}, 1, 1, 0, "privacy: counts[1]: expected a count >= 0 (got -3)"},
      {{1}, 1, 1, -1, "privacy: epsilon: expected a finite value >= 0 (got -1)"},
      {{1}, 1, 1, NAN, "privacy: epsilon: expected a finite value >= 0 (got nan)"},
      {{1}, 1, 0, 1, "privacy: sensitivity: expected a finite value > 0 (got 0)"},
  };
  for (const auto& c : cases) {
    auto r = PublishCounts(c.counts, c.k, c.sensitivity, c.epsilon, 1);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(PrivacyTest, DonutDisplacementWithinBounds) {
  const double min_m = 50, max_m = 250;
  const double median_r = std::sqrt((min_m * min_m + max_m * max_m) / 2);  // area-uniform median
  int below_median = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto p = DonutGeomask(500000, 4400000, min_m, max_m, MixSeed(1, i));
    ASSERT_TRUE(p.ok());
    const double d = std::hypot(p->x_m - 500000, p->y_m - 4400000);
    ASSERT_GE(d, min_m - 1e-6) << i;
    ASSERT_LE(d, max_m + 1e-6) << i;
    EXPECT_NEAR(d, p->displacement_m, 1e-6);
    if (d < median_r) ++below_median;
  }
  // Half the points fall inside the median radius; standard error 0.0035, tolerance 0.02.
  EXPECT_NEAR(static_cast<double>(below_median) / n, 0.5, 0.02);
}

TEST(PrivacyTest, DonutDeterministicInSeed) {
  auto a = DonutGeomask(0, 0, 50, 250, 9);
  auto b = DonutGeomask(0, 0, 50, 250, 9);
  auto c = DonutGeomask(0, 0, 50, 250, 10);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->x_m, b->x_m);
  EXPECT_EQ(a->y_m, b->y_m);
  EXPECT_NE(a->x_m, c->x_m);
}

TEST(PrivacyTest, DonutInvalidInputs) {
  struct Case {
    double x, y, min_m, max_m;
    std::string message;
  } cases[] = {
      {NAN, 0, 50, 250, "geomask: point: expected finite coordinates (got nan, 0)"},
      {0, 0, -1, 250, "geomask: min_m: expected a finite distance >= 0 m (got -1)"},
      {0, 0, 300, 250,
       "geomask: max_m: expected a finite distance > 0 m and >= min_m 300 (got 250)"},
      {0, 0, 0, 0, "geomask: max_m: expected a finite distance > 0 m and >= min_m 0 (got 0)"},
  };
  for (const auto& c : cases) {
    auto r = DonutGeomask(c.x, c.y, c.min_m, c.max_m, 1);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

std::vector<std::string> CsvLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// The first `n` comma-separated fields of a line.
std::string FirstFields(const std::string& line, int n) {
  size_t pos = 0;
  for (int i = 0; i < n && pos != std::string::npos; ++i) {
    pos = line.find(',', pos == 0 && i == 0 ? 0 : pos + 1);
  }
  return pos == std::string::npos ? line : line.substr(0, pos);
}

// Risk per cell (fixture kRisk, cell ids row-major from the south-west):
//   row 2:  0 0 1 2   (cells  8  9 10 11)
//   row 1:  0 5 8 3   (cells  4  5  6  7)
//   row 0:  0 0 1 0   (cells  0  1  2  3)
// Cells 6 (risk 8) and 11 (risk 2) suppressed: they rank last, shares are over the published
// total 10, and the top 25 % (3 cells) are the top three published cells.
TEST(PrivacyTest, SuppressedCellsPublishNoRiskInCsv) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[6] = f.product.suppressed[11] = 1;
  const std::string path = testing::TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = CsvLines(testing::Slurp(path));
  ASSERT_EQ(lines.size(), 13u);
  const std::vector<std::string> want = {
      "1,5,1,1,5,0.5,0.5,1", "2,7,3,1,3,0.3,0.8,1", "3,2,2,0,1,0.1,0.9,1", "4,10,2,2,1,0.1,1,0",
      "5,0,0,0,0,0,1,0",     "6,1,1,0,0,0,1,0",     "7,3,3,0,0,0,1,0",     "8,4,0,1,0,0,1,0",
      "9,8,0,2,0,0,1,0",     "10,9,1,2,0,0,1,0",    "11,6,2,1,,,,0",       "12,11,3,2,,,,0",
  };
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(FirstFields(lines[i + 1], 8), want[i]) << i;
}

TEST(PrivacyTest, SuppressedCellsAreNullInGeoJsonAndNamedInReport) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[6] = 1;
  f.product.privacy_note = "public release: k = 3";
  const std::string dir = testing::TestDir();
  ASSERT_TRUE(WriteForecastGeoJson(dir + "/f.geojson", f.product).ok());
  auto j = nlohmann::json::parse(testing::Slurp(dir + "/f.geojson"));
  EXPECT_EQ(j["placecast"]["privacy"], "public release: k = 3");
  int nulls = 0;
  for (const auto& feat : j["features"]) {
    const bool sup = feat["properties"]["cell_id"] == 6;
    EXPECT_EQ(feat["properties"]["risk"].is_null(), sup);
    EXPECT_EQ(feat["properties"]["risk_share"].is_null(), sup);
    nulls += feat["properties"]["risk"].is_null() ? 1 : 0;
  }
  EXPECT_EQ(nulls, 1);
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/report.html", f.product, "map.png").ok());
  const std::string html = testing::Slurp(dir + "/report.html");
  EXPECT_NE(html.find("<h2>Public release</h2>\n<p>public release: k = 3</p>"), std::string::npos);
  EXPECT_NE(html.find("1 of 12 cells are suppressed"), std::string::npos);
  ASSERT_TRUE(RenderForecastPng(dir + "/map.png", f.product).ok());
}

TEST(PrivacyTest, SuppressedListOfWrongLengthIsInvalidInput) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(5, 0);
  auto r = RankProductCells(f.product);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status().message(),
            "forecast product: suppressed has 5 entries but the grid has 12 active cells");
}

// End to end on the library: incidents drawn on the fixture grid, k = 2, kernel support 150 m
// (one cell); every cell whose risk is published rests on at least k incidents, and every cell
// resting on fewer is withheld.
TEST(PrivacyTest, PublicReleaseHasNoPublishedCellBelowK) {
  testing::TextForecast f(testing::kRisk, 25);
  EventSet ev;
  const std::vector<std::string> incidents = {"0001",  //
                                              "0200",  //
                                              "0000"};
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    for (int col = 0; col < 4; ++col) {
      for (int k = 0; k < incidents[i][col] - '0'; ++k, ++n) {
        char id[16];
        std::snprintf(id, sizeof(id), "i%d", n);
        ev.Add(1000 + n, testing::kX0 + (col + 0.5) * testing::kCell,
               testing::kY0 + (2 - i + 0.5) * testing::kCell, OffenceGroup::kBurglaryResidential,
               "BURGLARY", id);
      }
    }
  }
  ev.SortByTime();
  std::vector<int64_t> counts;
  ASSERT_TRUE(
      SuppressSmallCells(f.grid, ev, 0, 1 << 30, testing::kCell, 2, &f.product.suppressed, &counts)
          .ok());
  // Counts (3 × 3 box sums): north row 2 2 3 1, middle 2 2 3 1, south 2 2 2 0.
  EXPECT_EQ(CountsToText(f.grid, counts), (std::vector<std::string>{"2231", "2231", "2220"}));
  const std::string path = testing::TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = CsvLines(testing::Slurp(path));
  ASSERT_EQ(lines.size(), 13u);
  int published = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    int rank = 0, cell = -1;
    ASSERT_EQ(std::sscanf(lines[i].c_str(), "%d,%d", &rank, &cell), 2);
    const std::string risk_field = FirstFields(lines[i], 5).substr(FirstFields(lines[i], 4).size());
    const bool has_risk = risk_field != ",";
    EXPECT_EQ(has_risk, counts[cell] >= 2) << lines[i];
    published += has_risk ? 1 : 0;
  }
  EXPECT_EQ(published, 9);
}

}  // namespace
}  // namespace placecast::io
