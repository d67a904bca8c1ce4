// SPDX-License-Identifier: Apache-2.0
// PNG maps and plots drawn with Cairo (the only library that links it): the forecast map of an
// io::ForecastProduct with an optional overlay drawn from memory (allocate's patrol plan), the
// backtest hit-rate curves and reliability plot, line charts and horizontal bar charts. Each call
// owns its own surface, encodes the PNG in memory (no timestamps: same input, same bytes on one
// installation) and writes it atomically ("<path>.tmp" renamed). No shared state: the functions may
// run on several threads at once as long as no two write the same path.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/io/products.h"
#include "placecast/status.h"

namespace placecast::render {

// A colour, each component in [0, 1] (alpha 1 = opaque).
struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;
};

// One mark drawn over a forecast map (positions in the grid CRS, metres): an area, a dot at its
// anchor and a label beside the dot. The area is `rings` (a polygon, e.g. a patrol beat) or,
// when there are none, a circle of `radius_m` around the anchor (e.g. a patrol point's reach).
struct MapMark {
  std::vector<grid::Ring> rings;  // the area's outline; empty = a circle
  double x_m = 0, y_m = 0;        // anchor: circle centre, dot and label
  double radius_m = 0;            // circle radius; drawn at least 2 px wide
  std::string label;              // bold, 11 px, up and right of the dot ("" = none)
};

// What a caller draws over the forecast map, from memory, before the PNG is encoded (allocate's
// patrol plan): every mark's area filled with `fill` and outlined in `line`, a `line` dot of
// `dot_radius_px` and the label, marks in order; then `note`, one line in `line` colour just above
// the footer. Areas outside the map frame are drawn all the same (a caller clips its own data).
struct MapOverlay {
  std::vector<MapMark> marks;
  Rgba fill{0.0, 0.45, 0.7, 0.18};  // translucent so the risk shading stays readable
  Rgba line{0.0, 0.3, 0.55, 1};     // outlines, dots, labels and the note
  double line_width_px = 1.8;
  double dot_radius_px = 3;  // 0 = no dot
  std::string note;          // "" = none
  bool empty() const { return marks.empty() && note.empty(); }
};

// PNG map (1200 px wide): cells shaded by quintile class of non-zero risk, zero-risk cells very
// light, the study area outlined, the top cells outlined, with title, legend, scale bar, north
// arrow and a footer (model, training window, origin, horizon, placecast version).
// `overlay` is drawn over the map before the PNG is encoded (see MapOverlay; empty = nothing).
// When `png_out` is not null it receives the bytes written to `path` (for a report to inline; it is
// left untouched on failure). Deterministic bytes on one installation. Errors as
// io::RankProductCells, and kIo naming `path` when it cannot be written (no partial file is left).
Status RenderForecastPng(const std::string& path, const io::ForecastProduct& p,
                         const MapOverlay& overlay = {}, std::string* png_out = nullptr);

// One model's mean hit-rate curve: hit_rate[i] (0..1) of events captured by the top
// coverage_pct[i] % (0..100) of cells.
struct CurveSeries {
  std::string name;
  std::vector<double> coverage_pct;
  std::vector<double> hit_rate;
};

// PNG (1200 × 700 px) of hit rate against coverage: the full range 0–100 % on the left and
// 0–20 % enlarged on the right, one line per series with a legend, the random-forecast diagonal,
// and `title`. When `png_out` is not null it receives the bytes written (as RenderForecastPng).
// kInvalidInput when there is no series, or a series has no points, unequal lengths, or a value
// that is not finite or out of range (naming the series and index); kIo naming the path when the
// file cannot be written.
Status RenderHitRateCurvesPng(const std::string& path, const std::vector<CurveSeries>& series,
                              const std::string& title, std::string* png_out = nullptr);

// One model's calibration by decile of predicted risk (decile 1, the riskiest, first), as the
// backtest reports it (eval/calibration.h). A NaN point is not drawn.
struct ReliabilitySeries {
  std::string name;
  // Mean predicted and observed events per cell and horizon in each decile; both empty for a model
  // whose values are not expected counts (it appears in the share panel only).
  std::vector<double> predicted_per_cell, observed_per_cell;
  // Each decile's share of the model's total predicted value and of the observed events.
  std::vector<double> predicted_share, observed_share;
};

// PNG (1200 × 580 px) reliability plot: on the left the series with counts, observed against
// predicted events per cell (`count_unit` names the unit, e.g. "events per cell per day"); on the
// right every series, observed against predicted share. Both panels are log–log over the same
// whole decades on both axes (at most 6, from the data), with the diagonal observed = predicted
// dashed; each series is a line through its deciles in order, decile 1 ringed, in the colour of
// its index (as the hit-rate curves), with a legend. A value of 0 (or below the axis) is drawn
// hollow on the axis's lower edge. The left panel says so when no series has counts. `png_out`
// as RenderHitRateCurvesPng. kInvalidInput when there is no series, when a pair of vectors differs
// in length, when a series has no share or has counts of another length than its shares, or when
// a value is negative or infinite (naming the series and decile); kIo naming the path when the
// file cannot be written.
Status RenderReliabilityPng(const std::string& path, const std::string& title,
                            const std::string& count_unit,
                            const std::vector<ReliabilitySeries>& series,
                            std::string* png_out = nullptr);

// One line of a line chart: the points (x[i], y[i]) joined in the given order.
struct LineSeries {
  std::string name;
  std::vector<double> x, y;
  // Optional band around the line (e.g. a 95% interval): both empty, or one lo <= hi per x.
  std::vector<double> lo, hi;
};

// PNG (1200 × 640 px) line chart: one line per series in the series colours with a legend (a
// series with a band gets it shaded in its colour, translucent, under every line), x from
// the smallest to the largest x of any series, y from y_min to y_max (points outside are clipped),
// axes labelled x_label and y_label, and `title`; an optional grey dashed horizontal reference
// line at `reference` (NaN: none) named `reference_label` in the legend. Deterministic bytes on
// one installation. kInvalidInput (naming the path and series) when there is no series, a series
// has no points or unequal lengths, a value is not finite, a band has the wrong length or
// lo > hi, or y_min >= y_max; kIo naming the path when the file cannot be written.
Status RenderLineChartPng(const std::string& path, const std::string& title,
                          const std::string& x_label, const std::string& y_label,
                          const std::vector<LineSeries>& series, double y_min, double y_max,
                          double reference = std::numeric_limits<double>::quiet_NaN(),
                          const std::string& reference_label = "");

// One bar of a horizontal bar chart: a label, a value, and an optional interval [lo, hi] (NaN
// when none) drawn as a whisker. `note` is printed after the value ("PAI 6.1").
struct BarItem {
  std::string label;
  double value = 0;
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::string note;
};

// A horizontal bar chart PNG, bars in the given order (top first), value axis from 0 (or the
// smallest negative value) to the largest value or hi, labelled `value_label`; an optional
// vertical reference line at `reference` (NaN: none) labelled `reference_label`. When `png_out` is
// not null it receives the bytes written (as RenderForecastPng). Deterministic bytes on one
// installation. kInvalidInput when there is no item or a value is not finite; kIo naming the path
// when the file cannot be written.
Status RenderBarChartPng(const std::string& path, const std::string& title,
                         const std::string& value_label, const std::vector<BarItem>& items,
                         double reference = std::numeric_limits<double>::quiet_NaN(),
                         const std::string& reference_label = "", std::string* png_out = nullptr);

}  // namespace placecast::render
