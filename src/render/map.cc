// SPDX-License-Identifier: Apache-2.0
// PNG renderers drawn with Cairo image surfaces: the forecast map (RenderForecastPng, with its
// overlay), the backtest hit-rate curves (RenderHitRateCurvesPng) and reliability plot
// (RenderReliabilityPng), line and bar charts. Each call
// owns its own surface and context, encodes the PNG in memory (no timestamps: same input, same
// bytes) and writes it atomically. Thread-safe.
#include "placecast/render/map.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <numeric>

#include "io/products_internal.h"
#include "placecast/io/file_util.h"
#include "render/render_internal.h"

namespace placecast::render {

using io::ForecastProduct;
using io::ProductCell;
using io::products_internal::Format;
using io::products_internal::FormatLocal;

namespace internal {

std::vector<int> QuantileClasses(const std::vector<double>& values, int num_classes,
                                 std::vector<double>* upper) {
  std::vector<double> pos;
  for (double v : values) {
    if (v > 0) pos.push_back(v);
  }
  std::sort(pos.begin(), pos.end());
  upper->clear();
  std::vector<int> cls(values.size(), -1);
  if (pos.empty()) return cls;
  const int64_t n = static_cast<int64_t>(pos.size());
  for (int k = 0; k < num_classes; ++k) {
    const int64_t idx = ((k + 1) * n + num_classes - 1) / num_classes - 1;  // ceil − 1
    upper->push_back(pos[std::max<int64_t>(idx, 0)]);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] > 0)) continue;
    const auto it = std::lower_bound(upper->begin(), upper->end(), values[i]);
    cls[i] = static_cast<int>(std::min<ptrdiff_t>(it - upper->begin(), num_classes - 1));
  }
  return cls;
}

MapLayout ComputeMapLayout(const grid::Grid& grid, const grid::Boundary* study_area) {
  constexpr int kWidth = 1200, kMargin = 20, kTitle = 64, kPanel = 290, kGap = 20, kFooter = 66;
  double xmin = grid.x0_m(), ymin = grid.y0_m();
  double xmax = xmin + grid.nx() * grid.cell_size_m(), ymax = ymin + grid.ny() * grid.cell_size_m();
  if (study_area != nullptr && !study_area->empty()) {
    double bx0, by0, bx1, by1;
    study_area->Extent(&bx0, &by0, &bx1, &by1);
    xmin = std::min(xmin, bx0);
    ymin = std::min(ymin, by0);
    xmax = std::max(xmax, bx1);
    ymax = std::max(ymax, by1);
  }
  const double pad = std::max(0.03 * std::max(xmax - xmin, ymax - ymin), 0.5 * grid.cell_size_m());
  xmin -= pad;
  ymin -= pad;
  xmax += pad;
  ymax += pad;
  const double ex = xmax - xmin, ey = ymax - ymin;
  const double box_w = kWidth - 2 * kMargin - kPanel - kGap;
  const double box_h = std::clamp(std::round(box_w * ey / ex), 460.0, 1100.0);
  const double scale = std::min(box_w / ex, box_h / ey);
  MapLayout l;
  l.width_px = kWidth;
  l.height_px = static_cast<int>(kTitle + box_h + kFooter);
  l.map_width_px = ex * scale;
  l.map_height_px = ey * scale;
  l.map_left_px = kMargin + (box_w - l.map_width_px) / 2;
  l.map_top_px = kTitle + (box_h - l.map_height_px) / 2;
  l.xmin_m = xmin;
  l.ymax_m = ymax;
  l.px_per_m = scale;
  return l;
}

CurveLayout ComputeCurveLayout() {
  CurveLayout l;
  l.left_px[0] = 80;
  l.plot_width_px = 400;
  l.left_px[1] = l.left_px[0] + l.plot_width_px + 90;
  l.top_px = 96;
  l.plot_height_px = l.height_px - l.top_px - 86;
  return l;
}

ReliabilityLayout ComputeReliabilityLayout(const std::vector<double>& counts,
                                           const std::vector<double>& shares) {
  ReliabilityLayout l;
  l.top_px = 96;
  l.plot_px = 400;
  l.left_px[0] = 90;
  l.left_px[1] = l.left_px[0] + l.plot_px + 95;
  const std::vector<double>* values[2] = {&counts, &shares};
  for (int panel = 0; panel < 2; ++panel) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (double v : *values[panel]) {
      if (std::isfinite(v) && v > 0) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    if (hi == 0) continue;  // the default decades
    const int top = static_cast<int>(std::ceil(std::log10(hi)));
    const int bottom = static_cast<int>(std::floor(std::log10(lo)));
    l.hi_exp[panel] = top;
    l.lo_exp[panel] = std::clamp(bottom, top - 6, top - 1);
  }
  return l;
}

}  // namespace internal

namespace {

using internal::kRiskRamp;
using internal::kSeriesColours;
using internal::kTopOutline;
using internal::kZeroRiskFill;

constexpr const char* kFont = "DejaVu Sans";

void SetColour(cairo_t* cr, uint32_t rgb, double alpha = 1) {
  cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0, alpha);
}

enum class Align { kLeft, kCentre, kRight };

// Sets the font and returns the size actually used: `size`, shrunk (to 8 px at least) until
// `text` fits in `max_width_px` when that is positive.
double FitFont(cairo_t* cr, const std::string& text, double size, bool bold, double max_width_px) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  for (;;) {
    cairo_set_font_size(cr, size);
    if (max_width_px <= 0 || size <= 8) return size;
    cairo_text_extents_t e;
    cairo_text_extents(cr, text.c_str(), &e);
    if (e.x_advance <= max_width_px) return size;
    size = std::max(8.0, size * 0.92);
  }
}

// Draws `text` with its baseline at y.
void Text(cairo_t* cr, double x, double y, const std::string& text, double size, uint32_t rgb,
          bool bold = false, Align align = Align::kLeft, double max_width_px = 0) {
  FitFont(cr, text, size, bold, max_width_px);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  double x0 = x;
  if (align == Align::kCentre) x0 = x - e.x_advance / 2;
  if (align == Align::kRight) x0 = x - e.x_advance;
  SetColour(cr, rgb);
  cairo_move_to(cr, x0, y);
  cairo_show_text(cr, text.c_str());
}

cairo_status_t AppendPng(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Encodes the surface and writes it atomically; when `out` is not null it receives the bytes
// written (so a report can inline them without reading the file back).
Status WritePng(cairo_surface_t* surface, const std::string& path, std::string* out = nullptr) {
  cairo_surface_flush(surface);
  std::string png;
  if (cairo_surface_write_to_png_stream(surface, AppendPng, &png) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(path + ": cannot encode PNG");
  }
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(path, png));
  if (out != nullptr) *out = std::move(png);
  return Status::Ok();
}

// Owns a white RGB image surface and its context.
class Canvas {
 public:
  Canvas(int w, int h)
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h)),
        cr_(cairo_create(surface_)) {
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_paint(cr_);
  }
  ~Canvas() {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  cairo_t* cr() { return cr_; }
  cairo_surface_t* surface() { return surface_; }
  Status Check(const std::string& path) {
    if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(path + ": drawing failed (" +
                              cairo_status_to_string(cairo_status(cr_)) + ")");
    }
    return Status::Ok();
  }

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

void Swatch(cairo_t* cr, double x, double y, uint32_t fill, bool filled, uint32_t line,
            double line_w) {
  cairo_rectangle(cr, x, y, 26, 16);
  if (filled) {
    SetColour(cr, fill);
    cairo_fill_preserve(cr);
  }
  SetColour(cr, line);
  cairo_set_line_width(cr, line_w);
  cairo_stroke(cr);
}

// Draws `o` over the map laid out by `l`, in a fresh graphics state (no clip, no path), in the
// order MapOverlay documents: per mark its area (filled, then outlined), its dot and its label;
// then the note.
void DrawOverlay(cairo_t* cr, const internal::MapLayout& l, const MapOverlay& o) {
  cairo_save(cr);
  cairo_new_path(cr);
  auto source = [&](const Rgba& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); };
  for (const MapMark& m : o.marks) {
    const double ax = l.XToPx(m.x_m), ay = l.YToPx(m.y_m);
    if (!m.rings.empty()) {
      for (const grid::Ring& ring : m.rings) {
        for (size_t i = 0; i < ring.x_m.size(); ++i) {
          const double x = l.XToPx(ring.x_m[i]), y = l.YToPx(ring.y_m[i]);
          i == 0 ? cairo_move_to(cr, x, y) : cairo_line_to(cr, x, y);
        }
        cairo_close_path(cr);
      }
    } else {
      cairo_new_sub_path(cr);
      cairo_arc(cr, ax, ay, std::max(2.0, m.radius_m * l.px_per_m), 0, 2 * std::numbers::pi);
    }
    source(o.fill);
    cairo_fill_preserve(cr);
    source(o.line);
    cairo_set_line_width(cr, o.line_width_px);
    cairo_stroke(cr);
    if (o.dot_radius_px > 0) {
      cairo_arc(cr, ax, ay, o.dot_radius_px, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
    if (!m.label.empty()) {
      cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size(cr, 11);
      cairo_move_to(cr, ax + 4, ay - 4);
      cairo_show_text(cr, m.label.c_str());
      cairo_new_path(cr);
    }
  }
  if (!o.note.empty()) {
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 13);
    source(o.line);
    cairo_move_to(cr, 20, l.height_px - 57);
    cairo_show_text(cr, o.note.c_str());
  }
  cairo_restore(cr);
}

}  // namespace

namespace internal {

TopOutlinePlan PlanProductTopOutline(const ForecastProduct& p,
                                     const std::vector<ProductCell>& cells) {
  std::vector<uint8_t> top(p.grid->num_cells(), 0);
  for (const ProductCell& c : cells) top[c.cell] = c.in_top ? 1 : 0;
  return PlanTopOutline(*p.grid, top, ComputeMapLayout(*p.grid, p.study_area).px_per_m);
}

// The study area's line, on the map and in the legend.
static void StrokeStudyArea(cairo_t* cr) {
  SetColour(cr, 0x333333);
  cairo_set_line_width(cr, 1.6);
  cairo_stroke(cr);
}

void DrawScaleBar(cairo_t* cr, const MapLayout& l) {
  const double len_m = ScaleBarLengthM(l.map_width_px / 4 / l.px_per_m);
  const double len_px = len_m * l.px_per_m;
  const double x = l.map_left_px + 14, y = l.map_top_px + l.map_height_px - 16;
  SetColour(cr, 0xffffff, 0.85);
  cairo_rectangle(cr, x - 8, y - 30, len_px + 16 + 40, 40);
  cairo_fill(cr);
  for (int i = 0; i < 2; ++i) {
    cairo_rectangle(cr, x + i * len_px / 2, y - 8, len_px / 2, 6);
    SetColour(cr, i == 0 ? 0x222222 : 0xffffff);
    cairo_fill_preserve(cr);
    SetColour(cr, 0x222222);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
  }
  Text(cr, x, y - 13, "0", 11, 0x222222, false, Align::kCentre);
  Text(cr, x + len_px, y - 13, ScaleBarLabel(len_m), 11, 0x222222, false, Align::kCentre);
}

void DrawStudyArea(cairo_t* cr, const MapLayout& l, const grid::Boundary& area) {
  for (const grid::Ring& ring : area.rings) {
    for (size_t i = 0; i < ring.x_m.size(); ++i) {
      const double x = l.XToPx(ring.x_m[i]), y = l.YToPx(ring.y_m[i]);
      if (i == 0) {
        cairo_move_to(cr, x, y);
      } else {
        cairo_line_to(cr, x, y);
      }
    }
    cairo_close_path(cr);
  }
  StrokeStudyArea(cr);
}

void DrawStudyAreaKey(cairo_t* cr, double x, double y, double width_px) {
  cairo_move_to(cr, x, y);
  cairo_line_to(cr, x + width_px, y);
  StrokeStudyArea(cr);
}

void DrawNorthArrow(cairo_t* cr, const MapLayout& l) {
  const double cx = l.map_left_px + l.map_width_px - 30, top = l.map_top_px + 14;
  SetColour(cr, 0xffffff, 0.85);
  cairo_rectangle(cr, cx - 18, top - 4, 36, 62);
  cairo_fill(cr);
  cairo_move_to(cr, cx, top + 18);
  cairo_line_to(cr, cx + 10, top + 48);
  cairo_line_to(cr, cx, top + 40);
  cairo_line_to(cr, cx - 10, top + 48);
  cairo_close_path(cr);
  SetColour(cr, 0x222222);
  cairo_fill(cr);
  Text(cr, cx, top + 14, "N", 14, 0x222222, true, Align::kCentre);
}

}  // namespace internal

Status RenderForecastPng(const std::string& path, const ForecastProduct& p,
                         const MapOverlay& overlay, std::string* png_out) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<ProductCell> cells, io::RankProductCells(p));
  const grid::Grid& g = *p.grid;
  // Suppressed cells (public release) take no part in the class breaks and are not drawn.
  std::vector<double> value = p.surface->value;
  std::vector<uint8_t> hidden(value.size(), 0);
  for (const ProductCell& c : cells) {
    if (c.suppressed) {
      hidden[c.cell] = 1;
      value[c.cell] = 0;
    }
  }
  const auto l = internal::ComputeMapLayout(g, p.study_area);
  std::vector<double> upper;
  const std::vector<int> cls = internal::QuantileClasses(value, 5, &upper);
  const int32_t top_count = io::TopCellCount(p);

  Canvas canvas(l.width_px, l.height_px);
  cairo_t* cr = canvas.cr();
  const double s = g.cell_size_m();
  auto col_px = [&](int32_t c) { return std::round(l.XToPx(g.x0_m() + c * s)); };
  auto row_px = [&](int32_t r) { return std::round(l.YToPx(g.y0_m() + r * s)); };

  // Cells, snapped to whole pixels and drawn without antialiasing so neighbours share edges
  // exactly (no seams, no overlap).
  cairo_save(cr);
  cairo_rectangle(cr, l.map_left_px, l.map_top_px, l.map_width_px, l.map_height_px);
  cairo_clip(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (grid::CellId c = 0; c < g.num_cells(); ++c) {
    if (hidden[c]) continue;
    const int32_t col = g.CellCol(c), row = g.CellRow(c);
    const double x0 = col_px(col), x1 = col_px(col + 1), y0 = row_px(row + 1), y1 = row_px(row);
    SetColour(cr, cls[c] < 0 ? kZeroRiskFill : kRiskRamp[cls[c]]);
    cairo_rectangle(cr, x0, y0, std::max(1.0, x1 - x0), std::max(1.0, y1 - y0));
    cairo_fill(cr);
  }
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);

  if (p.study_area != nullptr) internal::DrawStudyArea(cr, l, *p.study_area);

  // Top cells: only the outer edges of each group, so adjacent top cells read as one hotspot; in
  // blocks of k × k cells, or not at all, when single cells would be too small or too many to
  // read (internal::PlanTopOutline).
  std::vector<uint8_t> top(value.size(), 0);
  for (const ProductCell& c : cells) top[c.cell] = c.in_top ? 1 : 0;
  const internal::TopOutlinePlan outline = internal::PlanProductTopOutline(p, cells);
  const int32_t k = outline.block_cells;
  const int32_t bnx = (g.nx() + k - 1) / k, bny = (g.ny() + k - 1) / k;
  std::vector<uint8_t> block(outline.mode == internal::TopOutlineMode::kNone
                                 ? 0
                                 : static_cast<size_t>(bnx) * static_cast<size_t>(bny),
                             0);
  if (!block.empty()) {
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      if (top[c]) block[static_cast<size_t>(g.CellRow(c) / k) * bnx + g.CellCol(c) / k] = 1;
    }
  }
  auto is_top = [&](int32_t bcol, int32_t brow) {
    return bcol >= 0 && brow >= 0 && bcol < bnx && brow < bny &&
           block[static_cast<size_t>(brow) * bnx + bcol];
  };
  for (int32_t brow = 0; brow < bny && !block.empty(); ++brow) {
    for (int32_t bcol = 0; bcol < bnx; ++bcol) {
      if (!is_top(bcol, brow)) continue;
      const double x0 = col_px(bcol * k), x1 = col_px(std::min((bcol + 1) * k, g.nx()));
      const double y0 = row_px(std::min((brow + 1) * k, g.ny())), y1 = row_px(brow * k);
      if (!is_top(bcol, brow + 1)) {
        cairo_move_to(cr, x0, y0);
        cairo_line_to(cr, x1, y0);
      }
      if (!is_top(bcol, brow - 1)) {
        cairo_move_to(cr, x0, y1);
        cairo_line_to(cr, x1, y1);
      }
      if (!is_top(bcol - 1, brow)) {
        cairo_move_to(cr, x0, y0);
        cairo_line_to(cr, x0, y1);
      }
      if (!is_top(bcol + 1, brow)) {
        cairo_move_to(cr, x1, y0);
        cairo_line_to(cr, x1, y1);
      }
    }
  }
  SetColour(cr, kTopOutline);
  cairo_set_line_width(cr, outline.mode == internal::TopOutlineMode::kBlocks ? 1.8 : 2.6);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  cairo_stroke(cr);
  cairo_restore(cr);

  SetColour(cr, 0x999999);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, l.map_left_px - 0.5, l.map_top_px - 0.5, l.map_width_px + 1,
                  l.map_height_px + 1);
  cairo_stroke(cr);
  DrawScaleBar(cr, l);
  DrawNorthArrow(cr, l);

  // Title.
  Text(cr, 20, 40, io::products_internal::ProductTitle(p), 24, 0x111111, true, Align::kLeft,
       l.width_px - 40);

  // Legend panel.
  const double lx = l.width_px - 20 - 290, lw = 290;
  double y = 100;
  Text(cr, lx, y, "Relative risk", 17, 0x111111, true);
  y += 20;
  Text(cr, lx, y, "5 classes: quintiles of the non-zero risk", 12, 0x444444, false, Align::kLeft,
       lw);
  y += 16;
  // Values per cell over the horizon, shown per km² per day (in units of 10⁻³ᵏ when tiny).
  const internal::LegendScale unit = internal::PickLegendScale(upper.empty() ? 0 : upper.back(),
                                                               g.cell_area_km2(), p.horizon_days);
  if (!unit.unit.empty()) {
    Text(cr, lx, y, "Risk " + unit.Describe() + ":", 12, 0x444444, false, Align::kLeft, lw);
    y += 16;
  }
  for (int k = 4; k >= 0; --k) {
    double lo = 0, hi = 0;
    int64_t n = 0;
    for (size_t i = 0; i < value.size(); ++i) {
      if (cls[i] != k) continue;
      lo = n == 0 ? value[i] : std::min(lo, value[i]);
      hi = n == 0 ? value[i] : std::max(hi, value[i]);
      ++n;
    }
    Swatch(cr, lx, y, kRiskRamp[k], true, 0x888888, 0.8);
    const std::string name = k == 4   ? "highest"
                             : k == 0 ? "lowest"
                                      : "class " + std::to_string(k + 1);
    const std::string label =
        n == 0 ? name + ": no cells"
               : name + ": " + internal::FormatLegendRange(lo * unit.factor, hi * unit.factor) +
                     " (" + std::to_string(n) + ")";
    Text(cr, lx + 36, y + 13, label, 13, 0x222222, false, Align::kLeft, lw - 36);
    y += 24;
  }
  const int64_t hidden_cells = std::count(hidden.begin(), hidden.end(), uint8_t{1});
  const int64_t zero_cells = std::count(cls.begin(), cls.end(), -1) - hidden_cells;
  Swatch(cr, lx, y, kZeroRiskFill, true, 0x888888, 0.8);
  Text(cr, lx + 36, y + 13, "zero risk (" + std::to_string(zero_cells) + ")", 13, 0x222222, false,
       Align::kLeft, lw - 36);
  y += 32;
  if (hidden_cells > 0) {
    Swatch(cr, lx, y, 0xFFFFFF, true, 0x888888, 0.8);
    Text(cr, lx + 36, y + 13, "suppressed, not published (" + std::to_string(hidden_cells) + ")",
         13, 0x222222, false, Align::kLeft, lw - 36);
    y += 32;
  }
  const std::string top_text = internal::TopCellsLabel(p, top_count);
  if (outline.mode == internal::TopOutlineMode::kNone) {
    Text(cr, lx, y + 13, top_text + ": not outlined,", 13, 0x222222, false, Align::kLeft, lw);
    y += 17;
    Text(cr, lx, y + 13, "too small and many to read here", 12, 0x444444, false, Align::kLeft, lw);
    y += 24;
  } else {
    Swatch(cr, lx, y, 0, false, kTopOutline, 2.6);
    Text(cr, lx + 36, y + 13, top_text, 13, 0x222222, false, Align::kLeft, lw - 36);
    y += 24;
    if (outline.mode == internal::TopOutlineMode::kBlocks) {
      const std::string b = std::to_string(outline.block_cells);
      Text(cr, lx + 36, y + 8, "outlined in blocks of " + b + " × " + b + " cells", 12, 0x444444,
           false, Align::kLeft, lw - 36);
      y += 16;
      Text(cr, lx + 36, y + 8, "holding one (cells too small to outline)", 12, 0x444444, false,
           Align::kLeft, lw - 36);
      y += 20;
    }
  }
  if (p.study_area != nullptr) {
    internal::DrawStudyAreaKey(cr, lx, y + 8, 26);
    Text(cr, lx + 36, y + 13, "study area", 13, 0x222222, false, Align::kLeft, lw - 36);
    y += 24;
  }
  y += 14;
  Text(cr, lx, y, "Counts of cells in brackets.", 12, 0x444444, false, Align::kLeft, lw);
  y += 17;
  Text(cr, lx, y, "Risk ranks places against each other;", 12, 0x444444, false, Align::kLeft, lw);
  y += 17;
  Text(cr, lx, y, "it is not a probability of crime.", 12, 0x444444, false, Align::kLeft, lw);
  y += 17;
  Text(cr, lx, y, "Cells of " + internal::FormatLegendNumber(s) + " m, " + g.crs() + ".", 12,
       0x444444, false, Align::kLeft, lw);

  // Footer.
  const double fy = l.height_px - 38;
  const std::string line1 = "Model: " + p.model + "  |  Offence: " + p.offence +
                            "  |  Training: " + io::products_internal::TrainingWindowText(p) +
                            " (" + std::to_string(p.training_events) +
                            " events)  |  Origin: " + FormatLocal(p, p.origin_s) +
                            "  |  Horizon: " + Format("%g", p.horizon_days) + " days";
  Text(cr, 20, fy, line1, 13, 0x222222, false, Align::kLeft, l.width_px - 40);
  const std::string line2 = "placecast " + p.code_version +
                            "  ·  Decision support about places, not people: review with local "
                            "knowledge before acting.";
  Text(cr, 20, fy + 20, line2, 12, 0x555555, false, Align::kLeft, l.width_px - 40);
  if (!overlay.empty()) DrawOverlay(cr, l, overlay);

  PLACECAST_RETURN_IF_ERROR(canvas.Check(path));
  return WritePng(canvas.surface(), path, png_out);
}

namespace {

// Clips to the plot rectangle (x, y, w, h) and draws a grey dashed reference line from (x0, y0)
// to (x1, y1): chance on a hit-rate plot, the diagonal on a reliability plot. The clip and dash
// stay set until the caller's cairo_restore.
void DashedReferenceLine(cairo_t* cr, double x, double y, double w, double h, double x0, double y0,
                         double x1, double y1) {
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  const double dash[] = {6, 4};
  cairo_set_dash(cr, dash, 2, 0);
  SetColour(cr, 0x888888);
  cairo_set_line_width(cr, 1.4);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
}

// A legend of line styles at (lx, y), lw wide: one entry per name in the series colours (dashed
// past the eighth), then, unless `dashed_label` is "", a grey dashed reference line.
void DrawSeriesLegend(cairo_t* cr, double lx, double y, double lw,
                      const std::vector<std::string>& names, const std::string& dashed_label) {
  Text(cr, lx, y, "Series", 14, 0x111111, true);
  y += 12;
  const size_t n = names.size() + (dashed_label.empty() ? 0 : 1);
  for (size_t si = 0; si < n; ++si) {
    const bool reference = si == names.size();
    cairo_move_to(cr, lx, y + 8);
    cairo_line_to(cr, lx + 28, y + 8);
    if (reference) {
      const double dash[] = {6, 4};
      cairo_set_dash(cr, dash, 2, 0);
      SetColour(cr, 0x888888);
      cairo_set_line_width(cr, 1.4);
    } else {
      if (si >= 8) {
        const double d[] = {10.0 + 2.0 * static_cast<double>(si / 8), 4};
        cairo_set_dash(cr, d, 2, 0);
      }
      SetColour(cr, kSeriesColours[si % 8]);
      cairo_set_line_width(cr, 2.4);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    Text(cr, lx + 36, y + 12, reference ? dashed_label : names[si], 12, 0x222222, false,
         Align::kLeft, lw - 36);
    y += 20;
  }
}

Status ValidateSeries(const std::vector<CurveSeries>& series) {
  if (series.empty()) return Status::InvalidInput("hit-rate curves: no series to plot");
  for (const CurveSeries& s : series) {
    const std::string who = "hit-rate curves: series \"" + s.name + "\"";
    if (s.coverage_pct.empty()) return Status::InvalidInput(who + ": no points");
    if (s.coverage_pct.size() != s.hit_rate.size()) {
      return Status::InvalidInput(who + ": " + std::to_string(s.coverage_pct.size()) +
                                  " coverage values but " + std::to_string(s.hit_rate.size()) +
                                  " hit rates");
    }
    for (size_t i = 0; i < s.coverage_pct.size(); ++i) {
      const double c = s.coverage_pct[i], h = s.hit_rate[i];
      if (!std::isfinite(c) || c < 0 || c > 100) {
        return Status::InvalidInput(who + ": point " + std::to_string(i) +
                                    ": coverage_pct: expected a value in [0, 100] (got " +
                                    Format("%g", c) + ")");
      }
      if (!std::isfinite(h) || h < 0 || h > 1) {
        return Status::InvalidInput(who + ": point " + std::to_string(i) +
                                    ": hit_rate: expected a value in [0, 1] (got " +
                                    Format("%g", h) + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status RenderHitRateCurvesPng(const std::string& path, const std::vector<CurveSeries>& series,
                              const std::string& title, std::string* png_out) {
  PLACECAST_RETURN_IF_ERROR(ValidateSeries(series));
  const auto l = internal::ComputeCurveLayout();
  Canvas canvas(l.width_px, l.height_px);
  cairo_t* cr = canvas.cr();

  Text(cr, 20, 38, title, 22, 0x111111, true, Align::kLeft, l.width_px - 40);
  const double bottom = l.top_px + l.plot_height_px;
  const char* panel_titles[2] = {"All coverage: 0–100 % of cells", "Enlarged: 0–20 % of cells"};
  for (int panel = 0; panel < 2; ++panel) {
    const double left = l.left_px[panel], right = left + l.plot_width_px;
    Text(cr, left, l.top_px - 14, panel_titles[panel], 14, 0x222222, true);
    // Grid lines and ticks.
    cairo_set_line_width(cr, 1);
    const double xstep = panel == 0 ? 20 : 5;
    for (double x = 0; x <= l.xmax_pct[panel] + 1e-9; x += xstep) {
      const double px = std::round(l.XToPx(panel, x)) + 0.5;
      SetColour(cr, 0xe3e3e3);
      cairo_move_to(cr, px, l.top_px);
      cairo_line_to(cr, px, bottom);
      cairo_stroke(cr);
      Text(cr, px, bottom + 18, Format("%g", x), 12, 0x333333, false, Align::kCentre);
    }
    for (int i = 0; i <= 5; ++i) {
      const double h = i / 5.0;
      const double py = std::round(l.YToPx(h)) + 0.5;
      SetColour(cr, 0xe3e3e3);
      cairo_move_to(cr, left, py);
      cairo_line_to(cr, right, py);
      cairo_stroke(cr);
      Text(cr, left - 8, py + 4, Format("%.1f", h), 12, 0x333333, false, Align::kRight);
    }
    SetColour(cr, 0x444444);
    cairo_rectangle(cr, left + 0.5, l.top_px + 0.5, l.plot_width_px, l.plot_height_px);
    cairo_stroke(cr);
    Text(cr, left + l.plot_width_px / 2, bottom + 42, "coverage: share of cells flagged (%)", 13,
         0x222222, false, Align::kCentre);
    cairo_save(cr);
    cairo_translate(cr, left - 46, l.top_px + l.plot_height_px / 2);
    cairo_rotate(cr, -std::numbers::pi / 2);
    Text(cr, 0, 0, "hit rate: share of events in flagged cells", 13, 0x222222, false,
         Align::kCentre);
    cairo_restore(cr);

    cairo_save(cr);
    // A forecast no better than chance captures coverage/100 of the events.
    DashedReferenceLine(cr, left, l.top_px, l.plot_width_px + 1, l.plot_height_px + 1,
                        l.XToPx(panel, 0), l.YToPx(0), l.XToPx(panel, 100), l.YToPx(1));
    for (size_t si = 0; si < series.size(); ++si) {
      const CurveSeries& s = series[si];
      std::vector<size_t> order(s.coverage_pct.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return s.coverage_pct[a] < s.coverage_pct[b]; });
      if (si < 8) {
        cairo_set_dash(cr, nullptr, 0, 0);
      } else {
        const double d[] = {10.0 + 2.0 * static_cast<double>(si / 8), 4};
        cairo_set_dash(cr, d, 2, 0);
      }
      for (size_t k = 0; k < order.size(); ++k) {
        const double px = l.XToPx(panel, s.coverage_pct[order[k]]);
        const double py = l.YToPx(s.hit_rate[order[k]]);
        if (k == 0) {
          cairo_move_to(cr, px, py);
        } else {
          cairo_line_to(cr, px, py);
        }
      }
      if (order.size() == 1) {
        cairo_rel_line_to(cr, 0.01, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      }
      SetColour(cr, kSeriesColours[si % 8]);
      cairo_set_line_width(cr, 2.4);
      cairo_stroke(cr);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    }
    cairo_restore(cr);
  }

  // Legend to the right of the panels.
  const double lx = l.left_px[1] + l.plot_width_px + 30, lw = l.width_px - lx - 16;
  std::vector<std::string> names;
  for (const CurveSeries& c : series) names.push_back(c.name);
  DrawSeriesLegend(cr, lx, l.top_px + 4, lw, names, "chance (hit rate = coverage)");

  PLACECAST_RETURN_IF_ERROR(canvas.Check(path));
  return WritePng(canvas.surface(), path, png_out);
}

namespace {

Status ValidateReliability(const std::string& path, const std::vector<ReliabilitySeries>& series) {
  if (series.empty()) return Status::InvalidInput(path + ": reliability plot: no series to plot");
  for (const ReliabilitySeries& s : series) {
    const std::string who = path + ": reliability plot: series \"" + s.name + "\"";
    auto check = [&](const std::vector<double>& a, const std::vector<double>& b,
                     const char* what) -> Status {
      if (a.size() != b.size()) {
        return Status::InvalidInput(who + ": " + what + ": " + std::to_string(a.size()) +
                                    " predicted but " + std::to_string(b.size()) + " observed");
      }
      for (const std::vector<double>* v : {&a, &b}) {
        for (size_t i = 0; i < v->size(); ++i) {
          const double x = (*v)[i];
          if (std::isinf(x) || x < 0) {
            return Status::InvalidInput(who + ": decile " + std::to_string(i + 1) + ": " + what +
                                        ": expected a value >= 0 (got " + Format("%g", x) + ")");
          }
        }
      }
      return Status::Ok();
    };
    if (s.predicted_share.empty()) return Status::InvalidInput(who + ": no decile");
    PLACECAST_RETURN_IF_ERROR(check(s.predicted_share, s.observed_share, "shares"));
    PLACECAST_RETURN_IF_ERROR(check(s.predicted_per_cell, s.observed_per_cell, "counts"));
    if (!s.predicted_per_cell.empty() && s.predicted_per_cell.size() != s.predicted_share.size()) {
      return Status::InvalidInput(who + ": " + std::to_string(s.predicted_per_cell.size()) +
                                  " deciles of counts but " +
                                  std::to_string(s.predicted_share.size()) + " of shares");
    }
  }
  return Status::Ok();
}

}  // namespace

Status RenderReliabilityPng(const std::string& path, const std::string& title,
                            const std::string& count_unit,
                            const std::vector<ReliabilitySeries>& series, std::string* png_out) {
  PLACECAST_RETURN_IF_ERROR(ValidateReliability(path, series));
  std::vector<double> count_values, share_values;
  bool any_counts = false;
  for (const ReliabilitySeries& s : series) {
    any_counts |= !s.predicted_per_cell.empty();
    for (const auto* v : {&s.predicted_per_cell, &s.observed_per_cell}) {
      count_values.insert(count_values.end(), v->begin(), v->end());
    }
    for (const auto* v : {&s.predicted_share, &s.observed_share}) {
      share_values.insert(share_values.end(), v->begin(), v->end());
    }
  }
  const auto l = internal::ComputeReliabilityLayout(count_values, share_values);
  Canvas canvas(l.width_px, l.height_px);
  cairo_t* cr = canvas.cr();
  Text(cr, 20, 38, title, 22, 0x111111, true, Align::kLeft, l.width_px - 40);
  const double bottom = l.top_px + l.plot_px;
  const std::string panel_titles[2] = {"Expected counts (log scales)",
                                       "Shares of the total (log scales)"};
  const std::string x_labels[2] = {"predicted " + count_unit, "predicted share of the total"};
  const std::string y_labels[2] = {"observed " + count_unit, "observed share of the events"};
  for (int panel = 0; panel < 2; ++panel) {
    const double left = l.left_px[panel], right = left + l.plot_px;
    Text(cr, left, l.top_px - 14, panel_titles[panel], 14, 0x222222, true);
    cairo_set_line_width(cr, 1);
    for (int e = l.lo_exp[panel]; e <= l.hi_exp[panel]; ++e) {
      const double v = std::pow(10.0, e);
      const double px = std::round(l.XToPx(panel, v)) + 0.5;
      const double py = std::round(l.YToPx(panel, v)) + 0.5;
      SetColour(cr, 0xe3e3e3);
      cairo_move_to(cr, px, l.top_px);
      cairo_line_to(cr, px, bottom);
      cairo_move_to(cr, left, py);
      cairo_line_to(cr, right, py);
      cairo_stroke(cr);
      const std::string label = internal::FormatLegendNumber(v);  // "0.00001", not "1e-05"
      Text(cr, px, bottom + 18, label, 12, 0x333333, false, Align::kCentre);
      Text(cr, left - 8, py + 4, label, 12, 0x333333, false, Align::kRight);
    }
    SetColour(cr, 0x444444);
    cairo_rectangle(cr, left + 0.5, l.top_px + 0.5, l.plot_px, l.plot_px);
    cairo_stroke(cr);
    Text(cr, left + l.plot_px / 2, bottom + 42, x_labels[panel], 13, 0x222222, false,
         Align::kCentre, l.plot_px + 60);
    cairo_save(cr);
    cairo_translate(cr, left - 56, l.top_px + l.plot_px / 2);
    cairo_rotate(cr, -std::numbers::pi / 2);
    Text(cr, 0, 0, y_labels[panel], 13, 0x222222, false, Align::kCentre, l.plot_px);
    cairo_restore(cr);
    if (panel == 0 && !any_counts) {
      Text(cr, left + l.plot_px / 2, l.top_px + l.plot_px / 2 - 10,
           "No model here predicts expected counts:", 13, 0x666666, false, Align::kCentre);
      Text(cr, left + l.plot_px / 2, l.top_px + l.plot_px / 2 + 10, "see the shares on the right.",
           13, 0x666666, false, Align::kCentre);
      continue;
    }

    // The diagonal: a calibrated forecast sees what it predicts.
    cairo_save(cr);
    DashedReferenceLine(cr, left, l.top_px, l.plot_px + 1, l.plot_px + 1, left, bottom, right,
                        l.top_px);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_restore(cr);

    for (size_t si = 0; si < series.size(); ++si) {
      const ReliabilitySeries& s = series[si];
      const std::vector<double>& xs = panel == 0 ? s.predicted_per_cell : s.predicted_share;
      const std::vector<double>& ys = panel == 0 ? s.observed_per_cell : s.observed_share;
      const uint32_t colour = kSeriesColours[si % 8];
      // The line through the deciles in order (a NaN point breaks it), then the markers.
      bool open = false;
      for (size_t d = 0; d < xs.size(); ++d) {
        if (std::isnan(xs[d]) || std::isnan(ys[d])) {
          open = false;
          continue;
        }
        const double px = l.XToPx(panel, xs[d]), py = l.YToPx(panel, ys[d]);
        if (open) {
          cairo_line_to(cr, px, py);
        } else {
          cairo_move_to(cr, px, py);
          open = true;
        }
      }
      if (si >= 8) {
        const double d[] = {10.0 + 2.0 * static_cast<double>(si / 8), 4};
        cairo_set_dash(cr, d, 2, 0);
      }
      SetColour(cr, colour);
      cairo_set_line_width(cr, 2);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      for (size_t d = 0; d < xs.size(); ++d) {
        if (std::isnan(xs[d]) || std::isnan(ys[d])) continue;
        const double px = l.XToPx(panel, xs[d]), py = l.YToPx(panel, ys[d]);
        const double floor = std::pow(10.0, l.lo_exp[panel]);
        const bool on_edge = !(xs[d] > floor) || !(ys[d] > floor);
        cairo_new_sub_path(cr);
        cairo_arc(cr, px, py, 4, 0, 2 * std::numbers::pi);
        SetColour(cr, on_edge ? 0xffffff : colour);
        cairo_fill_preserve(cr);
        SetColour(cr, colour);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
        if (d == 0) {
          cairo_arc(cr, px, py, 7.5, 0, 2 * std::numbers::pi);
          cairo_set_line_width(cr, 1.4);
          cairo_stroke(cr);
        }
      }
    }
  }

  const double lx = l.left_px[1] + l.plot_px + 30, lw = l.width_px - lx - 16;
  std::vector<std::string> names;
  for (const ReliabilitySeries& s : series) names.push_back(s.name);
  DrawSeriesLegend(cr, lx, l.top_px + 4, lw, names, "observed = predicted");
  double y = l.top_px + 4 + 12 + 20 * static_cast<double>(names.size() + 1) + 16;
  for (const char* note : {"One point per decile;", "decile 1 (riskiest) ringed.",
                           "Hollow: 0 or below the", "axis, drawn on its edge."}) {
    Text(cr, lx, y, note, 11, 0x555555, false, Align::kLeft, lw);
    y += 15;
  }
  PLACECAST_RETURN_IF_ERROR(canvas.Check(path));
  return WritePng(canvas.surface(), path, png_out);
}

Status RenderLineChartPng(const std::string& path, const std::string& title,
                          const std::string& x_label, const std::string& y_label,
                          const std::vector<LineSeries>& series, double y_min, double y_max,
                          double reference, const std::string& reference_label) {
  if (series.empty()) return Status::InvalidInput(path + ": line chart: no series to plot");
  if (!(y_min < y_max)) {
    return Status::InvalidInput(path + ": line chart: expected y_min < y_max (got " +
                                Format("%g", y_min) + ", " + Format("%g", y_max) + ")");
  }
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  for (const LineSeries& s : series) {
    const std::string who = path + ": line chart: series \"" + s.name + "\"";
    if (s.x.empty() || s.x.size() != s.y.size()) {
      return Status::InvalidInput(who + ": expected as many y as x values, at least one (got " +
                                  std::to_string(s.x.size()) + " x, " + std::to_string(s.y.size()) +
                                  " y)");
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        return Status::InvalidInput(who + ": point " + std::to_string(i) + ": not finite (got " +
                                    Format("%g", s.x[i]) + ", " + Format("%g", s.y[i]) + ")");
      }
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
    }
    if (s.lo.empty() && s.hi.empty()) continue;
    if (s.lo.size() != s.x.size() || s.hi.size() != s.x.size()) {
      return Status::InvalidInput(
          who + ": band: expected one lo and one hi per x (got " + std::to_string(s.lo.size()) +
          " lo, " + std::to_string(s.hi.size()) + " hi for " + std::to_string(s.x.size()) + " x)");
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.lo[i]) || !std::isfinite(s.hi[i]) || s.lo[i] > s.hi[i]) {
        return Status::InvalidInput(who + ": band point " + std::to_string(i) +
                                    ": expected finite lo <= hi (got " + Format("%g", s.lo[i]) +
                                    ", " + Format("%g", s.hi[i]) + ")");
      }
    }
  }
  if (x_max <= x_min) x_max = x_min + 1;
  constexpr int kWidth = 1200, kHeight = 640;
  constexpr double kLeft = 90, kTop = 70, kPlotW = 760, kPlotH = 470;
  const double bottom = kTop + kPlotH, right = kLeft + kPlotW;
  auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * kPlotW; };
  auto py = [&](double y) { return bottom - (y - y_min) / (y_max - y_min) * kPlotH; };
  Canvas canvas(kWidth, kHeight);
  cairo_t* cr = canvas.cr();
  Text(cr, 20, 38, title, 22, 0x111111, true, Align::kLeft, kWidth - 40);
  cairo_set_line_width(cr, 1);
  for (int i = 0; i <= 5; ++i) {
    const double x = x_min + (x_max - x_min) * i / 5.0, y = y_min + (y_max - y_min) * i / 5.0;
    const double gx = std::round(px(x)) + 0.5, gy = std::round(py(y)) + 0.5;
    SetColour(cr, 0xe3e3e3);
    cairo_move_to(cr, gx, kTop);
    cairo_line_to(cr, gx, bottom);
    cairo_move_to(cr, kLeft, gy);
    cairo_line_to(cr, right, gy);
    cairo_stroke(cr);
    Text(cr, gx, bottom + 18, Format("%g", std::round(x * 100) / 100), 12, 0x333333, false,
         Align::kCentre);
    Text(cr, kLeft - 8, gy + 4, Format("%.2f", y), 12, 0x333333, false, Align::kRight);
  }
  SetColour(cr, 0x444444);
  cairo_rectangle(cr, kLeft + 0.5, kTop + 0.5, kPlotW, kPlotH);
  cairo_stroke(cr);
  Text(cr, kLeft + kPlotW / 2, bottom + 42, x_label, 13, 0x222222, false, Align::kCentre);
  cairo_save(cr);
  cairo_translate(cr, kLeft - 56, kTop + kPlotH / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  Text(cr, 0, 0, y_label, 13, 0x222222, false, Align::kCentre);
  cairo_restore(cr);

  cairo_save(cr);
  cairo_rectangle(cr, kLeft, kTop, kPlotW + 1, kPlotH + 1);
  cairo_clip(cr);
  const bool has_reference = std::isfinite(reference);
  if (has_reference) {
    const double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    SetColour(cr, 0x888888);
    cairo_set_line_width(cr, 1.4);
    cairo_move_to(cr, kLeft, py(reference));
    cairo_line_to(cr, right, py(reference));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  // Bands first, so that every line stays visible on top of every band.
  for (size_t si = 0; si < series.size(); ++si) {
    const LineSeries& s = series[si];
    if (s.lo.empty()) continue;
    for (size_t k = 0; k < s.x.size(); ++k) {
      if (k == 0) {
        cairo_move_to(cr, px(s.x[k]), py(s.hi[k]));
      } else {
        cairo_line_to(cr, px(s.x[k]), py(s.hi[k]));
      }
    }
    for (size_t k = s.x.size(); k-- > 0;) cairo_line_to(cr, px(s.x[k]), py(s.lo[k]));
    cairo_close_path(cr);
    SetColour(cr, kSeriesColours[si % 8], 0.16);
    cairo_fill(cr);
  }
  for (size_t si = 0; si < series.size(); ++si) {
    const LineSeries& s = series[si];
    for (size_t k = 0; k < s.x.size(); ++k) {
      if (k == 0) {
        cairo_move_to(cr, px(s.x[k]), py(s.y[k]));
      } else {
        cairo_line_to(cr, px(s.x[k]), py(s.y[k]));
      }
    }
    if (s.x.size() == 1) cairo_rel_line_to(cr, 0.01, 0);
    if (si >= 8) {
      const double d[] = {10.0 + 2.0 * static_cast<double>(si / 8), 4};
      cairo_set_dash(cr, d, 2, 0);
    }
    SetColour(cr, kSeriesColours[si % 8]);
    cairo_set_line_width(cr, 2.4);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  cairo_restore(cr);

  std::vector<std::string> names;
  for (const LineSeries& s : series) names.push_back(s.name);
  DrawSeriesLegend(cr, right + 30, kTop + 4, kWidth - right - 46, names,
                   has_reference ? reference_label : "");
  PLACECAST_RETURN_IF_ERROR(canvas.Check(path));
  return WritePng(canvas.surface(), path);
}

Status RenderBarChartPng(const std::string& path, const std::string& title,
                         const std::string& value_label, const std::vector<BarItem>& items,
                         double reference, const std::string& reference_label,
                         std::string* png_out) {
  if (items.empty()) return Status::InvalidInput(path + ": bar chart: no bars (got 0 items)");
  double vmin = 0, vmax = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const BarItem& b = items[i];
    if (!std::isfinite(b.value)) {
      return Status::InvalidInput(path + ": bar chart: " + b.label +
                                  ": value is not finite (got \"" + Format("%g", b.value) + "\")");
    }
    vmin = std::min(vmin, b.value);
    vmax = std::max(vmax, b.value);
    if (std::isfinite(b.hi)) vmax = std::max(vmax, b.hi);
    if (std::isfinite(b.lo)) vmin = std::min(vmin, b.lo);
  }
  if (std::isfinite(reference)) vmax = std::max(vmax, reference), vmin = std::min(vmin, reference);
  if (vmax <= vmin) vmax = vmin + 1;
  vmax += 0.05 * (vmax - vmin);
  const int bar_px = 26, gap_px = 10, label_w = 260, note_w = 170, left = label_w + 30;
  const int width = 1100, top = 80;
  const int plot_h = static_cast<int>(items.size()) * (bar_px + gap_px) + gap_px;
  const int height = top + plot_h + 80;
  const double plot_w = width - left - note_w - 30;
  auto x_px = [&](double v) { return left + (v - vmin) / (vmax - vmin) * plot_w; };
  Canvas canvas(width, height);
  cairo_t* cr = canvas.cr();
  Text(cr, 20, 38, title, 22, 0x111111, true, Align::kLeft, width - 40);
  // Ticks: about 6 round steps.
  const double raw = (vmax - vmin) / 6;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  cairo_set_line_width(cr, 1);
  for (double v = std::ceil(vmin / step) * step; v <= vmax + 1e-12; v += step) {
    const double px = std::round(x_px(v)) + 0.5;
    SetColour(cr, 0xe3e3e3);
    cairo_move_to(cr, px, top);
    cairo_line_to(cr, px, top + plot_h);
    cairo_stroke(cr);
    Text(cr, px, top + plot_h + 18, Format("%g", std::abs(v) < 1e-12 ? 0.0 : v), 12, 0x333333,
         false, Align::kCentre);
  }
  Text(cr, left + plot_w / 2, top + plot_h + 44, value_label, 13, 0x222222, false, Align::kCentre);
  for (size_t i = 0; i < items.size(); ++i) {
    const BarItem& b = items[i];
    const double y = top + gap_px + static_cast<double>(i) * (bar_px + gap_px);
    Text(cr, left - 10, y + bar_px * 0.68, b.label, 14, 0x222222, false, Align::kRight, label_w);
    const double x0 = x_px(0), x1 = x_px(b.value);
    SetColour(cr, kSeriesColours[0]);
    cairo_rectangle(cr, std::min(x0, x1), y, std::abs(x1 - x0), bar_px);
    cairo_fill(cr);
    if (std::isfinite(b.lo) && std::isfinite(b.hi)) {
      SetColour(cr, 0x222222);
      cairo_set_line_width(cr, 1.5);
      const double cy = y + bar_px / 2.0;
      cairo_move_to(cr, x_px(b.lo), cy);
      cairo_line_to(cr, x_px(b.hi), cy);
      for (double v : {b.lo, b.hi}) {
        cairo_move_to(cr, x_px(v), cy - 6);
        cairo_line_to(cr, x_px(v), cy + 6);
      }
      cairo_stroke(cr);
    }
    std::string note = Format("%.3g", b.value);
    if (!b.note.empty()) note += "  " + b.note;
    Text(cr, left + plot_w + 12, y + bar_px * 0.68, note, 13, 0x222222, false, Align::kLeft,
         note_w);
  }
  if (std::isfinite(reference)) {
    const double px = std::round(x_px(reference)) + 0.5;
    const double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    SetColour(cr, 0x888888);
    cairo_set_line_width(cr, 1.4);
    cairo_move_to(cr, px, top - 4);
    cairo_line_to(cr, px, top + plot_h);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    Text(cr, px + 4, top - 8, reference_label, 12, 0x555555);
  }
  SetColour(cr, 0x444444);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, std::round(x_px(0)) + 0.5, top);
  cairo_line_to(cr, std::round(x_px(0)) + 0.5, top + plot_h);
  cairo_stroke(cr);
  PLACECAST_RETURN_IF_ERROR(canvas.Check(path));
  return WritePng(canvas.surface(), path, png_out);
}

}  // namespace placecast::render
