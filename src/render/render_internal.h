// SPDX-License-Identifier: Apache-2.0
// Internal: what the renderers (map.cc, area_map.cc) share, exposed here so the tests can check
// it: quantile classes, the layouts of the forecast map and of the hit-rate plot, and the colours.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"

namespace placecast::render::internal {

// Quantile classes of the positive values: with n positive values sorted ascending as v[0..n-1],
// class k (0 = lowest) has upper bound v[ceil((k+1)·n/num_classes) − 1]; a value belongs to the
// lowest class whose bound it does not exceed, so equal values share a class. Zero (or negative)
// values get class −1. `upper` receives the num_classes bounds (empty when no value is positive).
std::vector<int> QuantileClasses(const std::vector<double>& values, int num_classes,
                                 std::vector<double>* upper);

// Where the map sits in the forecast PNG: projected metres → pixels.
struct MapLayout {
  int width_px = 0, height_px = 0;         // whole image
  double map_left_px = 0, map_top_px = 0;  // map frame
  double map_width_px = 0, map_height_px = 0;
  double xmin_m = 0, ymax_m = 0, px_per_m = 1;  // x_px = map_left + (x − xmin)·px_per_m
  double XToPx(double x_m) const { return map_left_px + (x_m - xmin_m) * px_per_m; }
  double YToPx(double y_m) const { return map_top_px + (ymax_m - y_m) * px_per_m; }
};
// REQUIRES: grid.num_cells() > 0.
MapLayout ComputeMapLayout(const grid::Grid& grid, const grid::Boundary* study_area);

// Plot frames of the hit-rate PNG: pixel x/y of a (coverage %, hit rate) point in panel 0 (full
// range) or 1 (0–20 %).
struct CurveLayout {
  int width_px = 1200, height_px = 700;
  double left_px[2] = {0, 0}, top_px = 0, plot_width_px = 0, plot_height_px = 0;
  double xmax_pct[2] = {100, 20};
  double XToPx(int panel, double coverage_pct) const {
    return left_px[panel] + coverage_pct / xmax_pct[panel] * plot_width_px;
  }
  double YToPx(double hit_rate) const { return top_px + (1 - hit_rate) * plot_height_px; }
};
CurveLayout ComputeCurveLayout();

// Colours used by the renderers (0xRRGGBB), so tests can look for them.
inline constexpr uint32_t kRiskRamp[5] = {0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026};
inline constexpr uint32_t kZeroRiskFill = 0xf2f2f2;
inline constexpr uint32_t kTopOutline = 0x1f4eff;
inline constexpr uint32_t kSeriesColours[8] = {0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7,
                                               0xe69f00, 0x56b4e9, 0x000000, 0xf0e442};

}  // namespace placecast::render::internal
