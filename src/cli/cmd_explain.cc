// SPDX-License-Identifier: Apache-2.0
// `placecast explain`: why one cell of a forecast has its risk — the model's parts, the
// contributions by distance and age band, and the past events that weigh most, shown by time,
// offence and distance only (no ids, no coordinates). Optionally writes the explanation as JSON
// (--out), and then appends a ledger record.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "cli/param_flags.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/models/explain.h"
#include "placecast/models/model.h"

namespace placecast::cli {
namespace {

struct ExplainFlags {
  std::string store;
  std::string model;
  std::string offence;
  std::string origin;
  int64_t cell = -1;
  double lon = std::numeric_limits<double>::quiet_NaN();
  double lat = std::numeric_limits<double>::quiet_NaN();
  int top = 10;
  double horizon_days = 1;
  double cell_size_m = 150;
  std::string boundary;
  std::vector<std::string> params;
  std::string out;
  bool allow_enforcement = false;
};

Status RunExplain(const ExplainFlags& f, bool cell_given, bool lonlat_given) {
  if (!cell_given && !lonlat_given) {
    return Status::InvalidInput("explain: give the cell as --cell ID or as --lon X --lat Y");
  }
  PLACECAST_ASSIGN_OR_RETURN(int64_t origin_s, ParseDate(f.origin, "--origin"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(f.params, {f.model}));
  PLACECAST_ASSIGN_OR_RETURN(auto model, models::CreateModel(f.model, given[f.model]));
  // Only events before the origin are loaded, as for the forecast being explained.
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(f.store, f.offence, f.boundary, f.cell_size_m,
                             std::numeric_limits<int64_t>::min(), origin_s, f.allow_enforcement));
  if (!study.enforcement_warning.empty()) {
    std::fprintf(stderr, "placecast: warning: %s\n", study.enforcement_warning.c_str());
  }
  grid::CellId cell = grid::kNoCell;
  if (lonlat_given) {
    std::vector<double> x = {f.lon}, y = {f.lat};
    PLACECAST_RETURN_IF_ERROR(io::ProjectFromLonLat(study.grid.crs(), x, y).Wrap("--lon/--lat"));
    cell = study.grid.PointToCell(x[0], y[0]);
    if (cell == grid::kNoCell) {
      char buf[128];
      std::snprintf(buf, sizeof(buf),
                    "--lon/--lat: %.6f, %.6f is not in an active cell of the grid", f.lon, f.lat);
      return Status::InvalidInput(buf);
    }
  } else {
    if (f.cell < 0 || f.cell >= study.grid.num_cells()) {
      return Status::InvalidInput("--cell: not an active cell of the grid (got " +
                                  std::to_string(f.cell) + ", expected 0.." +
                                  std::to_string(study.grid.num_cells() - 1) + ")");
    }
    cell = static_cast<grid::CellId>(f.cell);
  }
  PLACECAST_ASSIGN_OR_RETURN(models::CellExplanation e,
                             models::ExplainCell(f.model, model->params(), study.events, study.grid,
                                                 origin_s, cell, f.top, f.horizon_days));

  std::printf("explain: %s, %s, origin %s, cell %d (column %d, row %d of %g m cells)\n",
              f.model.c_str(), f.offence.c_str(), FormatDate(origin_s).c_str(), cell,
              study.grid.CellCol(cell), study.grid.CellRow(cell), study.grid.cell_size_m());
  std::printf("risk %.6g: %s\n", e.risk, e.note.c_str());
  std::printf("parts:\n");
  for (const auto& p : e.parts) {
    std::printf("  %-16s %12.6g  %5.1f%%\n", p.name.c_str(), p.value, 100 * p.share);
  }
  std::printf("bands (distance, age): %lld contributing event(s)\n",
              static_cast<long long>(e.events_contributing));
  for (const auto& b : e.bands) {
    std::printf("  %g-%g m, %g-%g days: %lld event(s), %.6g (%.1f%%)\n", b.distance_from_m,
                b.distance_to_m, b.age_from_days, b.age_to_days, static_cast<long long>(b.events),
                b.value, 100 * b.share);
  }
  std::printf("top events:\n");
  for (const auto& t : e.top_events) {
    std::printf("  %s  %-24s %6g m  %7.1f days ago  %.6g\n", FormatDateTime(t.t_s).c_str(),
                t.offence.c_str(), t.distance_m, t.age_days, t.contribution);
  }
  if (f.out.empty()) return Status::Ok();  // a printout only: no product, no ledger record

  // The file is staged beside --out and moved into place only after its ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  auto stage = io::OutputStage::ForFiles();
  PLACECAST_RETURN_IF_ERROR(stage->StageFile(f.out, models::CellExplanationToJson(e) + "\n"));

  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["model"] = f.model;
  lp["model_params"] = nlohmann::ordered_json::parse(model->params().ToJson());
  lp["offence"] = f.offence;
  lp["origin"] = FormatDate(origin_s);
  lp["cell"] = cell;
  if (lonlat_given) {
    lp["lon"] = f.lon;
    lp["lat"] = f.lat;
  }
  lp["top"] = f.top;
  lp["horizon_days"] = f.horizon_days;
  lp["cell_size_m"] = f.cell_size_m;
  lp["boundary"] = f.boundary;
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  PLACECAST_RETURN_IF_ERROR(
      RecordAndPublish(f.store, "explain", SafeDump(lp), {f.store, f.boundary}, *stage));
  std::printf("wrote %s\n", f.out.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterExplain(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ExplainFlags>();
  auto* cmd = app.add_subcommand(
      "explain", "Explain one cell of a forecast: model parts, distance and age bands, top events");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--model", f->model, "naive, retro, prospective, sepp_grid or sepp")->required();
  cmd->add_option("--offence", f->offence, "offence group (see `placecast offences`)")->required();
  cmd->add_option("--origin", f->origin, "forecast origin date YYYY-MM-DD (UTC midnight)")
      ->required();
  auto* cell = cmd->add_option("--cell", f->cell, "cell id (as in forecast.csv)");
  auto* lon = cmd->add_option("--lon", f->lon, "longitude of a point in the cell (WGS 84)");
  auto* lat = cmd->add_option("--lat", f->lat, "latitude of a point in the cell (WGS 84)");
  lon->needs(lat);
  lat->needs(lon);
  cell->excludes(lon);
  cell->excludes(lat);
  cmd->add_option("--top", f->top, "number of past events listed")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--horizon-days", f->horizon_days,
                  "forecast horizon in days (sepp_grid and sepp: the risk explained is the "
                  "forecast over it)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3650.0));
  cmd->add_option("--cell-size-m", f->cell_size_m, "grid cell size in metres")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--boundary", f->boundary,
                  "study-area polygons (GeoJSON, Shapefile, GeoPackage); default: the store's");
  cmd->add_option("--param", f->params, "model parameter key=value (repeatable)");
  cmd->add_option("--out", f->out, "write the explanation as JSON to this file");
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …)");
  cmd->callback([f, exit_code, cell, lon] {
    Status s = RunExplain(*f, cell->count() > 0, lon->count() > 0);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
