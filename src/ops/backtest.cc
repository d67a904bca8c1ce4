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
      " The summary (means over origins with bootstrap intervals, pooled hit rates, the total "
      "of scored events) rests on all " +
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
  // The chart is drawn from the result, not from the CSV just written.
  PLACECAST_RETURN_IF_ERROR(render::RenderHitRateCurvesPng(
      sdir + "hit_rate_curves.png", CurveSeriesOf(result),
      "Mean hit rate by coverage: " + r.offence + ", " + r.from + " .. " + r.to));

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
  out.lines.push_back("wrote " + dir + "summary.json, per_origin.csv, hit_rate_curves.csv, " +
                      "hit_rate_curves.png");
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
       {"summary.json", "per_origin.csv", "hit_rate_curves.csv", "hit_rate_curves.png"}) {
    out.files.push_back(dir + name);
  }
  return out;
}

OpInfo BacktestOp() {
  return MakeOpInfo<BacktestRequest>(StoreUse::kRead, [](io::Store* s, const BacktestRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
