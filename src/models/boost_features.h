// SPDX-License-Identifier: Apache-2.0
// Internal to the models subsystem: the causal feature table of the `boost` model. For a time
// `at_s`, each active cell gets one row of named features computed only from the events with
// window_start_s <= t < at_s: counts at several look-backs and spatial scales (box sums over the
// cell and its 3x3 and 7x7 neighbourhoods, from summed-area tables), days since the last event in
// the cell and in its 3x3 neighbourhood, and the calendar of the day that starts at `at_s`. Later
// feature families (leading-indicator groups, classic model scores, environment layers) append
// columns to the same table under their own names. Not thread-safe (one instance per model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"

namespace placecast::models {

class BoostFeatures {
 public:
  // Look-backs in days for the count features: 1, 7, 28, 91 and 365 days, those not longer than
  // `window_days`, plus `window_days` itself when it is not one of them. REQUIRES: window_days
  // >= 1.
  explicit BoostFeatures(int64_t window_days);

  // The feature names, in column order ("count_7d_3x3", "days_since_cell", "day_of_week", …).
  const std::vector<std::string>& names() const { return names_; }
  size_t num_features() const { return names_.size(); }

  // Appends grid.num_cells() rows of num_features() values (row-major, one row per active cell in
  // CellId order) to `out`, from the events of `events` with window_start_s <= t < at_s that fall
  // in an active cell. Look-backs reaching before window_start_s are cut there; days since the last
  // event are capped at (at_s - window_start_s) / 86400 when there is none. `events` must be sorted
  // by time. Calendar features are those of the UTC day starting at at_s (day of week 0 = Monday,
  // month 1..12).
  void Append(const EventSet& events, const grid::Grid& grid, int64_t window_start_s, int64_t at_s,
              std::vector<float>* out);

 private:
  std::vector<int64_t> lookback_days_;
  std::vector<std::string> names_;
  // Scratch, reused between calls: counts per grid position (nx*ny) and its summed-area table.
  std::vector<double> counts_, sat_, last_t_, last_3x3_, row_max_;
};

}  // namespace placecast::models
