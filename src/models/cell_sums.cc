// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the models: window arithmetic, input checks, warnings. Pure functions;
// thread-safe.
#include "models/cell_sums.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace placecast::models {

int64_t WindowStart(int64_t origin_s, int64_t days) {
  int64_t span_s = 0;
  int64_t start = 0;
  if (__builtin_mul_overflow(days, kSecondsPerDay, &span_s) ||
      __builtin_sub_overflow(origin_s, span_s, &start)) {
    return std::numeric_limits<int64_t>::min();
  }
  return start;
}

Status CheckFitInputs(std::string_view model, const EventSet& events, const grid::Grid& grid) {
  if (grid.num_cells() <= 0) {
    return Status::InvalidInput(std::string(model) + ": the grid has no active cell");
  }
  if (events.x_m.size() != events.t_s.size() || events.y_m.size() != events.t_s.size()) {
    return Status::InvalidInput(std::string(model) + ": event columns differ in length (t_s " +
                                std::to_string(events.t_s.size()) + ", x_m " +
                                std::to_string(events.x_m.size()) + ", y_m " +
                                std::to_string(events.y_m.size()) + ")");
  }
  return Status::Ok();
}

Status CheckSorted(const EventSet& events) {
  auto it = std::is_sorted_until(events.t_s.begin(), events.t_s.end());
  if (it != events.t_s.end()) {
    return Status::InvalidInput("events are not sorted by time (event " +
                                std::to_string(it - events.t_s.begin()) +
                                " is earlier than the one before it); call EventSet::SortByTime()");
  }
  return Status::Ok();
}

std::string FormatValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

std::vector<std::string> WindowWarnings(const EventSet& events, int64_t origin_s,
                                        int64_t window_days, std::string_view window_name,
                                        int64_t events_used, int64_t events_in_window) {
  std::vector<std::string> out;
  const std::string window = "the " + std::to_string(window_days) + "-day training window (" +
                             std::string(window_name) + ")";
  if (events_used < 30) {
    out.push_back("only " + std::to_string(events_used) + " event(s) in " + window +
                  ": with fewer than 30 the forecast is mostly noise");
  }
  const int64_t start = WindowStart(origin_s, window_days);
  const int64_t missing_days =
      events.empty() || events.t_s.front() <= start || events.t_s.front() >= origin_s
          ? 0
          : (events.t_s.front() - start) / kSecondsPerDay;
  if (missing_days >= std::max<int64_t>(1, window_days / 20)) {
    out.push_back(window + " starts on " + FormatDate(start) + " but the events start on " +
                  FormatDate(events.t_s.front()) + ": about " + std::to_string(missing_days) +
                  " day(s) of the window have no data, so rates are underestimated");
  }
  const int64_t outside = events_in_window - events_used;
  if (outside * 10 > events_in_window) {
    out.push_back(std::to_string(outside) + " of the " + std::to_string(events_in_window) +
                  " events in " + window + " lie outside the grid's active cells and were ignored");
  }
  return out;
}

std::string BandwidthWarning(double bandwidth_m, double cell_size_m) {
  if (bandwidth_m >= cell_size_m) return {};
  return "bandwidth " + FormatValue(bandwidth_m) + " m is smaller than a " +
         FormatValue(cell_size_m) + " m cell: the surface is close to raw counts";
}

FitKey FitKey::Of(const EventSet& events, const grid::Grid& grid) {
  FitKey k;
  k.events = &events;
  k.t_data = events.t_s.data();
  k.num_events = events.size();
  k.grid = &grid;
  k.num_cells = grid.num_cells();
  k.nx = grid.nx();
  k.ny = grid.ny();
  k.x0_m = grid.x0_m();
  k.y0_m = grid.y0_m();
  k.cell_size_m = grid.cell_size_m();
  return k;
}

}  // namespace placecast::models
