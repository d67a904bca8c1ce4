// SPDX-License-Identifier: Apache-2.0
// forecast (forecast.h).
#include "placecast/ops/forecast.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/model_card.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/common/safe_json.h"
#include "placecast/grid/ranking.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"
#include "placecast/models/explain.h"
#include "placecast/render/map.h"
#include "placecast/render/report.h"
#include "placecast/version.h"

namespace placecast::ops {
namespace {

// A number in an error message, as the user typed it ("%g").
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

std::span<const Field<ForecastRequest>> ForecastRequest::Fields() {
  using R = ForecastRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddSelectionFields(&v);
    v.push_back({kOutField, &R::out});
    v.push_back({{.name = "top_pct",
                  .type = FieldType::kDouble,
                  .default_json = "5",
                  .min = 0.1,
                  .max = 100,
                  .units = "%",
                  .doc = "share of cells outlined as hotspots on the map",
                  .flags = kNotInQuery},
                 &R::top_pct});
    v.push_back({{.name = "top_area_km2",
                  .type = FieldType::kDouble,
                  .min = 1e-6,
                  .max = 1e6,
                  .units = "km²",
                  .doc = "flag the top cells by area instead: the largest number of top cells "
                         "whose total area (whole cells) does not exceed this, the NIJ "
                         "challenge's rule; at least one cell, at most the study area; not with "
                         "--top-pct or --top-area-sqmi (0 = not set)",
                  .flags = kNotInQuery},
                 &R::top_area_km2});
    v.push_back({{.name = "top_area_sqmi",
                  .type = FieldType::kDouble,
                  .min = 1e-6,
                  .max = 1e6,
                  .units = "sq mi",
                  .doc = "as --top-area-km2, in square miles (1 sq mi = 2.589988110336 km²; the "
                         "NIJ challenge flagged 0.25 to 0.75 sq mi) (0 = not set)",
                  .flags = kNotInQuery},
                 &R::top_area_sqmi});
    v.push_back({{.name = "load_fitted",
                  .type = FieldType::kInputPath,
                  .doc = "reuse the fitted state saved in an earlier run.json (models that save "
                         "one, such as sepp_grid) instead of fitting"},
                 &R::load_fitted});
    v.push_back({{.name = "backtest_summary",
                  .type = FieldType::kInputPath,
                  .doc = "backtest summary.json whose metrics for this model go into the model "
                         "card",
                  .flags = kNotInQuery},
                 &R::backtest_summary});
    AddReleaseFields(
        &v, {"public release: suppress cells resting on fewer than --min-incidents training "
             "incidents, omit the fitted state, state the mode in every product",
             "public release: least training incidents (in a cell or its kernel support) a "
             "published cell rests on",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on published "
             "risk; default: no noise"});
    v.push_back({{.name = "explain_top",
                  .type = FieldType::kInt,
                  .default_json = "5",
                  .min = 0,
                  .max = 100,
                  .doc = "explain the top N cells in the report's \"Why these cells\" section and "
                         "explanations.json (0 = none)",
                  .flags = kNotInQuery},
                 &R::explain_top});
    return v;
  }();
  return fields;
}

Status ForecastRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(ValidateSelection(*this));
  if (top_area_km2 > 0 && top_area_sqmi > 0) {
    return Status::InvalidInput("--top-area-km2 and --top-area-sqmi: give one of them (got " +
                                Num(top_area_km2) + " and " + Num(top_area_sqmi) + ")");
  }
  const bool by_sqmi = top_area_sqmi > 0;
  const double area_km2 = by_sqmi ? top_area_sqmi * io::kKm2PerSqMi : top_area_km2;
  const std::string flag = by_sqmi ? "--top-area-sqmi" : "--top-area-km2";
  const std::string given = Num(by_sqmi ? top_area_sqmi : top_area_km2);
  if (area_km2 > 0 && top_pct != 5) {
    return Status::InvalidInput(flag + " and --top-pct: give one of them (got " + given + " and " +
                                Num(top_pct) + ")");
  }
  const double cell_km2 = cell_size_m * cell_size_m * 1e-6;
  if (area_km2 > 0 && grid::TopCellsForArea(area_km2, cell_km2, 1) == 0) {
    return Status::InvalidInput(flag + ": smaller than one cell of " + Num(cell_km2) +
                                " km² (--cell-size-m " + Num(cell_size_m) + ") (got " + given +
                                ")");
  }
  return CheckReleaseFields(*this, !store.empty());
}

namespace {

// Past events listed per explained cell.
constexpr int kExplainTopEvents = 5;

// explanations.json for the top `r.explain_top` cells of `surface` (docs/explain.md): the model's
// parts, bands and top past events of each, read from the model as fitted or loaded (never
// refitted), or a note saying plainly why there are none.
Result<std::string> BuildExplanationsJson(const ForecastRequest& r, const SelectedForecast& fc,
                                          const grid::Surface& surface) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["explained_cells"] = 0;
  j["cells"] = nlohmann::ordered_json::array();
  if (r.explain_top == 0) {
    j["note"] = "No cells explained (--explain-top 0).";
  } else if (!models::IsExplainable(r.model)) {
    j["note"] = "No cells explained: the " + r.model + " model has no explanation yet.";
  } else if (r.public_release) {
    j["note"] =
        "Explanations are not part of a public release: they list past incidents by time, "
        "offence and distance.";
  } else {
    std::vector<grid::CellId> cells;
    for (grid::CellId c : grid::RankCells(surface, fc.ties).cells) {
      if (static_cast<int64_t>(cells.size()) >= r.explain_top) break;
      if (surface.value[static_cast<size_t>(c)] > 0) cells.push_back(c);
    }
    PLACECAST_ASSIGN_OR_RETURN(
        std::vector<models::CellExplanation> ex,
        models::ExplainFittedCells(*fc.model, fc.study.events, fc.study.grid, fc.origin_s, cells,
                                   kExplainTopEvents, r.horizon_days));
    j["explained_cells"] = ex.size();
    // A learned model (boost) is split by its features, on the log scale of its value.
    const bool by_features = !ex.empty() && ex.front().num_features > 0;
    j["note"] =
        "The top " + std::to_string(ex.size()) + " cells with risk above 0, each split into " +
        (by_features ? std::string("its features' contributions to the log of the model's value "
                                   "(TreeSHAP), with the recent past events near it as context")
                     : std::string("the model's own parts and the past events that add most to "
                                   "it")) +
        ". Past events are shown " +
        "by time, offence and distance from the cell centre (to 10 m) only, never by record or " +
        "address. Each value is on the model's own scale, as its note says.";
    for (size_t k = 0; k < ex.size(); ++k) {
      nlohmann::ordered_json c;
      c["rank"] = k + 1;
      const nlohmann::ordered_json parts =
          nlohmann::ordered_json::parse(models::CellExplanationToJson(ex[k]));
      for (auto it = parts.begin(); it != parts.end(); ++it) c[it.key()] = it.value();
      j["cells"].push_back(std::move(c));
    }
  }
  return SafeDump(j, 2) + "\n";
}

// The saved fit of --load-fitted: the "fitted" object of a run.json, or a fitted.json as is. A
// saved fit forecasts from its own origin (its triggering state is for that instant): a different
// --origin would label one forecast with another's date.
Result<std::string> ReadSavedFit(const std::string& path, const Calendar& cal, int64_t origin_s) {
  PLACECAST_ASSIGN_OR_RETURN(std::string text, io::ReadFile(path));
  if (!io::JsonDepthWithin(text, io::kMaxJsonDepth)) {
    return Status::InvalidInput(path + ": JSON nested too deeply");
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidInput(path + ": not a JSON object (got \"" +
                                io::ToHexIfBinary(text.substr(0, 40)) + "\")");
  }
  const auto& fj = j.contains("fitted") ? j["fitted"] : j;
  if (fj.is_object() && fj.contains("origin_s") && fj["origin_s"].is_number_integer() &&
      fj["origin_s"].get<int64_t>() != origin_s) {
    return Status::InvalidInput("--load-fitted " + path + ": the fit is for origin " +
                                cal.FormatDateTime(fj["origin_s"].get<int64_t>()) +
                                " (got --origin " + cal.FormatDateTime(origin_s) +
                                "); refit, or forecast from the fit's origin");
  }
  return SafeDump(fj);
}

// The events the model could see, as a digest: the input of run.json is identified by them, not
// by the store file's bytes (the store also holds the ledger, which every command extends).
nlohmann::ordered_json EventsInput(const std::string& store_path, const EventSet& events,
                                   int64_t origin_s) {
  std::string bytes;
  int64_t n = 0;
  char xy[64];
  for (size_t i = 0; i < events.size() && events.t_s[i] < origin_s; ++i) {
    std::snprintf(xy, sizeof(xy), "%.3f\t%.3f", events.x_m[i], events.y_m[i]);
    bytes += events.id[i] + '\t' + std::to_string(events.t_s[i]) + '\t' + xy + '\t' +
             std::to_string(static_cast<int>(events.group[i])) + '\n';
    ++n;
  }
  return {
      {{"path", store_path}, {"events_before_origin", n}, {"events_sha256", io::Sha256Hex(bytes)}}};
}

}  // namespace

Result<Product> Run(io::Store& store, const ForecastRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t origin_s, cal.ParseDate(r.origin, "--origin"));
  std::string fitted;
  if (!r.load_fitted.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(fitted, ReadSavedFit(r.load_fitted, cal, origin_s));
  }
  PLACECAST_ASSIGN_OR_RETURN(
      SelectedForecast fc,
      RunSelectedForecast(store, r, *ctx.progress, fitted, "--load-fitted " + r.load_fitted));
  const Study& study = fc.study;
  grid::Surface& surface = fc.surface;
  const auto& params = fc.model->params();
  const int64_t train_from = fc.train_from_s;
  const auto range = study.events.TimeRange(train_from, origin_s);

  // Public release (shared with hotspots and allocate): suppression from the training incidents,
  // then (optionally) Laplace noise on every value, clamped at 0.
  constexpr double kSensitivity = 1;  // one incident changes a naive count by one
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  PublicSurface pub;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(
        pub, MakeSurfacePublic(release, study, train_from, origin_s, fc.support_m, &surface));
  }

  io::ForecastProduct p;
  p.grid = &study.grid;
  p.surface = &surface;
  p.model = r.model;
  p.params_json = params.ToJson();
  p.offence = r.offence;
  p.origin_s = origin_s;
  p.calendar = cal;
  p.horizon_days = r.horizon_days;
  p.train_from_s = train_from;
  p.training_events = static_cast<int64_t>(range.second - range.first);
  p.warnings = fc.warnings;
  p.study_area = study.study_area.empty() ? nullptr : &study.study_area;
  p.top_share_pct = r.top_pct;
  p.top_area_km2 = r.top_area_sqmi > 0 ? r.top_area_sqmi * io::kKm2PerSqMi : r.top_area_km2;
  p.top_area_in_sqmi = r.top_area_sqmi > 0;
  if (p.top_area_km2 > study.grid.area_km2() * (1 + 1e-12)) {
    const bool sqmi = p.top_area_in_sqmi;
    return Status::InvalidInput(
        std::string(sqmi ? "--top-area-sqmi" : "--top-area-km2") +
        ": larger than the study area (" +
        Num(sqmi ? study.grid.area_km2() / io::kKm2PerSqMi : study.grid.area_km2()) +
        (sqmi ? " sq mi" : " km²") + ", " + std::to_string(study.grid.num_cells()) + " cells of " +
        Num(study.grid.cell_size_m()) + " m) (got " + Num(sqmi ? r.top_area_sqmi : r.top_area_km2) +
        ")");
  }
  p.ties = fc.ties;
  p.title = SelectionTitle(r, cal, origin_s);
  p.code_version = kVersion;
  ModelCardInput card_in{r.model,     params.ToJson(),    r.offence,
                         train_from,  origin_s,           p.training_events,
                         fc.warnings, r.backtest_summary, cal};
  PLACECAST_ASSIGN_OR_RETURN(p.model_card_json, BuildModelCardJson(card_in));
  p.suppressed = pub.suppressed;
  p.privacy_note = pub.note;
  PLACECAST_ASSIGN_OR_RETURN(std::string explanations_json, BuildExplanationsJson(r, fc, surface));
  if (r.explain_top > 0) p.explanations_json = explanations_json;

  // Products are written into a staging folder inside the output folder and moved into place only
  // after the ledger record that vouches for them has committed (io/staging.h): a failed or killed
  // run publishes nothing, and two forecasts into one folder never share a temporary file.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastCsv(dir + "forecast.csv", p));
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastGeoJson(dir + "forecast.geojson", p));
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastGeoPackage(dir + "forecast.gpkg", p));
  // The report inlines the map's bytes (a data URI), so it shows the map when sent on its own.
  std::string map_png;
  PLACECAST_RETURN_IF_ERROR(render::RenderForecastPng(dir + "map.png", p, {}, &map_png));
  PLACECAST_RETURN_IF_ERROR(render::WriteForecastReportHtml(dir + "report.html", p, map_png));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "explanations.json", explanations_json));

  nlohmann::ordered_json run;
  run["command"] = "forecast";
  run["placecast_version"] = kVersion;
  run["model"] = r.model;
  run["params"] = nlohmann::ordered_json::parse(params.ToJson());
  run["offence"] = r.offence;
  run["origin"] = cal.FormatDate(origin_s);
  run["days"] = cal.Describe();
  run["time_zone"] = cal.zone();
  run["horizon_days"] = r.horizon_days;
  run["target_window"] = {{"from", cal.FormatDateTime(origin_s)},
                          {"to", cal.FormatDateTime(cal.HorizonEnd(origin_s, r.horizon_days))}};
  run["training"] = {{"from", cal.FormatDateTime(train_from)},
                     {"to", cal.FormatDateTime(origin_s)},
                     {"events", p.training_events}};
  run["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
                 {"cells", study.grid.num_cells()},
                 {"nx", study.grid.nx()},
                 {"ny", study.grid.ny()},
                 {"x0_m", study.grid.x0_m()},
                 {"y0_m", study.grid.y0_m()},
                 {"crs", study.grid.crs()},
                 {"mask", study.grid_source}};
  // The flagged (in_top) cells: how they were chosen, how many, and their area (to the mm²).
  const int32_t top_cells = io::TopCellCount(p);
  const double top_km2 = top_cells * study.grid.cell_area_km2();
  auto mm2 = [](double km2) { return std::round(km2 * 1e12) / 1e12; };
  nlohmann::ordered_json top_json;
  if (p.top_area_km2 > 0) {
    top_json["rule"] = "area: the most top cells whose area does not exceed the area asked";
    top_json["area_km2_asked"] = mm2(p.top_area_km2);
    if (p.top_area_in_sqmi) top_json["area_sqmi_asked"] = r.top_area_sqmi;
  } else {
    top_json["rule"] = "share: ceil(share_pct / 100 x cells)";
    top_json["share_pct"] = r.top_pct;
  }
  top_json["cells"] = top_cells;
  top_json["area_km2"] = mm2(top_km2);
  if (p.top_area_in_sqmi) top_json["area_sqmi"] = mm2(top_km2 / io::kKm2PerSqMi);
  top_json["ties"] = "risk, then 5-year cell history, then its 3x3 sum, then cell id";
  run["top"] = top_json;
  run["warnings"] = fc.warnings;
  run["model_card"] = nlohmann::ordered_json::parse(p.model_card_json);
  if (r.public_release) {
    run["privacy"] = PrivacyJson(
        release, {{"support_m", fc.support_m}, {"suppressed_cells", pub.suppressed_cells}},
        kSensitivity, pub.note);
  }
  // The fitted state holds unsuppressed per-cell values: never in a public release.
  const std::string fitted_json = r.public_release ? "{}" : fc.model->FittedJson();
  if (fitted_json != "{}") {
    run["fitted"] = nlohmann::ordered_json::parse(fitted_json);
    if (!r.load_fitted.empty()) run["fitted_from"] = r.load_fitted;
  }
  // Same events, parameters and grid give the same run.json bytes.
  run["inputs"] = EventsInput(r.store, study.events, origin_s);
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  for (const char* name : {"forecast.csv", "forecast.geojson", "forecast.gpkg", "map.png",
                           "report.html", "explanations.json"}) {
    PLACECAST_ASSIGN_OR_RETURN(std::string h, io::Sha256File(dir + name));
    outs.push_back({{"path", name}, {"sha256", h}});
  }
  run["outputs"] = outs;
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "run.json", SafeDump(run, 2) + "\n"));

  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  // The top published cell, as the products rank it (suppressed cells are never reported).
  PLACECAST_ASSIGN_OR_RETURN(const std::vector<io::ProductCell> ranked, io::RankProductCells(p));
  const bool any = !ranked.empty() && !ranked[0].suppressed;
  const int top = any ? ranked[0].cell : -1;
  const double top_risk = any ? ranked[0].risk : 0.0;
  char line[512];
  std::snprintf(line, sizeof(line), "forecast: %s, %s, origin %s, horizon %g day(s)",
                r.model.c_str(), r.offence.c_str(), cal.FormatDate(origin_s).c_str(),
                r.horizon_days);
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line), "training: %lld events from %s; grid: %d cells of %g m (%s)",
                static_cast<long long>(p.training_events), cal.FormatDate(train_from).c_str(),
                study.grid.num_cells(), study.grid.cell_size_m(), study.grid_source.c_str());
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line),
                "top cell: %d (risk %.6g); wrote %sforecast.{csv,geojson,gpkg}, map.png, "
                "report.html, explanations.json, run.json",
                top, top_risk, (r.out + "/").c_str());
  out.lines.push_back(line);
  out.lines.push_back("flagged (in_top): " + io::TopCellsText(p) +
                      (p.top_area_km2 > 0 ? "" : ", " + Num(top_km2) + " km²"));
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, SupportLead(fc.support_m), pub.suppressed_cells,
                                          study.grid.num_cells(), "cells suppressed",
                                          kSensitivity));
  }
  out.summary["top_cell"] = top;
  out.summary["top_risk"] = top_risk;
  out.summary["training_events"] = p.training_events;
  out.summary["cells"] = study.grid.num_cells();
  out.summary["top_cells"] = top_cells;
  out.summary["top_area_km2"] = mm2(top_km2);
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name : {"forecast.csv", "forecast.geojson", "forecast.gpkg", "map.png",
                           "report.html", "explanations.json", "run.json"}) {
    out.files.push_back(r.out + "/" + name);
  }
  return out;
}

OpInfo ForecastOp() {
  return MakeOpInfo<ForecastRequest>(StoreUse::kRead, [](io::Store* s, const ForecastRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
