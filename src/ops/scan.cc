// SPDX-License-Identifier: Apache-2.0
// scan (scan.h).
#include "placecast/ops/scan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/result_json.h"
#include "ops/common.h"
#include "ops/param_fields.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/analysis/scan.h"
#include "placecast/common/offence.h"
#include "placecast/common/safe_json.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/io/vector_layer.h"
#include "placecast/privacy/privacy.h"

namespace placecast::ops {

std::span<const Field<ScanRequest>> ScanRequest::Fields() {
  using R = ScanRequest;
  static const std::vector<Field<R>> fields = [] {
    const auto p = analysis::ScanParams();
    std::vector<Field<R>> v;
    AddStoreField(&v, &R::store);
    v.push_back(
        {{.name = "offence", .doc = "offence group (see `placecast offences`)", .flags = kRequired},
         &R::offence});
    v.push_back({{.name = "date",
                  .type = FieldType::kDate,
                  .doc = "analysis date YYYY-MM-DD: the last day of every window",
                  .flags = kRequired},
                 &R::date});
    v.push_back({FieldOfParam(p, "max_radius_m", "largest circle radius"), &R::max_radius_m});
    v.push_back({FieldOfParam(p, "max_window_days", "longest time window"), &R::max_window_days});
    v.push_back({FieldOfParam(p, "study_period_days",
                              "days of data, ending on --date, that set the margins"),
                 &R::study_period_days});
    v.push_back({FieldOfParam(p, "centres", "events (event locations) or cells"), &R::centres});
    v.push_back(
        {FieldOfParam(p, "centre_cell_size_m", "centre grid cell size"), &R::centre_cell_size_m});
    v.push_back({FieldOfParam(p, "replications", "Monte Carlo replications"), &R::replications});
    v.push_back({FieldOfParam(p, "seed", "random seed"), &R::seed});
    v.push_back({FieldOfParam(p, "alpha", "significance level"), &R::alpha});
    v.push_back({FieldOfParam(p, "max_clusters", "clusters reported"), &R::max_clusters});
    v.push_back({FieldOfParam(p, "threads", "worker threads", kNotInQuery), &R::threads});
    v.push_back({kOutField, &R::out});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: withhold clusters observing fewer than --min-incidents incidents, "
             "publish no incident points (needs --centres cells)",
             "public release: least incidents a published cluster observes",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on each published "
             "observed count; default: no noise"});
    return v;
  }();
  return fields;
}

namespace {

// The scan's settings of `r` resolved against analysis::ScanParams().
Result<analysis::ScanRequest> ScanSettings(const ScanRequest& r, int64_t date_s) {
  const std::map<std::string, std::string> given = {
      {"max_radius_m", ParamText(r.max_radius_m)},
      {"max_window_days", ParamText(r.max_window_days)},
      {"study_period_days", ParamText(r.study_period_days)},
      {"centres", r.centres},
      {"centre_cell_size_m", ParamText(r.centre_cell_size_m)},
      {"replications", ParamText(r.replications)},
      {"seed", ParamText(r.seed)},
      {"alpha", ParamText(r.alpha)},
      {"max_clusters", ParamText(r.max_clusters)},
      {"threads", ParamText(r.threads)},
  };
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(analysis::ScanParams(), given, "scan"));
  return analysis::ScanRequestFromParams(values, date_s);
}

}  // namespace

Status ScanRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, true));
  PLACECAST_ASSIGN_OR_RETURN(int64_t date_s, ParseDate(date, "--date"));
  PLACECAST_ASSIGN_OR_RETURN(analysis::ScanRequest settings, ScanSettings(*this, date_s));
  if (public_release && settings.centres != analysis::ScanCentres::kGridCells) {
    return Status::InvalidInput(
        "--centres " + centres +
        ": a public release publishes no incident points, and event-location centres are "
        "incident points; use --centres cells");
  }
  return Status::Ok();
}

namespace {

// Public release (docs/privacy.md, "scan"; privacy::ReleaseClusters): withholds the clusters
// observing fewer than k events, adds Laplace noise (sensitivity 1) to the observed counts of the
// others when ε is given, and rounds each radius up to whole centre cells, since the exact radius
// is the distance from the centre to an incident location. Returns the privacy record.
Result<nlohmann::ordered_json> MakeScanPublic(const Release& rel, analysis::ScanResult* r) {
  std::vector<int64_t> observed;
  std::vector<double> radius_m;
  for (const auto& c : r->clusters) {
    observed.push_back(c.observed);
    radius_m.push_back(c.radius_m);
  }
  const double step = r->request.centre_cell_size_m;
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedClusters published,
                             privacy::ReleaseClusters(SpecOf(rel), observed, radius_m, step));
  std::vector<analysis::ScanCluster> kept;
  for (size_t j = 0; j < published.rows.kept.size(); ++j) {
    analysis::ScanCluster c = r->clusters[published.rows.kept[j]];
    c.observed = published.rows.counts[j];
    c.radius_m = published.radius_m[j];
    kept.push_back(c);
  }
  const int64_t found = static_cast<int64_t>(r->clusters.size());
  const int64_t withheld = found - static_cast<int64_t>(kept.size());
  r->clusters = std::move(kept);
  char buf[640];
  std::snprintf(buf, sizeof(buf),
                "Public release: no incident points are published (centres are grid cells, radii "
                "rounded up to whole %g m); clusters observing fewer than k = %lld incidents are "
                "withheld (%lld of %lld). Expected counts, log GLR and p-values are computed on "
                "the true data; the ratio uses the published observed count. ",
                step, static_cast<long long>(rel.f.min_incidents), static_cast<long long>(withheld),
                static_cast<long long>(found));
  const std::string note =
      buf + NoiseSentence(rel, 1, "each published observed count", "per incident",
                          "rounded to a whole number and at least 0");
  return PrivacyJson(
      rel, {{"clusters_found", found}, {"withheld_clusters", withheld}, {"radius_step_m", step}}, 1,
      note);
}

// clusters.gpkg: the circles in the store CRS, through io's polygon-layer writer.
io::PolygonLayer ClusterLayer(const ScanRequest& r, const analysis::ScanResult& result,
                              const std::string& crs, int64_t date_s) {
  io::PolygonLayer layer;
  layer.name = "clusters";
  layer.crs = crs;
  layer.description = "placecast space-time permutation scan: " + r.offence + ", analysis date " +
                      result.request.calendar.FormatDate(date_s);
  if (r.public_release) layer.description += " (public release, docs/privacy.md)";
  layer.timestamp_s = date_s;
  using T = io::LayerFieldType;
  layer.fields = {
      {"rank", T::kInt64},        {"centre_x_m", T::kDouble},   {"centre_y_m", T::kDouble},
      {"radius_m", T::kDouble},   {"window_start", T::kString}, {"window_end", T::kString},
      {"window_days", T::kInt64}, {"locations", T::kInt64},     {"observed", T::kInt64},
      {"expected", T::kDouble},   {"ratio", T::kDouble},        {"log_glr", T::kDouble},
      {"p_value", T::kDouble},    {"significant", T::kInt32}};
  for (const auto& c : result.clusters) {
    io::LayerFeature lf;
    lf.values = {c.rank,
                 c.centre_x_m,
                 c.centre_y_m,
                 c.radius_m,
                 result.request.calendar.FormatDate(c.window_start_s),
                 result.request.calendar.FormatDate(c.window_end_s - 1),
                 c.window_days,
                 c.locations,
                 c.observed,
                 c.expected,
                 c.expected > 0 ? io::LayerValue(static_cast<double>(c.observed) / c.expected)
                                : io::LayerValue(),
                 c.log_glr,
                 c.p_value,
                 int64_t{c.significant ? 1 : 0}};
    lf.polygons.push_back(io::LayerPolygon{{analysis::ClusterToRing(c)}});
    layer.features.push_back(std::move(lf));
  }
  return layer;
}

// clusters.geojson: the circles in WGS 84.
Result<nlohmann::ordered_json> ClusterGeoJson(const analysis::ScanResult& result,
                                              const std::string& crs) {
  nlohmann::ordered_json fc;
  fc["type"] = "FeatureCollection";
  fc["features"] = nlohmann::ordered_json::array();
  for (const auto& c : result.clusters) {
    grid::Ring ring = analysis::ClusterToRing(c);
    PLACECAST_RETURN_IF_ERROR(io::ProjectToLonLat(crs, ring.x_m, ring.y_m));
    nlohmann::ordered_json coords = nlohmann::ordered_json::array();
    for (size_t k = 0; k <= ring.x_m.size(); ++k) {
      const size_t i = k % ring.x_m.size();
      coords.push_back({ring.x_m[i], ring.y_m[i]});
    }
    nlohmann::ordered_json feat;
    feat["type"] = "Feature";
    feat["properties"] = {{"rank", c.rank},
                          {"radius_m", c.radius_m},
                          {"window_start", result.request.calendar.FormatDate(c.window_start_s)},
                          {"window_end", result.request.calendar.FormatDate(c.window_end_s - 1)},
                          {"window_days", c.window_days},
                          {"locations", c.locations},
                          {"observed", c.observed},
                          {"expected", c.expected},
                          {"log_glr", c.log_glr},
                          {"p_value", c.p_value},
                          {"significant", c.significant}};
    feat["geometry"] = {{"type", "Polygon"}, {"coordinates", {coords}}};
    fc["features"].push_back(feat);
  }
  return fc;
}

}  // namespace

Result<Product> Run(io::Store& store, const ScanRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t date_s, cal.ParseDate(r.date, "--date"));
  PLACECAST_ASSIGN_OR_RETURN(analysis::ScanRequest request, ScanSettings(r, date_s));
  request.calendar = cal;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(r.offence));
  PLACECAST_RETURN_IF_ERROR(
      CheckEnforcementTypes(r.offence, r.allow_enforcement_types, *ctx.progress).status());
  PLACECAST_RETURN_IF_ERROR(GetMetreCrs(store).status());  // the radii are metres
  const int64_t from = cal.AddDays(date_s, -(request.study_period_days - 1));
  PLACECAST_ASSIGN_OR_RETURN(EventSet events,
                             store.LoadEvents(sel.groups, from, cal.AddDays(date_s, 1)));
  PLACECAST_ASSIGN_OR_RETURN(analysis::ScanResult result,
                             analysis::SpaceTimePermutationScan(events, request));
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  nlohmann::ordered_json privacy;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeScanPublic(release, &result));
  }
  const io::PolygonLayer layer = ClusterLayer(r, result, events.crs, date_s);
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::ordered_json fc, ClusterGeoJson(result, events.crs));
  namespace ai = analysis::internal;
  ai::Json doc = ai::ScanResultDoc(result);
  if (r.public_release) {
    fc["privacy"] = privacy;  // a foreign member of the FeatureCollection (RFC 7946 §6.1)
    doc["privacy"] = privacy;
  }
  ai::JsonDigits digits = ai::kScanJsonDigits;
  digits.emplace_back("privacy", ai::kJsonAsIs);
  const std::string json = ai::DumpAnalysisJson(doc, digits);
  // Products are staged inside the output folder and moved into place only after their ledger
  // record commits (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "clusters.geojson", SafeDump(fc, 1) + "\n"));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "clusters.csv", analysis::ScanResultToCsv(result)));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "clusters.json", json));
  PLACECAST_RETURN_IF_ERROR(io::WriteGeoPackageLayer(sdir + "clusters.gpkg", layer));
  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  char line[512];
  std::snprintf(line, sizeof(line),
                "scan: %s, %lld events on %lld locations from %s to %s, %lld centres, "
                "%lld replications (seed %lld)",
                r.offence.c_str(), static_cast<long long>(result.num_events),
                static_cast<long long>(result.num_locations),
                cal.FormatDate(result.study_start_s).c_str(), cal.FormatDate(date_s).c_str(),
                static_cast<long long>(result.num_centres),
                static_cast<long long>(request.replications), static_cast<long long>(r.seed));
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line), "%4s %12s %12s %8s %10s %5s %8s %9s %9s %8s", "rank", "x_m",
                "y_m", "radius_m", "from", "days", "observed", "expected", "log_glr", "p");
  out.lines.push_back(line);
  nlohmann::ordered_json clusters = nlohmann::ordered_json::array();
  for (const auto& c : result.clusters) {
    std::snprintf(line, sizeof(line),
                  "%4lld %12.1f %12.1f %8.0f %10s %5lld %8lld %9.2f %9.3f %8.3f%s",
                  static_cast<long long>(c.rank), c.centre_x_m, c.centre_y_m, c.radius_m,
                  cal.FormatDate(c.window_start_s).c_str(), static_cast<long long>(c.window_days),
                  static_cast<long long>(c.observed), c.expected, c.log_glr, c.p_value,
                  c.significant ? " *" : "");
    out.lines.push_back(line);
    clusters.push_back({{"rank", c.rank},
                        {"centre_x_m", c.centre_x_m},
                        {"centre_y_m", c.centre_y_m},
                        {"radius_m", c.radius_m},
                        {"window_start", cal.FormatDate(c.window_start_s)},
                        {"window_days", c.window_days},
                        {"observed", c.observed},
                        {"expected", c.expected},
                        {"p_value", c.p_value},
                        {"significant", c.significant}});
  }
  out.lines.push_back("wrote " + dir + "clusters.{geojson,gpkg,csv,json}");
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, "", privacy["withheld_clusters"].get<int64_t>(),
                                          privacy["clusters_found"].get<int64_t>(),
                                          "clusters withheld", 1));
  }
  out.summary["events"] = result.num_events;
  out.summary["locations"] = result.num_locations;
  out.summary["centres"] = result.num_centres;
  out.summary["study_start"] = cal.FormatDate(result.study_start_s);
  out.summary["clusters"] = std::move(clusters);
  if (r.public_release) out.summary["privacy"] = privacy;
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name : {"clusters.geojson", "clusters.gpkg", "clusters.csv", "clusters.json"}) {
    out.files.push_back(dir + name);
  }
  return out;
}

OpInfo ScanOp() {
  return MakeOpInfo<ScanRequest>(StoreUse::kRead, [](io::Store* s, const ScanRequest& r,
                                                     Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
