// SPDX-License-Identifier: Apache-2.0
// backtest (backtest.h).
#include "placecast/ops/backtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/common/safe_json.h"
#include "placecast/eval/backtest.h"
#include "placecast/eval/metrics.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/staging.h"
#include "placecast/privacy/privacy.h"
#include "placecast/render/map.h"
#include "placecast/render/report.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<BacktestRequest>> BacktestRequest::Fields() {
  using R = BacktestRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddStoreField(&v, &R::store);
    v.push_back({{.name = "models",
                  .type = FieldType::kStringList,
                  .doc = "comma-separated model names",
                  .flags = kRequired | kCommaList},
                 &R::models});
    v.push_back(
        {{.name = "offence", .doc = "offence group (see `placecast offences`)", .flags = kRequired},
         &R::offence});
    v.push_back({{.name = "from",
                  .type = FieldType::kDate,
                  .doc = "first origin YYYY-MM-DD",
                  .flags = kRequired},
                 &R::from});
    v.push_back({{.name = "to",
                  .type = FieldType::kDate,
                  .doc = "last origin YYYY-MM-DD (inclusive; one origin per day)",
                  .flags = kRequired},
                 &R::to});
    v.push_back({{.name = "train_days",
                  .type = FieldType::kInt,
                  .default_json = "365",
                  .min = 1,
                  .max = 36500,
                  .units = "days",
                  .doc = "training window in days (sets window_days of every model that has one)"},
                 &R::train_days});
    v.push_back({{.name = "horizon_days",
                  .type = FieldType::kDouble,
                  .default_json = "1",
                  .min = 0.01,
                  .max = 3650,
                  .units = "days",
                  .doc = "days scored after each origin"},
                 &R::horizon_days});
    v.push_back({kCellSizeField, &R::cell_size_m});
    v.push_back({kOutField, &R::out});
    v.push_back({kBoundaryField, &R::boundary});
    v.push_back({kBoundaryCrsField, &R::boundary_crs});
    v.push_back({kParamField, &R::param});
    v.push_back({{.name = "bootstrap",
                  .type = FieldType::kInt,
                  .default_json = "2000",
                  .min = 0,
                  .max = 1000000,
                  .doc = "bootstrap replications for the intervals"},
                 &R::bootstrap});
    v.push_back({{.name = "seed",
                  .type = FieldType::kInt,
                  .default_json = "1",
                  .min = 0,
                  .doc = "seed of the bootstrap"},
                 &R::seed});
    v.push_back({{.name = "threads",
                  .type = FieldType::kInt,
                  .default_json = "0",
                  .min = 0,
                  .max = 256,
                  .doc = "worker threads (0 = all cores)",
                  .flags = kNotInQuery},
                 &R::threads});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: leave out of per_origin.csv the origins scoring fewer than "
             "--min-incidents events; state the mode in summary.json",
             "public release: least scored events a published per-origin row rests on",
             "public release: privacy budget ε of Laplace noise on the published per-origin event "
             "counts (sensitivity ceil(--horizon-days)); default: no noise"});
    return v;
  }();
  return fields;
}

namespace {

// The library's request of `r` (without its progress callback), its days those of `calendar`
// (the store's; UTC when only the request is checked).
Result<eval::BacktestRequest> EvalRequest(const BacktestRequest& r,
                                          const Calendar& calendar = Calendar()) {
  eval::BacktestRequest req;
  req.models = r.models;
  req.calendar = calendar;
  PLACECAST_ASSIGN_OR_RETURN(req.from_s, calendar.ParseDate(r.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(req.to_s, calendar.ParseDate(r.to, "--to"));
  PLACECAST_RETURN_IF_ERROR(CheckModelNames(req.models, "--models"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(r.param, req.models));
  for (const auto& m : req.models) req.params[m] = given[m];
  req.train_days = static_cast<int>(r.train_days);
  req.horizon_days = r.horizon_days;
  req.bootstrap_reps = static_cast<int>(r.bootstrap);
  req.seed = static_cast<uint64_t>(r.seed);
  req.threads = static_cast<int>(r.threads);
  PLACECAST_RETURN_IF_ERROR(req.Validate());
  return req;
}

// Public release (docs/privacy.md, "backtest") of per_origin.csv: the rows of origins scoring
// fewer than k events are left out (for every model); the others publish their event count with
// Laplace noise when ε is given (privacy::ReleasePerOrigin) and their metrics as computed. Returns
// the privacy record; `*res` keeps only the published origins.
Result<nlohmann::ordered_json> MakePerOriginPublic(const BacktestRequest& r, const Release& release,
                                                   eval::BacktestResult* res) {
  if (res->events < r.min_incidents) {
    return Status::InvalidInput("--min-incidents " + std::to_string(r.min_incidents) +
                                ": the backtest scores only " + std::to_string(res->events) +
                                " events, fewer than k: nothing can be published");
  }
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedRows published,
                             privacy::ReleasePerOrigin(SpecOf(release), res->events_per_origin,
                                                       res->events, r.horizon_days));
  const double sensitivity = published.sensitivity;
  const size_t origins = res->origins_s.size();
  const size_t nc = res->coverages_pct.size();
  const std::vector<size_t>& keep = published.kept;
  auto pick = [&](std::vector<double>& v) {
    std::vector<double> out;
    for (size_t o : keep) out.insert(out.end(), v.begin() + o * nc, v.begin() + (o + 1) * nc);
    v = std::move(out);
  };
  std::vector<int64_t> origins_s;
  for (size_t o : keep) origins_s.push_back(res->origins_s[o]);
  res->origins_s = std::move(origins_s);
  res->events_per_origin = std::move(published.counts);
  for (auto& m : res->models) {
    pick(m.hit_rate);
    pick(m.pai);
    pick(m.pei);
  }
  const int64_t withheld = published.withheld;
  const std::string note =
      "Public release: no incident points, times or ids are published. In per_origin.csv the "
      "rows of origins scoring fewer than k = " +
      std::to_string(r.min_incidents) + " events are left out (" + std::to_string(withheld) +
      " of " + std::to_string(origins) +
      " origins); the published rows' hit rate, PAI and PEI are computed on the true data. " +
      NoiseSentence(release, sensitivity, "each published per-origin event count",
                    "per incident, scored at up to ceil(horizon_days) daily origins",
                    "rounded to a whole number and at least 0") +
      " The summary (means over origins with bootstrap intervals, pooled hit rates, the "
      "calibration sums by decile over all origins, the total of scored events) rests on all " +
      std::to_string(res->events) +
      " scored events, at least k, and is published as computed: one incident moves a mean "
      "over origins by at most 1 / (events at its origin x origins with events).";
  return PrivacyJson(
      release,
      {{"origins", origins}, {"withheld_origins", withheld}, {"scored_events", res->events}},
      sensitivity, note);
}

// The mean hit-rate curve of each model, as hit_rate_curves.csv lists it, from the result itself.
std::vector<render::CurveSeries> CurveSeriesOf(const eval::BacktestResult& res) {
  const auto coverages = eval::CurveCoveragesPct();
  std::vector<render::CurveSeries> series;
  for (const eval::ModelBacktest& m : res.models) {
    render::CurveSeries s{m.name, {}, {}};
    for (size_t j = 0; j < coverages.size() && j < m.curve_hit_rate.size(); ++j) {
      if (std::isnan(m.curve_hit_rate[j])) continue;  // the CSV leaves it empty
      s.coverage_pct.push_back(coverages[j]);
      s.hit_rate.push_back(m.curve_hit_rate[j]);
    }
    if (!s.coverage_pct.empty()) series.push_back(std::move(s));
  }
  return series;
}

// Each model's calibration as the reliability plot draws it: means per cell-origin (expected-count
// models only) and shares, per decile.
std::vector<render::ReliabilitySeries> ReliabilitySeriesOf(const eval::BacktestResult& res) {
  std::vector<render::ReliabilitySeries> series;
  for (const eval::ModelBacktest& m : res.models) {
    render::ReliabilitySeries s;
    s.name = m.name;
    const bool counts = m.calibration.value_kind == models::Model::OutputKind::kExpectedCount;
    for (const eval::CalibrationDecile& d : m.calibration.deciles) {
      if (counts) {
        const double cells = d.cells > 0 ? static_cast<double>(d.cells) : std::nan("");
        s.predicted_per_cell.push_back(d.predicted / cells);
        s.observed_per_cell.push_back(d.observed / cells);
      }
      s.predicted_share.push_back(d.predicted_share);
      s.observed_share.push_back(d.observed_share);
    }
    series.push_back(std::move(s));
  }
  return series;
}

std::string F(const char* format, double v) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

// "events per cell per day" or "events per cell per 7-day horizon".
std::string CountUnit(double horizon_days) {
  return horizon_days == 1 ? std::string("events per cell per day")
                           : "events per cell per " + F("%g", horizon_days) + "-day horizon";
}

// The self-contained report: the study, the headline table, the hit-rate curves and the
// calibration (plot and tables), both images inlined as data URIs.
std::string ReportHtml(const BacktestRequest& r, const eval::BacktestResult& res,
                       const nlohmann::ordered_json& j, const std::string& curves_uri,
                       const std::string& reliability_uri) {
  using render::HtmlEscape;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Backtest</title>\n<style>body{font-family:\"DejaVu Sans\",Arial,sans-serif;"
      "max-width:1240px;margin:1.5em auto;padding:0 1em;color:#222}table{border-collapse:"
      "collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.2em .5em}td.num{text-align:"
      "right}.note{color:#555;font-size:.9em}img{max-width:100%}</style>\n</head>\n<body>\n";
  h += "<h1>Backtest: " + HtmlEscape(r.offence) + ", " + HtmlEscape(r.from) + " – " +
       HtmlEscape(r.to) + "</h1>\n<p>" + std::to_string(res.origins_s.size()) + " daily origins (" +
       HtmlEscape(res.calendar.Describe()) +
       "), each model fitted on the events before it (training window " +
       std::to_string(res.train_days) + " days) and scored on the next " +
       F("%g", res.horizon_days) + " day(s); " + std::to_string(res.events) +
       " events scored over " + std::to_string(j["grid"]["cells"].get<int64_t>()) + " cells of " +
       F("%g", j["grid"]["cell_size_m"].get<double>()) + " m. See docs/evaluation.md.</p>\n";
  h += "<h2>Hit rate, PAI and PEI at 5 % of cells</h2>\n<table>\n<tr><th>model</th>"
       "<th>hit rate [95% CI]</th><th>PAI [95% CI]</th><th>PEI [95% CI]</th></tr>\n";
  for (const eval::ModelBacktest& m : res.models) {
    h += "<tr><td>" + HtmlEscape(m.name) + "</td>";
    for (const char* metric : {"hit_rate", "pai", "pei"}) {
      const auto& v = j["models"][m.name][metric]["5"];
      h += "<td class=\"num\">" + F("%.3g", v["mean"].get<double>()) + " [" +
           F("%.3g", v["lo"].get<double>()) + ", " + F("%.3g", v["hi"].get<double>()) + "]</td>";
    }
    h += "</tr>\n";
  }
  h += "</table>\n<p><img src=\"" + curves_uri +
       "\" alt=\"mean hit rate by coverage, one line per model\"></p>\n";

  h += "<h2>Calibration</h2>\n<p>At every origin the cells are ranked by each model's forecast "
       "and split into ten groups of equal numbers of cells (decile 1 the riskiest tenth); over "
       "all origins each decile sums what the model predicted and the events that happened. For a "
       "model whose values are expected counts both are in events, and a calibrated model's "
       "points lie on the diagonal of the left panel; a model of relative scores is compared by "
       "shares (right panel): the share of its total predicted value in a decile against the "
       "share of the events there. The calibration error is the sum over deciles of |observed − "
       "predicted| as a share of the observed events (counts), or of |observed share − predicted "
       "share| (shares).</p>\n<p><img src=\"" +
       reliability_uri + "\" alt=\"reliability plot: observed against predicted by decile\"></p>\n";
  h += "<table>\n<tr><th>model</th><th>values</th><th>predicted</th><th>observed</th>"
       "<th>observed / predicted</th><th>calibration error</th></tr>\n";
  for (const eval::ModelBacktest& m : res.models) {
    const eval::Calibration& c = m.calibration;
    h += "<tr><td>" + HtmlEscape(m.name) + "</td><td>" +
         std::string(models::OutputKindName(c.value_kind)) + "</td><td class=\"num\">" +
         F("%.4g", c.predicted) + "</td><td class=\"num\">" + F("%.4g", c.observed) +
         "</td><td class=\"num\">" + F("%.3g", c.observed_over_predicted) +
         "</td><td class=\"num\">" + F("%.3g", c.calibration_error) + "</td></tr>\n";
  }
  h += "</table>\n";
  for (const eval::ModelBacktest& m : res.models) {
    const eval::Calibration& c = m.calibration;
    const bool counts = c.value_kind == models::Model::OutputKind::kExpectedCount;
    h += "<h3>" + HtmlEscape(m.name) + " by decile (" +
         (counts ? "expected counts" : "relative scores: compare the shares") +
         ")</h3>\n<table>\n<tr><th>decile</th><th>cell-origins</th><th>predicted</th>"
         "<th>observed</th><th>observed / predicted</th><th>predicted share</th>"
         "<th>observed share</th></tr>\n";
    for (const eval::CalibrationDecile& d : c.deciles) {
      const double ratio = counts && d.predicted > 0 ? d.observed / d.predicted : std::nan("");
      h += "<tr><td class=\"num\">" + std::to_string(d.decile) + "</td><td class=\"num\">" +
           std::to_string(d.cells) + "</td><td class=\"num\">" + F("%.4g", d.predicted) +
           "</td><td class=\"num\">" + F("%.4g", d.observed) + "</td><td class=\"num\">" +
           F("%.3g", ratio) + "</td><td class=\"num\">" + F("%.3g", d.predicted_share) +
           "</td><td class=\"num\">" + F("%.3g", d.observed_share) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (j.contains("privacy")) {
    h += "<h2>Public release</h2>\n<p>" + HtmlEscape(j["privacy"]["note"].get<std::string>()) +
         "</p>\n";
  }
  h += "<h2>How to read this</h2>\n<p>Hit rate is the share of the horizon's events in the "
       "flagged cells; PAI divides it by the share of the area flagged (1 = chance); PEI divides "
       "it by the best any forecast could have done. Calibration is about the values rather "
       "than the order: a model can rank cells well and still predict too many or too few events "
       "(points off the diagonal), and a model that predicts the right total can still spread it "
       "wrongly over the deciles. Shares say nothing about the total.</p>\n"
       "<p class=\"note\">Generated by placecast " +
       std::string(kVersion) + ".</p>\n</body>\n</html>\n";
  return h;
}

}  // namespace

Status BacktestRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(EvalRequest(*this).status());
  return CheckReleaseFields(*this, !store.empty());
}

Result<Product> Run(io::Store& store, const BacktestRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar calendar, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(eval::BacktestRequest req, EvalRequest(r, calendar));
  const int64_t end_s = calendar.HorizonEnd(req.to_s, r.horizon_days) + 1;
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(store, r.offence, r.boundary, r.boundary_crs, r.cell_size_m,
                             std::numeric_limits<int64_t>::min(), end_s, r.allow_enforcement_types,
                             *ctx.progress));
  ctx.progress->Stage("backtest: origins");
  req.progress = [&ctx](int64_t done, int64_t total) { ctx.progress->Update(done, total); };
  // Models that read leading indicators see those before the last origin only.
  FitContexts contexts(store, study, r.allow_enforcement_types, req.to_s);
  auto run = eval::RunBacktest(req, study.events, study.grid, contexts.Factory());
  if (!run.ok()) return WithStoreHoldings(store, r.offence, run.status());
  eval::BacktestResult result = std::move(run).value();

  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // lines name the final paths
  const std::string sdir = stage->dir() + "/";
  // summary.json is the library's (fixed key order, rounded numbers) with the study added.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(eval::BacktestSummaryJson(result));
  j["offence"] = r.offence;
  j["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
               {"cells", study.grid.num_cells()},
               {"crs", study.grid.crs()},
               {"mask", study.grid_source}};
  if (!study.enforcement_warning.empty()) j["enforcement_warning"] = study.enforcement_warning;
  eval::BacktestResult per_origin = result;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(j["privacy"], MakePerOriginPublic(r, release, &per_origin));
  }
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "summary.json", SafeDump(j, 2) + "\n"));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "per_origin.csv", eval::BacktestPerOriginCsv(per_origin)));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "hit_rate_curves.csv", eval::HitRateCurvesCsv(result)));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "calibration.csv", eval::CalibrationCsv(result)));
  // The charts are drawn from the result, not from the CSVs just written, and the report inlines
  // the bytes drawn (it stands alone when sent on its own).
  std::string curves_png, reliability_png;
  PLACECAST_RETURN_IF_ERROR(render::RenderHitRateCurvesPng(
      sdir + "hit_rate_curves.png", CurveSeriesOf(result),
      "Mean hit rate by coverage: " + r.offence + ", " + r.from + " .. " + r.to, &curves_png));
  PLACECAST_RETURN_IF_ERROR(render::RenderReliabilityPng(
      sdir + "reliability.png",
      "Calibration by decile of predicted risk: " + r.offence + ", " + r.from + " .. " + r.to,
      CountUnit(r.horizon_days), ReliabilitySeriesOf(result), &reliability_png));
  PLACECAST_ASSIGN_OR_RETURN(const std::string curves_uri, render::PngDataUri(curves_png));
  PLACECAST_ASSIGN_OR_RETURN(const std::string reliability_uri,
                             render::PngDataUri(reliability_png));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(
      sdir + "report.html", ReportHtml(r, result, j, curves_uri, reliability_uri)));

  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  char line[512];
  std::snprintf(line, sizeof(line),
                "backtest: %s, %d origins (%s .. %s), %lld events scored, %d cells of %g m",
                r.offence.c_str(), j["origins"].get<int>(), r.from.c_str(), r.to.c_str(),
                static_cast<long long>(j["events"].get<int64_t>()), study.grid.num_cells(),
                study.grid.cell_size_m());
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line), "%-14s %22s %22s %22s", "model", "hit rate @5% [95% CI]",
                "PAI @5% [95% CI]", "PEI @5% [95% CI]");
  out.lines.push_back(line);
  nlohmann::ordered_json models = nlohmann::ordered_json::object();
  for (const auto& m : req.models) {
    const auto& mj = j["models"][m];
    nlohmann::ordered_json at5 = nlohmann::ordered_json::object();
    auto cell = [&](const char* metric) {
      const auto& v = mj[metric]["5"];
      at5[metric] = v;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.3g [%.3g, %.3g]", v["mean"].get<double>(),
                    v["lo"].get<double>(), v["hi"].get<double>());
      return std::string(buf);
    };
    const std::string hit = cell("hit_rate"), pai = cell("pai"), pei = cell("pei");
    std::snprintf(line, sizeof(line), "%-14s %22s %22s %22s", m.c_str(), hit.c_str(), pai.c_str(),
                  pei.c_str());
    out.lines.push_back(line);
    models[m] = std::move(at5);
  }
  // Calibration, one line per model.
  out.lines.push_back("calibration by decile of predicted risk:");
  for (const eval::ModelBacktest& m : result.models) {
    const eval::Calibration& c = m.calibration;
    if (c.value_kind == models::Model::OutputKind::kExpectedCount) {
      std::snprintf(line, sizeof(line), "  %-14s counts: observed/predicted %s, error %s",
                    m.name.c_str(), F("%.3g", c.observed_over_predicted).c_str(),
                    F("%.3g", c.calibration_error).c_str());
    } else {
      std::snprintf(line, sizeof(line), "  %-14s shares (relative scores): error %s",
                    m.name.c_str(), F("%.3g", c.calibration_error).c_str());
    }
    out.lines.push_back(line);
  }
  out.lines.push_back("wrote " + dir + "summary.json, per_origin.csv, hit_rate_curves.csv, " +
                      "hit_rate_curves.png, calibration.csv, reliability.png, report.html");
  if (r.public_release) {
    const auto& pj = j["privacy"];
    out.lines.push_back(PublicReleaseLine(
        release, "", pj["withheld_origins"].get<int64_t>(), pj["origins"].get<int64_t>(),
        "origins withheld from per_origin.csv", pj["sensitivity"].get<double>()));
  }
  out.summary["origins"] = j["origins"];
  out.summary["events"] = j["events"];
  out.summary["cells"] = study.grid.num_cells();
  out.summary["at_5_pct"] = std::move(models);
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name :
       {"summary.json", "per_origin.csv", "hit_rate_curves.csv", "hit_rate_curves.png",
        "calibration.csv", "reliability.png", "report.html"}) {
    out.files.push_back(dir + name);
  }
  return out;
}

OpInfo BacktestOp() {
  return MakeOpInfo<BacktestRequest>(StoreUse::kRead, [](io::Store* s, const BacktestRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
