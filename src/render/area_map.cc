// SPDX-License-Identifier: Apache-2.0
// Area choropleth PNG (Cairo), for audit maps. Stateless; thread-safe for distinct paths.
#include "placecast/render/area_map.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "placecast/io/file_util.h"
#include "render/render_internal.h"

namespace placecast::render {
namespace {

constexpr const char* kFont = "DejaVu Sans";
constexpr uint32_t kNoValueFill = 0xdddddd;

void SetColour(cairo_t* cr, uint32_t rgb) {
  cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                       (rgb & 0xff) / 255.0);
}

void Text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold,
          bool centre) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, centre ? x - e.x_advance / 2 : x, y);
  cairo_show_text(cr, s.c_str());
}

cairo_status_t AppendPng(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Status RenderAreaMapPng(const std::string& path, const std::vector<grid::Boundary>& areas,
                        const std::vector<double>& values, const std::string& title,
                        const std::string& value_label, std::string* png_out,
                        const AreaMapOptions& options) {
  if (areas.empty()) return Status::InvalidInput("area map: no area");
  if (values.size() != areas.size()) {
    return Status::InvalidInput("area map: expected one value per area (" +
                                std::to_string(areas.size()) + ", got " +
                                std::to_string(values.size()) + ")");
  }
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const auto& a : areas) {
    if (a.empty()) continue;
    double ax0, ay0, ax1, ay1;
    a.Extent(&ax0, &ay0, &ax1, &ay1);
    x0 = std::min(x0, ax0);
    y0 = std::min(y0, ay0);
    x1 = std::max(x1, ax1);
    y1 = std::max(y1, ay1);
  }
  if (x0 > x1) return Status::InvalidInput("area map: no area has a ring");
  if (options.study_area != nullptr && !options.study_area->empty()) {
    double ax0, ay0, ax1, ay1;
    options.study_area->Extent(&ax0, &ay0, &ax1, &ay1);
    x0 = std::min(x0, ax0);
    y0 = std::min(y0, ay0);
    x1 = std::max(x1, ax1);
    y1 = std::max(y1, ay1);
  }
  const int width = 1000, top = 60, margin = 20, legend_w = 230;
  const double map_w = width - 2 * margin - legend_w;
  const double scale = map_w / std::max(x1 - x0, 1.0);
  const double map_h = std::max(200.0, (y1 - y0) * scale);
  // Tall enough for the legend: title, unit, up to 7 swatches, the outline entry and the notes.
  const double legend_h =
      10 + 16 + 14 + 24 * 8 + 4 + 16 * static_cast<double>(options.notes.size());
  // The scale bar sits in a strip below the areas, not over them.
  const double bar_strip = 40;
  const int height =
      static_cast<int>(std::max(top + map_h + bar_strip + 2 * margin, top + legend_h + margin));
  internal::MapLayout layout;  // for the scale bar and north arrow every map shares
  layout.width_px = width;
  layout.height_px = height;
  layout.map_left_px = margin;
  layout.map_top_px = top;
  layout.map_width_px = map_w;
  layout.map_height_px = map_h + bar_strip;
  layout.xmin_m = x0;
  layout.ymax_m = y1;
  layout.px_per_m = scale;
  auto px = [&](double x) { return layout.XToPx(x); };
  auto py = [&](double y) { return layout.YToPx(y); };

  std::vector<double> classed(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) classed[i] = std::isfinite(values[i]) ? values[i] : 0;
  std::vector<double> upper;
  const std::vector<int> cls = internal::QuantileClasses(classed, 5, &upper);

  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (size_t i = 0; i < areas.size(); ++i) {
    for (const auto& ring : areas[i].rings) {
      for (size_t k = 0; k < ring.x_m.size(); ++k) {
        (k == 0 ? cairo_move_to : cairo_line_to)(cr, px(ring.x_m[k]), py(ring.y_m[k]));
      }
      cairo_close_path(cr);
    }
    uint32_t fill = kNoValueFill;
    if (std::isfinite(values[i])) {
      fill = cls[i] < 0 ? internal::kZeroRiskFill : internal::kRiskRamp[cls[i]];
    }
    SetColour(cr, fill);
    cairo_fill_preserve(cr);
    SetColour(cr, 0x555555);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
  }
  if (options.study_area != nullptr) internal::DrawStudyArea(cr, layout, *options.study_area);
  SetColour(cr, 0x111111);
  for (const size_t i : internal::AreasToLabel(
           areas.size(), options.max_labels == 0 ? areas.size() : options.max_labels)) {
    const grid::Boundary& a = areas[i];
    if (a.empty() || a.name.empty()) continue;
    // Label at the vertex mean of the area's longest ring.
    const grid::Ring* best = &a.rings[0];
    for (const auto& r : a.rings) {
      if (r.x_m.size() > best->x_m.size()) best = &r;
    }
    double sx = 0, sy = 0;
    for (size_t k = 0; k < best->x_m.size(); ++k) {
      sx += best->x_m[k];
      sy += best->y_m[k];
    }
    const double n = static_cast<double>(best->x_m.size());
    // A white halo keeps a name readable over the fills and outlines beneath it.
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 11);
    cairo_text_extents_t e;
    cairo_text_extents(cr, a.name.c_str(), &e);
    cairo_move_to(cr, px(sx / n) - e.x_advance / 2, py(sy / n) + 4);
    cairo_text_path(cr, a.name.c_str());
    SetColour(cr, 0xffffff);
    cairo_set_line_width(cr, 3);
    cairo_stroke_preserve(cr);
    SetColour(cr, 0x111111);
    cairo_fill(cr);
  }
  internal::DrawScaleBar(cr, layout);
  internal::DrawNorthArrow(cr, layout);
  Text(cr, margin, 36, title, 18, true, false);
  // Legend.
  const double lx = width - legend_w;
  double ly = top + 10;
  Text(cr, lx, ly, value_label, 13, true, false);
  const internal::LegendScale unit =
      internal::PickLegendScale(upper.empty() ? 0 : upper.back(), 0, 0);
  if (!unit.Describe().empty()) {
    ly += 16;
    Text(cr, lx, ly, unit.Describe(), 11, false, false);
  }
  double prev = 0;
  int row = 0;
  auto swatch = [&](uint32_t fill, const std::string& label) {
    const double y = ly + 14 + 24 * row++;
    SetColour(cr, fill);
    cairo_rectangle(cr, lx, y, 22, 16);
    cairo_fill_preserve(cr);
    SetColour(cr, 0x555555);
    cairo_stroke(cr);
    Text(cr, lx + 30, y + 13, label, 12, false, false);
  };
  for (size_t k = 0; k < upper.size(); ++k) {
    swatch(internal::kRiskRamp[k],
           internal::FormatLegendRange(prev * unit.factor, upper[k] * unit.factor));
    prev = upper[k];
  }
  if (std::count(values.begin(), values.end(), 0.0) > 0) swatch(internal::kZeroRiskFill, "0");
  if (!options.no_value_label.empty()) swatch(kNoValueFill, options.no_value_label);
  double ny = ly + 14 + 24 * row + 4;
  if (options.study_area != nullptr) {
    internal::DrawStudyAreaKey(cr, lx, ny + 8, 22);
    Text(cr, lx + 30, ny + 13, options.study_area_label, 12, false, false);
    ny += 24;
  }
  SetColour(cr, 0x444444);
  for (const std::string& note : options.notes) {
    ny += 16;
    Text(cr, lx, ny, note, 11, false, false);
  }

  Status st = cairo_status(cr) == CAIRO_STATUS_SUCCESS
                  ? Status::Ok()
                  : Status::Internal(path + ": drawing failed");
  std::string png;
  if (st.ok()) {
    cairo_surface_flush(surface);
    if (cairo_surface_write_to_png_stream(surface, AppendPng, &png) != CAIRO_STATUS_SUCCESS) {
      st = Status::Internal(path + ": cannot encode PNG");
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  PLACECAST_RETURN_IF_ERROR(st);
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(path, png));
  if (png_out != nullptr) *png_out = std::move(png);
  return Status::Ok();
}

}  // namespace placecast::render
