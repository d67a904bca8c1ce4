// SPDX-License-Identifier: Apache-2.0
// `placecast forecast`: one model, one origin; writes the forecast as GeoPackage, GeoJSON and CSV,
// a PNG map, an HTML report and run.json (resolved settings and SHA-256 of every product).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "cli/model_card.h"
#include "cli/param_flags.h"
#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"
#include "placecast/io/products.h"
#include "placecast/models/explain.h"
#include "placecast/models/model.h"
#include "placecast/version.h"

namespace placecast::cli {
namespace {

// The selection flags shared with allocate and hotspots (cli_util.h), and forecast's own.
struct ForecastFlags : ForecastSelection, PublicReleaseFlags {
  std::string out;
  double top_pct = 5;
  std::string load_fitted;       // run.json or fitted.json of an earlier forecast
  std::string backtest_summary;  // summary.json whose metrics go into the model card
  std::string params_json;       // resolved model parameters (ledger replay); replaces `params`
  bool record_ledger = true;     // append a ledger record to the store (not when replaying)
  // Public release (PublicReleaseFlags, docs/privacy.md): suppress cells resting on fewer than
  // min_incidents training incidents; optional Laplace noise (epsilon, sensitivity 1, keyed by the
  // store's release key).
  int explain_top = 5;  // top cells explained in the report and explanations.json (0 = none)
};

// Past events listed per explained cell.
constexpr int kExplainTopEvents = 5;

// explanations.json for the top `f.explain_top` cells of `surface` (docs/explain.md): the model's
// parts, bands and top past events of each, read from `model` as fitted or loaded (never refitted),
// or a note saying plainly why there are none.
Result<std::string> BuildExplanationsJson(const ForecastFlags& f, const models::Model& model,
                                          const Study& study, int64_t origin_s,
                                          const grid::Surface& surface) {
  nlohmann::ordered_json j;
  j["model"] = f.model;
  j["explained_cells"] = 0;
  j["cells"] = nlohmann::ordered_json::array();
  if (f.explain_top == 0) {
    j["note"] = "No cells explained (--explain-top 0).";
  } else if (f.public_release) {
    j["note"] =
        "Explanations are not part of a public release: they list past incidents by time, "
        "offence and distance.";
  } else {
    std::vector<grid::CellId> cells;
    for (grid::CellId c : surface.Ranking()) {
      if (static_cast<int>(cells.size()) >= f.explain_top) break;
      if (surface.value[static_cast<size_t>(c)] > 0) cells.push_back(c);
    }
    PLACECAST_ASSIGN_OR_RETURN(
        std::vector<models::CellExplanation> ex,
        models::ExplainFittedCells(model, study.events, study.grid, origin_s, cells,
                                   kExplainTopEvents, f.horizon_days));
    j["explained_cells"] = ex.size();
    j["note"] =
        "The top " + std::to_string(ex.size()) + " cells with risk above 0, each split into " +
        "the model's own parts and the past events that add most to it. Past events are shown " +
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

Status RunForecast(const ForecastFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(int64_t origin_s, ParseDate(f.origin, "--origin"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(f.params, {f.model}));
  PLACECAST_ASSIGN_OR_RETURN(auto model, f.params_json.empty()
                                             ? models::CreateModel(f.model, given[f.model])
                                             : models::CreateModelFromJson(f.model, f.params_json));
  // Only events before the origin are ever loaded: the model cannot see the future.
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(f.store, f.offence, f.boundary, f.cell_size_m,
                             std::numeric_limits<int64_t>::min(), origin_s, f.allow_enforcement));
  if (f.load_fitted.empty()) {
    PLACECAST_RETURN_IF_ERROR(
        model->Fit(study.events, study.grid, origin_s).Wrap("fitting " + f.model));
  } else {
    // Reuse a saved fit: the fitted state of a run.json (key "fitted") or a fitted.json as is.
    PLACECAST_ASSIGN_OR_RETURN(std::string text, io::ReadFile(f.load_fitted));
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::InvalidInput(f.load_fitted + ": not a JSON object (got \"" +
                                  text.substr(0, 40) + "\")");
    }
    const auto& fj = j.contains("fitted") ? j["fitted"] : j;
    // A saved fit forecasts from its own origin (its triggering state is for that instant): a
    // different --origin would label one forecast with another's date.
    if (fj.is_object() && fj.contains("origin_s") && fj["origin_s"].is_number_integer() &&
        fj["origin_s"].get<int64_t>() != origin_s) {
      return Status::InvalidInput("--load-fitted " + f.load_fitted + ": the fit is for origin " +
                                  FormatDateTime(fj["origin_s"].get<int64_t>()) +
                                  " (got --origin " + FormatDateTime(origin_s) +
                                  "); refit, or forecast from the fit's origin");
    }
    const std::string fitted = SafeDump(fj);
    PLACECAST_RETURN_IF_ERROR(
        model->LoadFitted(fitted, study.grid).Wrap("--load-fitted " + f.load_fitted));
  }
  PLACECAST_ASSIGN_OR_RETURN(grid::Surface surface, model->Predict(f.horizon_days));

  std::vector<std::string> warnings = model->Warnings();
  if (!study.enforcement_warning.empty()) warnings.push_back(study.enforcement_warning);
  for (const auto& w : warnings) std::fprintf(stderr, "placecast: warning: %s\n", w.c_str());

  const auto& params = model->params();
  const int64_t train_from = TrainFromS(params, origin_s);
  const auto range = study.events.TimeRange(train_from, origin_s);

  // Public release (shared with hotspots and allocate): suppression from the training
  // incidents, then (optionally) Laplace noise on every value, clamped at 0.
  const double support_m = SupportRadiusM(model->params());
  constexpr double kSensitivity = 1;  // one incident changes a naive count by one
  PublicSurface pub;
  if (f.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(
        pub, MakeSurfacePublic(f, study, train_from, origin_s, support_m, &surface));
  }
  const std::vector<uint8_t>& suppressed = pub.suppressed;
  const int64_t suppressed_cells = pub.suppressed_cells;
  const std::string& privacy_note = pub.note;

  io::ForecastProduct p;
  p.grid = &study.grid;
  p.surface = &surface;
  p.model = f.model;
  p.params_json = params.ToJson();
  p.offence = f.offence;
  p.origin_s = origin_s;
  p.horizon_days = f.horizon_days;
  p.train_from_s = train_from;
  p.training_events = static_cast<int64_t>(range.second - range.first);
  p.warnings = warnings;
  p.study_area = study.study_area.empty() ? nullptr : &study.study_area;
  p.top_share_pct = f.top_pct;
  p.title = f.model + " forecast of " + f.offence + " for " + FormatDate(origin_s);
  p.code_version = kVersion;
  ModelCardInput card_in{f.model,  params.ToJson(),   f.offence, train_from,
                         origin_s, p.training_events, warnings,  f.backtest_summary};
  PLACECAST_ASSIGN_OR_RETURN(p.model_card_json, BuildModelCardJson(card_in));
  p.suppressed = suppressed;
  p.privacy_note = privacy_note;
  PLACECAST_ASSIGN_OR_RETURN(std::string explanations_json,
                             BuildExplanationsJson(f, *model, study, origin_s, surface));
  if (f.explain_top > 0) p.explanations_json = explanations_json;

  // Products are written into a staging folder inside --out and moved into place only after the
  // ledger record that vouches for them has committed (io/staging.h): a failed or killed run
  // publishes nothing, and two forecasts into one folder never share a temporary file.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastCsv(dir + "forecast.csv", p));
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastGeoJson(dir + "forecast.geojson", p));
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastGeoPackage(dir + "forecast.gpkg", p));
  PLACECAST_RETURN_IF_ERROR(io::RenderForecastPng(dir + "map.png", p));
  PLACECAST_RETURN_IF_ERROR(io::WriteForecastReportHtml(dir + "report.html", p, "map.png"));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "explanations.json", explanations_json));

  nlohmann::ordered_json run;
  run["command"] = "forecast";
  run["placecast_version"] = kVersion;
  run["model"] = f.model;
  run["params"] = nlohmann::ordered_json::parse(params.ToJson());
  run["offence"] = f.offence;
  run["origin"] = FormatDate(origin_s);
  run["horizon_days"] = f.horizon_days;
  run["training"] = {{"from", FormatDateTime(train_from)},
                     {"to", FormatDateTime(origin_s)},
                     {"events", p.training_events}};
  run["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
                 {"cells", study.grid.num_cells()},
                 {"nx", study.grid.nx()},
                 {"ny", study.grid.ny()},
                 {"x0_m", study.grid.x0_m()},
                 {"y0_m", study.grid.y0_m()},
                 {"crs", study.grid.crs()},
                 {"mask", study.grid_source}};
  run["warnings"] = warnings;
  run["model_card"] = nlohmann::ordered_json::parse(p.model_card_json);
  if (f.public_release) {
    run["privacy"] =
        PrivacyJson(f, {{"support_m", support_m}, {"suppressed_cells", suppressed_cells}},
                    kSensitivity, privacy_note);
  }
  // The fitted state holds unsuppressed per-cell values: never in a public release.
  const std::string fitted_json = f.public_release ? "{}" : model->FittedJson();
  if (fitted_json != "{}") {
    run["fitted"] = nlohmann::ordered_json::parse(fitted_json);
    if (!f.load_fitted.empty()) run["fitted_from"] = f.load_fitted;
  }
  // The input is identified by the events the model could see, not by the store file's bytes:
  // the store also holds the ledger, which every command extends (the ledger record of this run
  // holds the file hash). Same events, parameters and grid give the same run.json bytes.
  std::string events_bytes;
  int64_t events_before_origin = 0;
  char xy[64];
  for (size_t i = 0; i < study.events.size() && study.events.t_s[i] < origin_s; ++i) {
    std::snprintf(xy, sizeof(xy), "%.3f\t%.3f", study.events.x_m[i], study.events.y_m[i]);
    events_bytes += study.events.id[i] + '\t' + std::to_string(study.events.t_s[i]) + '\t' + xy +
                    '\t' + std::to_string(static_cast<int>(study.events.group[i])) + '\n';
    ++events_before_origin;
  }
  run["inputs"] = {{{"path", f.store},
                    {"events_before_origin", events_before_origin},
                    {"events_sha256", io::Sha256Hex(events_bytes)}}};
  nlohmann::ordered_json outs = nlohmann::ordered_json::array();
  for (const char* name : {"forecast.csv", "forecast.geojson", "forecast.gpkg", "map.png",
                           "report.html", "explanations.json"}) {
    PLACECAST_ASSIGN_OR_RETURN(std::string h, io::Sha256File(dir + name));
    outs.push_back({{"path", name}, {"sha256", h}});
  }
  run["outputs"] = outs;
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "run.json", SafeDump(run, 2) + "\n"));

  if (f.record_ledger) {
    nlohmann::ordered_json lp;
    lp["store"] = f.store;
    lp["model"] = f.model;
    lp["model_params"] = nlohmann::ordered_json::parse(params.ToJson());
    lp["offence"] = f.offence;
    lp["origin"] = FormatDate(origin_s);
    lp["horizon_days"] = f.horizon_days;
    lp["cell_size_m"] = f.cell_size_m;
    lp["boundary"] = f.boundary;
    lp["top_pct"] = f.top_pct;
    lp["allow_enforcement_types"] = f.allow_enforcement;
    lp["load_fitted"] = f.load_fitted;
    lp["backtest_summary"] = f.backtest_summary;
    lp["out"] = f.out;
    lp["explain_top"] = f.explain_top;
    AddPublicReleaseParams(f, &lp);
    PLACECAST_RETURN_IF_ERROR(RecordAndPublish(f.store, "forecast", SafeDump(lp),
                                               {f.boundary, f.load_fitted, f.backtest_summary},
                                               *stage));
  } else {
    PLACECAST_RETURN_IF_ERROR(stage->Publish());
  }

  // The top published cell (suppressed cells are never reported).
  grid::Surface published = surface;
  for (size_t c = 0; c < suppressed.size(); ++c) {
    if (suppressed[c]) published.value[c] = -1;
  }
  auto ranking = published.Ranking();
  if (!ranking.empty() && published.value[ranking[0]] < 0) ranking.clear();
  std::printf("forecast: %s, %s, origin %s, horizon %g day(s)\n", f.model.c_str(),
              f.offence.c_str(), FormatDate(origin_s).c_str(), f.horizon_days);
  std::printf("training: %lld events from %s; grid: %d cells of %g m (%s)\n",
              static_cast<long long>(p.training_events), FormatDate(train_from).c_str(),
              study.grid.num_cells(), study.grid.cell_size_m(), study.grid_source.c_str());
  std::printf(
      "top cell: %d (risk %.6g); wrote %sforecast.{csv,geojson,gpkg}, map.png, report.html, "
      "explanations.json, run.json\n",
      ranking.empty() ? -1 : ranking[0], ranking.empty() ? 0.0 : surface.value[ranking[0]],
      (f.out + "/").c_str());
  if (f.public_release) {
    PrintPublicRelease(f, SupportLead(support_m), suppressed_cells, study.grid.num_cells(),
                       "cells suppressed", kSensitivity);
  }
  return Status::Ok();
}

}  // namespace

namespace {
Status ReplayForecastParams(const nlohmann::json& j, const std::string& out_dir,
                            const std::string& store_path);
}  // namespace

Status ReplayForecast(const std::string& params_json, const std::string& out_dir,
                      const std::string& store_path) {
  if (!io::JsonDepthWithin(params_json, io::kMaxJsonDepth)) {
    return Status::Corrupt("ledger params: nested too deeply");
  }
  nlohmann::json j = nlohmann::json::parse(params_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidInput("ledger params: not a JSON object");
  }
  // A recorded value of the wrong type (an edited or forged record) is reported, not thrown.
  try {
    return ReplayForecastParams(j, out_dir, store_path);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(std::string("ledger params: a recorded setting has the wrong type (") +
                           e.what() + ")");
  }
}

namespace {

Status ReplayForecastParams(const nlohmann::json& j, const std::string& out_dir,
                            const std::string& store_path) {
  ForecastFlags f;
  for (const char* k :
       {"store", "model", "model_params", "offence", "origin", "horizon_days", "cell_size_m",
        "boundary", "top_pct", "allow_enforcement_types", "load_fitted"}) {
    if (!j.contains(k)) return Status::InvalidInput(std::string("ledger params: missing ") + k);
  }
  // The store replayed against is the one the user names (the recorded path only by default):
  // a replay checks that store's data, not whatever sits at the recorded path.
  f.store = store_path.empty() ? j["store"].get<std::string>() : store_path;
  f.model = j["model"].get<std::string>();
  f.params_json = SafeDump(j["model_params"]);
  f.offence = j["offence"].get<std::string>();
  f.origin = j["origin"].get<std::string>();
  f.horizon_days = j["horizon_days"].get<double>();
  f.cell_size_m = j["cell_size_m"].get<double>();
  f.boundary = j["boundary"].get<std::string>();
  f.top_pct = j["top_pct"].get<double>();
  f.allow_enforcement = j["allow_enforcement_types"].get<bool>();
  f.load_fitted = j["load_fitted"].get<std::string>();
  f.backtest_summary = j.value("backtest_summary", "");
  f.public_release = j.value("public_release", false);
  f.min_incidents = j.value("min_incidents", int64_t{0});
  f.epsilon = j.value("epsilon", 0.0);
  f.replay_store = f.store;  // the key comes from the store; the query is the one recorded
  f.replay_query = j.value("release_query", "");
  f.explain_top = j.value("explain_top", 5);
  f.out = out_dir;
  f.record_ledger = false;
  return RunForecast(f);
}

}  // namespace

void RegisterForecast(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ForecastFlags>();
  auto* cmd = app.add_subcommand("forecast", "Forecast risk per grid cell from a store");
  AddForecastSelectionFlags(cmd, f.get());
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_option("--top-pct", f->top_pct, "share of cells outlined as hotspots on the map")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  cmd->add_option("--load-fitted", f->load_fitted,
                  "reuse the fitted state saved in an earlier run.json (models that save one, "
                  "such as sepp_grid) instead of fitting");
  cmd->add_option("--backtest-summary", f->backtest_summary,
                  "backtest summary.json whose metrics for this model go into the model card");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: suppress cells resting on fewer than --min-incidents training "
       "incidents, omit the fitted state, state the mode in every product",
       "public release: least training incidents (in a cell or its kernel support) "
       "a published cell rests on",
       "public release: privacy budget ε of Laplace noise (sensitivity 1) on published "
       "risk; default: no noise"});
  cmd->add_option("--explain-top", f->explain_top,
                  "explain the top N cells in the report's \"Why these cells\" section and "
                  "explanations.json (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunForecast(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
