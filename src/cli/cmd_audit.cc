// SPDX-License-Identifier: Apache-2.0
// `placecast audit`: fairness audit of a model's daily forecasts over a period (audit/audit.h):
// exposure of areas and of groups of residents to flagged cells, against victim-reported offences.
// Writes audit.json, audit.csv (per area), groups.csv, an exposure map and a group bar chart per
// model, and report.html; prints one plain sentence per group; appends a ledger record.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "cli/param_flags.h"
#include "placecast/audit/audit.h"
#include "placecast/common/offence.h"
#include "placecast/io/area_map.h"
#include "placecast/io/csv.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/privacy.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::cli {
namespace {

struct AuditFlags : PublicReleaseFlags {
  std::string store;
  std::string offence;
  std::string need_offence;
  std::string from, to;
  std::string models;
  double coverage_pct = 5;
  std::string areas;
  std::string area_field;
  std::string population;
  std::string population_area_column;
  std::string reference_group;
  double cell_size_m = 150;
  int train_days = 365;
  std::string boundary;
  std::vector<std::string> params;
  int bootstrap = 2000;
  uint64_t seed = 1;
  std::string out;
  bool allow_enforcement = false;
};

std::string Html(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string F(const char* fmt, double v) {
  if (!std::isfinite(v)) return "–";
  char b[64];
  std::snprintf(b, sizeof(b), fmt, v);
  return b;
}

Status RunAuditCmd(const AuditFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, ParseDate(f.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, ParseDate(f.to, "--to"));
  const std::vector<std::string> models = SplitComma(f.models);
  if (models.empty()) return Status::InvalidInput("--models: expected at least one model name");
  PLACECAST_ASSIGN_OR_RETURN(auto all_params, ParamsForModels(f.params, models));
  const std::string need_offence = f.need_offence.empty() ? f.offence : f.need_offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection need_sel,
                             NeedOffenceSelection(f.need_offence, f.offence));
  const double horizon_days = 1;
  const int64_t end_s = to_s + kSecondsPerDay;
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(f.store, f.offence, f.boundary, f.cell_size_m,
                             std::numeric_limits<int64_t>::min(), end_s, f.allow_enforcement));
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
  PLACECAST_ASSIGN_OR_RETURN(EventSet need_events,
                             store->LoadEvents(need_sel.groups, from_s, end_s));
  store.reset();

  PLACECAST_ASSIGN_OR_RETURN(std::vector<grid::Boundary> areas,
                             io::ReadAreas(f.areas, f.area_field, study.grid.crs()));
  PLACECAST_ASSIGN_OR_RETURN(
      audit::AuditInput in,
      AuditInputForAreas(areas, f.areas, f.area_field, f.population, f.population_area_column));
  PLACECAST_ASSIGN_OR_RETURN(in.cell_area, audit::CellsToAreas(study.grid, areas));
  in.reference_group = f.reference_group;
  in.bootstrap_reps = f.bootstrap;
  in.seed = f.seed;

  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.audit";
  j["offence"] = f.offence;
  j["need_offence"] = need_offence;
  j["from"] = f.from;
  j["to"] = f.to;
  j["coverage_pct"] = f.coverage_pct;
  j["train_days"] = f.train_days;
  j["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
               {"cells", study.grid.num_cells()},
               {"crs", study.grid.crs()},
               {"mask", study.grid_source}};
  j["areas_file"] = f.areas;
  j["population_file"] = f.population;
  j["note"] =
      "Exposure = flagged cell-days (top coverage_pct % of cells each day) in an area; a "
      "cell belongs to the area holding its centre. Need = victim-reported offences of "
      "need_offence in the area. Group values are population-weighted means over areas. "
      "Ratios outside [0.8, 1.25] are flagged. See docs/audit.md.";
  std::string areas_csv = audit::AuditAreasCsvHeader();
  std::string groups_csv = audit::AuditGroupsCsvHeader();
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Fairness audit</title>\n<style>body{font-family:\"DejaVu Sans\","
      "Arial,sans-serif;max-width:1240px;margin:1.5em auto;padding:0 1em}"
      "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em}"
      "td.num{text-align:right}.flag{color:#a40;font-weight:bold}img{max-width:100%}"
      "</style>\n</head>\n<body>\n";
  html += "<h1>Fairness audit: " + Html(f.offence) + ", " + Html(f.from) + " – " + Html(f.to) +
          ", top " + F("%g", f.coverage_pct) + " % of cells</h1>\n";
  html += "<p>Each day, each model's forecast flags its top " + F("%g", f.coverage_pct) +
          " % of grid cells — where patrols would go. The audit counts flagged cell-days per area "
          "(exposure) and compares what a resident of each group experiences on average, before "
          "and after dividing by the victim-reported offences (" +
          Html(need_offence) +
          ") per resident of the areas they live in. Ratios outside 0.8–1.25 are flagged. "
          "The population table is the only place group membership enters; no model sees it.</p>\n";
  nlohmann::ordered_json jm = nlohmann::ordered_json::object();
  int64_t withheld_areas = 0;  // the same for every model: need does not depend on the model
  for (const auto& model : models) {
    audit::FlagRequest req;
    req.model = model;
    req.params = all_params[model];
    req.from_s = from_s;
    req.to_s = to_s;
    req.train_days = f.train_days;
    req.horizon_days = horizon_days;
    req.coverage_pct = f.coverage_pct;
    Progress progress("audit: " + model, ShowProgress());
    PLACECAST_ASSIGN_OR_RETURN(audit::FlaggedDays days,
                               audit::FlagCellsByDay(req, study.events, study.grid));
    progress.Finish();
    in.flagged = days.cells;
    in.need = audit::NeedByDay(need_events, study.grid, in.cell_area,
                               static_cast<int32_t>(areas.size()), days.origins_s, horizon_days);
    auto result = audit::RunAudit(in);
    if (!result.ok()) return result.status().Wrap("model " + model);
    audit::AuditResult& r = *result;
    if (f.public_release) {
      PLACECAST_ASSIGN_OR_RETURN(withheld_areas, MakeAuditPublic(f, &r));
    }
    nlohmann::ordered_json one = nlohmann::ordered_json::parse(audit::AuditJson(r));
    one["warnings"] = days.warnings;
    jm[model] = one;
    areas_csv += audit::AuditAreasCsv(r, model);
    groups_csv += audit::AuditGroupsCsv(r, model);

    std::vector<double> per_res;
    for (const auto& a : r.areas) per_res.push_back(a.exposure_per_1k_residents);
    const std::string map_png = "exposure_map_" + model + ".png";
    PLACECAST_RETURN_IF_ERROR(io::RenderAreaMapPng(sdir + map_png, areas, per_res,
                                                   model +
                                                       ": flagged cell-days per 1,000 residents, " +
                                                       f.offence + " " + f.from + " – " + f.to,
                                                   "cell-days per 1k residents"));
    std::vector<io::BarItem> bars;
    for (const auto& g : r.groups) {
      bars.push_back({g.name + ": exposure", g.exposure_ratio.value, g.exposure_ratio.lo,
                      g.exposure_ratio.hi, g.exposure_outside_band ? "outside band" : ""});
      if (std::isfinite(g.disparity_beyond_need.value)) {
        bars.push_back({g.name + ": beyond need", g.disparity_beyond_need.value,
                        g.disparity_beyond_need.lo, g.disparity_beyond_need.hi,
                        g.disparity_outside_band ? "outside band" : ""});
      }
    }
    const std::string bar_png = "groups_" + model + ".png";
    PLACECAST_RETURN_IF_ERROR(io::RenderBarChartPng(
        sdir + bar_png, model + ": ratio to " + r.reference_group + " residents (95% CI)",
        "ratio (1 = parity; band 0.8–1.25)", bars, 1.0, "parity"));

    std::printf("audit: %s, %s, %s .. %s, top %g%% of %d cells per day; reference group %s\n",
                model.c_str(), f.offence.c_str(), f.from.c_str(), f.to.c_str(), f.coverage_pct,
                study.grid.num_cells(), r.reference_group.c_str());
    html += "<h2>" + Html(model) + "</h2>\n<ul>\n";
    for (const auto& g : r.groups) {
      std::printf("  %s\n", g.statement.c_str());
      const bool flag = g.exposure_outside_band || g.disparity_outside_band;
      html += std::string("<li") + (flag ? " class=\"flag\"" : "") + ">" + Html(g.statement) +
              "</li>\n";
    }
    html += "</ul>\n<p><img src=\"" + Html(map_png) +
            "\" alt=\"exposure per resident by area\">"
            "</p>\n<p><img src=\"" +
            Html(bar_png) + "\" alt=\"ratios by group\"></p>\n";
    html +=
        "<table>\n<tr><th>group</th><th>residents</th><th>cell-days per 1k</th>"
        "<th>offences per 1k</th><th>exposure ratio [95% CI]</th><th>need ratio</th>"
        "<th>beyond need [95% CI]</th></tr>\n";
    for (const auto& g : r.groups) {
      html += "<tr><td>" + Html(g.name) + "</td><td class=\"num\">" + F("%.0f", g.residents) +
              "</td><td class=\"num\">" + F("%.3g", g.exposure_per_1k_residents) +
              "</td><td class=\"num\">" + F("%.3g", g.need_per_1k_residents) +
              "</td><td class=\"num\">" + F("%.2f", g.exposure_ratio.value) + " [" +
              F("%.2f", g.exposure_ratio.lo) + ", " + F("%.2f", g.exposure_ratio.hi) +
              "]</td><td class=\"num\">" + F("%.2f", g.need_ratio.value) +
              "</td><td class=\"num\">" + F("%.2f", g.disparity_beyond_need.value) + " [" +
              F("%.2f", g.disparity_beyond_need.lo) + ", " + F("%.2f", g.disparity_beyond_need.hi) +
              "]</td></tr>\n";
    }
    html +=
        "</table>\n<table>\n<tr><th>area</th><th>residents</th><th>cells</th>"
        "<th>flagged cell-days</th><th>share of exposure</th><th>per 1k residents</th>"
        "<th>offences</th><th>share of offences</th></tr>\n";
    for (const auto& a : r.areas) {
      html += "<tr><td>" + Html(a.name) + "</td><td class=\"num\">" + F("%.0f", a.residents) +
              "</td><td class=\"num\">" + std::to_string(a.cells) + "</td><td class=\"num\">" +
              std::to_string(a.flagged_cell_days) + "</td><td class=\"num\">" +
              F("%.1f", 100 * a.exposure_share) + " %</td><td class=\"num\">" +
              F("%.3g", a.exposure_per_1k_residents) + "</td><td class=\"num\">" +
              (a.need_events < 0 ? std::string("withheld") : std::to_string(a.need_events)) +
              "</td><td class=\"num\">" + F("%.1f", 100 * a.need_share) + " %</td></tr>\n";
    }
    html += "</table>\n";
    if (r.unassigned_flagged_cell_days > 0) {
      html += "<p>" + std::to_string(r.unassigned_flagged_cell_days) + " of " +
              std::to_string(r.flagged_cell_days) +
              " flagged cell-days fell in cells whose centre is in no area.</p>\n";
    }
  }
  j["models"] = jm;
  if (f.public_release) {
    std::string note =
        "Public release: no incident points, times or ids are published. Each area's count of "
        "victim-reported offences (" +
        need_offence + ") below k = " + std::to_string(f.min_incidents) + " is withheld (" +
        std::to_string(withheld_areas) + " of " + std::to_string(areas.size()) +
        " areas); the total and the shares are withheld "
        "when any area is. " +
        NoiseSentence(f, 1, "each published area count", "per offence",
                      "rounded to a whole number and at least 0; rates per resident follow "
                      "from the published counts") +
        " Group need figures (need per resident, need ratio, disparity beyond need) are computed "
        "on the true counts and published only when no area is withheld (" +
        (withheld_areas > 0 ? std::string("withheld here") : std::string("published here")) +
        "). Exposure (flagged cell-days) counts where the model's forecasts point, not incidents, "
        "and is published as computed.";
    j["privacy"] = PrivacyJson(
        f,
        {{"areas", areas.size()},
         {"withheld_areas", withheld_areas},
         {"group_need_figures", withheld_areas > 0 ? "withheld" : "published, from true counts"}},
        1, note);
    html += "<h2>Public release</h2>\n<p>" + Html(note) + "</p>\n";
    PrintPublicRelease(f, "", withheld_areas, static_cast<int64_t>(areas.size()),
                       "areas' offence counts withheld", 1);
  }
  html +=
      "<h2>What this does and does not say</h2>\n<p>Exposure measures where the forecast "
      "would send attention, not what officers do there. Group figures assume every resident "
      "of an area is equally exposed to that area's flagged cells, which hides differences "
      "within areas (the ecological fallacy). Victim-reported offences are themselves "
      "recorded unevenly. A ratio inside the band is not proof of fairness, and one outside "
      "it is a finding to explain, not a verdict. See docs/audit.md.</p>\n"
      "<p>Generated by placecast " +
      std::string(kVersion) + ".</p>\n</body>\n</html>\n";

  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "audit.json", SafeDump(j, 2) + "\n"));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "audit.csv", areas_csv));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "groups.csv", groups_csv));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "report.html", html));
  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["offence"] = f.offence;
  lp["need_offence"] = need_offence;
  lp["from"] = f.from;
  lp["to"] = f.to;
  lp["models"] = models;
  lp["params"] = f.params;
  lp["coverage_pct"] = f.coverage_pct;
  lp["areas"] = f.areas;
  lp["area_field"] = f.area_field;
  lp["population"] = f.population;
  lp["population_area_column"] = f.population_area_column;
  lp["reference_group"] = f.reference_group;
  lp["cell_size_m"] = f.cell_size_m;
  lp["train_days"] = f.train_days;
  lp["boundary"] = f.boundary;
  lp["bootstrap"] = f.bootstrap;
  lp["seed"] = f.seed;
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  AddPublicReleaseParams(f, &lp);
  PLACECAST_RETURN_IF_ERROR(RecordAndPublish(f.store, "audit", SafeDump(lp),
                                             {f.store, f.areas, f.population, f.boundary}, *stage));
  std::printf("wrote %saudit.json, audit.csv, groups.csv, report.html and maps/charts\n",
              dir.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterAudit(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AuditFlags>();
  auto* cmd = app.add_subcommand(
      "audit", "Fairness audit: whom a model's daily hotspots would expose, against need");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--offence", f->offence, "offence group the models forecast")->required();
  cmd->add_option("--need-offence", f->need_offence,
                  "victim-reported offence group measuring need (default: --offence)");
  cmd->add_option("--from", f->from, "first day YYYY-MM-DD")->required();
  cmd->add_option("--to", f->to, "last day YYYY-MM-DD (inclusive)")->required();
  cmd->add_option("--models", f->models, "comma-separated model names")->required();
  cmd->add_option("--coverage-pct", f->coverage_pct, "share of cells flagged each day (%)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 100.0));
  cmd->add_option("--areas", f->areas, "area polygons (GeoJSON, Shapefile, GeoPackage)")
      ->required();
  cmd->add_option("--area-field", f->area_field, "attribute naming each area")->required();
  cmd->add_option("--population", f->population,
                  "CSV: area code, optional total, one column of residents per group")
      ->required();
  cmd->add_option("--population-area-column", f->population_area_column,
                  "area-code column of the population CSV (default: the first)");
  cmd->add_option("--reference-group", f->reference_group,
                  "group the others are compared with (default: the largest)");
  cmd->add_option("--cell-size-m", f->cell_size_m, "grid cell size in metres")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--train-days", f->train_days, "training window in days")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--boundary", f->boundary, "study-area polygons; default: the store's");
  cmd->add_option("--param", f->params,
                  "model parameter key=value or model.key=value (repeatable)");
  cmd->add_option("--bootstrap", f->bootstrap, "bootstrap replications over days")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--seed", f->seed, "seed of the bootstrap")->capture_default_str();
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types in training");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: withhold each area's count of victim-reported offences below "
       "--min-incidents, and the group need figures when any area is withheld",
       "public release: least victim-reported offences a published area count rests on",
       "public release: privacy budget ε of Laplace noise (sensitivity 1) on the published area "
       "counts; default: no noise"});
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunAuditCmd(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
