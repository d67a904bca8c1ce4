// SPDX-License-Identifier: Apache-2.0
// `placecast scan`: Kulldorff's prospective space-time permutation scan on a store's offence
// selection; writes clusters.geojson (WGS 84 circles), clusters.gpkg (the circles in the store
// CRS), clusters.csv and clusters.json, prints the clusters and appends a ledger record.
// Single-threaded driver (the scan uses --threads).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "placecast/analysis/scan.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/privacy.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/io/vector_layer.h"

namespace placecast::cli {
namespace {

struct ScanFlags : PublicReleaseFlags {
  std::string store;
  std::string offence;
  std::string date;
  double max_radius_m = 500;
  int64_t max_window_days = 21;
  int64_t study_period_days = 365;
  std::string centres = "events";
  double centre_cell_size_m = 100;
  int64_t replications = 999;
  int64_t seed = 1;
  double alpha = 0.05;
  int64_t max_clusters = 10;
  int64_t threads = 2;
  std::string out;
  bool allow_enforcement = false;
};

// Public release (docs/privacy.md, "scan"): withholds the clusters observing fewer than k events,
// adds Laplace noise (sensitivity 1) to the observed counts of the others when ε is given, and
// rounds each radius up to whole centre cells, since the exact radius is the distance from the
// centre to an incident location. Returns the privacy record.
Result<nlohmann::ordered_json> MakeScanPublic(const ScanFlags& f, analysis::ScanResult* r) {
  std::vector<int64_t> observed;
  for (const auto& c : r->clusters) observed.push_back(c.observed);
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published, PublicCounts(f, observed, 1));
  const double step = r->request.centre_cell_size_m;
  std::vector<analysis::ScanCluster> kept;
  for (size_t i = 0; i < r->clusters.size(); ++i) {
    if (published[i] == io::kWithheldCount) continue;
    analysis::ScanCluster c = r->clusters[i];
    c.observed = published[i];
    c.radius_m = std::max(step, std::ceil(c.radius_m / step) * step);
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
                step, static_cast<long long>(f.min_incidents), static_cast<long long>(withheld),
                static_cast<long long>(found));
  const std::string note =
      buf + NoiseSentence(f, 1, "each published observed count", "per incident",
                          "rounded to a whole number and at least 0");
  return PrivacyJson(
      f, {{"clusters_found", found}, {"withheld_clusters", withheld}, {"radius_step_m", step}}, 1,
      note);
}

Status RunScan(const ScanFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(int64_t date_s, ParseDate(f.date, "--date"));
  auto num = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  const std::map<std::string, std::string> given = {
      {"max_radius_m", num(f.max_radius_m)},
      {"max_window_days", std::to_string(f.max_window_days)},
      {"study_period_days", std::to_string(f.study_period_days)},
      {"centres", f.centres},
      {"centre_cell_size_m", num(f.centre_cell_size_m)},
      {"replications", std::to_string(f.replications)},
      {"seed", std::to_string(f.seed)},
      {"alpha", num(f.alpha)},
      {"max_clusters", std::to_string(f.max_clusters)},
      {"threads", std::to_string(f.threads)},
  };
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(analysis::ScanParams(), given, "scan"));
  PLACECAST_ASSIGN_OR_RETURN(analysis::ScanRequest request,
                             analysis::ScanRequestFromParams(values, date_s));
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(f.offence));
  PLACECAST_ASSIGN_OR_RETURN(std::string warning,
                             CheckEnforcementTypes(f.offence, f.allow_enforcement));
  (void)warning;
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
  const int64_t from = date_s - (request.study_period_days - 1) * kSecondsPerDay;
  PLACECAST_ASSIGN_OR_RETURN(EventSet events,
                             store->LoadEvents(sel.groups, from, date_s + kSecondsPerDay));
  store.reset();  // the ledger record opens the store again
  if (f.public_release && request.centres != analysis::ScanCentres::kGridCells) {
    return Status::InvalidInput(
        "--centres " + f.centres +
        ": a public release publishes no incident points, and event-location centres are "
        "incident points; use --centres cells");
  }
  PLACECAST_ASSIGN_OR_RETURN(analysis::ScanResult result,
                             analysis::SpaceTimePermutationScan(events, request));
  nlohmann::ordered_json privacy;
  if (f.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeScanPublic(f, &result));
  }

  // clusters.gpkg: the circles in the store CRS, through io's polygon-layer writer.
  io::PolygonLayer layer;
  layer.name = "clusters";
  layer.crs = events.crs;
  layer.description = "placecast space-time permutation scan: " + f.offence + ", analysis date " +
                      FormatDate(date_s);
  if (f.public_release) layer.description += " (public release, docs/privacy.md)";
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
                 FormatDate(c.window_start_s),
                 FormatDate(c.window_end_s - kSecondsPerDay),
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

  nlohmann::ordered_json fc;
  fc["type"] = "FeatureCollection";
  fc["features"] = nlohmann::ordered_json::array();
  for (const auto& c : result.clusters) {
    grid::Ring ring = analysis::ClusterToRing(c);
    PLACECAST_RETURN_IF_ERROR(io::ProjectToLonLat(events.crs, ring.x_m, ring.y_m));
    nlohmann::ordered_json coords = nlohmann::ordered_json::array();
    for (size_t k = 0; k <= ring.x_m.size(); ++k) {
      const size_t i = k % ring.x_m.size();
      coords.push_back({ring.x_m[i], ring.y_m[i]});
    }
    nlohmann::ordered_json feat;
    feat["type"] = "Feature";
    feat["properties"] = {{"rank", c.rank},
                          {"radius_m", c.radius_m},
                          {"window_start", FormatDate(c.window_start_s)},
                          {"window_end", FormatDate(c.window_end_s - kSecondsPerDay)},
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
  std::string json = analysis::ScanResultToJson(result);
  if (f.public_release) {
    fc["privacy"] = privacy;       // a foreign member of the FeatureCollection (RFC 7946 §6.1)
    json.resize(json.size() - 3);  // drop the closing "\n}\n"
    json += ",\n  \"privacy\": " + SafeDump(privacy) + "\n}\n";
  }
  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "clusters.geojson", SafeDump(fc, 1) + "\n"));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "clusters.csv", analysis::ScanResultToCsv(result)));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "clusters.json", json));
  PLACECAST_RETURN_IF_ERROR(io::WriteGeoPackageLayer(sdir + "clusters.gpkg", layer));

  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["offence"] = f.offence;
  lp["date"] = FormatDate(date_s);
  lp["scan_params"] = nlohmann::ordered_json::parse(values.ToJson());
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  AddPublicReleaseParams(f, &lp);
  PLACECAST_RETURN_IF_ERROR(RecordAndPublish(f.store, "scan", SafeDump(lp), {f.store}, *stage));

  std::printf(
      "scan: %s, %lld events on %lld locations from %s to %s, %lld centres, "
      "%lld replications (seed %lld)\n",
      f.offence.c_str(), static_cast<long long>(result.num_events),
      static_cast<long long>(result.num_locations), FormatDate(result.study_start_s).c_str(),
      FormatDate(date_s).c_str(), static_cast<long long>(result.num_centres),
      static_cast<long long>(request.replications), static_cast<long long>(f.seed));
  std::printf("%4s %12s %12s %8s %10s %5s %8s %9s %9s %8s\n", "rank", "x_m", "y_m", "radius_m",
              "from", "days", "observed", "expected", "log_glr", "p");
  for (const auto& c : result.clusters) {
    std::printf("%4lld %12.1f %12.1f %8.0f %10s %5lld %8lld %9.2f %9.3f %8.3f%s\n",
                static_cast<long long>(c.rank), c.centre_x_m, c.centre_y_m, c.radius_m,
                FormatDate(c.window_start_s).c_str(), static_cast<long long>(c.window_days),
                static_cast<long long>(c.observed), c.expected, c.log_glr, c.p_value,
                c.significant ? " *" : "");
  }
  std::printf("wrote %sclusters.{geojson,gpkg,csv,json}\n", dir.c_str());
  if (f.public_release) {
    PrintPublicRelease(f, "", privacy["withheld_clusters"].get<int64_t>(),
                       privacy["clusters_found"].get<int64_t>(), "clusters withheld", 1);
  }
  return Status::Ok();
}

}  // namespace

void RegisterScan(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ScanFlags>();
  auto* cmd = app.add_subcommand(
      "scan", "Prospective space-time permutation scan for emerging clusters (Kulldorff 2005)");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--offence", f->offence, "offence group (see `placecast offences`)")->required();
  cmd->add_option("--date", f->date, "analysis date YYYY-MM-DD: the last day of every window")
      ->required();
  cmd->add_option("--max-radius-m", f->max_radius_m, "largest circle radius")
      ->capture_default_str();
  cmd->add_option("--max-window-days", f->max_window_days, "longest time window")
      ->capture_default_str();
  cmd->add_option("--study-period-days", f->study_period_days,
                  "days of data, ending on --date, that set the margins")
      ->capture_default_str();
  cmd->add_option("--centres", f->centres, "events (event locations) or cells")
      ->capture_default_str();
  cmd->add_option("--centre-cell-size-m", f->centre_cell_size_m, "centre grid cell size")
      ->capture_default_str();
  cmd->add_option("--replications", f->replications, "Monte Carlo replications")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "random seed")->capture_default_str();
  cmd->add_option("--alpha", f->alpha, "significance level")->capture_default_str();
  cmd->add_option("--max-clusters", f->max_clusters, "clusters reported")->capture_default_str();
  cmd->add_option("--threads", f->threads, "worker threads")->capture_default_str();
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …)");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: withhold clusters observing fewer than --min-incidents incidents, "
       "publish no incident points (needs --centres cells)",
       "public release: least incidents a published cluster observes",
       "public release: privacy budget ε of Laplace noise (sensitivity 1) on each published "
       "observed count; default: no noise"});
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunScan(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
