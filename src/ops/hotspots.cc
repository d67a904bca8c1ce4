// SPDX-License-Identifier: Apache-2.0
// hotspots (hotspots.h).
#include "placecast/ops/hotspots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/common/safe_json.h"
#include "placecast/deploy/hotspots.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/io/vector_layer.h"
#include "placecast/render/area_map.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<HotspotsRequest>> HotspotsRequest::Fields() {
  using R = HotspotsRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddSelectionFields(&v);
    v.push_back({kOutField, &R::out});
    // The ranges of these four are checked in Validate, with the messages they always had.
    v.push_back({{.name = "coverage_pct",
                  .type = FieldType::kDouble,
                  .default_json = "5",
                  .units = "%",
                  .doc = "share of active cells considered: the top cells of the ranking, in % "
                         "(0 < value <= 100)"},
                 &R::coverage_pct});
    v.push_back({{.name = "max_area_m2",
                  .type = FieldType::kDouble,
                  .default_json = "0",
                  .units = "m2",
                  .doc = "largest area of one patrol area in m2 (at least one cell); 0 = 250000 "
                         "m2, or one cell when cells are larger"},
                 &R::max_area_m2});
    v.push_back({{.name = "min_risk",
                  .type = FieldType::kDouble,
                  .default_json = "0",
                  .doc = "cells with lower risk are never included"},
                 &R::min_risk});
    v.push_back({{.name = "max_areas",
                  .type = FieldType::kInt,
                  .default_json = "0",
                  .max = 2147483647,
                  .doc = "keep only the first N areas; 0 = all"},
                 &R::max_areas});
    AddReleaseFields(
        &v, {"public release: apply the forecast's suppression (cells resting on fewer than "
             "--min-incidents training incidents are never in an area) and state it",
             "public release: least training incidents (in a cell or its kernel support) a cell "
             "in an area rests on",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on the "
             "forecast's risk before areas are formed; default: no noise"});
    return v;
  }();
  return fields;
}

Status HotspotsRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, !store.empty()));
  char buf[256];
  if (!(coverage_pct > 0 && coverage_pct <= 100)) {
    std::snprintf(buf, sizeof(buf), "--coverage-pct: expected a value in (0, 100] (got %g)",
                  coverage_pct);
    return Status::InvalidInput(buf);
  }
  const double cell_m2 = cell_size_m * cell_size_m;
  if (!std::isfinite(max_area_m2) || (max_area_m2 != 0 && max_area_m2 < cell_m2 * (1 - 1e-9))) {
    std::snprintf(buf, sizeof(buf),
                  "--max-area-m2: must hold at least one cell of %g m2 (--cell-size-m %g) (got %g)",
                  cell_m2, cell_size_m, max_area_m2);
    return Status::InvalidInput(buf);
  }
  if (!std::isfinite(min_risk) || min_risk < 0) {
    std::snprintf(buf, sizeof(buf), "--min-risk: expected a finite value >= 0 (got %g)", min_risk);
    return Status::InvalidInput(buf);
  }
  if (max_areas < 0) {
    return Status::InvalidInput("--max-areas: expected 0 (all) or more (got " +
                                std::to_string(max_areas) + ")");
  }
  return ValidateSelection(*this);
}

namespace {

double Round7(double v) { return std::round(v * 1e7) / 1e7; }

std::string Num(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

// lon/lat of every outline vertex and centroid of `areas`, in one projection call.
struct LonLat {
  std::vector<std::vector<std::vector<std::vector<double>>>> lon,
      lat;  // area, polygon, ring, vertex
  std::vector<double> centroid_lon, centroid_lat;
};

Result<LonLat> ProjectAreas(const std::string& crs, const std::vector<deploy::PatrolArea>& areas) {
  std::vector<double> x, y;
  for (const auto& a : areas) {
    x.push_back(a.centroid_x_m);
    y.push_back(a.centroid_y_m);
    for (const auto& p : a.outline) {
      for (const auto& r : p.rings) {
        x.insert(x.end(), r.x_m.begin(), r.x_m.end());
        y.insert(y.end(), r.y_m.begin(), r.y_m.end());
      }
    }
  }
  if (!x.empty()) PLACECAST_RETURN_IF_ERROR(io::ProjectToLonLat(crs, x, y));
  LonLat ll;
  size_t k = 0;
  for (const auto& a : areas) {
    ll.centroid_lon.push_back(x[k]);
    ll.centroid_lat.push_back(y[k]);
    ++k;
    auto& lon = ll.lon.emplace_back();
    auto& lat = ll.lat.emplace_back();
    for (const auto& p : a.outline) {
      lon.emplace_back();
      lat.emplace_back();
      for (const auto& r : p.rings) {
        lon.back().emplace_back(x.begin() + k, x.begin() + k + r.x_m.size());
        lat.back().emplace_back(y.begin() + k, y.begin() + k + r.x_m.size());
        k += r.x_m.size();
      }
    }
  }
  return ll;
}

std::string CsvTable(const std::vector<deploy::PatrolArea>& areas, const LonLat& ll) {
  std::string s =
      "rank,id,cells,area_m2,expected_events,risk_share,cumulative_share,centroid_x_m,"
      "centroid_y_m,centroid_lon,centroid_lat,cell_ids\n";
  char buf[512];
  for (size_t i = 0; i < areas.size(); ++i) {
    const auto& a = areas[i];
    std::snprintf(buf, sizeof(buf), "%d,%d,%zu,%.1f,%.9g,%.9g,%.9g,%.3f,%.3f,%.7f,%.7f,", a.rank,
                  a.seed_cell, a.cells.size(), a.area_m2, a.expected_events, a.risk_share,
                  a.cumulative_share, a.centroid_x_m, a.centroid_y_m, ll.centroid_lon[i],
                  ll.centroid_lat[i]);
    s += buf;
    for (size_t k = 0; k < a.cells.size(); ++k) {
      if (k > 0) s += ' ';
      s += std::to_string(a.cells[k]);
    }
    s += '\n';
  }
  return s;
}

nlohmann::ordered_json AreaProperties(const deploy::PatrolArea& a, double lon, double lat) {
  return {{"rank", a.rank},
          {"id", a.seed_cell},
          {"cells", a.cells.size()},
          {"area_m2", a.area_m2},
          {"expected_events", a.expected_events},
          {"risk_share", a.risk_share},
          {"cumulative_share", a.cumulative_share},
          {"centroid_x_m", a.centroid_x_m},
          {"centroid_y_m", a.centroid_y_m},
          {"centroid_lon", Round7(lon)},
          {"centroid_lat", Round7(lat)},
          {"cell_ids", a.cells}};
}

// RFC 7946: lon/lat rounded to 7 decimals, rings closed, exteriors counter-clockwise.
std::string GeoJson(const std::vector<deploy::PatrolArea>& areas, const LonLat& ll,
                    const nlohmann::ordered_json& meta) {
  nlohmann::ordered_json fc;
  fc["type"] = "FeatureCollection";
  fc["placecast"] = meta;
  fc["features"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < areas.size(); ++i) {
    nlohmann::ordered_json polys = nlohmann::ordered_json::array();
    for (size_t p = 0; p < ll.lon[i].size(); ++p) {
      nlohmann::ordered_json rings = nlohmann::ordered_json::array();
      for (size_t r = 0; r < ll.lon[i][p].size(); ++r) {
        nlohmann::ordered_json ring = nlohmann::ordered_json::array();
        const auto& lon = ll.lon[i][p][r];
        const auto& lat = ll.lat[i][p][r];
        for (size_t v = 0; v <= lon.size(); ++v) {
          const size_t k = v % lon.size();
          ring.push_back({Round7(lon[k]), Round7(lat[k])});
        }
        rings.push_back(std::move(ring));
      }
      polys.push_back(std::move(rings));
    }
    nlohmann::ordered_json geom;
    if (polys.size() == 1) {
      geom = {{"type", "Polygon"}, {"coordinates", polys[0]}};
    } else {
      geom = {{"type", "MultiPolygon"}, {"coordinates", polys}};
    }
    fc["features"].push_back(
        {{"type", "Feature"},
         {"properties", AreaProperties(areas[i], ll.centroid_lon[i], ll.centroid_lat[i])},
         {"geometry", geom}});
  }
  return SafeDump(fc) + "\n";
}

// Layer "hotspots" of multipolygons in the grid CRS, one feature per area by rank; its date is
// pinned to the origin, so the same forecast gives the same bytes.
Status WriteGpkg(const std::string& path, const std::string& crs, int64_t origin_s,
                 const std::vector<deploy::PatrolArea>& areas, const LonLat& ll) {
  io::PolygonLayer layer;
  layer.name = "hotspots";
  layer.crs = crs;
  layer.geometry = io::LayerGeometry::kMultiPolygon;
  layer.timestamp_s = origin_s;
  using T = io::LayerFieldType;
  layer.fields = {{"rank", T::kInt32},
                  {"id", T::kInt32},
                  {"cells", T::kInt32},
                  {"area_m2", T::kDouble},
                  {"expected_events", T::kDouble},
                  {"risk_share", T::kDouble},
                  {"cumulative_share", T::kDouble},
                  {"centroid_x_m", T::kDouble},
                  {"centroid_y_m", T::kDouble},
                  {"centroid_lon", T::kDouble},
                  {"centroid_lat", T::kDouble}};
  for (size_t i = 0; i < areas.size(); ++i) {
    const auto& a = areas[i];
    io::LayerFeature f;
    f.values = {int64_t{a.rank},    int64_t{a.seed_cell}, static_cast<int64_t>(a.cells.size()),
                a.area_m2,          a.expected_events,    a.risk_share,
                a.cumulative_share, a.centroid_x_m,       a.centroid_y_m,
                ll.centroid_lon[i], ll.centroid_lat[i]};
    for (const auto& p : a.outline) f.polygons.push_back(io::LayerPolygon{p.rings});
    layer.features.push_back(std::move(f));
  }
  return io::WriteGeoPackageLayer(path, layer);
}

}  // namespace

// How many patrol areas the map names (the best-ranked).
constexpr size_t kMapLabels = 20;

Result<Product> Run(io::Store& store, const HotspotsRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(SelectedForecast fc, RunSelectedForecast(store, r, *ctx.progress));
  const grid::Grid& g = fc.study.grid;
  const std::string params_json = fc.model->params().ToJson();
  // Public release: the forecast's own suppression and noise (docs/privacy.md); a suppressed
  // cell's risk is set to 0, so it is never in a patrol area.
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  PublicSurface pub;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(pub, MakeSurfacePublic(release, fc.study, fc.train_from_s,
                                                      fc.origin_s, fc.support_m, &fc.surface));
    for (size_t c = 0; c < pub.suppressed.size(); ++c) {
      if (pub.suppressed[c]) fc.surface.value[c] = 0;
    }
  }
  deploy::HotspotOptions opt;
  opt.coverage_pct = r.coverage_pct;
  opt.max_area_m2 = r.max_area_m2;
  opt.min_risk = r.min_risk;
  opt.max_areas = static_cast<int32_t>(r.max_areas);
  PLACECAST_ASSIGN_OR_RETURN(deploy::HotspotResult h,
                             deploy::FindHotspots(g, fc.surface, fc.ties, opt));
  PLACECAST_ASSIGN_OR_RETURN(LonLat ll, ProjectAreas(g.crs(), h.areas));

  const bool counts = fc.model->output_kind() == models::Model::OutputKind::kExpectedCount;
  const std::string value_note =
      counts ? "expected_events is the forecast's expected number of events in the area over the "
               "horizon."
             : "This model's risk is a relative score, not an expected count: expected_events is "
               "the sum of scores; read risk_share (the area's share of the forecast's total "
               "risk over all active cells) instead.";
  nlohmann::ordered_json meta;
  meta["command"] = "hotspots";
  meta["placecast_version"] = kVersion;
  meta["model"] = r.model;
  meta["params"] = nlohmann::ordered_json::parse(params_json);
  meta["offence"] = r.offence;
  meta["origin"] = fc.study.calendar.FormatDate(fc.origin_s);
  meta["horizon_days"] = r.horizon_days;
  meta["value_kind"] = std::string(models::OutputKindName(fc.model->output_kind()));
  meta["options"] = {{"coverage_pct", r.coverage_pct},
                     {"max_area_m2", h.max_area_m2},
                     {"min_risk", r.min_risk},
                     {"max_areas", opt.max_areas}};
  if (r.public_release) {
    meta["privacy"] = PrivacyJson(
        release, {{"support_m", pub.support_m}, {"suppressed_cells", pub.suppressed_cells}}, 1,
        pub.note +
            " Suppressed cells count as risk 0: they are never in a patrol area, and "
            "shares are of the published risk.");
  }

  // Products are staged inside the output folder and moved into place only after their ledger
  // record commits (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // lines name the final paths
  const std::string sdir = stage->dir() + "/";
  std::vector<std::string> written = {"hotspots.csv", "hotspots.geojson", "hotspots.gpkg"};
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "hotspots.csv", CsvTable(h.areas, ll)));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "hotspots.geojson", GeoJson(h.areas, ll, meta)));
  PLACECAST_RETURN_IF_ERROR(WriteGpkg(sdir + "hotspots.gpkg", g.crs(), fc.origin_s, h.areas, ll));
  nlohmann::ordered_json map_json;  // what map.png shows, for summary.json
  if (!h.areas.empty()) {
    std::vector<grid::Boundary> shapes;
    std::vector<double> values;
    for (const auto& a : h.areas) {
      grid::Boundary b;
      b.name = "#" + std::to_string(a.rank);
      for (const auto& p : a.outline) b.rings.insert(b.rings.end(), p.rings.begin(), p.rings.end());
      shapes.push_back(std::move(b));
      values.push_back(a.expected_events);
    }
    // The study area outlined (the grid's extent when no boundary masks it); names on the first
    // kMapLabels areas only: hundreds of labels overlap into a smear.
    grid::Boundary extent;
    const grid::Boundary* outline = &fc.study.study_area;
    if (fc.study.study_area.empty()) {
      const double cs = g.cell_size_m(), x1 = g.x0_m() + g.nx() * cs, y1 = g.y0_m() + g.ny() * cs;
      extent.rings.push_back({{g.x0_m(), x1, x1, g.x0_m()}, {g.y0_m(), g.y0_m(), y1, y1}});
      outline = &extent;
    }
    render::AreaMapOptions map;
    map.study_area = outline;
    map.study_area_label = fc.study.study_area.empty() ? "grid extent (no boundary)" : "study area";
    map.max_labels = kMapLabels;
    map.notes = {
        "Shading: quintiles of the areas' " + std::string(counts ? "expected" : "risk"),
        counts ? "events over the horizon." : "scores (relative).",
        "Outlined: patrol areas (" + std::to_string(h.areas.size()) + ").",
        "#N: rank (the " + std::to_string(std::min(h.areas.size(), kMapLabels)) + " best-ranked)."};
    PLACECAST_RETURN_IF_ERROR(render::RenderAreaMapPng(
        sdir + "map.png", shapes, values,
        "Patrol areas: " + r.model + " forecast of " + r.offence + " for " +
            fc.study.calendar.FormatDate(fc.origin_s),
        counts ? "Expected events in the area" : "Risk score (relative)", nullptr, map));
    written.push_back("map.png");
    map_json = {{"labelled_areas", std::min(h.areas.size(), kMapLabels)},
                {"outline", map.study_area_label},
                {"legend_notes", map.notes}};
  }

  nlohmann::ordered_json s = meta;
  s["training"] = {{"to", fc.study.calendar.FormatDateTime(fc.origin_s)}};
  s["grid"] = {{"cell_size_m", g.cell_size_m()},
               {"cells", g.num_cells()},
               {"crs", g.crs()},
               {"mask", fc.study.grid_source}};
  s["cells_considered"] = h.cells_considered;
  s["cells_selected"] = h.cells_selected;
  s["components"] = h.components;
  s["max_cells_per_area"] = h.max_cells_per_area;
  s["areas"] = h.areas.size();
  s["areas_before_limit"] = h.areas_before_limit;
  s["total_risk"] = h.total_risk;
  s["captured_share"] = h.captured_share;
  s["note"] = value_note;
  s["warnings"] = fc.warnings;
  if (!map_json.is_null()) s["map"] = map_json;
  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  for (size_t i = 0; i < h.areas.size(); ++i) {
    table.push_back(AreaProperties(h.areas[i], ll.centroid_lon[i], ll.centroid_lat[i]));
  }
  s["patrol_areas"] = table;
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  for (const auto& name : written) {
    PLACECAST_ASSIGN_OR_RETURN(std::string sha, io::Sha256File(sdir + name));
    outs.push_back({{"path", name}, {"sha256", sha}});
  }
  s["outputs"] = outs;
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "summary.json", SafeDump(s, 2) + "\n"));
  written.push_back("summary.json");

  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  char line[512];
  std::snprintf(line, sizeof(line), "hotspots: %s, %s, origin %s, horizon %g day(s)",
                r.model.c_str(), r.offence.c_str(),
                fc.study.calendar.FormatDate(fc.origin_s).c_str(), r.horizon_days);
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line),
                "candidates: top %d of %d cells (%g%%), %d with risk > 0 and >= %g, in %d "
                "component(s); at most %d cell(s) (%g m2) per area",
                h.cells_considered, g.num_cells(), r.coverage_pct, h.cells_selected, r.min_risk,
                h.components, h.max_cells_per_area, h.max_area_m2);
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line), "%zu patrol area(s) hold %.1f%% of the forecast risk",
                h.areas.size(), 100 * h.captured_share);
  out.lines.push_back(line);
  for (size_t i = 0; i < h.areas.size() && i < 5; ++i) {
    const auto& a = h.areas[i];
    std::snprintf(line, sizeof(line),
                  "  #%d id %d: %zu cell(s), %s m2, %s %s (%.1f%%), centre %.5f, %.5f", a.rank,
                  a.seed_cell, a.cells.size(), Num("%.0f", a.area_m2).c_str(),
                  Num("%.4g", a.expected_events).c_str(), counts ? "expected events" : "risk score",
                  100 * a.risk_share, ll.centroid_lon[i], ll.centroid_lat[i]);
    out.lines.push_back(line);
  }
  out.lines.push_back("wrote " + dir + "hotspots.{csv,geojson,gpkg}, " +
                      (h.areas.empty() ? "" : "map.png, ") + "summary.json");
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, SupportLead(pub.support_m), pub.suppressed_cells,
                                          g.num_cells(), "cells suppressed (never in an area)", 1));
  }

  out.summary["value_kind"] = meta["value_kind"];
  out.summary["cells"] = g.num_cells();
  out.summary["cells_considered"] = h.cells_considered;
  out.summary["cells_selected"] = h.cells_selected;
  out.summary["areas"] = h.areas.size();
  out.summary["captured_share"] = h.captured_share;
  out.summary["max_area_m2"] = h.max_area_m2;
  out.summary["patrol_areas"] = table;
  if (r.public_release) out.summary["suppressed_cells"] = pub.suppressed_cells;
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const auto& name : written) out.files.push_back(dir + name);
  return out;
}

OpInfo HotspotsOp() {
  return MakeOpInfo<HotspotsRequest>(StoreUse::kRead, [](io::Store* s, const HotspotsRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
