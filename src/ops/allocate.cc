// SPDX-License-Identifier: Apache-2.0
// allocate (allocate.h).
#include "placecast/ops/allocate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "ops/audit_input.h"
#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/audit/audit.h"
#include "placecast/common/offence.h"
#include "placecast/common/safe_json.h"
#include "placecast/deploy/allocate.h"
#include "placecast/io/csv.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/render/map.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<AllocateRequest>> AllocateRequest::Fields() {
  using R = AllocateRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddSelectionFields(&v);
    v.push_back({{.name = "shifts",
                  .default_json = "\"06-14,14-22,22-06\"",
                  .doc = "shifts as local START-END hours, comma-separated"},
                 &R::shifts});
    v.push_back({{.name = "units",
                  .default_json = "\"30\"",
                  .doc = "units per shift: one number, or one per shift (10,12,8)"},
                 &R::units});
    v.push_back({{.name = "points",
                  .type = FieldType::kInputPath,
                  .doc = "patrol points: CSV with id,x,y (store CRS) or id,lon,lat, an OGR point "
                         "layer, or auto:N"},
                 &R::points});
    v.push_back({{.name = "radius_m",
                  .type = FieldType::kDouble,
                  .default_json = "400",
                  .min = 1,
                  .max = 100000,
                  .units = "m",
                  .doc = "coverage radius of a patrol point in metres"},
                 &R::radius_m});
    v.push_back({{.name = "point_spacing_m",
                  .type = FieldType::kDouble,
                  .default_json = "-1",
                  .min = 0,
                  .max = 100000,
                  .units = "m",
                  .doc = "auto:N points: least distance between points (default -1: --radius-m)"},
                 &R::point_spacing_m});
    v.push_back({{.name = "beats",
                  .type = FieldType::kInputPath,
                  .doc = "beat polygons (GeoJSON, Shapefile, GeoPackage)"},
                 &R::beats});
    v.push_back({{.name = "beat_field", .doc = "attribute naming each beat"}, &R::beat_field});
    v.push_back({{.name = "districts",
                  .type = FieldType::kInputPath,
                  .doc = "district polygons for per-district bounds"},
                 &R::districts});
    v.push_back(
        {{.name = "district_field", .doc = "attribute naming each district"}, &R::district_field});
    v.push_back({{.name = "district_bounds",
                  .type = FieldType::kInputPath,
                  .doc = "CSV district,min,max (optional column shift) of units per district"},
                 &R::district_bounds});
    v.push_back({{.name = "solver",
                  .type = FieldType::kChoice,
                  .default_json = "\"glpk\"",
                  .choices = "glpk|greedy",
                  .doc = "glpk (exact) or greedy"},
                 &R::solver});
    v.push_back({{.name = "time_limit_s",
                  .type = FieldType::kDouble,
                  .default_json = "60",
                  .min = 0.001,
                  .max = 86400,
                  .units = "s",
                  .doc = "GLPK time limit per shift; greedy is used when it is hit"},
                 &R::time_limit_s});
    v.push_back({{.name = "profile_days",
                  .type = FieldType::kInt,
                  .default_json = "365",
                  .min = 1,
                  .max = 36500,
                  .units = "days",
                  .doc = "days of history before the origin for the time-of-day profile"},
                 &R::profile_days});
    v.push_back({{.name = "profile_prior",
                  .type = FieldType::kDouble,
                  .default_json = "10",
                  .min = 0,
                  .max = 1e9,
                  .units = "events",
                  .doc = "prior weight (in events) shrinking each cell's profile to the city's"},
                 &R::profile_prior});
    v.push_back({{.name = "areas",
                  .type = FieldType::kInputPath,
                  .doc = "audit: area polygons (as `placecast audit`)"},
                 &R::areas});
    v.push_back(
        {{.name = "area_field", .doc = "audit: attribute naming each area"}, &R::area_field});
    v.push_back({{.name = "population",
                  .type = FieldType::kInputPath,
                  .doc = "audit: CSV area code, optional total, one column of residents per group"},
                 &R::population});
    v.push_back({{.name = "population_area_column",
                  .doc = "audit: area-code column of the population CSV (default: the first)"},
                 &R::population_area_column});
    v.push_back({{.name = "reference_group",
                  .doc = "audit: group the others are compared with (default: the largest)"},
                 &R::reference_group});
    v.push_back({{.name = "need_offence",
                  .doc = "audit: victim-reported offence group measuring need (default: "
                         "--offence)"},
                 &R::need_offence});
    v.push_back({{.name = "bootstrap",
                  .type = FieldType::kInt,
                  .default_json = "0",
                  .min = 0,
                  .max = 1000000,
                  .doc = "audit: bootstrap replications over shifts"},
                 &R::bootstrap});
    v.push_back({{.name = "seed",
                  .type = FieldType::kInt,
                  .default_json = "1",
                  .min = 0,
                  .max = 9007199254740992.0,
                  .doc = "audit: seed of the bootstrap"},
                 &R::seed});
    v.push_back({kOutField, &R::out});
    AddReleaseFields(
        &v, {"public release: apply the forecast's suppression (cells resting on fewer than "
             "--min-incidents training incidents are never covered) and the audit's, and state "
             "them",
             "public release: least training incidents (in a cell or its kernel support) a "
             "scored cell rests on, and least offences a published audit area count rests on",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on the "
             "forecast's risk and the audit's area counts; default: no noise"});
    return v;
  }();
  return fields;
}

namespace {

// The N of --points auto:N. kInvalidInput unless 1 <= N <= 100000.
Result<int32_t> AutoPointCount(const std::string& points) {
  const std::string n_text = points.substr(5);
  char* end = nullptr;
  const long n = std::strtol(n_text.c_str(), &end, 10);
  if (n_text.empty() || *end != '\0' || n < 1 || n > 100000) {
    return Status::InvalidInput("--points: auto:N needs a count N >= 1 (got \"" + points + "\")");
  }
  return static_cast<int32_t>(n);
}

bool IsAutoPoints(const std::string& points) { return points.rfind("auto:", 0) == 0; }

// A patrol point or beat: where units can be sent, and the cells it covers.
struct Site {
  std::string id;
  double x_m = 0, y_m = 0;  // the point, or the mean centre of a beat's cells
  double lon = 0, lat = 0;
  std::vector<grid::CellId> cells;
  int32_t beat = -1;      // index into the beats, or -1 for a point
  int32_t district = -1;  // index into the districts, or -1
};

// Parses a number field of a CSV row; `what` names it in the message.
Result<double> NumberField(const io::CsvReader& csv, std::string_view text,
                           const std::string& what) {
  const std::string v(text);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(x)) {
    return Status::InvalidInput(csv.path() + ":" + std::to_string(csv.line()) + ": " + what +
                                ": expected a number (got \"" + v + "\")");
  }
  return x;
}

// --points FILE: a CSV with columns id and either x,y (metres in the store CRS) or lon,lat.
Result<std::vector<Site>> ReadPointsCsv(const std::string& path, const std::string& crs) {
  PLACECAST_ASSIGN_OR_RETURN(auto csv, io::CsvReader::Open(path));
  const int id_col = csv->ColumnIndex("id");
  int xc = csv->ColumnIndex("x"), yc = csv->ColumnIndex("y");
  const bool lonlat = xc < 0 || yc < 0;
  if (lonlat) {
    xc = csv->ColumnIndex("lon");
    yc = csv->ColumnIndex("lat");
  }
  if (id_col < 0 || xc < 0 || yc < 0) {
    return Status::InvalidInput(path + ":1: --points: expected columns id,x,y or id,lon,lat");
  }
  std::vector<Site> sites;
  std::vector<double> xs, ys;
  std::map<std::string, int64_t> seen;
  std::vector<std::string_view> f;
  for (;;) {
    PLACECAST_ASSIGN_OR_RETURN(bool more, csv->Next(f));
    if (!more) break;
    Site s;
    s.id = std::string(f[id_col]);
    const std::string where = path + ":" + std::to_string(csv->line());
    if (s.id.empty()) return Status::InvalidInput(where + ": id: empty");
    if (seen.count(s.id)) {
      return Status::InvalidInput(where + ": id: listed twice, first on line " +
                                  std::to_string(seen[s.id]) + " (got \"" + s.id + "\")");
    }
    seen[s.id] = csv->line();
    PLACECAST_ASSIGN_OR_RETURN(double x, NumberField(*csv, f[xc], lonlat ? "lon" : "x"));
    PLACECAST_ASSIGN_OR_RETURN(double y, NumberField(*csv, f[yc], lonlat ? "lat" : "y"));
    if (lonlat && (std::abs(x) > 180 || std::abs(y) > 90)) {
      return Status::InvalidInput(where + ": lon/lat: outside the WGS 84 range (got " +
                                  std::string(f[xc]) + ", " + std::string(f[yc]) + ")");
    }
    xs.push_back(x);
    ys.push_back(y);
    sites.push_back(std::move(s));
  }
  if (sites.empty()) return Status::InvalidInput(path + ": --points: no point");
  if (lonlat) PLACECAST_RETURN_IF_ERROR(io::ProjectFromLonLat(crs, xs, ys).Wrap(path));
  for (size_t i = 0; i < sites.size(); ++i) {
    sites[i].x_m = xs[i];
    sites[i].y_m = ys[i];
  }
  return sites;
}

// --points FILE that is not a CSV: any OGR point layer (io::ReadPoints).
Result<std::vector<Site>> ReadPointsOgr(const std::string& path, const std::string& crs) {
  auto points = io::ReadPoints(path, "id", crs);
  if (!points.ok()) return points.status().Wrap("--points");
  std::vector<Site> sites;
  for (io::NamedPoint& p : *points) {
    Site s;
    s.id = std::move(p.name);
    s.x_m = p.x_m;
    s.y_m = p.y_m;
    sites.push_back(std::move(s));
  }
  return sites;
}

// Each event's UTC offset in the store's zone (the shift profile counts local hours).
std::vector<int32_t> LocalOffsets(const Calendar& calendar, const EventSet& events) {
  std::vector<int32_t> off(events.size());
  for (size_t i = 0; i < events.size(); ++i) off[i] = calendar.OffsetAt(events.t_s[i]);
  return off;
}

// District bounds per shift: [shift][district] min and max (-1 = none). The CSV has the columns
// district,min,max and optionally shift (a label such as 06-14; empty or * = every shift).
Status ReadDistrictBounds(const std::string& path, const std::vector<std::string>& districts,
                          const std::vector<deploy::Shift>& shifts,
                          std::vector<std::vector<int32_t>>* lo,
                          std::vector<std::vector<int32_t>>* hi) {
  lo->assign(shifts.size(), std::vector<int32_t>(districts.size(), 0));
  hi->assign(shifts.size(), std::vector<int32_t>(districts.size(), -1));
  PLACECAST_ASSIGN_OR_RETURN(auto csv, io::CsvReader::Open(path));
  const int dc = csv->ColumnIndex("district"), sc = csv->ColumnIndex("shift");
  const int minc = csv->ColumnIndex("min"), maxc = csv->ColumnIndex("max");
  if (dc < 0 || minc < 0 || maxc < 0) {
    return Status::InvalidInput(path +
                                ":1: --district-bounds: expected columns district,min,max "
                                "(and optionally shift)");
  }
  std::vector<std::string_view> f;
  for (;;) {
    PLACECAST_ASSIGN_OR_RETURN(bool more, csv->Next(f));
    if (!more) break;
    const std::string where = path + ":" + std::to_string(csv->line());
    const std::string name(f[dc]);
    const auto d = std::find(districts.begin(), districts.end(), name) - districts.begin();
    if (d == static_cast<int64_t>(districts.size())) {
      return Status::InvalidInput(where + ": district: not a district of --districts (got \"" +
                                  name + "\")");
    }
    std::vector<size_t> which;
    const std::string shift = sc < 0 ? "" : std::string(f[sc]);
    for (size_t s = 0; s < shifts.size(); ++s) {
      if (shift.empty() || shift == "*" || shift == shifts[s].Label()) which.push_back(s);
    }
    if (which.empty()) {
      return Status::InvalidInput(where + ": shift: not one of --shifts (got \"" + shift + "\")");
    }
    int32_t bound[2] = {0, -1};
    const int cols[2] = {minc, maxc};
    for (int k = 0; k < 2; ++k) {
      const std::string v(f[cols[k]]);
      if (v.empty() && k == 1) continue;  // no maximum
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 1000000) {
        return Status::InvalidInput(where + ": " + (k == 0 ? "min" : "max") +
                                    ": expected a whole number of units >= 0 (got \"" + v + "\")");
      }
      bound[k] = static_cast<int32_t>(n);
    }
    for (size_t s : which) {
      (*lo)[s][d] = bound[0];
      (*hi)[s][d] = bound[1];
    }
  }
  return Status::Ok();
}

// Units per shift: one number for every shift or one per shift.
Result<std::vector<int32_t>> ParseUnits(const std::string& text, size_t shifts) {
  std::vector<int32_t> units;
  for (const std::string& item : SplitComma(text)) {
    char* end = nullptr;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n < 0 || n > 1000000) {
      return Status::InvalidInput("--units: expected whole numbers >= 0 (got \"" + item + "\")");
    }
    units.push_back(static_cast<int32_t>(n));
  }
  if (units.size() == 1) units.assign(shifts, units[0]);
  if (units.size() != shifts) {
    return Status::InvalidInput("--units: expected one number or one per shift (" +
                                std::to_string(shifts) + "), got " + text);
  }
  return units;
}

// The plan as marks over the shift's risk map: coverage circles (points) or outlines (beats) of
// the staffed sites, numbered by rank, and a legend line.
render::MapOverlay PlanOverlay(const std::vector<Site>& sites,
                               const std::vector<grid::Boundary>& beats,
                               const deploy::CoverSolution& sol, double radius_m,
                               const std::string& note) {
  render::MapOverlay o;
  for (size_t r = 0; r < sol.sites.size(); ++r) {
    const Site& s = sites[sol.sites[r]];
    render::MapMark m;
    if (s.beat >= 0) m.rings = beats[s.beat].rings;
    m.x_m = s.x_m;
    m.y_m = s.y_m;
    m.radius_m = radius_m;
    m.label = std::to_string(r + 1);
    o.marks.push_back(std::move(m));
  }
  o.note = note;
  return o;
}

double Round7(double v) { return std::round(v * 1e7) / 1e7; }

// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

// Rings in projected metres → GeoJSON polygon coordinates in lon/lat.
Result<nlohmann::ordered_json> RingsToLonLat(const std::string& crs,
                                             const std::vector<grid::Ring>& rings) {
  nlohmann::ordered_json coords = nlohmann::ordered_json::array();
  for (const grid::Ring& ring : rings) {
    std::vector<double> x = ring.x_m, y = ring.y_m;
    if (x.empty()) continue;
    x.push_back(x[0]);
    y.push_back(y[0]);
    PLACECAST_RETURN_IF_ERROR(io::ProjectToLonLat(crs, x, y));
    nlohmann::ordered_json r = nlohmann::ordered_json::array();
    for (size_t i = 0; i < x.size(); ++i) r.push_back({Round7(x[i]), Round7(y[i])});
    coords.push_back(r);
  }
  return coords;
}

std::string Fmt(const char* fmt, double v) {
  char b[64];
  std::snprintf(b, sizeof(b), fmt, v);
  return b;
}

// Numbers in summary.json: 6 significant digits, so the bytes do not depend on the last bits of
// the solver's arithmetic.
double Sig6(double v) {
  return std::isfinite(v) ? std::strtod(Fmt("%.6g", v).c_str(), nullptr) : 0;
}

struct ShiftPlan {
  deploy::Shift shift;
  int32_t units = 0;
  double shift_risk = 0;  // expected events in the shift over every active cell
  deploy::CoverSolution sol;
  std::vector<grid::CellId> covered;  // cells covered by the staffed sites, ascending
};

}  // namespace

Status AllocateRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, !store.empty()));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<deploy::Shift> parsed, deploy::ParseShifts(shifts));
  PLACECAST_RETURN_IF_ERROR(ParseUnits(units, parsed.size()).status());
  if (points.empty() == beats.empty()) {
    return Status::InvalidInput("allocate: give either --points FILE|auto:N or --beats FILE");
  }
  if (IsAutoPoints(points)) PLACECAST_RETURN_IF_ERROR(AutoPointCount(points).status());
  if (!beats.empty() && beat_field.empty()) {
    return Status::InvalidInput("--beats: --beat-field must name the attribute identifying beats");
  }
  if (!district_bounds.empty() && (districts.empty() || district_field.empty())) {
    return Status::InvalidInput("--district-bounds needs --districts FILE and --district-field");
  }
  if (!districts.empty() && district_field.empty()) {
    return Status::InvalidInput("--districts: --district-field must name the district attribute");
  }
  const bool audit_plan = !areas.empty() || !population.empty();
  if (audit_plan && (areas.empty() || population.empty() || area_field.empty())) {
    return Status::InvalidInput("the plan's audit needs --areas, --area-field and --population");
  }
  return ValidateSelection(*this);
}

Result<Product> Run(io::Store& store, const AllocateRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<deploy::Shift> shifts, deploy::ParseShifts(r.shifts));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int32_t> units, ParseUnits(r.units, shifts.size()));
  deploy::SolveOptions solve;
  solve.solver = r.solver == "greedy" ? deploy::Solver::kGreedy : deploy::Solver::kGlpk;
  solve.time_limit_s = r.time_limit_s;
  const bool audit_plan = !r.areas.empty() || !r.population.empty();
  PLACECAST_ASSIGN_OR_RETURN(SelectedForecast fc, RunSelectedForecast(store, r, *ctx.progress));
  const grid::Grid& g = fc.study.grid;
  const std::string& crs = g.crs();
  // Public release: the forecast's own suppression and noise (docs/privacy.md); a suppressed
  // cell's risk is set to 0, so no site is placed or scored for it.
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  PublicSurface pub;
  nlohmann::ordered_json privacy = nullptr;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(pub, MakeSurfacePublic(release, fc.study, fc.train_from_s,
                                                      fc.origin_s, fc.support_m, &fc.surface));
    for (size_t c = 0; c < pub.suppressed.size(); ++c) {
      if (pub.suppressed[c]) fc.surface.value[c] = 0;
    }
  }

  // Time-of-day profile from the history before the origin.
  const int64_t profile_from =
      fc.study.calendar.AddDays(fc.origin_s, -static_cast<int64_t>(r.profile_days));
  const std::vector<int32_t> offsets = LocalOffsets(fc.study.calendar, fc.study.events);
  PLACECAST_ASSIGN_OR_RETURN(deploy::ShiftProfile profile,
                             deploy::BuildShiftProfile(fc.study.events, offsets, g, shifts,
                                                       profile_from, fc.origin_s, r.profile_prior));

  // Sites.
  std::vector<Site> sites;
  std::vector<grid::Boundary> beats;
  std::string site_source;
  const double spacing_m = r.point_spacing_m >= 0 ? r.point_spacing_m : r.radius_m;
  if (r.points.rfind("auto:", 0) == 0) {
    PLACECAST_ASSIGN_OR_RETURN(int32_t n, AutoPointCount(r.points));
    PLACECAST_ASSIGN_OR_RETURN(std::vector<grid::CellId> cells,
                               deploy::AutoPointCells(g, fc.surface.value, fc.ties, n, spacing_m));
    for (size_t i = 0; i < cells.size(); ++i) {
      Site s;
      s.id = "auto-" + std::string(i < 9 ? "00" : i < 99 ? "0" : "") + std::to_string(i + 1);
      s.x_m = g.CellCenterX(cells[i]);
      s.y_m = g.CellCenterY(cells[i]);
      sites.push_back(s);
    }
    site_source = "auto: " + std::to_string(sites.size()) + " points at top-risk cell centres " +
                  Fmt("%g", spacing_m) + " m apart or more";
    if (sites.empty()) return Status::InvalidInput("--points auto: the forecast has no risk");
  } else if (!r.points.empty()) {
    const bool csv = r.points.size() >= 4 && (r.points.substr(r.points.size() - 4) == ".csv" ||
                                              r.points.find(".csv.") != std::string::npos);
    PLACECAST_ASSIGN_OR_RETURN(sites,
                               csv ? ReadPointsCsv(r.points, crs) : ReadPointsOgr(r.points, crs));
    site_source = r.points;
  } else {
    PLACECAST_ASSIGN_OR_RETURN(beats, io::ReadAreas(r.beats, r.beat_field, crs));
    for (size_t b = 0; b < beats.size(); ++b) {
      Site s;
      s.id = beats[b].name;
      s.beat = static_cast<int32_t>(b);
      s.cells = deploy::CellsInPolygon(g, beats[b]);
      for (grid::CellId c : s.cells) {
        s.x_m += g.CellCenterX(c) / s.cells.size();
        s.y_m += g.CellCenterY(c) / s.cells.size();
      }
      if (s.cells.empty()) {
        double x0, y0, x1, y1;
        beats[b].Extent(&x0, &y0, &x1, &y1);
        s.x_m = (x0 + x1) / 2;
        s.y_m = (y0 + y1) / 2;
      }
      sites.push_back(s);
    }
    site_source = r.beats;
  }
  {
    std::vector<double> lon, lat;
    for (auto& s : sites) {
      if (s.beat < 0) s.cells = deploy::CellsWithinRadius(g, s.x_m, s.y_m, r.radius_m);
      lon.push_back(s.x_m);
      lat.push_back(s.y_m);
    }
    PLACECAST_RETURN_IF_ERROR(io::ProjectToLonLat(crs, lon, lat));
    for (size_t i = 0; i < sites.size(); ++i) sites[i].lon = lon[i], sites[i].lat = lat[i];
  }

  // Districts and their bounds.
  std::vector<grid::Boundary> districts;
  std::vector<std::string> district_names;
  std::vector<std::vector<int32_t>> lo, hi;
  if (!r.districts.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(districts, io::ReadAreas(r.districts, r.district_field, crs));
    std::vector<grid::BoundaryIndex> index;
    for (const auto& d : districts) {
      index.emplace_back(d);
      district_names.push_back(d.name);
    }
    for (auto& s : sites) {
      // A point belongs to the first district holding it; a beat to the one holding most of its
      // cell centres (the first of equals).
      std::vector<int32_t> votes(districts.size(), 0);
      if (s.beat < 0) {
        for (size_t d = 0; d < index.size(); ++d) {
          if (index[d].Contains(s.x_m, s.y_m)) {
            votes[d] = 1;
            break;
          }
        }
      } else {
        for (grid::CellId c : s.cells) {
          for (size_t d = 0; d < index.size(); ++d) {
            if (index[d].Contains(g.CellCenterX(c), g.CellCenterY(c))) {
              ++votes[d];
              break;
            }
          }
        }
      }
      const auto best = std::max_element(votes.begin(), votes.end());
      if (best != votes.end() && *best > 0) s.district = static_cast<int32_t>(best - votes.begin());
    }
    if (!r.district_bounds.empty()) {
      PLACECAST_RETURN_IF_ERROR(
          ReadDistrictBounds(r.district_bounds, district_names, shifts, &lo, &hi));
    }
  }

  // The demand cells: every cell some site covers.
  std::vector<int32_t> demand_of(g.num_cells(), -1);
  std::vector<grid::CellId> demand;
  for (const auto& s : sites) {
    for (grid::CellId c : s.cells) {
      if (demand_of[c] < 0) demand_of[c] = 0, demand.push_back(c);
    }
  }
  std::sort(demand.begin(), demand.end());
  for (size_t i = 0; i < demand.size(); ++i) demand_of[demand[i]] = static_cast<int32_t>(i);
  deploy::CoverProblem problem;
  for (const auto& s : sites) {
    std::vector<int32_t> cov;
    for (grid::CellId c : s.cells) cov.push_back(demand_of[c]);
    problem.covers.push_back(cov);
  }
  if (!lo.empty()) {
    problem.group_names = district_names;
    for (const auto& s : sites) problem.site_group.push_back(s.district);
  }

  std::vector<ShiftPlan> plans;
  for (size_t k = 0; k < shifts.size(); ++k) {
    ShiftPlan plan;
    plan.shift = shifts[k];
    plan.units = units[k];
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      plan.shift_risk += fc.surface.value[c] * profile.Share(c, static_cast<int32_t>(k));
    }
    problem.weight.assign(demand.size(), 0);
    for (size_t i = 0; i < demand.size(); ++i) {
      problem.weight[i] =
          fc.surface.value[demand[i]] * profile.Share(demand[i], static_cast<int32_t>(k));
    }
    problem.units = units[k];
    if (!lo.empty()) {
      problem.group_min = lo[k];
      problem.group_max = hi[k];
    }
    auto sol = deploy::SolveMaxCover(problem, solve);
    if (!sol.ok()) return sol.status().Wrap("shift " + shifts[k].Label());
    plan.sol = std::move(sol).value();
    std::vector<uint8_t> on(g.num_cells(), 0);
    for (int32_t s : plan.sol.sites) {
      for (grid::CellId c : sites[s].cells) on[c] = 1;
    }
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      if (on[c]) plan.covered.push_back(c);
    }
    plans.push_back(std::move(plan));
  }

  // Products, staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  std::string csv =
      "shift,rank,site_id,kind,x_m,y_m,lon,lat,covered_cells,expected_events_marginal,"
      "expected_events_cumulative,share_of_shift_risk_cumulative\n";
  nlohmann::ordered_json features = nlohmann::ordered_json::array();
  for (const ShiftPlan& plan : plans) {
    double cum = 0;
    for (size_t k = 0; k < plan.sol.sites.size(); ++k) {
      const Site& s = sites[plan.sol.sites[k]];
      cum += plan.sol.marginal[k];
      char numbers[256];
      std::snprintf(numbers, sizeof(numbers), "%.3f,%.3f,%.7f,%.7f,%zu,%.9g,%.9g,%.6f\n", s.x_m,
                    s.y_m, s.lon, s.lat, s.cells.size(), plan.sol.marginal[k], cum,
                    plan.shift_risk > 0 ? cum / plan.shift_risk : 0.0);
      csv += plan.shift.Label() + "," + std::to_string(k + 1) + "," + CsvField(s.id) + "," +
             (s.beat >= 0 ? "beat," : "point,") + numbers;
      nlohmann::ordered_json props = {{"shift", plan.shift.Label()},
                                      {"rank", k + 1},
                                      {"site_id", s.id},
                                      {"expected_events_marginal", Sig6(plan.sol.marginal[k])}};
      // The staffed site as a point, and what it covers: a circle of the radius or the beat.
      nlohmann::ordered_json pt = props;
      pt["feature"] = s.beat >= 0 ? "beat_centre" : "point";
      features.push_back(
          {{"type", "Feature"},
           {"properties", pt},
           {"geometry", {{"type", "Point"}, {"coordinates", {Round7(s.lon), Round7(s.lat)}}}}});
      grid::Ring circle;
      const std::vector<grid::Ring>* rings = nullptr;
      std::vector<grid::Ring> one;
      if (s.beat >= 0) {
        rings = &beats[s.beat].rings;
      } else {
        for (int i = 0; i < 48; ++i) {
          const double a = 2 * M_PI * i / 48;
          circle.x_m.push_back(s.x_m + r.radius_m * std::cos(a));
          circle.y_m.push_back(s.y_m + r.radius_m * std::sin(a));
        }
        one.push_back(circle);
        rings = &one;
      }
      PLACECAST_ASSIGN_OR_RETURN(nlohmann::ordered_json coords, RingsToLonLat(crs, *rings));
      nlohmann::ordered_json cov = props;
      cov["feature"] = s.beat >= 0 ? "beat" : "coverage";
      features.push_back({{"type", "Feature"},
                          {"properties", cov},
                          {"geometry", {{"type", "Polygon"}, {"coordinates", coords}}}});
    }
  }
  nlohmann::ordered_json gj;
  gj["type"] = "FeatureCollection";
  gj["placecast"] = {
      {"kind", "placecast.allocation"}, {"model", r.model},
      {"offence", r.offence},           {"origin", fc.study.calendar.FormatDate(fc.origin_s)},
      {"horizon_days", r.horizon_days}, {"radius_m", r.radius_m}};
  if (r.public_release) gj["placecast"]["privacy"] = "public-release: see summary.json";
  gj["features"] = features;
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "plan.csv", csv));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "plan.geojson", SafeDump(gj) + "\n"));
  std::vector<std::string> written = {"plan.csv", "plan.geojson"};

  // A map per shift: the shift's expected events per cell, the staffed sites on top.
  for (size_t k = 0; k < plans.size(); ++k) {
    const ShiftPlan& plan = plans[k];
    grid::Surface shift_surface;
    shift_surface.value.resize(g.num_cells());
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      shift_surface.value[c] = fc.surface.value[c] * profile.Share(c, static_cast<int32_t>(k));
    }
    io::ForecastProduct p;
    p.grid = &g;
    p.surface = &shift_surface;
    p.model = r.model;
    p.offence = r.offence;
    p.origin_s = fc.origin_s;
    p.horizon_days = r.horizon_days;
    p.train_from_s = profile_from;
    p.training_events = profile.events;
    p.study_area = fc.study.study_area.empty() ? nullptr : &fc.study.study_area;
    p.ties = fc.ties;
    // Outline as many top-risk cells as the plan covers: where a perfect plan would look.
    p.top_share_pct =
        std::clamp(100.0 * std::max<size_t>(1, plan.covered.size()) / g.num_cells(), 1e-6, 100.0);
    p.title = "Patrol plan, shift " + plan.shift.Label() +
              " (local time): " + std::to_string(plan.sol.sites.size()) + " of " +
              std::to_string(plan.units) + " units, expected " + r.offence + " events per cell, " +
              fc.study.calendar.FormatDate(fc.origin_s);
    p.code_version = kVersion;
    p.suppressed = pub.suppressed;
    const std::string note =
        std::string(beats.empty() ? "Blue circles: staffed patrol points (" +
                                        Fmt("%g", r.radius_m) + " m coverage)"
                                  : "Blue areas: staffed beats") +
        ", numbered by rank; they cover " +
        Fmt("%.1f", plan.shift_risk > 0 ? 100 * plan.sol.objective / plan.shift_risk : 0.0) +
        " % of the shift's expected events.";
    const std::string png = "map_" + plan.shift.Label() + ".png";
    PLACECAST_RETURN_IF_ERROR(render::RenderForecastPng(
        sdir + png, p, PlanOverlay(sites, beats, plan.sol, r.radius_m, note)));
    written.push_back(png);
  }

  // Fairness audit of the plan: each shift's covered cells are its flagged cells.
  nlohmann::ordered_json audit_json = nullptr;
  std::vector<std::string> statements;
  int64_t withheld_areas = 0;
  if (audit_plan) {
    PLACECAST_ASSIGN_OR_RETURN(OffenceSelection need_sel,
                               NeedOffenceSelection(r.need_offence, r.offence));
    PLACECAST_ASSIGN_OR_RETURN(EventSet need_events,
                               store.LoadEvents(need_sel.groups, profile_from, fc.origin_s));
    const std::vector<int32_t> need_off = LocalOffsets(fc.study.calendar, need_events);
    PLACECAST_ASSIGN_OR_RETURN(std::vector<grid::Boundary> areas,
                               io::ReadAreas(r.areas, r.area_field, crs));
    PLACECAST_ASSIGN_OR_RETURN(
        audit::AuditInput in,
        AuditInputForAreas(areas, r.areas, r.area_field, r.population, r.population_area_column));
    PLACECAST_ASSIGN_OR_RETURN(in.cell_area, audit::CellsToAreas(g, areas));
    in.reference_group = r.reference_group;
    in.bootstrap_reps = r.bootstrap;
    in.seed = r.seed;
    // Need per shift and area: the victim-reported events of the profile window whose local hour
    // falls in the shift.
    in.need.assign(shifts.size(), std::vector<int64_t>(areas.size(), 0));
    for (size_t i = 0; i < need_events.size(); ++i) {
      const grid::CellId c = g.PointToCell(need_events.x_m[i], need_events.y_m[i]);
      if (c == grid::kNoCell || in.cell_area[c] < 0) continue;
      const int64_t local = need_events.t_s[i] + need_off[i];
      const int32_t h =
          static_cast<int32_t>(((local % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay / 3600);
      const int32_t s = deploy::ShiftOfHour(shifts, h);
      if (s >= 0) ++in.need[s][in.cell_area[c]];
    }
    for (const ShiftPlan& plan : plans) in.flagged.push_back(plan.covered);
    auto result = audit::RunAudit(in);
    if (result.ok() && r.public_release) {
      PLACECAST_ASSIGN_OR_RETURN(withheld_areas, MakeAuditPublic(release, &*result));
    }
    if (result.ok()) {
      audit_json = nlohmann::ordered_json::parse(audit::AuditJson(*result));
      PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(
          sdir + "audit.csv",
          audit::AuditAreasCsvHeader() + audit::AuditAreasCsv(*result, "plan")));
      PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(
          sdir + "groups.csv",
          audit::AuditGroupsCsvHeader() + audit::AuditGroupsCsv(*result, "plan")));
      written.push_back("audit.csv");
      written.push_back("groups.csv");
      for (const auto& gr : result->groups) statements.push_back(gr.statement);
    } else {
      // The plan stands without its audit; say why the audit could not be made.
      audit_json = {{"error", result.status().message()}};
      ctx.progress->Warn("audit of the plan: " + result.status().message());
    }
  }

  nlohmann::ordered_json sj;
  sj["schema_version"] = 1;
  sj["kind"] = "placecast.allocation";
  sj["model"] = r.model;
  sj["params"] = nlohmann::ordered_json::parse(fc.model->params().ToJson());
  sj["offence"] = r.offence;
  sj["origin"] = fc.study.calendar.FormatDate(fc.origin_s);
  sj["horizon_days"] = r.horizon_days;
  sj["grid"] = {{"cell_size_m", g.cell_size_m()},
                {"cells", g.num_cells()},
                {"crs", crs},
                {"mask", fc.study.grid_source}};
  sj["sites"] = {{"source", site_source},
                 {"kind", beats.empty() ? "points" : "beats"},
                 {"count", sites.size()},
                 {"radius_m", beats.empty() ? nlohmann::ordered_json(r.radius_m) : nullptr},
                 {"demand_cells", demand.size()}};
  nlohmann::ordered_json city = nlohmann::ordered_json::object();
  for (size_t k = 0; k < shifts.size(); ++k) city[shifts[k].Label()] = Sig6(profile.citywide[k]);
  sj["profile"] = {{"from", fc.study.calendar.FormatDate(profile_from)},
                   {"to", fc.study.calendar.FormatDate(fc.origin_s)},
                   {"events", profile.events},
                   {"prior_weight", r.profile_prior},
                   {"citywide_share", city}};
  nlohmann::ordered_json js = nlohmann::ordered_json::array();
  for (const ShiftPlan& plan : plans) {
    js.push_back({{"shift", plan.shift.Label()},
                  {"units", plan.units},
                  {"units_used", plan.sol.sites.size()},
                  {"solver", plan.sol.solver},
                  {"status", plan.sol.status},
                  {"objective", Sig6(plan.sol.objective)},
                  {"bound", Sig6(plan.sol.bound)},
                  {"lp_bound", Sig6(plan.sol.lp_bound)},
                  {"gap", Sig6(plan.sol.gap)},
                  {"shift_expected_events", Sig6(plan.shift_risk)},
                  {"share_of_shift_risk_covered",
                   Sig6(plan.shift_risk > 0 ? plan.sol.objective / plan.shift_risk : 0.0)},
                  {"covered_cells", plan.covered.size()}});
  }
  sj["shifts"] = js;
  sj["audit"] = audit_json;
  if (r.public_release) {
    std::string note = pub.note +
                       " Suppressed cells count as risk 0: no automatic point is placed on them "
                       "and no plan covers them; the time-of-day shares come from the true "
                       "profile.";
    if (audit_plan) {
      note +=
          " The plan's audit withholds each area's count of victim-reported offences below "
          "k (" +
          std::to_string(withheld_areas) +
          " area(s)) as `placecast audit "
          "--public-release` does, with the same noise and group rules.";
    }
    privacy = PrivacyJson(release,
                          {{"support_m", pub.support_m},
                           {"suppressed_cells", pub.suppressed_cells},
                           {"withheld_audit_areas", withheld_areas}},
                          1, note);
    sj["privacy"] = privacy;
  }
  sj["note"] =
      "objective = expected events of the shift in the cells the staffed sites cover "
      "(forecast x the cell's shrunk shift share); bound = MIP optimum when proven, "
      "else the LP relaxation; gap = (bound - objective) / bound. The solver's wall-clock time is "
      "not "
      "recorded here, so identical runs give identical bytes. See docs/allocation.md.";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "summary.json", SafeDump(sj, 2) + "\n"));
  written.push_back("summary.json");

  Product out;
  // The points file, when --points names one, is an input of the record; auto:N is not a file.
  std::vector<FieldSpec> specs = SpecsOf<AllocateRequest>(AllocateRequest::Fields());
  if (IsAutoPoints(r.points)) {
    for (FieldSpec& s : specs) {
      if (s.name == "points") s.type = FieldType::kString;
    }
  }
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq,
                             RecordAndPublish(store, ctx, RequestToJson(r), specs, *stage));

  char line[1024];
  std::snprintf(line, sizeof(line), "allocate: %s, %s, origin %s, %zu %s, %zu shift(s)",
                r.model.c_str(), r.offence.c_str(),
                fc.study.calendar.FormatDate(fc.origin_s).c_str(), sites.size(),
                beats.empty() ? "points" : "beats", shifts.size());
  out.lines.push_back(line);
  nlohmann::ordered_json shift_summary = nlohmann::ordered_json::array();
  for (size_t k = 0; k < plans.size(); ++k) {
    const ShiftPlan& plan = plans[k];
    std::snprintf(
        line, sizeof(line),
        "shift %s: %zu of %d units, %s %s, covered %.4g of %.4g expected events (%.1f%%), "
        "gap %.3g",
        plan.shift.Label().c_str(), plan.sol.sites.size(), plan.units, plan.sol.solver.c_str(),
        plan.sol.status.c_str(), plan.sol.objective, plan.shift_risk,
        plan.shift_risk > 0 ? 100 * plan.sol.objective / plan.shift_risk : 0.0, plan.sol.gap);
    out.lines.push_back(line);
    // summary.json's shift, with the solver's wall-clock time (left out of the file).
    nlohmann::ordered_json s = js[k];
    s["time_s"] = plan.sol.time_s;
    shift_summary.push_back(std::move(s));
  }
  for (const auto& s : statements) out.lines.push_back("  " + s);
  out.lines.push_back("wrote " + dir + "plan.csv, plan.geojson, summary.json and a map per shift");
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, SupportLead(pub.support_m), pub.suppressed_cells,
                                          g.num_cells(), "cells suppressed (never covered)", 1));
  }

  out.summary["sites"] = sj["sites"];
  out.summary["shifts"] = shift_summary;
  out.summary["audit"] = audit_json;
  if (r.public_release) out.summary["privacy"] = privacy;
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const auto& name : written) out.files.push_back(dir + name);
  return out;
}

OpInfo AllocateOp() {
  return MakeOpInfo<AllocateRequest>(StoreUse::kRead, [](io::Store* s, const AllocateRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
