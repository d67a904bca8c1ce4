// SPDX-License-Identifier: Apache-2.0
// `placecast backtest`: rolling-origin evaluation of one or more models; writes summary.json,
// per_origin.csv, hit_rate_curves.csv and hit_rate_curves.png, and prints a table.
#include <CLI/CLI.hpp>
#include <algorithm>
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
#include "placecast/eval/backtest.h"
#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"

namespace placecast::cli {
namespace {

struct BacktestFlags : PublicReleaseFlags {
  std::string store;
  std::string models;
  std::string offence;
  std::string from, to;
  int train_days = 365;
  double horizon_days = 1;
  double cell_size_m = 150;
  std::string out;
  std::string boundary;
  std::vector<std::string> params;
  int bootstrap = 2000;
  uint64_t seed = 1;
  int threads = 0;
  bool allow_enforcement = false;
};

// Reads the model, coverage_pct, hit_rate columns of HitRateCurvesCsv() back into series.
std::vector<io::CurveSeries> CurvesFromCsv(const std::string& csv) {
  std::vector<io::CurveSeries> series;
  std::stringstream ss(csv);
  std::string line;
  std::getline(ss, line);  // header
  while (std::getline(ss, line)) {
    std::stringstream ls(line);
    std::string model, cov, hr;
    if (!std::getline(ls, model, ',') || !std::getline(ls, cov, ',') ||
        !std::getline(ls, hr, ',')) {
      continue;
    }
    if (series.empty() || series.back().name != model) series.push_back({model, {}, {}});
    series.back().coverage_pct.push_back(std::stod(cov));
    series.back().hit_rate.push_back(std::stod(hr));
  }
  return series;
}

// Public release (docs/privacy.md, "backtest") of per_origin.csv: the rows of origins scoring
// fewer than k events are left out (for every model); the others publish their event count with
// Laplace noise when ε is given (sensitivity ceil(horizon_days): one incident is scored at that
// many daily origins at most) and their metrics as computed. Returns the privacy record; `*r` keeps
// only the published origins.
Result<nlohmann::ordered_json> MakePerOriginPublic(const BacktestFlags& f,
                                                   eval::BacktestResult* r) {
  if (r->events < f.min_incidents) {
    return Status::InvalidInput("--min-incidents " + std::to_string(f.min_incidents) +
                                ": the backtest scores only " + std::to_string(r->events) +
                                " events, fewer than k: nothing can be published");
  }
  const double sensitivity = std::max(1.0, std::ceil(f.horizon_days));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published,
                             PublicCounts(f, r->events_per_origin, sensitivity));
  const size_t origins = r->origins_s.size();
  const size_t nc = r->coverages_pct.size();
  std::vector<size_t> keep;
  for (size_t o = 0; o < origins; ++o) {
    if (published[o] != io::kWithheldCount) keep.push_back(o);
  }
  auto pick = [&](std::vector<double>& v) {
    std::vector<double> out;
    for (size_t o : keep) out.insert(out.end(), v.begin() + o * nc, v.begin() + (o + 1) * nc);
    v = std::move(out);
  };
  std::vector<int64_t> origins_s, events;
  for (size_t o : keep) {
    origins_s.push_back(r->origins_s[o]);
    events.push_back(published[o]);
  }
  r->origins_s = std::move(origins_s);
  r->events_per_origin = std::move(events);
  for (auto& m : r->models) {
    pick(m.hit_rate);
    pick(m.pai);
    pick(m.pei);
  }
  const int64_t withheld = static_cast<int64_t>(origins - keep.size());
  const std::string note =
      "Public release: no incident points, times or ids are published. In per_origin.csv the "
      "rows of origins scoring fewer than k = " +
      std::to_string(f.min_incidents) + " events are left out (" + std::to_string(withheld) +
      " of " + std::to_string(origins) +
      " origins); the published rows' hit rate, PAI and PEI are computed on the true data. " +
      NoiseSentence(f, sensitivity, "each published per-origin event count",
                    "per incident, scored at up to ceil(horizon_days) daily origins",
                    "rounded to a whole number and at least 0") +
      " The summary (means over origins with bootstrap intervals, pooled hit rates, the total "
      "of scored events) rests on all " +
      std::to_string(r->events) +
      " scored events, at least k, and is published as computed: one incident moves a mean "
      "over origins by at most 1 / (events at its origin x origins with events).";
  return PrivacyJson(
      f, {{"origins", origins}, {"withheld_origins", withheld}, {"scored_events", r->events}},
      sensitivity, note);
}

Status RunBacktestCmd(const BacktestFlags& f) {
  eval::BacktestRequest req;
  req.models = SplitComma(f.models);
  PLACECAST_ASSIGN_OR_RETURN(req.from_s, ParseDate(f.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(req.to_s, ParseDate(f.to, "--to"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(f.params, req.models));
  for (const auto& m : req.models) req.params[m] = given[m];
  req.train_days = f.train_days;
  req.horizon_days = f.horizon_days;
  req.bootstrap_reps = f.bootstrap;
  req.seed = f.seed;
  req.threads = f.threads;
  PLACECAST_RETURN_IF_ERROR(req.Validate());

  const int64_t end_s = req.to_s + static_cast<int64_t>(f.horizon_days * kSecondsPerDay) + 1;
  PLACECAST_ASSIGN_OR_RETURN(
      Study study, LoadStudy(f.store, f.offence, f.boundary, f.cell_size_m,
                             std::numeric_limits<int64_t>::min(), end_s, f.allow_enforcement));
  Progress progress("backtest: origins", ShowProgress());
  req.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  PLACECAST_ASSIGN_OR_RETURN(eval::BacktestResult result,
                             eval::RunBacktest(req, study.events, study.grid));
  progress.Finish();

  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  const std::string summary = eval::BacktestSummaryJson(result);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(summary);
  j["offence"] = f.offence;
  j["grid"] = {{"cell_size_m", study.grid.cell_size_m()},
               {"cells", study.grid.num_cells()},
               {"crs", study.grid.crs()},
               {"mask", study.grid_source}};
  if (!study.enforcement_warning.empty()) j["enforcement_warning"] = study.enforcement_warning;
  eval::BacktestResult per_origin = result;
  if (f.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(j["privacy"], MakePerOriginPublic(f, &per_origin));
  }
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "summary.json", SafeDump(j, 2) + "\n"));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "per_origin.csv", eval::BacktestPerOriginCsv(per_origin)));
  const std::string curves = eval::HitRateCurvesCsv(result);
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "hit_rate_curves.csv", curves));
  PLACECAST_RETURN_IF_ERROR(io::RenderHitRateCurvesPng(
      sdir + "hit_rate_curves.png", CurvesFromCsv(curves),
      "Mean hit rate by coverage: " + f.offence + ", " + f.from + " .. " + f.to));

  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["models"] = req.models;
  nlohmann::ordered_json mp = nlohmann::ordered_json::object();
  for (const auto& m : result.models) mp[m.name] = nlohmann::ordered_json::parse(m.params.ToJson());
  lp["model_params"] = mp;
  lp["offence"] = f.offence;
  lp["from"] = f.from;
  lp["to"] = f.to;
  lp["train_days"] = f.train_days;
  lp["horizon_days"] = f.horizon_days;
  lp["cell_size_m"] = f.cell_size_m;
  lp["boundary"] = f.boundary;
  lp["bootstrap"] = f.bootstrap;
  lp["seed"] = f.seed;
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  AddPublicReleaseParams(f, &lp);
  PLACECAST_RETURN_IF_ERROR(
      RecordAndPublish(f.store, "backtest", SafeDump(lp), {f.store, f.boundary}, *stage));

  std::printf("backtest: %s, %d origins (%s .. %s), %lld events scored, %d cells of %g m\n",
              f.offence.c_str(), j["origins"].get<int>(), f.from.c_str(), f.to.c_str(),
              static_cast<long long>(j["events"].get<int64_t>()), study.grid.num_cells(),
              study.grid.cell_size_m());
  std::printf("%-14s %22s %22s %22s\n", "model", "hit rate @5% [95% CI]", "PAI @5% [95% CI]",
              "PEI @5% [95% CI]");
  for (const auto& m : req.models) {
    const auto& mj = j["models"][m];
    auto cell = [&](const char* metric, double scale) {
      const auto& v = mj[metric]["5"];
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.3g [%.3g, %.3g]", scale * v["mean"].get<double>(),
                    scale * v["lo"].get<double>(), scale * v["hi"].get<double>());
      return std::string(buf);
    };
    std::printf("%-14s %22s %22s %22s\n", m.c_str(), cell("hit_rate", 1).c_str(),
                cell("pai", 1).c_str(), cell("pei", 1).c_str());
  }
  std::printf("wrote %ssummary.json, per_origin.csv, hit_rate_curves.csv, hit_rate_curves.png\n",
              dir.c_str());
  if (f.public_release) {
    const auto& pj = j["privacy"];
    PrintPublicRelease(f, "", pj["withheld_origins"].get<int64_t>(), pj["origins"].get<int64_t>(),
                       "origins withheld from per_origin.csv", pj["sensitivity"].get<double>());
  }
  return Status::Ok();
}

}  // namespace

void RegisterBacktest(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<BacktestFlags>();
  auto* cmd = app.add_subcommand("backtest", "Rolling-origin backtest of one or more models");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--models", f->models, "comma-separated model names")->required();
  cmd->add_option("--offence", f->offence, "offence group (see `placecast offences`)")->required();
  cmd->add_option("--from", f->from, "first origin YYYY-MM-DD")->required();
  cmd->add_option("--to", f->to, "last origin YYYY-MM-DD (inclusive; one origin per day)")
      ->required();
  cmd->add_option("--train-days", f->train_days,
                  "training window in days (sets window_days of every model that has one)")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--horizon-days", f->horizon_days, "days scored after each origin")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3650.0));
  cmd->add_option("--cell-size-m", f->cell_size_m, "grid cell size in metres")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_option("--boundary", f->boundary, "study-area polygons; default: the store's");
  cmd->add_option("--param", f->params,
                  "model parameter key=value or model.key=value (repeatable)");
  cmd->add_option("--bootstrap", f->bootstrap, "bootstrap replications for the intervals")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--seed", f->seed, "seed of the bootstrap")->capture_default_str();
  cmd->add_option("--threads", f->threads, "worker threads (0 = all cores)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …) in training");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: leave out of per_origin.csv the origins scoring fewer than "
       "--min-incidents events; state the mode in summary.json",
       "public release: least scored events a published per-origin row rests on",
       "public release: privacy budget ε of Laplace noise on the published per-origin event "
       "counts (sensitivity ceil(--horizon-days)); default: no noise"});
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunBacktestCmd(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
