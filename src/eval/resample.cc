// SPDX-License-Identifier: Apache-2.0
// Seeded bootstrap and sign-flip permutation test (see resample.h). Sums run in item order, so the
// same inputs give the same bits.
#include "eval/resample.h"

#include <algorithm>
#include <cmath>

#include "placecast/common/random.h"
#include "placecast/status.h"

namespace placecast::eval::internal {
namespace {

// SplitMix64 (common/random.h) decorrelates the permutation engine's seed from the bootstrap
// engine's.

double Mean(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v;
  return x.empty() ? 0 : s / static_cast<double>(x.size());
}

}  // namespace

uint64_t UniformIndex(std::mt19937_64& rng, uint64_t n) {
  PLACECAST_DCHECK(n > 0);
  // Accept draws below the largest multiple of n that fits in 2^64.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
  uint64_t x;
  do {
    x = rng();
  } while (x > limit);
  return x % n;
}

double Quantile(std::span<const double> sorted, double q) {
  PLACECAST_DCHECK(!sorted.empty());
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto i = static_cast<size_t>(std::floor(h));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

Bootstrap::Bootstrap(int64_t n, int reps, uint64_t seed) : n_(n), reps_(reps) {
  std::mt19937_64 rng(seed);
  index_.resize(static_cast<size_t>(n) * static_cast<size_t>(std::max(reps, 0)));
  for (auto& v : index_) v = static_cast<uint32_t>(UniformIndex(rng, static_cast<uint64_t>(n)));
}

void Bootstrap::MeanInterval(std::span<const double> x, double* mean, double* lo,
                             double* hi) const {
  PLACECAST_DCHECK(static_cast<int64_t>(x.size()) == n_);
  *mean = Mean(x);
  if (reps_ <= 0 || n_ == 0) {
    *lo = *hi = *mean;
    return;
  }
  std::vector<double> means(static_cast<size_t>(reps_));
  const auto n = static_cast<size_t>(n_);
  for (size_t r = 0; r < means.size(); ++r) {
    const uint32_t* idx = &index_[r * n];
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += x[idx[i]];
    means[r] = s / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  *lo = Quantile(means, 0.025);
  *hi = Quantile(means, 0.975);
}

SignFlip::SignFlip(int64_t n, int reps, uint64_t seed) : n_(n), reps_(reps), words_((n + 63) / 64) {
  std::mt19937_64 rng(SplitMix64(seed));
  bits_.resize(static_cast<size_t>(words_) * static_cast<size_t>(std::max(reps, 0)));
  for (auto& w : bits_) w = rng();
}

double SignFlip::PValue(std::span<const double> d) const {
  PLACECAST_DCHECK(reps_ > 0 && static_cast<int64_t>(d.size()) == n_);
  const double observed = std::fabs(Mean(d));
  const double threshold = observed - 1e-12 * std::max(observed, 1e-300);
  int64_t extreme = 0;
  const auto n = static_cast<size_t>(n_);
  for (int r = 0; r < reps_; ++r) {
    const uint64_t* w = &bits_[static_cast<size_t>(r) * static_cast<size_t>(words_)];
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
      const bool flip = (w[i / 64] >> (i % 64)) & 1;
      s += flip ? -d[i] : d[i];
    }
    if (std::fabs(s / static_cast<double>(n)) >= threshold) ++extreme;
  }
  return static_cast<double>(1 + extreme) / static_cast<double>(reps_ + 1);
}

}  // namespace placecast::eval::internal
