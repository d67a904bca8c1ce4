// SPDX-License-Identifier: Apache-2.0
// Deterministic random numbers for the permutation tests: a SplitMix64 seed deriver and a
// Fisher-Yates shuffle over std::mt19937_64 (whose output the C++ standard fixes) with our own
// unbiased bounded draw, so the same seed gives the same permutation on every platform
// (std::shuffle and std::uniform_int_distribution are implementation-defined). Stateless
// functions; each generator belongs to one thread.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>

#include "placecast/common/random.h"

namespace placecast::analysis::internal {

// The seed of stream `index` under master seed `seed` (common/random.h).
using placecast::DeriveSeed;

// Uniform in [0, n), n >= 1, by rejection (no modulo bias).
inline uint64_t UniformBelow(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do {
    r = rng();
  } while (r >= limit);
  return r % n;
}

template <typename T>
void Shuffle(std::span<T> v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = UniformBelow(rng, i);
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace placecast::analysis::internal
