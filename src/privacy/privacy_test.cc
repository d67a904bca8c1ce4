// SPDX-License-Identifier: Apache-2.0
// Tests for the public-release privacy tools: suppression known answers on a 4 × 3 grid drawn as
// text; the keyed Laplace mechanism's mean, scale and distribution over many figures; keyed donut
// geomasking's bounds and distribution; the attacks of issue 12 (regenerate and subtract without
// the key, average repeated releases, solve two epsilons) shown to fail, and the key shown to
// reproduce; invalid inputs with their codes and messages.
#include "placecast/privacy/privacy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "privacy/test_util.h"

namespace placecast::privacy {
namespace {

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(PrivacyTest, HmacSha256MatchesRfc4231Vectors) {
  // RFC 4231 test cases 1 and 2.
  EXPECT_EQ(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

using testing::EventsFromText;
using testing::kCell;
using testing::kX0;
using testing::kY0;
using testing::MaskToText;
using testing::TinyGrid;

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

// Two fixed release keys (the store's key is 32 random bytes; tests need fixed ones).
const std::string kKeyA(32, '\x5a');
const std::string kKeyB = [] {
  std::string k(32, '\0');
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<char>(i * 37 + 11);
  return k;
}();

// Kolmogorov-Smirnov distance between the sample and a CDF.
template <typename Cdf>
double KsDistance(std::vector<double> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, std::abs(f - i / n), std::abs((i + 1) / n - f)});
  }
  return d;
}

// 1.95 / sqrt(n): the KS critical value at the 0.1 % level. The draws are fixed by the key, so each
// test passes or fails the same way every run; a biased generator (a coarse angle, a radius
// uniform in r instead of in area, a scale off by 10 %) exceeds it by far at these sizes. (At the
// 1 % level, 1.63 / sqrt(n), the angles of kKeyA's 20 000 ids fail: D = 0.0130, p ≈ 0.002; the
// same D comes out of Python's hmac module on the same messages, so it is the sample, not the
// code.)
double KsCritical(size_t n) { return 1.95 / std::sqrt(static_cast<double>(n)); }

// Known answer, computed independently with Python's hmac module:
// HMAC-SHA-256(0x5a × 32, GeomaskMessage(50, 250, "INC-000000")) starts cff8d0278ceea2de
// d6251972bc65d6e7, so u1 = (0xcff8d0278ceea2de >> 11 + 0.5) · 2⁻⁵³ and u2 likewise.
TEST(PrivacyTest, KeyedUnitsKnownAnswer) {
  const UnitPair u = KeyedUnits(kKeyA, GeomaskMessage(50, 250, "INC-000000"));
  EXPECT_DOUBLE_EQ(u.u1, 0.8123903366621854);
  EXPECT_DOUBLE_EQ(u.u2, 0.836503592025472);
}

// Laplace(0, b = 1 / 0.5 = 2) over 200 000 keyed figures: the mean is 0 with standard error
// sqrt(2)·b/sqrt(n) ≈ 0.0063, tolerance 0.03 (~5 s.e.); the mean absolute value estimates b with
// standard error b/sqrt(n) ≈ 0.0045, tolerance 0.03 (1.5 %); the variance 2b² = 8 within 3 %; and
// the draws follow the Laplace CDF (KS at the 1 % level).
TEST(PrivacyTest, KeyedLaplaceMeanScaleAndDistribution) {
  const size_t n = 200000;
  std::vector<double> zeros(n, 0.0);
  auto noisy = AddLaplaceNoise(zeros, 1.0, 0.5, kKeyA, "test figures");
  ASSERT_TRUE(noisy.ok()) << noisy.status().message();
  double sum = 0, sum_abs = 0, sum_sq = 0;
  for (double v : *noisy) {
    sum += v;
    sum_abs += std::abs(v);
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sum_abs / n, 2.0, 0.03);
  EXPECT_NEAR(sum_sq / n, 8.0, 0.24);
  const double b = 2;
  auto laplace_cdf = [b](double x) {
    return x < 0 ? 0.5 * std::exp(x / b) : 1 - 0.5 * std::exp(-x / b);
  };
  EXPECT_LT(KsDistance(*noisy, laplace_cdf), KsCritical(n));
}

TEST(PrivacyTest, KeyedLaplaceScaleFollowsSensitivityOverEpsilon) {
  const size_t n = 100000;
  std::vector<double> base(n, 10.0);
  auto noisy = AddLaplaceNoise(base, 3.0, 1.5, kKeyB, "b = 2");  // b = 2
  ASSERT_TRUE(noisy.ok());
  double sum_abs = 0;
  for (double v : *noisy) sum_abs += std::abs(v - 10.0);
  EXPECT_NEAR(sum_abs / n, 2.0, 0.04);
}

// The same key, figures, sensitivity and epsilon give the same draw for the same index in every
// release; any change to one of them gives an unrelated draw.
TEST(PrivacyTest, KeyedLaplaceDrawDependsOnEveryPartOfTheIdentity) {
  const std::vector<double> v = {0, 1, 2, 3, 4};
  auto base = AddLaplaceNoise(v, 1, 1, kKeyA, "forecast q");
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(*base, *AddLaplaceNoise(v, 1, 1, kKeyA, "forecast q"));
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NE((*base)[i], v[i]);
  // Value i's noise depends on its index only, not on the other values or their number.
  auto prefix = AddLaplaceNoise({0, 1}, 1, 1, kKeyA, "forecast q");
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ((*prefix)[1], (*base)[1]);
  struct Case {
    std::string what, key, figures;
    double sensitivity, epsilon;
  } cases[] = {
      {"other key", kKeyB, "forecast q", 1, 1},
      {"other figures", kKeyA, "forecast q2", 1, 1},
      {"other sensitivity", kKeyA, "forecast q", 2, 2},  // same scale b = 1, other draws
      {"other epsilon", kKeyA, "forecast q", 1, 1.0000001},
  };
  for (const auto& c : cases) {
    auto r = AddLaplaceNoise(v, c.sensitivity, c.epsilon, c.key, c.figures);
    ASSERT_TRUE(r.ok()) << c.what;
    for (size_t i = 0; i < v.size(); ++i) {
      EXPECT_GT(std::abs((*r)[i] - (*base)[i]), 1e-6) << c.what << " index " << i;
    }
  }
}

TEST(PrivacyTest, LaplaceMessageFieldsAreLengthPrefixed) {
  EXPECT_EQ(LaplaceMessage("q", 1, 0.5, 7), "20:placecast/laplace/v1;1:q;1:1;3:0.5;1:7;");
  // Figures ending in what looks like another field do not collide with a real one.
  EXPECT_NE(LaplaceMessage("q;1:1", 1, 1, 0), LaplaceMessage("q", 1, 1, 0));
  EXPECT_EQ(GeomaskMessage(50, 250, "INC-1"), "20:placecast/geomask/v1;2:50;3:250;5:INC-1;");
}

// Attack (b) on noise: a release repeated (or a figure published in two products of one query)
// carries the same noise, so averaging the copies gains nothing: the mean of 50 releases is the
// first release, its error is the first release's error.
TEST(PrivacyTest, AveragingRepeatedReleasesGainsNothing) {
  const std::vector<int64_t> counts(400, 20);
  auto first = PublishCounts(counts, 1, 1, 0.5, kKeyA, "audit q");
  ASSERT_TRUE(first.ok());
  std::vector<double> mean(counts.size(), 0);
  for (int r = 0; r < 50; ++r) {
    auto again = PublishCounts(counts, 1, 1, 0.5, kKeyA, "audit q");
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(*again, *first);
    for (size_t i = 0; i < counts.size(); ++i) mean[i] += (*again)[i] / 50.0;
  }
  double err_first = 0, err_mean = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    err_first += std::abs((*first)[i] - 20.0);
    err_mean += std::abs(mean[i] - 20.0);
  }
  EXPECT_NEAR(err_mean, err_first, 1e-9);
  EXPECT_GT(err_first / counts.size(), 1.0);  // b = 2: the noise is there (mean |noise| ≈ 2)
}

// Attack on two epsilons: were one unit draw u shared by releases at ε1 and ε2, value_i = true +
// b_i·L(u) and true = (v1·b2 − v2·b1) / (b2 − b1) exactly. With epsilon in the identity the draws
// are independent and that solve misses by about the noise itself.
TEST(PrivacyTest, TwoEpsilonsCannotBeSolvedForTheTrueValue) {
  const size_t n = 2000;
  const std::vector<double> truth(n, 100.0);
  auto v1 = AddLaplaceNoise(truth, 1, 1.0, kKeyA, "scan q");  // b1 = 1
  auto v2 = AddLaplaceNoise(truth, 1, 0.5, kKeyA, "scan q");  // b2 = 2
  ASSERT_TRUE(v1.ok() && v2.ok());
  double err = 0;
  int exact = 0;
  for (size_t i = 0; i < n; ++i) {
    const double solved = ((*v1)[i] * 2 - (*v2)[i] * 1) / (2 - 1);
    err += std::abs(solved - 100.0);
    exact += std::abs(solved - 100.0) < 1e-6 ? 1 : 0;
  }
  EXPECT_EQ(exact, 0);
  EXPECT_GT(err / n, 1.5);  // |2·L1 − L2| with L1 ~ Laplace(1), L2 ~ Laplace(2): mean ≈ 2.7
}

TEST(PrivacyTest, KeyedLaplaceInvalidInputs) {
  struct Case {
    std::vector<double> values;
    double sensitivity, epsilon;
    std::string key;
    std::string message;
  } cases[] = {
      {{1}, 0, 1, kKeyA, "privacy: sensitivity: expected a finite value > 0 (got 0)"},
      {{1}, 1, 0, kKeyA, "privacy: epsilon: expected a finite value > 0 (got 0)"},
      {{1}, 1, -2, kKeyA, "privacy: epsilon: expected a finite value > 0 (got -2)"},
      {{1}, 1, INFINITY, kKeyA, "privacy: epsilon: expected a finite value > 0 (got inf)"},
      {{1, NAN}, 1, 1, kKeyA, "privacy: values[1]: expected a finite number (got nan)"},
      {{1}, 1, 1, "", "privacy: release key: expected 32 bytes (got 0)"},
      {{1}, 1, 1, std::string(31, 'k'), "privacy: release key: expected 32 bytes (got 31)"},
  };
  for (const auto& c : cases) {
    auto r = AddLaplaceNoise(c.values, c.sensitivity, c.epsilon, c.key, "q");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

// k = 3 on counts 0, 2, 3, 5, 7 without noise: 0 and 2 are below 3 and withheld (-1), the rest
// are published as they are; without noise no key is needed.
TEST(PrivacyTest, PublishCountsWithholdsBelowKWithoutNoise) {
  auto r = PublishCounts({0, 2, 3, 5, 7}, 3, 1, 0, "", "q");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<int64_t>{kWithheldCount, kWithheldCount, 3, 5, 7}));
  auto none = PublishCounts({0, 2}, 0, 1, 0, "", "q");  // k = 0 withholds nothing
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (std::vector<int64_t>{0, 2}));
}

// Brute-force cross-check: each published count is max(0, round(count + the AddLaplaceNoise draw
// of its own index)), whatever k withholds elsewhere, and withheld ones stay -1.
TEST(PrivacyTest, PublishCountsNoiseIsRoundedClampedLaplaceOfTheSameIndex) {
  const std::vector<int64_t> counts = {0, 1, 4, 9, 30, 2, 0, 12};
  auto raw = AddLaplaceNoise({0, 1, 4, 9, 30, 2, 0, 12}, 2, 0.5, kKeyA, "q");
  ASSERT_TRUE(raw.ok());
  for (int64_t k : {0, 3, 10}) {
    auto r = PublishCounts(counts, k, 2, 0.5, kKeyA, "q");
    ASSERT_TRUE(r.ok());
    for (size_t i = 0; i < counts.size(); ++i) {
      const int64_t want = counts[i] < k
                               ? kWithheldCount
                               : static_cast<int64_t>(std::max(0.0, std::round((*raw)[i])));
      EXPECT_EQ((*r)[i], want) << "k " << k << " index " << i;
    }
  }
  auto again = PublishCounts(counts, 3, 2, 0.5, kKeyA, "q");
  auto other = PublishCounts(counts, 3, 2, 0.5, kKeyB, "q");
  ASSERT_TRUE(again.ok() && other.ok());
  EXPECT_EQ(*again, *PublishCounts(counts, 3, 2, 0.5, kKeyA, "q"));
  EXPECT_NE(*again, *other);
}

TEST(PrivacyTest, PublishCountsInvalidInputs) {
  struct Case {
    std::vector<int64_t> counts;
    int64_t k;
    double sensitivity, epsilon;
    std::string key;
    std::string message;
  } cases[] = {
      {{1}, -1, 1, 0, kKeyA, "privacy: min_incidents: expected a value >= 0 (got -1)"},
      {{1, -3}, 1, 1, 0, kKeyA, "privacy: counts[1]: expected a count >= 0 (got -3)"},
      {{1}, 1, 1, -1, kKeyA, "privacy: epsilon: expected a finite value >= 0 (got -1)"},
      {{1}, 1, 1, NAN, kKeyA, "privacy: epsilon: expected a finite value >= 0 (got nan)"},
      {{1}, 1, 0, 1, kKeyA, "privacy: sensitivity: expected a finite value > 0 (got 0)"},
      {{1}, 1, 1, 1, "short", "privacy: release key: expected 32 bytes (got 5)"},
  };
  for (const auto& c : cases) {
    auto r = PublishCounts(c.counts, c.k, c.sensitivity, c.epsilon, c.key, "q");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

std::string IncidentId(int i) {
  char id[32];
  std::snprintf(id, sizeof(id), "INC-%06d", i);
  return id;
}

// 20 000 incident ids masked under one key: every displacement lies in [min, max]; the radius is
// area-uniform (r² − min² uniform on [0, max² − min²]) and the angle uniform on [0, 2π), both by KS
// at the 1 % level; a radius uniform in r (not area) or a coarse angle would fail.
TEST(PrivacyTest, KeyedDonutRadiusAreaUniformAndAngleUniform) {
  const double min_m = 50, max_m = 250, x0 = 500000, y0 = 4400000;
  const int n = 20000;
  std::vector<double> radius, angle;
  for (int i = 0; i < n; ++i) {
    auto p = DonutGeomask(x0, y0, min_m, max_m, kKeyA, IncidentId(i));
    ASSERT_TRUE(p.ok());
    const double d = std::hypot(p->x_m - x0, p->y_m - y0);
    ASSERT_GE(d, min_m - 1e-6) << i;
    ASSERT_LE(d, max_m + 1e-6) << i;
    EXPECT_NEAR(d, p->displacement_m, 1e-6);
    radius.push_back(p->displacement_m);
    double a = std::atan2(p->y_m - y0, p->x_m - x0);
    angle.push_back(a < 0 ? a + 2 * M_PI : a);
  }
  auto area_cdf = [&](double r) {
    return (r * r - min_m * min_m) / (max_m * max_m - min_m * min_m);
  };
  EXPECT_LT(KsDistance(radius, area_cdf), KsCritical(n));
  EXPECT_LT(KsDistance(angle, [](double a) { return a / (2 * M_PI); }), KsCritical(n));
  // And a radius uniform in r, the classic mistake, is far from area-uniform at this n.
  EXPECT_GT(KsDistance(radius, [&](double r) { return (r - min_m) / (max_m - min_m); }),
            5 * KsCritical(n));
}

// Attack (a): the attacker holds the code and the released points but not the key. Regenerating
// the displacements under any other key (here a second key and an all-zero key) and subtracting
// them recovers nothing: next to no point comes back within 1 m (the seeded export gave every one
// back within 6 cm), and the typical error is larger than that of the released point itself (the
// difference of two independent donut vectors). Attack (c): with the key, the same subtraction
// recovers every point, so the test fails if keying is broken in either direction.
TEST(PrivacyTest, RegenerateAndSubtractFailsWithoutTheKey) {
  const double min_m = 50, max_m = 250;
  const int n = 2000;
  const std::string zero_key(32, '\0');
  int recovered_with_key = 0;
  for (const std::string* wrong : {&kKeyB, &zero_key}) {
    std::vector<double> err;
    int within_1m = 0;
    for (int i = 0; i < n; ++i) {
      const double x = 480000 + 13.0 * i, y = 4420000 - 7.0 * i;  // the true incidents
      const std::string id = IncidentId(i);
      auto released = DonutGeomask(x, y, min_m, max_m, kKeyA, id);
      auto guess = DonutGeomask(0, 0, min_m, max_m, *wrong, id);  // regenerated vector
      auto with_key = DonutGeomask(0, 0, min_m, max_m, kKeyA, id);
      ASSERT_TRUE(released.ok() && guess.ok() && with_key.ok());
      const double e = std::hypot(released->x_m - guess->x_m - x, released->y_m - guess->y_m - y);
      err.push_back(e);
      within_1m += e < 1 ? 1 : 0;
      const double ek =
          std::hypot(released->x_m - with_key->x_m - x, released->y_m - with_key->y_m - y);
      recovered_with_key += ek < 1e-6 ? 1 : 0;
    }
    EXPECT_LE(within_1m, 2);  // P(|d − d'| < 1 m) ≈ 1.5e-5 for independent vectors: 0.03 expected
    std::nth_element(err.begin(), err.begin() + n / 2, err.end());
    // Median |d − d'| of two independent donut vectors is 231 m (simulated); the released point's
    // own error (no subtraction at all) has median √((50² + 250²)/2) = 180 m.
    EXPECT_GT(err[n / 2], 200.0);
  }
  EXPECT_EQ(recovered_with_key, 2 * n);
}

// Attack (b) on geomasks: the same incident in two exports (other date windows, other offence
// selections, other row order) moves by the same vector, so averaging the exports leaves the
// displacement as it was; a different id moves independently.
TEST(PrivacyTest, SameIncidentMovesTheSameWayInEveryRelease) {
  auto a = DonutGeomask(480100, 4420200, 50, 250, kKeyA, "INC-000042");
  auto b = DonutGeomask(480100, 4420200, 50, 250, kKeyA, "INC-000042");
  auto other_id = DonutGeomask(480100, 4420200, 50, 250, kKeyA, "INC-000043");
  auto other_key = DonutGeomask(480100, 4420200, 50, 250, kKeyB, "INC-000042");
  auto other_radii = DonutGeomask(480100, 4420200, 60, 250, kKeyA, "INC-000042");
  ASSERT_TRUE(a.ok() && b.ok() && other_id.ok() && other_key.ok() && other_radii.ok());
  EXPECT_EQ(a->x_m, b->x_m);
  EXPECT_EQ(a->y_m, b->y_m);
  const double mean_x = (a->x_m + b->x_m) / 2, mean_y = (a->y_m + b->y_m) / 2;
  EXPECT_NEAR(std::hypot(mean_x - 480100, mean_y - 4420200), a->displacement_m, 1e-6);
  for (const auto* p : {&*other_id, &*other_key, &*other_radii}) {
    EXPECT_GT(std::hypot(p->x_m - a->x_m, p->y_m - a->y_m), 1e-3);
  }
}

TEST(PrivacyTest, KeyedDonutInvalidInputs) {
  struct Case {
    double x, y, min_m, max_m;
    std::string key;
    std::string message;
  } cases[] = {
      {NAN, 0, 50, 250, kKeyA, "geomask: point: expected finite coordinates (got nan, 0)"},
      {0, 0, -1, 250, kKeyA, "geomask: min_m: expected a finite distance >= 0 m (got -1)"},
      {0, 0, 300, 250, kKeyA,
       "geomask: max_m: expected a finite distance > 0 m and >= min_m 300 (got 250)"},
      {0, 0, 0, 0, kKeyA,
       "geomask: max_m: expected a finite distance > 0 m and >= min_m 0 (got 0)"},
      {0, 0, 50, 250, "", "privacy: release key: expected 32 bytes (got 0)"},
  };
  for (const auto& c : cases) {
    auto r = DonutGeomask(c.x, c.y, c.min_m, c.max_m, c.key, "INC-1");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

}  // namespace
}  // namespace placecast::privacy
