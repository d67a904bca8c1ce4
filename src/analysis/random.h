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

namespace placecast::analysis::internal {

// The seed of stream `index` under master seed `seed` (SplitMix64 finaliser of both).
inline uint64_t DeriveSeed(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + (index + 1) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

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
