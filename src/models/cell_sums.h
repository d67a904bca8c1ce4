// SPDX-License-Identifier: Apache-2.0
// Internal to the models subsystem: per-cell sums of event contributions in int64 fixed point over
// a training window that may slide forward between fits, plus the checks and warnings every model
// shares. Fixed point makes the sums exact, so removing the events that left the window and adding
// those that entered gives the same bits as summing the window afresh, whatever the order.
// Not thread-safe: one SlidingCellSums per model instance.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::models {

// A contribution w in [0, 1] is stored as llround(w × 2^32) (ties away from zero). 2^32 keeps about
// 9.6 significant digits of each weight (step 2.3e-10) and leaves room for 2^31 full-weight
// events in one cell before an int64 overflows. Dividing by a power of two is exact, so a sum below
// 2^53 converts to double without rounding.
inline constexpr double kFixedPointScale = 4294967296.0;  // 2^32
inline constexpr int64_t kFixedPointOne = int64_t{1} << 32;

inline int64_t ToFixedPoint(double w) { return std::llround(w * kFixedPointScale); }
inline double FromFixedPoint(int64_t v) { return static_cast<double>(v) / kFixedPointScale; }

// origin_s - days × 86400, saturating at the smallest int64 instead of overflowing.
int64_t WindowStart(int64_t origin_s, int64_t days);

// Checks every Fit() makes: a grid with active cells (kInvalidInput otherwise) and event columns of
// equal length (kInvalidInput). `model` names the model in the message.
Status CheckFitInputs(std::string_view model, const EventSet& events, const grid::Grid& grid);

// "%g"-style text of a number for messages ("150", "0.5").
std::string FormatValue(double v);

// Plain-language warnings shared by the windowed models:
//  - fewer than 30 events were used (in the window and in an active cell);
//  - the window starts at least max(1, window_days / 20) whole days before the first event of
//    `events` (the window is longer than the history);
//  - more than 10% of the window's events fell outside the grid's active cells.
std::vector<std::string> WindowWarnings(const EventSet& events, int64_t origin_s,
                                        int64_t window_days, std::string_view window_name,
                                        int64_t events_used, int64_t events_in_window);

// "bandwidth 100 m is smaller than a 150 m cell: …" when bandwidth_m < cell_size_m, else "".
std::string BandwidthWarning(double bandwidth_m, double cell_size_m);

// What identifies the inputs of a fit: a later fit may slide only when this is unchanged. Events
// are compared by address, column address and size, the grid by address and geometry.
// REQUIRES (of callers of Model::Fit): an EventSet is not modified in place between fits.
struct FitKey {
  const EventSet* events = nullptr;
  const int64_t* t_data = nullptr;
  size_t num_events = 0;
  const grid::Grid* grid = nullptr;
  int32_t num_cells = 0, nx = 0, ny = 0;
  double x0_m = 0, y0_m = 0, cell_size_m = 0;

  static FitKey Of(const EventSet& events, const grid::Grid& grid);
  bool operator==(const FitKey&) const = default;
};

// Per-cell fixed-point sums over the events with t0 <= t < t1.
class SlidingCellSums {
 public:
  // Moves the window to [t0_s, t1_s). `deposit(i, sign)` must add (sign = +1) or remove (sign = -1)
  // event i's contribution to sums() and return true when the event was used (it lies in an active
  // cell), false when it was skipped. When `key` equals the previous key and neither end moved
  // back, only the events that left and entered the window are visited; otherwise the sums restart
  // from zero. Returns whether it slid. kInvalidInput when a full refit finds `events` unsorted.
  template <typename Deposit>
  Result<bool> Update(const FitKey& key, const EventSet& events, int64_t t0_s, int64_t t1_s,
                      Deposit&& deposit);

  // Forgets the window, so the next Update() refits from zero.
  void Reset() { valid_ = false; }

  std::vector<int64_t>& sums() { return sums_; }
  const std::vector<int64_t>& sums() const { return sums_; }
  // Events of the window that were used (in an active cell), and all events of the window.
  int64_t events_used() const { return used_; }
  int64_t events_in_window() const { return static_cast<int64_t>(hi_ - lo_); }

 private:
  bool valid_ = false;
  FitKey key_;
  FitKey sorted_key_;  // the inputs last found sorted
  int64_t t0_s_ = 0, t1_s_ = 0;
  size_t lo_ = 0, hi_ = 0;
  int64_t used_ = 0;
  std::vector<int64_t> sums_;
};

// kInvalidInput unless events.t_s is ascending.
Status CheckSorted(const EventSet& events);

template <typename Deposit>
Result<bool> SlidingCellSums::Update(const FitKey& key, const EventSet& events, int64_t t0_s,
                                     int64_t t1_s, Deposit&& deposit) {
  const auto [lo, hi] = events.TimeRange(t0_s, t1_s);
  const bool slide = valid_ && key == key_ && t0_s >= t0_s_ && t1_s >= t1_s_ && lo < hi_;
  if (slide) {
    // Old window [lo_, hi_), new window [lo, hi) with lo_ <= lo < hi_ <= hi.
    for (size_t i = lo_; i < lo; ++i) used_ -= deposit(i, int64_t{-1}) ? 1 : 0;
    for (size_t i = hi_; i < hi; ++i) used_ += deposit(i, int64_t{1}) ? 1 : 0;
  } else {
    valid_ = false;
    if (!(sorted_key_ == key)) {  // an O(n) scan, once per EventSet
      PLACECAST_RETURN_IF_ERROR(CheckSorted(events));
      sorted_key_ = key;
    }
    sums_.assign(static_cast<size_t>(key.num_cells), 0);
    used_ = 0;
    for (size_t i = lo; i < hi; ++i) used_ += deposit(i, int64_t{1}) ? 1 : 0;
  }
  valid_ = true;
  key_ = key;
  t0_s_ = t0_s;
  t1_s_ = t1_s;
  lo_ = lo;
  hi_ = hi;
  return slide;
}

}  // namespace placecast::models
