// SPDX-License-Identifier: Apache-2.0
// Tests for the public-release privacy tools: suppression known answers on a 4 × 3 grid drawn as
// text, the Laplace mechanism's mean and scale over many draws and its determinism, and donut
// geomasking's displacement bounds, plus invalid inputs with their codes and messages.
#include "placecast/io/privacy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

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

}  // namespace
}  // namespace placecast::io
