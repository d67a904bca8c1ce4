// SPDX-License-Identifier: Apache-2.0
// Internal: the seeded resampling behind the backtest summary — percentile bootstrap intervals of
// a mean (resampling origins) and a paired sign-flip permutation test. Both use std::mt19937_64
// (whose output sequence the C++ standard fixes) with their own mappings to integers and signs, so
// results are the same with every standard library. Resamplers are immutable after construction
// and safe to share between threads.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace placecast::eval::internal {

// Uniform integer in [0, n) by rejection (no modulo bias). REQUIRES: n > 0.
uint64_t UniformIndex(std::mt19937_64& rng, uint64_t n);

// Quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan type 7,
// R's default). REQUIRES: !sorted.empty(), 0 <= q <= 1.
double Quantile(std::span<const double> sorted, double q);

// The same `reps` resamples (with replacement) of n items for every series, so intervals of
// different series (models, metrics, differences) come from the same resampled origins.
class Bootstrap {
 public:
  // Engine seeded with `seed`; resample r draws n indices in order with UniformIndex.
  Bootstrap(int64_t n, int reps, uint64_t seed);
  // Mean of `x` (length n) and the 2.5 / 97.5 percentiles of its resampled means. With reps == 0
  // the interval is [mean, mean].
  void MeanInterval(std::span<const double> x, double* mean, double* lo, double* hi) const;

 private:
  int64_t n_;
  int reps_;
  std::vector<uint32_t> index_;  // reps × n
};

// Two-sided paired sign-flip permutation test of mean(d) == 0: p = (1 + #{|mean(s·d)| >=
// |mean(d)|}) / (reps + 1) over `reps` random sign vectors s (one engine bit per item, engine
// seeded with SplitMix64(seed)), with a relative tolerance of 1e-12 on the comparison.
class SignFlip {
 public:
  SignFlip(int64_t n, int reps, uint64_t seed);
  // REQUIRES: reps > 0 and d.size() == n.
  double PValue(std::span<const double> d) const;

 private:
  int64_t n_;
  int reps_;
  int64_t words_;
  std::vector<uint64_t> bits_;  // reps × words_
};

}  // namespace placecast::eval::internal
