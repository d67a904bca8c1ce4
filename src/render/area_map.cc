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

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

}  // namespace

Status RenderAreaMapPng(const std::string& path, const std::vector<grid::Boundary>& areas,
                        const std::vector<double>& values, const std::string& title,
                        const std::string& value_label, std::string* png_out) {
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
  const int width = 1000, top = 60, margin = 20, legend_w = 230;
  const double map_w = width - 2 * margin - legend_w;
  const double scale = map_w / std::max(x1 - x0, 1.0);
  const double map_h = std::max(200.0, (y1 - y0) * scale);
  const int height = static_cast<int>(top + map_h + 2 * margin);
  auto px = [&](double x) { return margin + (x - x0) * scale; };
  auto py = [&](double y) { return top + (y1 - y) * scale; };

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
  SetColour(cr, 0x111111);
  for (const auto& a : areas) {
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
    Text(cr, px(sx / n), py(sy / n) + 4, a.name, 11, true, true);
  }
  Text(cr, margin, 36, title, 18, true, false);
  // Legend.
  const double lx = width - legend_w, ly = top + 10;
  Text(cr, lx, ly, value_label, 13, true, false);
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
    swatch(internal::kRiskRamp[k], Fmt(prev) + " – " + Fmt(upper[k]));
    prev = upper[k];
  }
  swatch(internal::kZeroRiskFill, "0");
  swatch(kNoValueFill, "no value (no residents)");

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
