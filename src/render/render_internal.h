// SPDX-License-Identifier: Apache-2.0
// Internal: what the renderers (map.cc, area_map.cc) share, exposed here so the tests can check
// it: quantile classes, the layouts of the forecast map and of the hit-rate plot, the colours, the
// legends' number formatting and units (legend.cc), the scale bar and north arrow every map draws,
// and the rule that keeps top-cell outlines legible. Pure functions (bar the Draw* ones, which
// draw on the caller's context); thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/io/products.h"

typedef struct _cairo cairo_t;  // <cairo.h>, for the Draw* functions

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

// Plot frames of the reliability PNG: two square log–log panels (0: counts, 1: shares), each over
// the whole decades [10^lo_exp, 10^hi_exp] on both axes. Values at or below 10^lo_exp (0
// included) sit on the lower edge.
struct ReliabilityLayout {
  int width_px = 1200, height_px = 580;
  double left_px[2] = {0, 0}, top_px = 0, plot_px = 0;
  int lo_exp[2] = {-3, -3}, hi_exp[2] = {0, 0};
  double Fraction(int panel, double v) const {
    if (!(v > 0)) return 0;
    const double f = (std::log10(v) - lo_exp[panel]) / (hi_exp[panel] - lo_exp[panel]);
    return f < 0 ? 0 : f;
  }
  double XToPx(int panel, double v) const { return left_px[panel] + Fraction(panel, v) * plot_px; }
  double YToPx(int panel, double v) const { return top_px + (1 - Fraction(panel, v)) * plot_px; }
};
// The layout for the values drawn in each panel (`counts`, `shares`): per panel hi_exp = ceil(log10
// of the largest positive finite value), lo_exp = floor(log10 of the smallest), at least one and
// at most 6 decades apart (the lower end moves up); {-3, 0} for a panel without a positive value.
ReliabilityLayout ComputeReliabilityLayout(const std::vector<double>& counts,
                                           const std::vector<double>& shares);

// Map furniture every map draws (map.cc), one implementation: a scale bar of ScaleBarLengthM(a
// quarter of the map's width) in the lower left corner, and a north arrow in the upper right
// corner of the map frame `l` (grid north: the maps are drawn in the projected CRS, north up).
void DrawScaleBar(cairo_t* cr, const MapLayout& l);
void DrawNorthArrow(cairo_t* cr, const MapLayout& l);
// The study area's outline (dark grey, 1.6 px) on the map, and its legend key: a `width_px` line
// from (x, y).
void DrawStudyArea(cairo_t* cr, const MapLayout& l, const grid::Boundary& area);
void DrawStudyAreaKey(cairo_t* cr, double x, double y, double width_px);

// ---- Legends (legend.cc) ----------------------------------------------------------------------

// `v` rounded to 3 significant figures in plain notation, as every legend and map caption prints
// numbers: trailing zeros dropped, thousands separated by commas, no exponent ("0.64" for
// 0.640361, "12,300" for 12345, "0.00000133" for 1.33e-6: callers with tiny values pick a unit
// with PickLegendScale first). "–" for a value that is not finite.
std::string FormatLegendNumber(double v);
// A class's range "lo – hi" in FormatLegendNumber, a positive bound below kLegendFloor as
// "<0.001": the lowest class of a skewed surface starts at values like 6.9e-11, which no reader
// needs in full ("<0.001 – 0.021", not "0.000000000069 – 0.021").
inline constexpr double kLegendFloor = 0.001;
std::string FormatLegendRange(double lo, double hi);
// FormatLegendNumber(pct) + "%": "0.64%" for 0.640361, "5%" for 5.
std::string FormatLegendPercent(double pct);

// How a map shows per-cell values: value × factor, in `Describe()` units.
struct LegendScale {
  double factor = 1;
  int power = 0;     // the shown numbers are in units of 10^power (a multiple of 3, <= 0)
  std::string unit;  // "per km² per day", or "" when no area or horizon is known
  // "per km² per day", "per km² per day, in units of 10⁻⁹", or "" (no unit, no power).
  std::string Describe() const;
};
// Per-cell values over `horizon_days` (cells of `cell_area_km2`) shown per km² per day; when the
// largest shown value would still be below 0.01, in units of 10^-3k (k as small as keeps it >= 1),
// so legends print "8.4" under "per km² per day, in units of 10⁻⁹" rather than "8.4e-09". A
// non-positive area or horizon leaves values per cell.
LegendScale PickLegendScale(double max_value, double cell_area_km2, double horizon_days);

// The scale bar's length: the largest 1, 2 or 5 × 10^k metres not above `target_m` (> 0).
double ScaleBarLengthM(double target_m);
// "500 m", "2 km", "1.5 km" (FormatLegendNumber of metres below 1 km, of km from 1 km).
std::string ScaleBarLabel(double length_m);

// Top-cell outlines stay legible only when the outlined shapes are wide enough on the map and few
// enough. PlanTopOutline picks the finest block of k × k cells (k = 1: each flagged cell's group
// outlined as it is) whose width is at least kMinOutlineCellPx and that needs at most
// kMaxOutlinedShapes flagged blocks (a block is flagged when it holds a top cell). Blocks wider
// than kMaxOutlineBlockPx are not tried; nor are blocks once the flagged ones (k > 1) make up more
// than kMaxOutlinedBlockShare of the blocks holding active cells, since an outline around most of
// the map no longer shows where the top cells are. The top cells are then not outlined (kNone;
// the legend says so).
inline constexpr double kMinOutlineCellPx = 6;
inline constexpr double kMaxOutlineBlockPx = 24;
inline constexpr int64_t kMaxOutlinedShapes = 1500;
inline constexpr double kMaxOutlinedBlockShare = 0.25;
enum class TopOutlineMode { kCells, kBlocks, kNone };
struct TopOutlinePlan {
  TopOutlineMode mode = TopOutlineMode::kCells;
  int32_t block_cells = 1;  // k: blocks of k × k cells (1 for kCells)
  int64_t top_cells = 0;    // flagged cells
  int64_t outlined = 0;     // flagged cells (kCells) or blocks (kBlocks) outlined; 0 for kNone
  double cell_px = 0;       // one cell's width on the map
};
// `top` holds one flag per active cell of `g`; the map draws `px_per_m` pixels per metre.
TopOutlinePlan PlanTopOutline(const grid::Grid& g, const std::vector<uint8_t>& top,
                              double px_per_m);

// PlanTopOutline for the forecast map of `p` (its layout, the in_top flags of `cells` as
// io::RankProductCells gives them), so the map and the report's caption agree.
TopOutlinePlan PlanProductTopOutline(const io::ForecastProduct& p,
                                     const std::vector<io::ProductCell>& cells);
// How the report's caption says what the top cells' outline shows: "the blue outline marks the
// top 0.64% of cells (10)", with the blocks or the absence of outlines said when so.
// `top_label` names the top cells as TopCellsLabel does.
std::string TopOutlineCaption(const TopOutlinePlan& plan, const std::string& top_label);
// The top cells of `p` (`top_count` of them) in a legend or caption: "top 0.64% of cells (10)", or
// by area io::TopCellsText ("top 86 cells, 1.93 km² = 0.747 sq mi (of 0.75 sq mi asked)").
std::string TopCellsLabel(const io::ForecastProduct& p, int32_t top_count);

// Which of `num_areas` areas (ordered by rank, best first) get a label: the first `max_labels`.
std::vector<size_t> AreasToLabel(size_t num_areas, size_t max_labels);

// Colours used by the renderers (0xRRGGBB), so tests can look for them.
inline constexpr uint32_t kRiskRamp[5] = {0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026};
inline constexpr uint32_t kZeroRiskFill = 0xf2f2f2;
inline constexpr uint32_t kTopOutline = 0x1f4eff;
inline constexpr uint32_t kSeriesColours[8] = {0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7,
                                               0xe69f00, 0x56b4e9, 0x000000, 0xf0e442};

}  // namespace placecast::render::internal
