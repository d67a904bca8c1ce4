// SPDX-License-Identifier: Apache-2.0
// audit (audit.h).
#include "placecast/ops/audit.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/audit_input.h"
#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/audit/audit.h"
#include "placecast/common/offence.h"
#include "placecast/common/safe_json.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/render/area_map.h"
#include "placecast/render/map.h"
#include "placecast/render/report.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<AuditRequest>> AuditRequest::Fields() {
  using R = AuditRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddStoreField(&v, &R::store);
    v.push_back(
        {{.name = "offence", .doc = "offence group the models forecast", .flags = kRequired},
         &R::offence});
    v.push_back({{.name = "need_offence",
                  .doc = "victim-reported offence group measuring need (default: --offence)"},
                 &R::need_offence});
    v.push_back({{.name = "from",
                  .type = FieldType::kDate,
                  .doc = "first day YYYY-MM-DD",
                  .flags = kRequired},
                 &R::from});
    v.push_back({{.name = "to",
                  .type = FieldType::kDate,
                  .doc = "last day YYYY-MM-DD (inclusive)",
                  .flags = kRequired},
                 &R::to});
    v.push_back({{.name = "models",
                  .type = FieldType::kStringList,
                  .doc = "comma-separated model names",
                  .flags = kRequired | kCommaList},
                 &R::models});
    v.push_back({{.name = "coverage_pct",
                  .type = FieldType::kDouble,
                  .default_json = "5",
                  .min = 0.01,
                  .max = 100,
                  .units = "%",
                  .doc = "share of cells flagged each day (%)"},
                 &R::coverage_pct});
    v.push_back({{.name = "areas",
                  .type = FieldType::kInputPath,
                  .doc = "area polygons (GeoJSON, Shapefile, GeoPackage)",
                  .flags = kRequired},
                 &R::areas});
    v.push_back({{.name = "area_field", .doc = "attribute naming each area", .flags = kRequired},
                 &R::area_field});
    v.push_back({{.name = "population",
                  .type = FieldType::kInputPath,
                  .doc = "CSV: area code, optional total, one column of residents per group",
                  .flags = kRequired},
                 &R::population});
    v.push_back({{.name = "population_area_column",
                  .doc = "area-code column of the population CSV (default: the first)"},
                 &R::population_area_column});
    v.push_back({{.name = "reference_group",
                  .doc = "group the others are compared with (default: the largest)"},
                 &R::reference_group});
    v.push_back({kCellSizeField, &R::cell_size_m});
    v.push_back({{.name = "train_days",
                  .type = FieldType::kInt,
                  .default_json = "365",
                  .min = 1,
                  .max = 36500,
                  .units = "days",
                  .doc = "training window in days"},
                 &R::train_days});
    v.push_back({kBoundaryField, &R::boundary});
    v.push_back({kBoundaryCrsField, &R::boundary_crs});
    v.push_back({kParamField, &R::params});
    v.push_back({{.name = "bootstrap",
                  .type = FieldType::kInt,
                  .default_json = "2000",
                  .min = 0,
                  .max = 1000000,
                  .doc = "bootstrap replications over days"},
                 &R::bootstrap});
    v.push_back({{.name = "seed",
                  .type = FieldType::kInt,
                  .default_json = "1",
                  .min = 0,
                  .max = 9007199254740992.0,
                  .doc = "seed of the bootstrap"},
                 &R::seed});
    v.push_back({kOutField, &R::out});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: withhold each area's count of victim-reported offences below "
             "--min-incidents, and the group need figures when any area is withheld",
             "public release: least victim-reported offences a published area count rests on",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on the published "
             "area counts; default: no noise"});
    return v;
  }();
  return fields;
}

Status AuditRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, true));
  if (models.empty()) return Status::InvalidInput("--models: expected at least one model name");
  PLACECAST_RETURN_IF_ERROR(CheckModelNames(models, "--models"));
  PLACECAST_RETURN_IF_ERROR(ParamsForModels(params, models).status());
  return NeedOffenceSelection(need_offence, offence).status();
}

namespace {

std::string F(const char* fmt, double v) {
  if (!std::isfinite(v)) return "–";
  char b[64];
  std::snprintf(b, sizeof(b), fmt, v);
  return b;
}

}  // namespace

Result<Product> Run(io::Store& store, const AuditRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar calendar, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, calendar.ParseDate(r.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, calendar.ParseDate(r.to, "--to"));
  const std::vector<std::string>& models = r.models;
  PLACECAST_ASSIGN_OR_RETURN(auto all_params, ParamsForModels(r.params, models));
  const std::string need_offence = r.need_offence.empty() ? r.offence : r.need_offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection need_sel,
                             NeedOffenceSelection(r.need_offence, r.offence));
  const double horizon_days = 1;
  const int64_t end_s = calendar.AddDays(to_s, 1);
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(store, r.offence, r.boundary, r.boundary_crs, r.cell_size_m,
                             std::numeric_limits<int64_t>::min(), end_s, r.allow_enforcement_types,
                             *ctx.progress));
  PLACECAST_ASSIGN_OR_RETURN(EventSet need_events,
                             store.LoadEvents(need_sel.groups, from_s, end_s));

  PLACECAST_ASSIGN_OR_RETURN(std::vector<grid::Boundary> areas,
                             io::ReadAreas(r.areas, r.area_field, study.grid.crs()));
  PLACECAST_ASSIGN_OR_RETURN(
      audit::AuditInput in,
      AuditInputForAreas(areas, r.areas, r.area_field, r.population, r.population_area_column));
  PLACECAST_ASSIGN_OR_RETURN(in.cell_area, audit::CellsToAreas(study.grid, areas));
  in.reference_group = r.reference_group;
  in.bootstrap_reps = static_cast<int>(r.bootstrap);
  in.seed = static_cast<uint64_t>(r.seed);
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));

  // Products are staged inside the output folder and moved into place only after their ledger
  // record commits (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.audit";
  j["offence"] = r.offence;
  j["need_offence"] = need_offence;
  j["from"] = r.from;
  j["to"] = r.to;
  j["days"] = calendar.Describe();
  j["coverage_pct"] = r.coverage_pct;
  j["train_days"] = static_cast<int>(r.train_days);
  j["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
               {"cells", study.grid.num_cells()},
               {"crs", study.grid.crs()},
               {"mask", study.grid_source}};
  j["areas_file"] = r.areas;
  j["population_file"] = r.population;
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
  html += "<h1>Fairness audit: " + render::HtmlEscape(r.offence) + ", " +
          render::HtmlEscape(r.from) + " – " + render::HtmlEscape(r.to) + ", top " +
          F("%g", r.coverage_pct) + " % of cells</h1>\n";
  html += "<p>Each day, each model's forecast flags its top " + F("%g", r.coverage_pct) +
          " % of grid cells — where patrols would go. The audit counts flagged cell-days per area "
          "(exposure) and compares what a resident of each group experiences on average, before "
          "and after dividing by the victim-reported offences (" +
          render::HtmlEscape(need_offence) +
          ") per resident of the areas they live in. Ratios outside 0.8–1.25 are flagged. "
          "The population table is the only place group membership enters; no model sees it.</p>\n";
  nlohmann::ordered_json jm = nlohmann::ordered_json::object();
  Product out;
  char line[1024];
  int64_t withheld_areas = 0;  // the same for every model: need does not depend on the model
  for (const auto& model : models) {
    audit::FlagRequest req;
    req.model = model;
    req.params = all_params[model];
    req.from_s = from_s;
    req.to_s = to_s;
    req.calendar = calendar;
    req.train_days = static_cast<int>(r.train_days);
    req.horizon_days = horizon_days;
    req.coverage_pct = r.coverage_pct;
    ctx.progress->Stage("audit: " + model);
    auto flagged = audit::FlagCellsByDay(req, study.events, study.grid);
    if (!flagged.ok()) return WithStoreHoldings(store, r.offence, flagged.status());
    audit::FlaggedDays days = std::move(flagged).value();
    in.flagged = days.cells;
    in.need =
        audit::NeedByDay(need_events, study.grid, in.cell_area, static_cast<int32_t>(areas.size()),
                         days.origins_s, horizon_days, calendar);
    auto result = audit::RunAudit(in);
    if (!result.ok()) return result.status().Wrap("model " + model);
    audit::AuditResult& a = *result;
    if (r.public_release) {
      PLACECAST_ASSIGN_OR_RETURN(withheld_areas, MakeAuditPublic(release, &a));
    }
    nlohmann::ordered_json one = nlohmann::ordered_json::parse(audit::AuditJson(a));
    one["warnings"] = days.warnings;
    jm[model] = one;
    areas_csv += audit::AuditAreasCsv(a, model);
    groups_csv += audit::AuditGroupsCsv(a, model);

    std::vector<double> per_res;
    for (const auto& area : a.areas) per_res.push_back(area.exposure_per_1k_residents);
    // The report inlines both images' bytes (data URIs): it shows them when sent on its own.
    const std::string map_png = "exposure_map_" + model + ".png";
    std::string map_bytes;
    PLACECAST_RETURN_IF_ERROR(render::RenderAreaMapPng(
        sdir + map_png, areas, per_res,
        model + ": flagged cell-days per 1,000 residents, " + r.offence + " " + r.from + " – " +
            r.to,
        "cell-days per 1k residents", &map_bytes, {.no_value_label = "no value (no residents)"}));
    PLACECAST_ASSIGN_OR_RETURN(const std::string map_uri, render::PngDataUri(map_bytes));
    std::vector<render::BarItem> bars;
    for (const auto& g : a.groups) {
      bars.push_back({g.name + ": exposure", g.exposure_ratio.value, g.exposure_ratio.lo,
                      g.exposure_ratio.hi, g.exposure_outside_band ? "outside band" : ""});
      if (std::isfinite(g.disparity_beyond_need.value)) {
        bars.push_back({g.name + ": beyond need", g.disparity_beyond_need.value,
                        g.disparity_beyond_need.lo, g.disparity_beyond_need.hi,
                        g.disparity_outside_band ? "outside band" : ""});
      }
    }
    const std::string bar_png = "groups_" + model + ".png";
    std::string bar_bytes;
    PLACECAST_RETURN_IF_ERROR(render::RenderBarChartPng(
        sdir + bar_png, model + ": ratio to " + a.reference_group + " residents (95% CI)",
        "ratio (1 = parity; band 0.8–1.25)", bars, 1.0, "parity", &bar_bytes));
    PLACECAST_ASSIGN_OR_RETURN(const std::string bar_uri, render::PngDataUri(bar_bytes));

    std::snprintf(line, sizeof(line),
                  "audit: %s, %s, %s .. %s, top %g%% of %d cells per day; reference group %s",
                  model.c_str(), r.offence.c_str(), r.from.c_str(), r.to.c_str(), r.coverage_pct,
                  study.grid.num_cells(), a.reference_group.c_str());
    out.lines.push_back(line);
    html += "<h2>" + render::HtmlEscape(model) + "</h2>\n<ul>\n";
    for (const auto& g : a.groups) {
      out.lines.push_back("  " + g.statement);
      const bool flag = g.exposure_outside_band || g.disparity_outside_band;
      html += std::string("<li") + (flag ? " class=\"flag\"" : "") + ">" +
              render::HtmlEscape(g.statement) + "</li>\n";
    }
    html += "</ul>\n<p><img src=\"" + map_uri +
            "\" alt=\"exposure per resident by area\">"
            "</p>\n<p><img src=\"" +
            bar_uri + "\" alt=\"ratios by group\"></p>\n";
    html +=
        "<table>\n<tr><th>group</th><th>residents</th><th>cell-days per 1k</th>"
        "<th>offences per 1k</th><th>exposure ratio [95% CI]</th><th>need ratio</th>"
        "<th>beyond need [95% CI]</th></tr>\n";
    for (const auto& g : a.groups) {
      html += "<tr><td>" + render::HtmlEscape(g.name) + "</td><td class=\"num\">" +
              F("%.0f", g.residents) + "</td><td class=\"num\">" +
              F("%.3g", g.exposure_per_1k_residents) + "</td><td class=\"num\">" +
              F("%.3g", g.need_per_1k_residents) + "</td><td class=\"num\">" +
              F("%.2f", g.exposure_ratio.value) + " [" + F("%.2f", g.exposure_ratio.lo) + ", " +
              F("%.2f", g.exposure_ratio.hi) + "]</td><td class=\"num\">" +
              F("%.2f", g.need_ratio.value) + "</td><td class=\"num\">" +
              F("%.2f", g.disparity_beyond_need.value) + " [" +
              F("%.2f", g.disparity_beyond_need.lo) + ", " + F("%.2f", g.disparity_beyond_need.hi) +
              "]</td></tr>\n";
    }
    html +=
        "</table>\n<table>\n<tr><th>area</th><th>residents</th><th>cells</th>"
        "<th>flagged cell-days</th><th>share of exposure</th><th>per 1k residents</th>"
        "<th>offences</th><th>share of offences</th></tr>\n";
    for (const auto& area : a.areas) {
      html += "<tr><td>" + render::HtmlEscape(area.name) + "</td><td class=\"num\">" +
              F("%.0f", area.residents) + "</td><td class=\"num\">" + std::to_string(area.cells) +
              "</td><td class=\"num\">" + std::to_string(area.flagged_cell_days) +
              "</td><td class=\"num\">" + F("%.1f", 100 * area.exposure_share) +
              " %</td><td class=\"num\">" + F("%.3g", area.exposure_per_1k_residents) +
              "</td><td class=\"num\">" +
              (area.need_events < 0 ? std::string("withheld") : std::to_string(area.need_events)) +
              "</td><td class=\"num\">" + F("%.1f", 100 * area.need_share) + " %</td></tr>\n";
    }
    html += "</table>\n";
    if (a.unassigned_flagged_cell_days > 0) {
      html += "<p>" + std::to_string(a.unassigned_flagged_cell_days) + " of " +
              std::to_string(a.flagged_cell_days) +
              " flagged cell-days fell in cells whose centre is in no area.</p>\n";
    }
    out.summary["models"][model] = {{"reference_group", a.reference_group},
                                    {"flagged_cell_days", a.flagged_cell_days}};
  }
  j["models"] = jm;
  if (r.public_release) {
    std::string note =
        "Public release: no incident points, times or ids are published. Each area's count of "
        "victim-reported offences (" +
        need_offence + ") below k = " + std::to_string(r.min_incidents) + " is withheld (" +
        std::to_string(withheld_areas) + " of " + std::to_string(areas.size()) +
        " areas); the total and the shares are withheld "
        "when any area is. " +
        NoiseSentence(release, 1, "each published area count", "per offence",
                      "rounded to a whole number and at least 0; rates per resident follow "
                      "from the published counts") +
        " Group need figures (need per resident, need ratio, disparity beyond need) are computed "
        "on the true counts and published only when no area is withheld (" +
        (withheld_areas > 0 ? std::string("withheld here") : std::string("published here")) +
        "). Exposure (flagged cell-days) counts where the model's forecasts point, not incidents, "
        "and is published as computed.";
    j["privacy"] = PrivacyJson(
        release,
        {{"areas", areas.size()},
         {"withheld_areas", withheld_areas},
         {"group_need_figures", withheld_areas > 0 ? "withheld" : "published, from true counts"}},
        1, note);
    html += "<h2>Public release</h2>\n<p>" + render::HtmlEscape(note) + "</p>\n";
    out.lines.push_back(PublicReleaseLine(release, "", withheld_areas,
                                          static_cast<int64_t>(areas.size()),
                                          "areas' offence counts withheld", 1));
    out.summary["privacy"] = j["privacy"];
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
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));
  out.lines.push_back("wrote " + dir + "audit.json, audit.csv, groups.csv, report.html and " +
                      "maps/charts");
  out.summary["cells"] = study.grid.num_cells();
  out.summary["areas"] = areas.size();
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name : {"audit.json", "audit.csv", "groups.csv", "report.html"}) {
    out.files.push_back(dir + name);
  }
  for (const auto& model : models) {
    out.files.push_back(dir + "exposure_map_" + model + ".png");
    out.files.push_back(dir + "groups_" + model + ".png");
  }
  return out;
}

OpInfo AuditOp() {
  return MakeOpInfo<AuditRequest>(StoreUse::kRead, [](io::Store* s, const AuditRequest& r,
                                                      Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
