// SPDX-License-Identifier: Apache-2.0
// `placecast export-incidents`: the one incident-level export, and only geomasked. Writes a CSV of
// date (no time of day), offence group and donut-geomasked lon/lat (docs/privacy.md); never record
// ids, exact times or true coordinates. Each incident's displacement is keyed by the store's
// secret release key and the incident's id, so it cannot be regenerated without the key and is the
// same in every export; there is no seed. Same store and flags give the same bytes. Appends a
// ledger record (the export is the product most in need of one); the key is in no output.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/ledger_util.h"
#include "io/projection.h"
#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"

namespace placecast::cli {
namespace {

struct ExportFlags {
  std::string store, offence, from, to, geomask = "donut", out;
  double min_m = 50, max_m = 250;
  bool allow_enforcement = false;
};

Status RunExport(const ExportFlags& f) {
  if (f.geomask != "donut") {
    return Status::InvalidInput("--geomask: expected \"donut\" (got \"" + f.geomask + "\")");
  }
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, ParseDate(f.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, ParseDate(f.to, "--to"));
  if (from_s >= to_s) {
    return Status::InvalidInput("--from " + f.from + " is not before --to " + f.to);
  }
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(f.store, f.offence, "", 1000, from_s, to_s, f.allow_enforcement));
  const EventSet& ev = study.events;
  std::string key;
  {
    PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
    auto k = store->GetReleaseKey();
    if (!k.ok()) return k.status().Wrap("export-incidents: release key of " + f.store);
    key = std::move(*k);
  }
  if (ev.id.size() != ev.size()) {
    return Status::Internal("export-incidents: events loaded without their ids");
  }
  std::vector<double> x, y;
  for (size_t i = 0; i < ev.size(); ++i) {
    PLACECAST_ASSIGN_OR_RETURN(io::GeomaskedPoint p, io::DonutGeomask(ev.x_m[i], ev.y_m[i], f.min_m,
                                                                      f.max_m, key, ev.id[i]));
    x.push_back(p.x_m);
    y.push_back(p.y_m);
  }
  PLACECAST_RETURN_IF_ERROR(io::Transform(ev.crs, "EPSG:4326", x, y));
  std::string out = "date,offence_group,lon,lat\n";
  char buf[64];
  for (size_t i = 0; i < ev.size(); ++i) {
    std::snprintf(buf, sizeof(buf), ",%.6f,%.6f\n", x[i], y[i]);
    out += FormatDate(ev.t_s[i]) + "," + std::string(GetOffenceGroupInfo(ev.group[i]).name) + buf;
  }
  // The file is staged beside --out and moved into place only after its ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  auto stage = io::OutputStage::ForFiles();
  PLACECAST_RETURN_IF_ERROR(stage->StageFile(f.out, out));

  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["offence"] = f.offence;
  lp["from"] = f.from;
  lp["to"] = f.to;
  lp["geomask"] = f.geomask;
  lp["min_m"] = f.min_m;
  lp["max_m"] = f.max_m;
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  lp["incidents"] = ev.size();
  PLACECAST_RETURN_IF_ERROR(
      RecordAndPublish(f.store, "export-incidents", lp.dump(), {f.store}, *stage));
  std::printf(
      "export-incidents: %zu %s incident(s) from %s to %s, donut geomask %g-%g m keyed by the "
      "store's release key; wrote %s\n",
      ev.size(), f.offence.c_str(), f.from.c_str(), f.to.c_str(), f.min_m, f.max_m, f.out.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterExportIncidents(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ExportFlags>();
  auto* cmd = app.add_subcommand(
      "export-incidents", "Export incidents for release, geomasked (date, offence group, lon/lat)");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--offence", f->offence, "offence group (see `placecast offences`)")->required();
  cmd->add_option("--from", f->from, "first date YYYY-MM-DD (inclusive)")->required();
  cmd->add_option("--to", f->to, "last date YYYY-MM-DD (exclusive)")->required();
  cmd->add_option("--geomask", f->geomask, "geomasking method (donut)")->capture_default_str();
  cmd->add_option("--min-m", f->min_m, "least displacement in metres")->capture_default_str();
  cmd->add_option("--max-m", f->max_m, "greatest displacement in metres")->capture_default_str();
  cmd->add_option("--out", f->out, "output CSV")->required();
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …)");
  cmd->callback([f, exit_code] {
    Status s = RunExport(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
