// SPDX-License-Identifier: Apache-2.0
// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
// 2014), the one definition every deterministic draw in placecast uses: the mixing function, the
// generator, and a seed deriver for independent streams. Fixed arithmetic, so the same seed gives
// the same bits on every platform (std:: distributions are implementation-defined). For simulation
// and resampling only: release noise and geomasks are keyed by the store's secret
// (privacy/privacy.h). Pure functions and a value type: thread-safe (one generator per thread).
#pragma once

#include <cstddef>
#include <cstdint>

namespace placecast {

inline constexpr uint64_t kSplitMix64Gamma = 0x9E3779B97F4A7C15ULL;

// SplitMix64's output function (a bijection of 64-bit words).
inline uint64_t SplitMix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// One SplitMix64 step from state `x`: Mix(x + gamma). Used as a hash of a 64-bit word.
inline uint64_t SplitMix64(uint64_t x) { return SplitMix64Mix(x + kSplitMix64Gamma); }

// The seed of stream `index` under master seed `seed`.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t index) {
  return SplitMix64Mix(seed * kSplitMix64Gamma + (index + 1) * 0xBF58476D1CE4E5B9ULL);
}

// The SplitMix64 generator.
struct SplitMix64Generator {
  uint64_t state;
  uint64_t Next() { return SplitMix64Mix(state += kSplitMix64Gamma); }
  // Uniform in [0, n) by Lemire's multiply-shift (bias < n / 2^64).
  size_t Below(size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
};

}  // namespace placecast
