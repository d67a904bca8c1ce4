// SPDX-License-Identifier: Apache-2.0
// The `boost` feature table: box counts from summed-area tables, days since the last event, and
// the calendar. Not thread-safe (scratch buffers are members).
#include "models/boost_features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace placecast::models {
namespace {

constexpr std::array<int64_t, 5> kLookbackDays = {1, 7, 28, 91, 365};
constexpr std::array<int64_t, 3> kIndicatorLookbackDays = {7, 28, 365};
// Half-widths of the square neighbourhoods, in cells: the cell, 3x3, 7x7.
const std::vector<int32_t> kRadiusCells = {0, 1, 3};
const std::vector<int32_t> kIndicatorRadiusCells = {0, 1};

std::string ScaleName(int32_t radius) {
  const std::string side = std::to_string(2 * radius + 1);
  return side + "x" + side;
}

// Squared distance from (x, y) to the segment (ax, ay)-(bx, by).
double SegmentDistance2(double x, double y, double ax, double ay, double bx, double by) {
  const double dx = bx - ax, dy = by - ay;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double px = ax + t * dx - x, py = ay + t * dy - y;
  return px * px + py * py;
}

}  // namespace

double EnvFeatureDistanceM(FitContext::Layer::Kind kind, const std::vector<grid::Ring>& feature,
                           double x_m, double y_m) {
  using Kind = FitContext::Layer::Kind;
  double best2 = std::numeric_limits<double>::infinity();
  bool inside = false;
  for (const grid::Ring& p : feature) {
    const size_t n = p.x_m.size();
    if (n == 0) continue;
    if (kind == Kind::kPoint || n == 1) {
      for (size_t k = 0; k < n; ++k) {
        const double dx = p.x_m[k] - x_m, dy = p.y_m[k] - y_m;
        best2 = std::min(best2, dx * dx + dy * dy);
      }
      continue;
    }
    // Lines: the open polyline; polygons: the closed ring, and the even-odd crossing test.
    const size_t segments = kind == Kind::kPolygon ? n : n - 1;
    for (size_t k = 0; k < segments; ++k) {
      const size_t j = (k + 1) % n;
      best2 = std::min(best2, SegmentDistance2(x_m, y_m, p.x_m[k], p.y_m[k], p.x_m[j], p.y_m[j]));
      if (kind == Kind::kPolygon && (p.y_m[k] > y_m) != (p.y_m[j] > y_m) &&
          x_m < (p.x_m[j] - p.x_m[k]) * (y_m - p.y_m[k]) / (p.y_m[j] - p.y_m[k]) + p.x_m[k]) {
        inside = !inside;
      }
    }
  }
  return inside ? 0.0 : std::sqrt(best2);
}

void EnvLayerValues(const FitContext::Layer& layer, double x_m, double y_m, double* dist_m,
                    double* kde) {
  double best = std::numeric_limits<double>::infinity();
  double sum = 0;
  for (const auto& feature : layer.features) {
    const double d = EnvFeatureDistanceM(layer.kind, feature, x_m, y_m);
    best = std::min(best, d);
    if (d < kEnvBandwidthM) {
      const double u = d / kEnvBandwidthM;
      sum += (1 - u * u) * (1 - u * u);
    }
  }
  *dist_m = best;
  *kde = sum;
}

BoostFeatures::BoostFeatures(int64_t window_days, std::vector<OffenceGroup> indicators,
                             int64_t target_days, std::vector<const FitContext::Layer*> layers)
    : indicators_(std::move(indicators)), target_days_(target_days), layers_(std::move(layers)) {
  for (int64_t d : kLookbackDays) {
    if (d <= window_days) lookback_days_.push_back(d);
  }
  if (lookback_days_.empty() || lookback_days_.back() != window_days) {
    lookback_days_.push_back(window_days);
  }
  for (int64_t d : kIndicatorLookbackDays) {
    if (d <= window_days) indicator_lookback_days_.push_back(d);
  }
  for (int64_t d : lookback_days_) {
    for (int32_t r : kRadiusCells) {
      names_.push_back("count_" + std::to_string(d) + "d_" + ScaleName(r));
    }
  }
  for (const char* name : {"days_since_cell", "days_since_3x3"}) names_.emplace_back(name);
  for (OffenceGroup g : indicators_) {
    for (int64_t d : indicator_lookback_days_) {
      for (int32_t r : kIndicatorRadiusCells) {
        names_.push_back("ind_" + std::string(GetOffenceGroupInfo(g).name) + "_" +
                         std::to_string(d) + "d_" + ScaleName(r));
      }
    }
  }
  for (const char* name : {"day_of_week", "month", "holiday"}) names_.emplace_back(name);
  for (const FitContext::Layer* l : layers_) {
    names_.push_back("env_" + l->name + "_dist_m");
    names_.push_back("env_" + l->name + "_kde");
  }
}

void BoostFeatures::AppendCounts(const EventSet& events, const grid::Grid& grid,
                                 const std::vector<int64_t>& lookbacks,
                                 const std::vector<int32_t>& radii, int64_t window_start_s,
                                 int64_t at_s, size_t base, size_t first, std::vector<float>* out) {
  const int32_t nx = grid.nx();
  const int32_t ny = grid.ny();
  const auto npos = static_cast<size_t>(nx) * static_cast<size_t>(ny);
  const auto ncell = static_cast<size_t>(grid.num_cells());
  const size_t nf = num_features();
  // Counts: the look-backs are nested, so each adds the events between it and the previous one.
  counts_.assign(npos, 0.0);
  const size_t stride = static_cast<size_t>(nx) + 1;
  sat_.assign(stride * (static_cast<size_t>(ny) + 1), 0.0);
  int64_t covered_from = at_s;
  size_t f = first;
  for (int64_t days : lookbacks) {
    const int64_t from = std::max(window_start_s, at_s - days * kSecondsPerDay);
    if (from < covered_from) {
      const auto [lo, hi] = events.TimeRange(from, covered_from);
      for (size_t i = lo; i < hi; ++i) {
        const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
        if (c == grid::kNoCell) continue;
        counts_[static_cast<size_t>(grid.CellRow(c)) * nx + static_cast<size_t>(grid.CellCol(c))] +=
            1.0;
      }
      covered_from = from;
    }
    // sat_[(r + 1) * stride + c + 1] = sum of counts_ over rows <= r and columns <= c. The counts
    // are whole numbers far below 2^53, so every sum and difference is exact.
    for (int32_t r = 0; r < ny; ++r) {
      double row_sum = 0;
      for (int32_t c = 0; c < nx; ++c) {
        row_sum += counts_[static_cast<size_t>(r) * nx + c];
        sat_[(r + 1) * stride + c + 1] = sat_[r * stride + c + 1] + row_sum;
      }
    }
    for (int32_t rad : radii) {
      for (size_t cell = 0; cell < ncell; ++cell) {
        const int32_t col = grid.CellCol(static_cast<grid::CellId>(cell));
        const int32_t row = grid.CellRow(static_cast<grid::CellId>(cell));
        const auto c0 = static_cast<size_t>(std::max(0, col - rad));
        const auto c1 = static_cast<size_t>(std::min(nx - 1, col + rad)) + 1;
        const auto r0 = static_cast<size_t>(std::max(0, row - rad));
        const auto r1 = static_cast<size_t>(std::min(ny - 1, row + rad)) + 1;
        (*out)[base + cell * nf + f] =
            static_cast<float>(sat_[r1 * stride + c1] - sat_[r0 * stride + c1] -
                               sat_[r1 * stride + c0] + sat_[r0 * stride + c0]);
      }
      ++f;
    }
  }
}

void BoostFeatures::Append(const EventSet& events,
                           const std::vector<const EventSet*>& indicator_events,
                           const grid::Grid& grid, const Calendar& calendar, HolidayRules holidays,
                           int64_t window_start_s, int64_t at_s, std::vector<float>* out) {
  const int32_t nx = grid.nx();
  const int32_t ny = grid.ny();
  const auto npos = static_cast<size_t>(nx) * static_cast<size_t>(ny);
  const auto ncell = static_cast<size_t>(grid.num_cells());
  const size_t nf = num_features();
  const size_t base = out->size();
  out->resize(base + ncell * nf, 0.0f);
  auto value = [&](size_t cell, size_t f) -> float& { return (*out)[base + cell * nf + f]; };

  AppendCounts(events, grid, lookback_days_, kRadiusCells, window_start_s, at_s, base, 0, out);
  size_t f = lookback_days_.size() * kRadiusCells.size();
  const size_t days_since_f = f;
  f += 2;
  for (size_t k = 0; k < indicators_.size(); ++k) {
    AppendCounts(*indicator_events[k], grid, indicator_lookback_days_, kIndicatorRadiusCells,
                 window_start_s, at_s, base, f, out);
    f += indicator_lookback_days_.size() * kIndicatorRadiusCells.size();
  }
  const size_t calendar_f = f;

  // Days since the last event: the latest time per position (events are sorted), then its maximum
  // over the 3x3 neighbourhood as a row pass and a column pass.
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  last_t_.assign(npos, kNone);
  {
    const auto [lo, hi] = events.TimeRange(window_start_s, at_s);
    for (size_t i = lo; i < hi; ++i) {
      const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
      if (c == grid::kNoCell) continue;
      last_t_[static_cast<size_t>(grid.CellRow(c)) * nx + static_cast<size_t>(grid.CellCol(c))] =
          static_cast<double>(events.t_s[i]);
    }
  }
  row_max_.assign(npos, kNone);
  last_3x3_.assign(npos, kNone);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) {
      double m = kNone;
      for (int32_t cc = std::max(0, c - 1); cc <= std::min(nx - 1, c + 1); ++cc) {
        m = std::max(m, last_t_[static_cast<size_t>(r) * nx + cc]);
      }
      row_max_[static_cast<size_t>(r) * nx + c] = m;
    }
  }
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) {
      double m = kNone;
      for (int32_t rr = std::max(0, r - 1); rr <= std::min(ny - 1, r + 1); ++rr) {
        m = std::max(m, row_max_[static_cast<size_t>(rr) * nx + c]);
      }
      last_3x3_[static_cast<size_t>(r) * nx + c] = m;
    }
  }
  const double cap_days = static_cast<double>(at_s - window_start_s) / kSecondsPerDay;
  auto days_since = [&](double last) {
    return last == kNone ? cap_days
                         : std::min(cap_days, (static_cast<double>(at_s) - last) / kSecondsPerDay);
  };

  // The calendar of the target window: the local day of at_s and the target_days_ after it.
  const int64_t day = calendar.DayOf(at_s);
  const int64_t day_of_week = ((day % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday (3)
  int64_t year = 0;
  unsigned month = 0, mday = 0;
  CivilFromDays(day, &year, &month, &mday);
  int64_t holiday_count = 0;
  for (int64_t d = day; d < day + target_days_; ++d) {
    holiday_count += HolidayName(holidays, d).empty() ? 0 : 1;
  }

  for (size_t cell = 0; cell < ncell; ++cell) {
    const size_t p = static_cast<size_t>(grid.CellRow(static_cast<grid::CellId>(cell))) * nx +
                     static_cast<size_t>(grid.CellCol(static_cast<grid::CellId>(cell)));
    value(cell, days_since_f) = static_cast<float>(days_since(last_t_[p]));
    value(cell, days_since_f + 1) = static_cast<float>(days_since(last_3x3_[p]));
    value(cell, calendar_f) = static_cast<float>(day_of_week);
    value(cell, calendar_f + 1) = static_cast<float>(month);
    value(cell, calendar_f + 2) = static_cast<float>(holiday_count);
  }

  // The environment layers: static, so computed once per grid.
  if (layers_.empty()) return;
  const auto last = static_cast<grid::CellId>(ncell - 1);
  std::vector<double> key = {static_cast<double>(nx), static_cast<double>(ny),
                             static_cast<double>(ncell)};
  if (ncell > 0) {
    key.insert(key.end(), {grid.CellCenterX(0), grid.CellCenterY(0), grid.CellCenterX(last),
                           grid.CellCenterY(last)});
  }
  if (key != env_key_) {
    const size_t nl = layers_.size();
    env_values_.assign(ncell * 2 * nl, 0.0f);
    for (size_t cell = 0; cell < ncell; ++cell) {
      const double x = grid.CellCenterX(static_cast<grid::CellId>(cell));
      const double y = grid.CellCenterY(static_cast<grid::CellId>(cell));
      for (size_t k = 0; k < nl; ++k) {
        double d = 0, kde = 0;
        EnvLayerValues(*layers_[k], x, y, &d, &kde);
        // A layer without features is as far as float allows: the trees split it like any.
        env_values_[cell * 2 * nl + 2 * k] =
            static_cast<float>(std::min(d, double{std::numeric_limits<float>::max()}));
        env_values_[cell * 2 * nl + 2 * k + 1] = static_cast<float>(kde);
      }
    }
    env_key_ = std::move(key);
  }
  const size_t env_f = calendar_f + 3;
  const size_t nenv = 2 * layers_.size();
  for (size_t cell = 0; cell < ncell; ++cell) {
    for (size_t k = 0; k < nenv; ++k) value(cell, env_f + k) = env_values_[cell * nenv + k];
  }
}

}  // namespace placecast::models
