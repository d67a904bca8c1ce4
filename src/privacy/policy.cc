// SPDX-License-Identifier: Apache-2.0
// Release policies (policy.h).
#include "placecast/privacy/policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace placecast::privacy {
namespace {

std::string Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

Result<std::vector<int64_t>> ReleaseCounts(const ReleaseSpec& spec,
                                           const std::vector<int64_t>& counts, double sensitivity,
                                           std::string_view figures) {
  if (spec.epsilon == 0) return PublishCounts(counts, spec.min_incidents, sensitivity, 0, "", "");
  return PublishCounts(counts, spec.min_incidents, sensitivity, spec.epsilon, spec.key,
                       spec.query + "\n" + std::string(figures));
}

Result<PublishedRows> ReleaseRows(const ReleaseSpec& spec, const std::vector<int64_t>& counts,
                                  double sensitivity) {
  PublishedRows out;
  out.sensitivity = sensitivity;
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published,
                             ReleaseCounts(spec, counts, sensitivity));
  for (size_t i = 0; i < published.size(); ++i) {
    if (published[i] == kWithheldCount) {
      ++out.withheld;
      continue;
    }
    out.kept.push_back(i);
    out.counts.push_back(published[i]);
  }
  return out;
}

Result<PublishedRows> ReleasePerOrigin(const ReleaseSpec& spec,
                                       const std::vector<int64_t>& events_per_origin,
                                       int64_t scored_events, double horizon_days) {
  if (!std::isfinite(horizon_days) || horizon_days <= 0) {
    return Status::InvalidInput("privacy: horizon_days: expected a finite value > 0 (got " +
                                Num(horizon_days) + ")");
  }
  if (scored_events < spec.min_incidents) {
    return Status::InvalidInput("privacy: scored_events: " + std::to_string(scored_events) +
                                " is fewer than k = " + std::to_string(spec.min_incidents) +
                                ": nothing can be published");
  }
  return ReleaseRows(spec, events_per_origin, std::max(1.0, std::ceil(horizon_days)));
}

Result<PublishedClusters> ReleaseClusters(const ReleaseSpec& spec,
                                          const std::vector<int64_t>& observed,
                                          const std::vector<double>& radius_m, double step_m) {
  if (observed.size() != radius_m.size()) {
    return Status::InvalidInput("privacy: radius_m: expected " + std::to_string(observed.size()) +
                                " radii, one per cluster (got " + std::to_string(radius_m.size()) +
                                ")");
  }
  if (!std::isfinite(step_m) || step_m <= 0) {
    return Status::InvalidInput("privacy: step_m: expected a finite distance > 0 m (got " +
                                Num(step_m) + ")");
  }
  for (size_t i = 0; i < radius_m.size(); ++i) {
    if (!std::isfinite(radius_m[i]) || radius_m[i] < 0) {
      return Status::InvalidInput("privacy: radius_m[" + std::to_string(i) +
                                  "]: expected a finite distance >= 0 m (got " + Num(radius_m[i]) +
                                  ")");
    }
  }
  PublishedClusters out;
  PLACECAST_ASSIGN_OR_RETURN(out.rows, ReleaseRows(spec, observed, 1));
  for (size_t i : out.rows.kept) {
    out.radius_m.push_back(std::max(step_m, std::ceil(radius_m[i] / step_m) * step_m));
  }
  return out;
}

Result<PublishedPrePost> ReleasePrePost(const ReleaseSpec& spec, const std::vector<PrePost>& areas,
                                        bool controls_overlap, size_t wdq_areas) {
  PublishedPrePost out;
  out.sensitivity = controls_overlap ? 2 : 1;
  std::vector<int64_t> counts;
  for (const PrePost& a : areas) {
    counts.push_back(a.pre);
    counts.push_back(a.post);
  }
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published,
                             ReleaseCounts(spec, counts, out.sensitivity));
  for (size_t i = 0; i < areas.size(); ++i) {
    out.counts.push_back({published[2 * i], published[2 * i + 1]});
    const bool withheld =
        published[2 * i] == kWithheldCount || published[2 * i + 1] == kWithheldCount;
    if (withheld) out.wdd_withheld = true;
    if (withheld && i < wdq_areas) out.wdq_withheld = true;
  }
  for (int64_t v : published) out.withheld += v == kWithheldCount ? 1 : 0;
  return out;
}

Result<PublishedKnox> ReleaseKnox(const ReleaseSpec& spec, int rows, int cols,
                                  const std::vector<int64_t>& observed,
                                  const std::vector<double>& expected,
                                  int64_t max_close_pairs_per_event) {
  if (rows < 2 || cols < 1) {
    return Status::InvalidInput("privacy: knox table: expected at least 2 rows and 1 column (got " +
                                std::to_string(rows) + " x " + std::to_string(cols) + ")");
  }
  const size_t cells = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  if (observed.size() != cells || expected.size() != cells) {
    return Status::InvalidInput("privacy: knox table: expected " + std::to_string(cells) +
                                " observed and expected counts (got " +
                                std::to_string(observed.size()) + " and " +
                                std::to_string(expected.size()) + ")");
  }
  if (max_close_pairs_per_event < 0) {
    return Status::InvalidInput("privacy: max_close_pairs_per_event: expected a value >= 0 (got " +
                                std::to_string(max_close_pairs_per_event) + ")");
  }
  PublishedKnox out;
  const size_t close_cells = static_cast<size_t>(rows - 1) * static_cast<size_t>(cols);
  out.close_cells = static_cast<int64_t>(close_cells);
  out.sensitivity = static_cast<double>(std::max<int64_t>(1, max_close_pairs_per_event));
  const std::vector<int64_t> close(observed.begin(), observed.begin() + close_cells);
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published,
                             ReleaseCounts(spec, close, out.sensitivity));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.withheld.assign(cells, 1);
  out.observed.assign(cells, kWithheldCount);
  out.knox_ratio.assign(cells, nan);
  for (size_t i = 0; i < close_cells; ++i) {
    if (published[i] == kWithheldCount) {
      ++out.withheld_close_cells;
      continue;
    }
    out.withheld[i] = 0;
    out.observed[i] = published[i];
    out.knox_ratio[i] = expected[i] > 0 ? static_cast<double>(published[i]) / expected[i] : nan;
  }
  return out;
}

Result<PublicSurface> ReleaseSurface(const grid::Grid& grid, const EventSet& events,
                                     int64_t train_from_s, int64_t origin_s, double support_m,
                                     const ReleaseSpec& spec, std::vector<double>* values) {
  constexpr double kSensitivity = 1;  // one incident changes a naive count by one
  if (values == nullptr) return Status::InvalidInput("privacy: values: null surface");
  if (values->size() != static_cast<size_t>(grid.num_cells())) {
    return Status::InvalidInput("privacy: values: expected " + std::to_string(grid.num_cells()) +
                                " values, one per cell (got " + std::to_string(values->size()) +
                                ")");
  }
  PublicSurface out;
  out.support_m = support_m;
  PLACECAST_RETURN_IF_ERROR(SuppressSmallCells(grid, events, train_from_s, origin_s, support_m,
                                               spec.min_incidents, &out.suppressed));
  for (uint8_t b : out.suppressed) out.suppressed_cells += b;
  if (spec.epsilon != 0) {
    PLACECAST_ASSIGN_OR_RETURN(*values, AddLaplaceNoise(*values, kSensitivity, spec.epsilon,
                                                        spec.key, spec.query + "\nrisk surface"));
    for (double& v : *values) v = std::max(0.0, v);
  }
  return out;
}

Result<PublishedAreaNeed> ReleaseAreaNeed(const ReleaseSpec& spec,
                                          const std::vector<int64_t>& need_events,
                                          const std::vector<double>& residents) {
  if (need_events.size() != residents.size()) {
    return Status::InvalidInput("privacy: residents: expected " +
                                std::to_string(need_events.size()) + " values, one per area (got " +
                                std::to_string(residents.size()) + ")");
  }
  PublishedAreaNeed out;
  PLACECAST_ASSIGN_OR_RETURN(out.need_events,
                             ReleaseCounts(spec, need_events, 1, "area need counts"));
  int64_t total = 0;
  for (int64_t n : out.need_events) {
    if (n == kWithheldCount) {
      ++out.withheld_areas;
    } else {
      total += n;
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < out.need_events.size(); ++i) {
    const int64_t n = out.need_events[i];
    const bool shown = n != kWithheldCount;
    out.need_share.push_back(
        shown && out.withheld_areas == 0 && total > 0 ? static_cast<double>(n) / total : nan);
    out.need_per_1k_residents.push_back(
        shown && residents[i] > 0 ? 1000.0 * static_cast<double>(n) / residents[i] : nan);
  }
  out.total_need_events = out.withheld_areas == 0 ? total : kWithheldCount;
  out.group_need_withheld = out.withheld_areas > 0;
  return out;
}

}  // namespace placecast::privacy
