// SPDX-License-Identifier: Apache-2.0
// Internal to the models subsystem: the pieces of the `sepp` fit, exposed so tests can check them
// against brute-force computations — the binned triggering kernel, the background raster, the
// bounded pair search with its spatial index, and the E-step. Values are immutable once built
// and safe to read from several threads; the functions are pure apart from their output arguments.
#pragma once

#include <cstdint>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/models/sepp.h"
#include "placecast/status.h"

namespace placecast::models::sepp_internal {

// Bins of the triggering kernel: (0, max_days] in kTimeBins bins, [−max_m, max_m]² in
// kSpaceBins × kSpaceBins bins.
inline constexpr int32_t kTimeBins = 1000;
inline constexpr int32_t kSpaceBins = 200;

// g(Δt, Δx, Δy) = θ h(Δt) f(Δx, Δy), each factor constant on its bins.
struct TriggerKernel {
  double theta = 0;
  double max_days = 60, max_m = 500;
  std::vector<double> h;      // per day, kTimeBins values, integrates to 1
  std::vector<double> f;      // per m², kSpaceBins² values (row = y bin), integrates to 1
  std::vector<double> h_cum;  // kTimeBins + 1 cumulative masses
  std::vector<double> f_cum;  // (kSpaceBins + 1)² cumulative masses (summed-area table)

  double TimeBinDays() const { return max_days / kTimeBins; }
  double SpaceBinM() const { return 2 * max_m / kSpaceBins; }
  // REQUIRES: 0 < dt_days <= max_days.
  int32_t TimeBin(double dt_days) const;
  // REQUIRES: |dx|, |dy| <= max_m. Returns iy * kSpaceBins + ix.
  int32_t SpaceBin(double dx_m, double dy_m) const;
  // Fills h_cum and f_cum from h and f.
  void BuildCumulative();
  // ∫_0^a h, for any a (0 below 0, 1 above max_days); exact for the binned h.
  double TimeMass(double a_days) const;
  // ∫∫ f over the offsets [x0, x1] × [y0, y1] (clipped to the support); exact for the binned f.
  double SpaceMass(double x0, double y0, double x1, double y1) const;
  // ∫∫ f over the square of cell (col, row) of `g` seen from an event at (x_m, y_m).
  double CellMass(const grid::Grid& g, int32_t col, int32_t row, double x_m, double y_m) const;
};

// The columns [c0, c1] and rows [r0, r1] of `g` an event at (x_m, y_m) can trigger in: those
// meeting its window of ±max_m, clipped to the grid (empty when c0 > c1 or r0 > r1).
// SeppModel::Predict() and the explanation of a sepp cell visit exactly these cells.
struct CellBox {
  int32_t c0 = 0, c1 = -1, r0 = 0, r1 = -1;
  bool Contains(int32_t col, int32_t row) const {
    return col >= c0 && col <= c1 && row >= r0 && row <= r1;
  }
};
CellBox TriggerReach(const grid::Grid& g, double x_m, double y_m, double max_m);

// The triggering kernel g = θ h f of a fit (densities copied, cumulative tables built), as
// Predict() uses it after Fit() or LoadFitted().
TriggerKernel KernelOfFit(const SeppFit& fit);

// The indexes in `events` (sorted by time) of the events that can still trigger at origin_s: those
// of the training window [window_start_s, origin_s) in an active cell of `g` and younger than
// max_days. Fit(), Update() and the explanation of a sepp cell all select them this way.
std::vector<size_t> TriggeringEvents(const EventSet& events, const grid::Grid& g,
                                     int64_t window_start_s, int64_t origin_s, double max_days);

// The background: a Gaussian kernel of standard deviation sd_m, truncated at 4 sd per axis
// (separable, so a square support), applied to weights deposited on a raster of square bins that
// tile the grid's cells (k × k bins per cell, k = ceil(cell / sd)).
struct BackgroundRaster {
  double x0_m = 0, y0_m = 0, bin_m = 1;
  int32_t nx = 0, ny = 0, per_cell = 1;
  std::vector<double> kernel;  // 1-D weights for offsets −R..R, summing to 1

  // kInvalidInput when the raster would exceed kMaxRasterBins.
  static Result<BackgroundRaster> Create(const grid::Grid& grid, double sd_m);
  int32_t Radius() const { return static_cast<int32_t>(kernel.size() / 2); }
  // The raster bin of a point inside the grid's extent.
  int64_t BinOf(double x_m, double y_m) const;
  // mass = deposit convolved with the kernel (rows then columns); mass lost past the raster's
  // edges is dropped.
  void Smooth(const std::vector<double>& deposit, std::vector<double>* mass) const;
  // The weight an event's own deposit adds to its own bin.
  double SelfWeight() const { return kernel[kernel.size() / 2] * kernel[kernel.size() / 2]; }
};

inline constexpr int64_t kMaxRasterBins = int64_t{1} << 26;

// The training events of one fit and their candidate parents: for each event i, the earlier
// events j with 0 < t_i − t_j <= max_days, |x_i − x_j| <= max_m and |y_i − y_j| <= max_m, each
// stored as its time and space bin of g. Pairs of event i are in [pair_start[i], pair_start[i+1]),
// ordered by index bucket then time (a fixed order).
struct Training {
  std::vector<int64_t> t_s;
  std::vector<double> t_days;  // since the window start
  std::vector<double> x_m, y_m;
  std::vector<int64_t> raster_bin;
  std::vector<uint64_t> pair_start;
  std::vector<uint16_t> pair_tbin;
  std::vector<uint16_t> pair_sbin;
};

// Finds every candidate pair with a spatial index of buckets of max_m and binary search in time
// within each bucket. `blocks` (size kBlocks + 1) receives fixed event blocks of about equal
// pair counts. Uses `threads` threads; the result is the same for any count.
void BuildPairs(Training* tr, const TriggerKernel& geometry, int threads,
                std::vector<size_t>* blocks);

inline constexpr int kBlocks = 16;

// Runs fn(block) for every block on `threads` threads.
template <typename Fn>
void ForBlocks(int threads, int num_blocks, Fn&& fn);

// The E-step: for each event, λ_i = μ_i + Σ_pairs g and p_bg,i = μ_i / λ_i (1 when λ_i = 0).
// `mu` is the background density at each event, per day per m².
void EStep(const Training& tr, const TriggerKernel& g, const std::vector<double>& mu,
           const std::vector<size_t>& blocks, int threads, std::vector<double>* lambda,
           std::vector<double>* p_bg);

// The background density at each event, per day per m², leaving the event's own deposit out:
// (mass at its bin − w_i × SelfWeight()) / (bin area × length_days), floored at 0.
void BackgroundAtEvents(const Training& tr, const BackgroundRaster& r,
                        const std::vector<double>& weights, double length_days,
                        std::vector<double>* mu);

}  // namespace placecast::models::sepp_internal

#include <algorithm>
#include <thread>

namespace placecast::models::sepp_internal {

template <typename Fn>
void ForBlocks(int threads, int num_blocks, Fn&& fn) {
  threads = std::max(1, std::min(threads, num_blocks));
  if (threads == 1) {
    for (int b = 0; b < num_blocks; ++b) fn(b);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int b = t; b < num_blocks; b += threads) fn(b);
    });
  }
  for (int b = 0; b < num_blocks; b += threads) fn(b);
  for (auto& th : pool) th.join();
}

}  // namespace placecast::models::sepp_internal
