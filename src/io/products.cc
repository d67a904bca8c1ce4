// SPDX-License-Identifier: Apache-2.0
// Forecast products as tables: the ranked cell table shared by every product, and the CSV,
// GeoJSON and GeoPackage writers (the PNG map and the HTML report are drawn in src/render). Each
// call builds
// its output in memory or under "<path>.tmp" and renames it, so readers never see a partial file;
// the GeoPackage goes through the shared polygon-layer writer (vector_layer.h). Thread-safe.
#include "placecast/io/products.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "io/products_internal.h"
#include "io/projection.h"
#include "placecast/common/event_set.h"
#include "placecast/io/file_util.h"
#include "placecast/io/vector_layer.h"

namespace placecast::io {

namespace products_internal {

std::string FormatUtcMillis(int64_t s) {
  std::string t = FormatDateTime(s);  // "…SSZ"
  t.insert(t.size() - 1, ".000");
  return t;
}

std::string Format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

std::string FormatLocal(const ForecastProduct& p, int64_t s) {
  return p.calendar.IsDayStart(s) ? p.calendar.FormatDate(s) : p.calendar.FormatDateTime(s);
}

std::string ProductTitle(const ForecastProduct& p) {
  if (!p.title.empty()) return p.title;
  return p.model + " forecast of " + p.offence;
}

std::string TrainingWindowText(const ForecastProduct& p) {
  if (p.train_from_s <= 0) return "all events before " + FormatLocal(p, p.origin_s);
  return FormatLocal(p, p.train_from_s) + " \xe2\x80\x93 " + FormatLocal(p, p.origin_s);
}

Result<nlohmann::ordered_json> ParseParams(const std::string& params_json) {
  if (params_json.empty()) return nlohmann::ordered_json::object();
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(params_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::string shown = params_json.substr(0, 80);
    return Status::InvalidInput("forecast product: params_json: expected a JSON object (got \"" +
                                shown + (params_json.size() > 80 ? "…" : "") + "\")");
  }
  return j;
}

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace products_internal

using products_internal::Dump;
using products_internal::Format;
using products_internal::FormatLocal;
using products_internal::ParseParams;

int32_t TopCellCount(const ForecastProduct& p) {
  const grid::Grid& g = *p.grid;
  if (p.top_area_km2 > 0)
    return grid::TopCellsForArea(p.top_area_km2, g.cell_area_km2(), g.num_cells());
  return grid::TopCellsForShare(p.top_share_pct, g.num_cells());
}

std::string TopCellsText(const ForecastProduct& p) {
  const int32_t top = TopCellCount(p);
  if (p.top_area_km2 <= 0) {
    return "top " + Format("%g", p.top_share_pct) + " % of cells (" + std::to_string(top) + ")";
  }
  const double km2 = top * p.grid->cell_area_km2();
  if (p.top_area_in_sqmi) {
    return "top " + std::to_string(top) + " cells, " + Format("%.3g", km2) +
           " km² = " + Format("%.3g", km2 / kKm2PerSqMi) + " sq mi (of " +
           Format("%g", p.top_area_km2 / kKm2PerSqMi) + " sq mi asked)";
  }
  return "top " + std::to_string(top) + " cells, " + Format("%.3g", km2) + " km² (of " +
         Format("%g", p.top_area_km2) + " km² asked)";
}

Result<std::vector<ProductCell>> RankProductCells(const ForecastProduct& p) {
  if (p.grid == nullptr) return Status::InvalidInput("forecast product: grid is null");
  if (p.surface == nullptr) return Status::InvalidInput("forecast product: surface is null");
  const grid::Grid& g = *p.grid;
  const auto& v = p.surface->value;
  const int32_t n = g.num_cells();
  if (n <= 0) return Status::InvalidInput("forecast product: the grid has no active cells");
  if (static_cast<int64_t>(v.size()) != n) {
    return Status::InvalidInput("forecast product: surface has " + std::to_string(v.size()) +
                                " values but the grid has " + std::to_string(n) + " active cells");
  }
  if (!(p.top_share_pct > 0 && p.top_share_pct <= 100)) {
    return Status::InvalidInput(
        "forecast product: top_share_pct: expected a percentage in "
        "(0, 100] (got " +
        Format("%g", p.top_share_pct) + ")");
  }
  if (!(p.top_area_km2 >= 0) || !std::isfinite(p.top_area_km2) ||
      (p.top_area_km2 > 0 && grid::TopCellsForArea(p.top_area_km2, g.cell_area_km2(), n) == 0)) {
    return Status::InvalidInput(
        "forecast product: top_area_km2: expected 0 or an area of at least "
        "one cell (" +
        Format("%g", g.cell_area_km2()) + " km²) (got " + Format("%g", p.top_area_km2) + ")");
  }
  for (int32_t c = 0; c < n; ++c) {
    if (!std::isfinite(v[c]) || v[c] < 0) {
      return Status::InvalidInput("forecast product: surface value of cell " + std::to_string(c) +
                                  ": expected a finite value >= 0 (got " + Format("%g", v[c]) +
                                  ")");
    }
  }
  for (const auto* key : {&p.ties.history, &p.ties.smoothed}) {
    if (!key->empty() && static_cast<int64_t>(key->size()) != n) {
      return Status::InvalidInput("forecast product: tie keys have " + std::to_string(key->size()) +
                                  " entries but the grid has " + std::to_string(n) +
                                  " active cells");
    }
  }
  if (!p.suppressed.empty() && static_cast<int64_t>(p.suppressed.size()) != n) {
    return Status::InvalidInput("forecast product: suppressed has " +
                                std::to_string(p.suppressed.size()) + " entries but the grid has " +
                                std::to_string(n) + " active cells");
  }
  auto is_suppressed = [&](grid::CellId c) { return !p.suppressed.empty() && p.suppressed[c]; };
  // Suppressed cells rank last (value -1, tie keys 0, so by ascending id: their order says nothing
  // about their history) and count for no share.
  grid::Surface ranked = *p.surface;
  grid::TieBreak ties = p.ties;
  for (int32_t c = 0; c < n; ++c) {
    if (!is_suppressed(c)) continue;
    ranked.value[c] = -1;
    if (!ties.history.empty()) ties.history[c] = 0;
    if (!ties.smoothed.empty()) ties.smoothed[c] = 0;
  }
  const std::vector<grid::CellId> order = grid::RankCells(ranked, ties).cells;
  int32_t published = 0;
  for (int32_t c = 0; c < n; ++c) published += is_suppressed(c) ? 0 : 1;
  // Summed in rank order so the last cumulative share is exactly 1.
  double total = 0;
  for (grid::CellId c : order) total += is_suppressed(c) ? 0 : v[c];
  const int32_t top = TopCellCount(p);

  std::vector<ProductCell> cells(n);
  std::vector<double> lon(n), lat(n);
  double cum = 0;
  for (int32_t r = 0; r < n; ++r) {
    const grid::CellId c = order[r];
    ProductCell& pc = cells[r];
    pc.cell = c;
    pc.col = g.CellCol(c);
    pc.row = g.CellRow(c);
    pc.suppressed = is_suppressed(c);
    pc.risk = pc.suppressed ? 0 : v[c];
    pc.rank = r + 1;
    cum += pc.risk;
    pc.risk_share = total > 0 ? pc.risk / total : 0;
    pc.cumulative_share = total > 0 && !pc.suppressed ? cum / total : 0;
    pc.in_top = pc.rank <= top && r < published;
    pc.x_m = g.CellCenterX(c);
    pc.y_m = g.CellCenterY(c);
    lon[r] = pc.x_m;
    lat[r] = pc.y_m;
  }
  PLACECAST_RETURN_IF_ERROR(
      Transform(g.crs(), "EPSG:4326", lon, lat).Wrap("forecast product: cell centres to WGS 84"));
  for (int32_t r = 0; r < n; ++r) {
    cells[r].lon = lon[r];
    cells[r].lat = lat[r];
  }
  return cells;
}

namespace {

double Round7(double v) { return std::round(v * 1e7) / 1e7; }

// `doc` compact, but with a line break after each top-level member and each element of its arrays:
// a FeatureCollection of thousands of cells stays readable a feature per line (and diffs so).
// REQUIRES: doc is an object.
std::string DumpLinePerFeature(const nlohmann::ordered_json& doc) {
  std::string out = "{";
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it != doc.begin()) out += ",\n";
    out += Dump(it.key());
    out += ':';
    if (!it->is_array()) {
      out += Dump(*it);
      continue;
    }
    out += "[\n";
    for (size_t i = 0; i < it->size(); ++i) {
      out += Dump((*it)[i]);
      out += i + 1 < it->size() ? ",\n" : "\n";
    }
    out += ']';
  }
  out += "}\n";
  return out;
}

// Grid nodes (cell corners) in WGS 84: index row·(nx+1) + col.
Status NodesToLonLat(const grid::Grid& g, std::vector<double>* lon, std::vector<double>* lat) {
  const int32_t w = g.nx() + 1, h = g.ny() + 1;
  lon->resize(static_cast<size_t>(w) * h);
  lat->resize(lon->size());
  for (int32_t r = 0; r < h; ++r) {
    for (int32_t c = 0; c < w; ++c) {
      (*lon)[static_cast<size_t>(r) * w + c] = g.x0_m() + c * g.cell_size_m();
      (*lat)[static_cast<size_t>(r) * w + c] = g.y0_m() + r * g.cell_size_m();
    }
  }
  return Transform(g.crs(), "EPSG:4326", *lon, *lat).Wrap("forecast product: cells to WGS 84");
}

nlohmann::ordered_json Metadata(const ForecastProduct& p, nlohmann::ordered_json params) {
  const grid::Grid& g = *p.grid;
  nlohmann::ordered_json m;
  m["product"] = "forecast";
  m["schema_version"] = 1;
  m["title"] = products_internal::ProductTitle(p);
  m["model"] = p.model;
  m["params"] = std::move(params);
  m["offence"] = p.offence;
  m["origin"] = FormatLocal(p, p.origin_s);
  m["days"] = p.calendar.Describe();
  m["time_zone"] = p.calendar.zone();
  m["horizon_days"] = p.horizon_days;
  m["training"] = {{"from", p.train_from_s > 0 ? FormatLocal(p, p.train_from_s) : ""},
                   {"to", FormatLocal(p, p.origin_s)},
                   {"events", p.training_events}};
  m["top_share_pct"] = p.top_share_pct;
  m["top_cells"] = TopCellCount(p);
  if (p.top_area_km2 > 0) {
    // To the mm², so that binary rounding does not show (1.935, not 1.9349999999999998).
    m["top_area_km2_asked"] = std::round(p.top_area_km2 * 1e12) / 1e12;
    m["top_area_km2"] = std::round(TopCellCount(p) * g.cell_area_km2() * 1e12) / 1e12;
  }
  m["grid"] = {{"cells", g.num_cells()}, {"nx", g.nx()},
               {"ny", g.ny()},           {"cell_size_m", g.cell_size_m()},
               {"x0_m", g.x0_m()},       {"y0_m", g.y0_m()},
               {"crs", g.crs()}};
  m["warnings"] = p.warnings;
  m["placecast_version"] = p.code_version;
  if (!p.privacy_note.empty()) m["privacy"] = p.privacy_note;
  return m;
}

}  // namespace

Status WriteForecastCsv(const std::string& path, const ForecastProduct& p) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<ProductCell> cells, RankProductCells(p));
  std::string out =
      "rank,cell_id,col,row,risk,risk_share,cumulative_share,in_top,x_m,y_m,lon,lat\n";
  out.reserve(out.size() + cells.size() * 110);
  char buf[320];
  for (const ProductCell& c : cells) {
    if (c.suppressed) {  // risk and shares withheld: empty fields
      std::snprintf(buf, sizeof(buf), "%d,%d,%d,%d,,,,0,%.3f,%.3f,%.7f,%.7f\n", c.rank, c.cell,
                    c.col, c.row, c.x_m, c.y_m, c.lon, c.lat);
    } else {
      std::snprintf(buf, sizeof(buf), "%d,%d,%d,%d,%.9g,%.9g,%.9g,%d,%.3f,%.3f,%.7f,%.7f\n", c.rank,
                    c.cell, c.col, c.row, c.risk, c.risk_share, c.cumulative_share,
                    c.in_top ? 1 : 0, c.x_m, c.y_m, c.lon, c.lat);
    }
    out += buf;
  }
  return WriteFileAtomic(path, out);
}

Status WriteForecastGeoJson(const std::string& path, const ForecastProduct& p) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<ProductCell> cells, RankProductCells(p));
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::ordered_json params, ParseParams(p.params_json));
  std::vector<double> lon, lat;
  PLACECAST_RETURN_IF_ERROR(NodesToLonLat(*p.grid, &lon, &lat));
  const size_t w = static_cast<size_t>(p.grid->nx()) + 1;

  nlohmann::ordered_json doc;
  doc["type"] = "FeatureCollection";
  doc["placecast"] = Metadata(p, std::move(params));
  nlohmann::ordered_json& features = doc["features"] = nlohmann::ordered_json::array();
  for (const ProductCell& c : cells) {
    // Counter-clockwise exterior ring (RFC 7946 §3.1.6): SW, SE, NE, NW, SW.
    const size_t sw = static_cast<size_t>(c.row) * w + c.col;
    const size_t corners[5] = {sw, sw + 1, sw + w + 1, sw + w, sw};
    nlohmann::ordered_json ring = nlohmann::ordered_json::array();
    for (size_t k : corners) ring.push_back({Round7(lon[k]), Round7(lat[k])});
    nlohmann::ordered_json f;
    f["type"] = "Feature";
    f["id"] = c.cell;
    f["properties"] = {{"cell_id", c.cell},
                       {"col", c.col},
                       {"row", c.row},
                       {"risk", c.risk},
                       {"rank", c.rank},
                       {"risk_share", c.risk_share},
                       {"cumulative_share", c.cumulative_share},
                       {"in_top", c.in_top ? 1 : 0},
                       {"lon", Round7(c.lon)},
                       {"lat", Round7(c.lat)}};
    if (c.suppressed) {
      for (const char* k : {"risk", "risk_share", "cumulative_share"}) f["properties"][k] = nullptr;
    }
    f["geometry"] = {{"type", "Polygon"}, {"coordinates", nlohmann::ordered_json::array({ring})}};
    features.push_back(std::move(f));
  }
  return WriteFileAtomic(path, DumpLinePerFeature(doc));
}

Status WriteForecastGeoPackage(const std::string& path, const ForecastProduct& p) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<ProductCell> cells, RankProductCells(p));
  const grid::Grid& g = *p.grid;
  PolygonLayer layer;
  layer.name = "forecast";
  layer.crs = g.crs();
  layer.description = "placecast forecast product v1: model " + p.model + ", offence " + p.offence +
                      ", origin " + FormatLocal(p, p.origin_s) + " (" + p.calendar.Describe() +
                      "), horizon " + Format("%g", p.horizon_days) + " days";
  layer.identifier = products_internal::ProductTitle(p);
  // Pinned to the origin: the file depends on the forecast, not on the clock.
  layer.timestamp_s = p.origin_s;
  using T = LayerFieldType;
  layer.fields = {{"cell_id", T::kInt32},
                  {"col", T::kInt32},
                  {"row", T::kInt32},
                  {"risk", T::kDouble},
                  {"rank", T::kInt32},
                  {"risk_share", T::kDouble},
                  {"cumulative_share", T::kDouble},
                  {"in_top", T::kInt32},
                  {"x_m", T::kDouble},
                  {"y_m", T::kDouble},
                  {"lon", T::kDouble},
                  {"lat", T::kDouble}};
  layer.features.reserve(cells.size());
  const double s = g.cell_size_m();
  for (const ProductCell& c : cells) {
    LayerFeature f;
    // Suppressed cells publish risk and shares as NULL.
    const auto withheld = [&](double v) { return c.suppressed ? LayerValue() : LayerValue(v); };
    f.values = {int64_t{c.cell},
                int64_t{c.col},
                int64_t{c.row},
                withheld(c.risk),
                int64_t{c.rank},
                withheld(c.risk_share),
                withheld(c.cumulative_share),
                int64_t{c.in_top ? 1 : 0},
                c.x_m,
                c.y_m,
                c.lon,
                c.lat};
    // Counter-clockwise from the south-west corner.
    const double x0 = g.x0_m() + c.col * s, y0 = g.y0_m() + c.row * s;
    grid::Ring ring{{x0, x0 + s, x0 + s, x0}, {y0, y0, y0 + s, y0 + s}};
    f.polygons.push_back(LayerPolygon{{std::move(ring)}});
    layer.features.push_back(std::move(f));
  }
  return WriteGeoPackageLayer(path, layer);
}

}  // namespace placecast::io
