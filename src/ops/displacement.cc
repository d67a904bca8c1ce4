// SPDX-License-Identifier: Apache-2.0
// displacement (displacement.h).
#include "placecast/ops/displacement.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_api.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/common/safe_json.h"
#include "placecast/deploy/displacement.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/privacy/privacy.h"
#include "placecast/render/report.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<DisplacementRequest>> DisplacementRequest::Fields() {
  using R = DisplacementRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddStoreField(&v, &R::store);
    v.push_back(
        {{.name = "offence", .doc = "offence group (see `placecast offences`)", .flags = kRequired},
         &R::offence});
    v.push_back({{.name = "target",
                  .type = FieldType::kInputPath,
                  .doc = "intervention area polygons (GeoJSON, Shapefile, GPKG)",
                  .flags = kRequired},
                 &R::target});
    v.push_back({{.name = "buffer",
                  .type = FieldType::kInputPath,
                  .doc = "displacement (buffer) area polygons; the target is taken out"},
                 &R::buffer});
    v.push_back({{.name = "buffer_m",
                  .type = FieldType::kDouble,
                  .default_json = "0",
                  .min = 1,
                  .max = 100000,
                  .units = "m",
                  .doc = "build the buffer as a ring of this many metres around the target (GEOS "
                         "buffer minus the target)"},
                 &R::buffer_m});
    v.push_back({{.name = "control",
                  .type = FieldType::kInputPath,
                  .doc = "control area polygons (apart from the target and the buffer); serves "
                         "both unless --buffer-control is given",
                  .flags = kRequired},
                 &R::control});
    v.push_back({{.name = "buffer_control",
                  .type = FieldType::kInputPath,
                  .doc = "a separate control area for the buffer (the WDD's Cd)"},
                 &R::buffer_control});
    v.push_back({{.name = "pre",
                  .doc = "pre period FROM:TO (YYYY-MM-DD, both days included)",
                  .flags = kRequired},
                 &R::pre});
    v.push_back({{.name = "post",
                  .doc = "post period FROM:TO, after the pre period and as long as it",
                  .flags = kRequired},
                 &R::post});
    v.push_back({kOutField, &R::out});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: withhold each area's pre/post count below --min-incidents and "
             "every WDQ/WDD figure computed from a withheld count; publish no incident points",
             "public release: least incidents a published count rests on",
             "public release: privacy budget ε of Laplace noise on each published count "
             "(sensitivity 1, 2 when a separate buffer control overlaps the control); the "
             "figures are recomputed from the noised counts; default: no noise"});
    return v;
  }();
  return fields;
}

Status DisplacementRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, !store.empty()));
  PLACECAST_ASSIGN_OR_RETURN(deploy::Period pre_period, deploy::ParsePeriod(pre, "--pre"));
  PLACECAST_ASSIGN_OR_RETURN(deploy::Period post_period, deploy::ParsePeriod(post, "--post"));
  PLACECAST_RETURN_IF_ERROR(deploy::CheckPeriods(pre_period, post_period));
  if (buffer.empty() == (buffer_m <= 0)) {
    return Status::InvalidInput("displacement: give the buffer as --buffer FILE or --buffer-m M");
  }
  return Status::Ok();
}

namespace {

// Overlaps smaller than this (m²) are slivers of shared edges, not overlaps; areas no larger are
// empty.
constexpr double kOverlapToleranceM2 = 1.0;

using GeomPtr = std::unique_ptr<OGRGeometry>;

// The even-odd union of a Boundary's rings: the symmetric difference of one polygon per ring.
Result<GeomPtr> BoundaryToGeometry(const grid::Boundary& b, const std::string& what) {
  GeomPtr acc;
  for (const grid::Ring& r : b.rings) {
    if (r.x_m.size() < 3) continue;
    auto ring = std::make_unique<OGRLinearRing>();
    for (size_t i = 0; i < r.x_m.size(); ++i) ring->addPoint(r.x_m[i], r.y_m[i]);
    ring->closeRings();
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring.release());
    if (!acc) {
      acc = std::move(poly);
      continue;
    }
    GeomPtr next(acc->SymDifference(poly.get()));
    if (!next) return Status::InvalidInput(what + ": GEOS cannot combine its polygons");
    acc = std::move(next);
  }
  if (!acc || OGR_G_Area(OGRGeometry::ToHandle(acc.get())) <= kOverlapToleranceM2) {
    return Status::InvalidInput(what + ": the area is empty (no polygon of more than 1 m2)");
  }
  return acc;
}

void AddRings(OGRGeometryH g, grid::Boundary* b) {
  const OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if (t == wkbLinearRing || t == wkbLineString) {
    grid::Ring r;
    const int n = OGR_G_GetPointCount(g);
    for (int i = 0; i + 1 < n; ++i) {  // the closing point repeats the first
      r.x_m.push_back(OGR_G_GetX(g, i));
      r.y_m.push_back(OGR_G_GetY(g, i));
    }
    if (r.x_m.size() >= 3) b->rings.push_back(std::move(r));
    return;
  }
  if (t != wkbPolygon && t != wkbMultiPolygon && t != wkbGeometryCollection) return;
  for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) AddRings(OGR_G_GetGeometryRef(g, i), b);
}

grid::Boundary GeometryToBoundary(const OGRGeometry& g) {
  grid::Boundary b;
  AddRings(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)), &b);
  return b;
}

double AreaM2(const OGRGeometry& g) {
  return OGR_G_Area(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)));
}

// kInvalidInput when `a` and `b` share more than kOverlapToleranceM2.
Status CheckApart(const OGRGeometry& a, const std::string& a_name, const OGRGeometry& b,
                  const std::string& b_name) {
  GeomPtr inter(a.Intersection(&b));
  const double common = inter ? AreaM2(*inter) : 0;
  if (common > kOverlapToleranceM2) {
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "%s overlaps %s (%.0f m2 in common): the areas compared must not overlap",
                  a_name.c_str(), b_name.c_str(), common);
    return Status::InvalidInput(buf);
  }
  return Status::Ok();
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

struct Area {
  std::string role;  // "target", "buffer", "control", "buffer control"
  std::string source;
  GeomPtr geom;
  grid::Boundary rings;
  deploy::PeriodCounts counts;  // privacy::kWithheldCount when a public release withholds one
};

// A published count: the number, or `withheld` for privacy::kWithheldCount.
std::string CountText(int64_t v, const char* withheld) {
  return v == privacy::kWithheldCount ? std::string(withheld) : std::to_string(v);
}

nlohmann::ordered_json CountJson(int64_t v) {
  return v == privacy::kWithheldCount ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
}

// post − pre, or privacy::kWithheldCount when either is withheld.
int64_t Change(const deploy::PeriodCounts& c) {
  return c.pre == privacy::kWithheldCount || c.post == privacy::kWithheldCount
             ? privacy::kWithheldCount
             : c.post - c.pre;
}

// What a public release (docs/privacy.md, "displacement") did to the counts and figures.
struct DisplacementRelease {
  bool wdq_withheld = false;  // SM, BDM and WDQ: a target, buffer or control count is withheld
  bool wdd_withheld = false;  // every WDD figure: any count is withheld
  int64_t withheld = 0, counts = 0;
  double sensitivity = 1;
  nlohmann::ordered_json privacy;
};

// Public release of the areas' counts (privacy::ReleasePrePost): each pre/post count below k is
// withheld, the others get Laplace noise of sensitivity Δ (1: the areas do not overlap, so an
// incident is in one area and one period; 2 when a separate buffer control overlaps the control)
// when ε is given. The counts in `areas` become the published ones (privacy::kWithheldCount when
// withheld).
Result<DisplacementRelease> MakeCountsPublic(const Release& release, bool controls_overlap,
                                             std::vector<Area>* areas) {
  DisplacementRelease rel;
  std::vector<privacy::PrePost> counts;
  for (const Area& a : *areas) counts.push_back({a.counts.pre, a.counts.post});
  // The first three areas are the target, the buffer and the control.
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedPrePost published,
                             privacy::ReleasePrePost(SpecOf(release), counts, controls_overlap));
  for (size_t i = 0; i < areas->size(); ++i) {
    (*areas)[i].counts.pre = published.counts[i].pre;
    (*areas)[i].counts.post = published.counts[i].post;
  }
  rel.wdq_withheld = published.wdq_withheld;
  rel.wdd_withheld = published.wdd_withheld;
  rel.sensitivity = published.sensitivity;
  rel.counts = static_cast<int64_t>(2 * counts.size());
  rel.withheld = published.withheld;
  char buf[900];
  std::snprintf(
      buf, sizeof(buf),
      "Public release: no incident points, times or ids are published, and the number of events "
      "loaded is left out. Each area's pre and post count below k = %lld is withheld (%lld of "
      "%lld counts), with the change it enters; the WDQ figures (SM, BDM, WDQ) are withheld when "
      "a target, buffer or control count is, the WDD figures when any count is. The published "
      "figures (WDQ, WDD, its variance, z, p and interval) are computed from the published "
      "counts. ",
      static_cast<long long>(release.f.min_incidents), static_cast<long long>(rel.withheld),
      static_cast<long long>(rel.counts));
  const std::string note =
      buf + NoiseSentence(release, rel.sensitivity, "each published count",
                          controls_overlap ? "per incident: the control and buffer control "
                                             "overlap, so one incident can be in two counts"
                                           : "per incident: one incident is in one area and "
                                             "one period",
                          "rounded to a whole number and at least 0");
  rel.privacy = PrivacyJson(release, {{"counts", rel.counts}, {"withheld_counts", rel.withheld}},
                            rel.sensitivity, note);
  return rel;
}

// RFC 7946 FeatureCollection of the areas compared (reprojected to WGS 84 lon/lat, 7 decimals),
// so a built buffer can be checked on a map.
Result<std::string> AreasGeoJson(const std::vector<Area>& areas, const std::string& crs) {
  OGRSpatialReference src, wgs84;
  if (src.SetFromUserInput(crs.c_str()) != OGRERR_NONE) {
    return Status::InvalidInput("areas.geojson: GDAL does not know the store CRS \"" + crs + "\"");
  }
  wgs84.SetWellKnownGeogCS("WGS84");
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  nlohmann::ordered_json fc;
  fc["type"] = "FeatureCollection";
  fc["features"] = nlohmann::ordered_json::array();
  const char* options[] = {"COORDINATE_PRECISION=7", nullptr};
  for (const Area& a : areas) {
    GeomPtr g(a.geom->clone());
    g->assignSpatialReference(&src);
    if (g->transformTo(&wgs84) != OGRERR_NONE) {
      return Status::InvalidInput("areas.geojson: cannot project the " + a.role + " to WGS 84");
    }
    char* text = OGR_G_ExportToJsonEx(OGRGeometry::ToHandle(g.get()), const_cast<char**>(options));
    const nlohmann::ordered_json geom = nlohmann::ordered_json::parse(text ? text : "null");
    CPLFree(text);
    fc["features"].push_back({{"type", "Feature"},
                              {"properties",
                               {{"role", a.role},
                                {"source", a.source},
                                {"area_m2", AreaM2(*a.geom)},
                                {"pre", CountJson(a.counts.pre)},
                                {"post", CountJson(a.counts.post)}}},
                              {"geometry", geom}});
  }
  return SafeDump(fc) + "\n";
}

}  // namespace

Result<Product> Run(io::Store& store, const DisplacementRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(deploy::Period pre, deploy::ParsePeriod(r.pre, "--pre", cal));
  PLACECAST_ASSIGN_OR_RETURN(deploy::Period post, deploy::ParsePeriod(r.post, "--post", cal));
  PLACECAST_ASSIGN_OR_RETURN(Study study,
                             LoadStudy(store, r.offence, "", "", 0, pre.from_s, post.to_s,
                                       r.allow_enforcement_types, *ctx.progress));
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  const std::string crs = study.crs;
  CPLPushErrorHandler(CPLQuietErrorHandler);
  struct PopHandler {
    ~PopHandler() { CPLPopErrorHandler(); }
  } pop;

  std::vector<Area> areas;
  auto add = [&](const std::string& role, const std::string& source, GeomPtr g) {
    Area a;
    a.role = role;
    a.source = source;
    a.rings = GeometryToBoundary(*g);
    a.geom = std::move(g);
    areas.push_back(std::move(a));
  };
  auto load = [&](const std::string& path, const std::string& flag) -> Result<GeomPtr> {
    PLACECAST_ASSIGN_OR_RETURN(grid::Boundary b, io::ReadBoundary(path, crs));
    return BoundaryToGeometry(b, flag + " " + path);
  };

  PLACECAST_ASSIGN_OR_RETURN(GeomPtr target, load(r.target, "--target"));
  GeomPtr buffer;
  std::string buffer_source, buffer_note;
  if (r.buffer_m > 0) {
    // A ring of buffer_m metres around the target, the target itself excluded.
    GeomPtr grown(target->Buffer(r.buffer_m, 30));
    if (grown) buffer.reset(grown->Difference(target.get()));
    if (!buffer) return Status::Internal("--buffer-m: GEOS could not build the buffer");
    buffer_source = Fmt("%g m ring around the target", r.buffer_m);
  } else {
    PLACECAST_ASSIGN_OR_RETURN(buffer, load(r.buffer, "--buffer"));
    buffer_source = r.buffer;
    GeomPtr inter(buffer->Intersection(target.get()));
    if (inter && AreaM2(*inter) > kOverlapToleranceM2) {
      // A buffer drawn around the target usually contains it: the target is taken out.
      buffer.reset(buffer->Difference(target.get()));
      if (!buffer) return Status::Internal("--buffer: GEOS could not take the target out");
      buffer_note = "the target area was taken out of the buffer polygon";
      ctx.progress->Warn("--buffer " + r.buffer + " overlaps the target; " + buffer_note);
    }
    if (AreaM2(*buffer) <= kOverlapToleranceM2) {
      return Status::InvalidInput("--buffer " + r.buffer +
                                  ": the area is empty once the target is taken out");
    }
  }
  PLACECAST_ASSIGN_OR_RETURN(GeomPtr control, load(r.control, "--control"));
  PLACECAST_RETURN_IF_ERROR(CheckApart(*control, "--control " + r.control, *target, "the target"));
  PLACECAST_RETURN_IF_ERROR(CheckApart(*control, "--control " + r.control, *buffer, "the buffer"));
  const bool shared = r.buffer_control.empty();
  GeomPtr buffer_control;
  if (!shared) {
    PLACECAST_ASSIGN_OR_RETURN(buffer_control, load(r.buffer_control, "--buffer-control"));
    const std::string name = "--buffer-control " + r.buffer_control;
    PLACECAST_RETURN_IF_ERROR(CheckApart(*buffer_control, name, *target, "the target"));
    PLACECAST_RETURN_IF_ERROR(CheckApart(*buffer_control, name, *buffer, "the buffer"));
  }
  add("target", r.target, std::move(target));
  add("buffer", buffer_source, std::move(buffer));
  add("control", r.control, std::move(control));
  if (!shared) add("buffer control", r.buffer_control, std::move(buffer_control));
  for (Area& a : areas) {
    PLACECAST_ASSIGN_OR_RETURN(a.counts,
                               deploy::CountInArea(study.events, a.rings, pre, post, a.role));
  }
  DisplacementRelease rel;
  if (r.public_release) {
    bool controls_overlap = false;
    if (!shared) {
      GeomPtr inter(areas[2].geom->Intersection(areas[3].geom.get()));
      controls_overlap = inter && AreaM2(*inter) > kOverlapToleranceM2;
    }
    PLACECAST_ASSIGN_OR_RETURN(rel, MakeCountsPublic(release, controls_overlap, &areas));
  }
  // The figures use the published counts; a withheld count enters as 0 and every figure it
  // touches is withheld below.
  auto known = [](deploy::PeriodCounts c) {
    if (c.pre == privacy::kWithheldCount) c.pre = 0;
    if (c.post == privacy::kWithheldCount) c.post = 0;
    return c;
  };
  deploy::DisplacementCounts k;
  k.target = known(areas[0].counts);
  k.buffer = known(areas[1].counts);
  k.control = known(areas[2].counts);
  k.shared_control = shared;
  if (!shared) k.buffer_control = known(areas[3].counts);
  PLACECAST_ASSIGN_OR_RETURN(deploy::DisplacementResult res, deploy::ComputeDisplacement(k));
  deploy::WdqResult& q = res.wdq;
  deploy::WddResult& w = res.wdd;
  const char* wdq_na = rel.wdq_withheld ? "withheld" : "undefined";
  const char* wdd_na = rel.wdd_withheld ? "withheld" : "undefined";
  if (rel.wdq_withheld) {
    q.sm_defined = q.wdq_defined = false;
    q.undefined_reason = "withheld: a target, buffer or control count is below k";
    q.reading = "Withheld (public release): a target, buffer or control count is below k.";
  }
  const bool wdd_shown = !rel.wdd_withheld;
  if (rel.wdd_withheld) {
    w.test_defined = false;
    w.reading = "Withheld (public release): a count is below k.";
  }

  // JSON.
  auto opt = [](bool defined, double v) {
    return defined ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j;
  j["command"] = "displacement";
  j["placecast_version"] = kVersion;
  j["offence"] = r.offence;
  j["pre"] = {{"from", pre.first_day}, {"to", pre.last_day}, {"days", pre.days()}};
  j["post"] = {{"from", post.first_day}, {"to", post.last_day}, {"days", post.days()}};
  j["shared_control"] = shared;
  nlohmann::ordered_json ja = nlohmann::ordered_json::array();
  for (const Area& a : areas) {
    ja.push_back({{"role", a.role},
                  {"source", a.source},
                  {"area_m2", AreaM2(*a.geom)},
                  {"pre", CountJson(a.counts.pre)},
                  {"post", CountJson(a.counts.post)},
                  {"change", CountJson(Change(a.counts))}});
  }
  j["areas"] = ja;
  if (!buffer_note.empty()) j["buffer_note"] = buffer_note;
  j["wdq"] = {{"success_measure", opt(q.sm_defined, q.success_measure)},
              {"buffer_displacement_measure", opt(q.sm_defined, q.buffer_measure)},
              {"wdq", opt(q.wdq_defined, q.wdq)},
              {"undefined_reason", q.undefined_reason},
              {"reading", q.reading}};
  j["wdd"] = {{"local", opt(wdd_shown, w.local)},
              {"local_se", opt(wdd_shown, w.local_se)},
              {"displacement", opt(wdd_shown, w.displacement)},
              {"displacement_se", opt(wdd_shown, w.displacement_se)},
              {"wdd", opt(wdd_shown, w.wdd)},
              {"variance", opt(wdd_shown, w.variance)},
              {"se", opt(wdd_shown, w.se)},
              {"z", opt(w.test_defined, w.z)},
              {"p_value", opt(w.test_defined, w.p_value)},
              {"ci95_low", opt(w.test_defined, w.ci95_low)},
              {"ci95_high", opt(w.test_defined, w.ci95_high)},
              {"variance_rule", shared ? "T0+T1+D0+D1+4(C0+C1): one control serves both"
                                       : "T0+T1+Ct0+Ct1+D0+D1+Cd0+Cd1"},
              {"reading", w.reading}};
  if (r.public_release) {
    j["events"] = {{"crs", crs}};  // the number loaded is left out (privacy note)
    j["privacy"] = rel.privacy;
  } else {
    j["events"] = {{"loaded", study.events.size()}, {"crs", crs}};
  }

  // CSV tables.
  std::string counts_csv = "role,source,area_m2,pre,post,change\n";
  for (const Area& a : areas) {
    std::string src = a.source;
    for (char& c : src) {
      if (c == ',' || c == '"' || c == '\n') c = ' ';
    }
    counts_csv += a.role + "," + src + "," + Fmt("%.1f", AreaM2(*a.geom)) + "," +
                  CountText(a.counts.pre, "") + "," + CountText(a.counts.post, "") + "," +
                  CountText(Change(a.counts), "") + "\n";
  }
  auto val = [](bool defined, double v) { return defined ? Fmt("%.9g", v) : std::string(); };
  std::string measures_csv = "measure,value\n";
  const std::pair<const char*, std::string> measures[] = {
      {"success_measure", val(q.sm_defined, q.success_measure)},
      {"buffer_displacement_measure", val(q.sm_defined, q.buffer_measure)},
      {"wdq", val(q.wdq_defined, q.wdq)},
      {"wdd_local", val(wdd_shown, w.local)},
      {"wdd_displacement", val(wdd_shown, w.displacement)},
      {"wdd", val(wdd_shown, w.wdd)},
      {"wdd_variance", val(wdd_shown, w.variance)},
      {"wdd_se", val(wdd_shown, w.se)},
      {"wdd_z", val(w.test_defined, w.z)},
      {"wdd_p_value", val(w.test_defined, w.p_value)},
      {"wdd_ci95_low", val(w.test_defined, w.ci95_low)},
      {"wdd_ci95_high", val(w.test_defined, w.ci95_high)}};
  for (const auto& [name, v] : measures) measures_csv += std::string(name) + "," + v + "\n";

  // HTML report section.
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Displacement analysis</title>\n<style>body{font-family:\"DejaVu Sans\",Arial,"
      "sans-serif;max-width:1000px;margin:1.5em auto;padding:0 1em;color:#222}table{border-"
      "collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:"
      "left}td.num{text-align:right}.note{color:#555;font-size:.9em}</style>\n</head>\n<body>\n"
      "<section id=\"displacement\">\n<h2>Displacement analysis: " +
      render::HtmlEscape(r.offence) + "</h2>\n<p>Pre period " + pre.first_day + " to " +
      pre.last_day + ", post period " + post.first_day + " to " + post.last_day + " (" +
      std::to_string(pre.days()) +
      " days each).</p>\n<table>\n<tr><th>Area</th><th>Source</th><th>Area (km²)</th><th>Pre</th>"
      "<th>Post</th><th>Change</th></tr>\n";
  for (const Area& a : areas) {
    h += "<tr><td>" + render::HtmlEscape(a.role) + "</td><td>" + render::HtmlEscape(a.source) +
         "</td><td class=\"num\">" + Fmt("%.3f", AreaM2(*a.geom) / 1e6) +
         "</td><td class=\"num\">" + CountText(a.counts.pre, "withheld") +
         "</td><td class=\"num\">" + CountText(a.counts.post, "withheld") +
         "</td><td class=\"num\">" + CountText(Change(a.counts), "withheld") + "</td></tr>\n";
  }
  auto shown = [](bool defined, const char* format, double v, const char* na = "undefined") {
    return defined ? Fmt(format, v) : std::string(na);
  };
  h += "</table>\n<h3>Weighted displacement quotient (Bowers and Johnson 2003)</h3>\n<table>\n"
       "<tr><th>Success measure SM = A<sub>post</sub>/C<sub>post</sub> − A<sub>pre</sub>/"
       "C<sub>pre</sub></th><td class=\"num\">" +
       shown(q.sm_defined, "%.4f", q.success_measure, wdq_na) +
       "</td></tr>\n<tr><th>Buffer displacement measure BDM = B<sub>post</sub>/C<sub>post</sub> − "
       "B<sub>pre</sub>/C<sub>pre</sub></th><td class=\"num\">" +
       shown(q.sm_defined, "%.4f", q.buffer_measure, wdq_na) +
       "</td></tr>\n<tr><th>WDQ = BDM / SM</th><td class=\"num\">" +
       shown(q.wdq_defined, "%.3f", q.wdq, wdq_na) + "</td></tr>\n</table>\n<p>" +
       render::HtmlEscape(q.reading) +
       "</p>\n<h3>Weighted displacement difference (Wheeler and Ratcliffe 2018)</h3>\n<table>\n"
       "<tr><th>Direct effect ΔT − ΔC<sub>t</sub></th><td class=\"num\">" +
       shown(wdd_shown, "%.0f", w.local, wdd_na) + " (se " +
       shown(wdd_shown, "%.2f", w.local_se, wdd_na) +
       ")</td></tr>\n<tr><th>Around the target ΔD − ΔC<sub>d</sub></th><td class=\"num\">" +
       shown(wdd_shown, "%.0f", w.displacement, wdd_na) + " (se " +
       shown(wdd_shown, "%.2f", w.displacement_se, wdd_na) +
       ")</td></tr>\n<tr><th>WDD</th><td class=\"num\">" + shown(wdd_shown, "%.0f", w.wdd, wdd_na) +
       "</td></tr>\n<tr><th>Standard error</th><td class=\"num\">" +
       shown(wdd_shown, "%.2f", w.se, wdd_na) + "</td></tr>\n<tr><th>z</th><td class=\"num\">" +
       shown(w.test_defined, "%.3f", w.z, wdd_na) +
       "</td></tr>\n<tr><th>p (two-sided)</th><td class=\"num\">" +
       shown(w.test_defined, "%.4g", w.p_value, wdd_na) +
       "</td></tr>\n<tr><th>95 % interval</th><td class=\"num\">" +
       (w.test_defined ? Fmt("%.1f", w.ci95_low) + " to " + Fmt("%.1f", w.ci95_high)
                       : std::string(wdd_na)) +
       "</td></tr>\n</table>\n<p>" + render::HtmlEscape(w.reading) + "</p>\n" +
       (shared ? "<p class=\"note\">One control area serves both the target and the buffer: its "
                 "change is subtracted twice and its counts enter the variance four times.</p>\n"
               : "") +
       (buffer_note.empty()
            ? ""
            : "<p class=\"note\">Buffer: " + render::HtmlEscape(buffer_note) + ".</p>\n") +
       "<p class=\"note\">What these numbers do not say: they compare counts of recorded events, "
       "so a change in reporting or recording reads as a change in crime; a control area only "
       "stands in for what would have happened if it shares the target's trends; the z test "
       "assumes Poisson counts and understates the uncertainty of over-dispersed counts; and "
       "displacement can go to other places, times, targets or offences than the buffer and "
       "offence measured here. See docs/displacement.md.</p>\n</section>\n<p class=\"note\">"
       "Generated by placecast " +
       std::string(kVersion) + ".</p>\n</body>\n</html>\n";

  PLACECAST_ASSIGN_OR_RETURN(std::string areas_geojson, AreasGeoJson(areas, crs));
  // Products are staged inside the output folder and moved into place only after their ledger
  // record commits (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // lines name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "displacement.json", SafeDump(j, 2) + "\n"));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "counts.csv", counts_csv));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "measures.csv", measures_csv));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "areas.geojson", areas_geojson));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "report.html", h));

  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  char line[1024];
  std::snprintf(line, sizeof(line),
                "displacement: %s, pre %s to %s, post %s to %s (%lld days each)", r.offence.c_str(),
                pre.first_day.c_str(), pre.last_day.c_str(), post.first_day.c_str(),
                post.last_day.c_str(), static_cast<long long>(pre.days()));
  out.lines.push_back(line);
  for (const Area& a : areas) {
    std::snprintf(line, sizeof(line), "  %-14s pre %6s  post %6s  (%.3f km2)", a.role.c_str(),
                  CountText(a.counts.pre, "x").c_str(), CountText(a.counts.post, "x").c_str(),
                  AreaM2(*a.geom) / 1e6);
    out.lines.push_back(line);
  }
  out.lines.push_back("WDQ: SM " + shown(q.sm_defined, "%.4f", q.success_measure, wdq_na) +
                      ", BDM " + shown(q.sm_defined, "%.4f", q.buffer_measure, wdq_na) + ", WDQ " +
                      shown(q.wdq_defined, "%.3f", q.wdq, wdq_na) + ". " + q.reading);
  out.lines.push_back("WDD: " + shown(wdd_shown, "%.0f", w.wdd, wdd_na) + " (local " +
                      shown(wdd_shown, "%.0f", w.local, wdd_na) + ", around " +
                      shown(wdd_shown, "%.0f", w.displacement, wdd_na) + "), se " +
                      shown(wdd_shown, "%.2f", w.se, wdd_na) + ", z " +
                      shown(w.test_defined, "%.3f", w.z, wdd_na) + ", p " +
                      shown(w.test_defined, "%.4g", w.p_value, wdd_na) + ". " + w.reading);
  out.lines.push_back("wrote " + dir +
                      "displacement.json, counts.csv, measures.csv, areas.geojson, report.html");
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, "", rel.withheld, rel.counts, "counts withheld",
                                          rel.sensitivity));
  }

  out.summary["areas"] = ja;
  out.summary["wdq"] = j["wdq"];
  out.summary["wdd"] = j["wdd"];
  if (r.public_release) out.summary["withheld_counts"] = rel.withheld;
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name :
       {"displacement.json", "counts.csv", "measures.csv", "areas.geojson", "report.html"}) {
    out.files.push_back(dir + name);
  }
  return out;
}

OpInfo DisplacementOp() {
  return MakeOpInfo<DisplacementRequest>(
      StoreUse::kRead,
      [](io::Store* s, const DisplacementRequest& r, Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
