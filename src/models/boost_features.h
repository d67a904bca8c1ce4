// SPDX-License-Identifier: Apache-2.0
// Internal to the models subsystem: the causal feature table of the `boost` model. For a time
// `at_s`, each active cell gets one row of named features computed only from the events with
// window_start_s <= t < at_s:
//   - counts of the target events at several look-backs and spatial scales (box sums over the
//     cell and its 3x3 and 7x7 neighbourhoods, from summed-area tables): "count_7d_3x3";
//   - days since the last target event in the cell and in its 3x3 neighbourhood;
//   - for each leading-indicator offence group, its counts at 7, 28 and 365 days over the cell
//     and its 3x3 neighbourhood: "ind_robbery_28d_3x3";
//   - the calendar of the target window that starts at `at_s`, in the study's local days: day of
//     week (0 = Monday), month (1..12), and the number of public holidays in it ("holiday").
// Not thread-safe (one instance per model: scratch buffers are members).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/common/holidays.h"
#include "placecast/common/offence.h"
#include "placecast/grid/grid.h"
#include "placecast/models/model.h"

namespace placecast::models {

// The bandwidth of the environment layers' kernel count, in metres.
inline constexpr double kEnvBandwidthM = 400;

// The distance in metres from (x_m, y_m) to the nearest point of `feature` (its parts read as
// `kind` says): 0 inside a polygon (even-odd over the feature's rings) or on a line. Infinity for a
// feature without parts.
double EnvFeatureDistanceM(FitContext::Layer::Kind kind, const std::vector<grid::Ring>& feature,
                           double x_m, double y_m);
// A layer's two features at (x_m, y_m): the distance to its nearest feature (infinity when it has
// none) and its quartic-kernel weighted count (see above).
void EnvLayerValues(const FitContext::Layer& layer, double x_m, double y_m, double* dist_m,
                    double* kde);

class BoostFeatures {
 public:
  // Look-backs of the target counts in days: 1, 7, 28, 91 and 365 days, those not longer than
  // `window_days`, plus `window_days` itself when it is not one of them; of the indicator counts
  // 7, 28 and 365 days, those not longer than `window_days`. `indicators` are the leading-indicator
  // groups in column order; `target_days` is the length of the target window whose holidays are
  // counted. REQUIRES: window_days >= 1, target_days >= 1.
  // `layers` (not owned; they must outlive this object) add two columns each, after the calendar.
  BoostFeatures(int64_t window_days, std::vector<OffenceGroup> indicators, int64_t target_days,
                std::vector<const FitContext::Layer*> layers = {});

  // The feature names, in column order ("count_7d_3x3", "days_since_cell", "day_of_week", …).
  const std::vector<std::string>& names() const { return names_; }
  size_t num_features() const { return names_.size(); }
  const std::vector<OffenceGroup>& indicators() const { return indicators_; }
  const std::vector<const FitContext::Layer*>& layers() const { return layers_; }

  // Appends grid.num_cells() rows of num_features() values (row-major, one row per active cell in
  // CellId order) to `out`, from the events of `events` and of `indicator_events` (one per
  // indicator group, in order) with window_start_s <= t < at_s that fall in an active cell.
  // Look-backs reaching before window_start_s are cut there; days since the last event are capped
  // at (at_s - window_start_s) / 86400 when there is none. Every event set must be sorted by time.
  // The calendar features are those of the local days of `calendar` from the day of at_s, with
  // the holidays of `holidays`.
  void Append(const EventSet& events, const std::vector<const EventSet*>& indicator_events,
              const grid::Grid& grid, const Calendar& calendar, HolidayRules holidays,
              int64_t window_start_s, int64_t at_s, std::vector<float>* out);

 private:
  // Writes the box counts of `events` for each of `lookbacks` and each radius of `radii` into
  // consecutive features from `first` of the rows at `base`.
  void AppendCounts(const EventSet& events, const grid::Grid& grid,
                    const std::vector<int64_t>& lookbacks, const std::vector<int32_t>& radii,
                    int64_t window_start_s, int64_t at_s, size_t base, size_t first,
                    std::vector<float>* out);

  std::vector<int64_t> lookback_days_, indicator_lookback_days_;
  std::vector<OffenceGroup> indicators_;
  int64_t target_days_;
  std::vector<const FitContext::Layer*> layers_;
  // The layers' values per active cell (2 per layer, row-major) for the grid they were computed
  // on, recomputed when another grid comes.
  std::vector<float> env_values_;
  std::vector<double> env_key_;  // the grid's shape and first and last cell centres
  std::vector<std::string> names_;
  // Scratch, reused between calls: counts per grid position (nx*ny) and its summed-area table.
  std::vector<double> counts_, sat_, last_t_, last_3x3_, row_max_;
};

}  // namespace placecast::models
