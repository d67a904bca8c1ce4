// SPDX-License-Identifier: Apache-2.0
// Tests of the seeded bootstrap and sign-flip permutation test behind the backtest summary.
#include "eval/resample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace placecast::eval::internal {
namespace {

TEST(ResampleTest, UniformIndexStaysInRangeAndCoversIt) {
  std::mt19937_64 rng(3);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = UniformIndex(rng, 7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int s : seen) EXPECT_NEAR(s, 1000, 150);
  EXPECT_EQ(UniformIndex(rng, 1), 0u);
}

TEST(ResampleTest, UniformIndexIsFixedBySeed) {
  // The mapping is ours, not the standard library's distribution: the first draws are a known
  // function of the engine output.
  std::mt19937_64 a(1), b(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(UniformIndex(a, 10), b() % 10);
}

TEST(ResampleTest, QuantileInterpolatesType7) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(Quantile(x, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile(x, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile(x, 1), 4);
  EXPECT_DOUBLE_EQ(Quantile(x, 0.025), 1.075);
  EXPECT_DOUBLE_EQ(Quantile(std::vector<double>{5}, 0.975), 5);
}

TEST(ResampleTest, BootstrapOfConstantIsDegenerate) {
  Bootstrap b(10, 200, 1);
  const std::vector<double> x(10, 0.25);
  double mean, lo, hi;
  b.MeanInterval(x, &mean, &lo, &hi);
  EXPECT_DOUBLE_EQ(mean, 0.25);
  EXPECT_DOUBLE_EQ(lo, 0.25);
  EXPECT_DOUBLE_EQ(hi, 0.25);
}

TEST(ResampleTest, BootstrapIntervalBracketsMeanAndDependsOnSeed) {
  std::vector<double> x;
  for (int i = 0; i < 40; ++i) x.push_back(i % 5);
  double m1, lo1, hi1, m2, lo2, hi2, m3, lo3, hi3;
  Bootstrap(40, 1000, 1).MeanInterval(x, &m1, &lo1, &hi1);
  Bootstrap(40, 1000, 1).MeanInterval(x, &m2, &lo2, &hi2);
  Bootstrap(40, 1000, 2).MeanInterval(x, &m3, &lo3, &hi3);
  EXPECT_DOUBLE_EQ(m1, 2);
  EXPECT_LT(lo1, 2);
  EXPECT_GT(hi1, 2);
  // Standard error of the mean is sqrt(2 / 40) ≈ 0.22: the interval is about ±0.44.
  EXPECT_NEAR(hi1 - lo1, 0.88, 0.15);
  EXPECT_EQ(lo1, lo2);
  EXPECT_EQ(hi1, hi2);
  EXPECT_TRUE(lo1 != lo3 || hi1 != hi3);
}

TEST(ResampleTest, NoRepsGivesPointInterval) {
  double mean, lo, hi;
  Bootstrap(3, 0, 1).MeanInterval(std::vector<double>{1, 2, 6}, &mean, &lo, &hi);
  EXPECT_DOUBLE_EQ(mean, 3);
  EXPECT_DOUBLE_EQ(lo, 3);
  EXPECT_DOUBLE_EQ(hi, 3);
}

TEST(ResampleTest, SignFlipPValues) {
  // No difference at all: every permutation is as extreme, p = 1.
  EXPECT_DOUBLE_EQ(SignFlip(20, 99, 1).PValue(std::vector<double>(20, 0.0)), 1);
  // All 20 differences positive: only the all-same-sign vectors (2 of 2^20) are as extreme.
  const double p = SignFlip(20, 999, 1).PValue(std::vector<double>(20, 0.1));
  EXPECT_GE(p, 1.0 / 1000);
  EXPECT_LE(p, 3.0 / 1000);
  // Symmetric differences: no evidence.
  std::vector<double> d;
  for (int i = 0; i < 20; ++i) d.push_back(i % 2 ? 0.1 : -0.1);
  EXPECT_GT(SignFlip(20, 999, 1).PValue(d), 0.5);
  // Same seed, same p; more than 64 items use several words of signs.
  std::vector<double> e;
  for (int i = 0; i < 130; ++i) e.push_back(std::sin(i) + 0.1);
  EXPECT_EQ(SignFlip(130, 500, 9).PValue(e), SignFlip(130, 500, 9).PValue(e));
}

}  // namespace
}  // namespace placecast::eval::internal
