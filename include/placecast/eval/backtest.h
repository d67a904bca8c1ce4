// SPDX-License-Identifier: Apache-2.0
// Rolling-origin backtest: for every day from `from` to `to`, fit each model on the events before
// that origin, forecast the horizon, and score the forecast with hit rate, PAI and PEI
// (eval/metrics.h); then summarise over origins with bootstrap intervals and a paired comparison
// against a reference model, and each model's calibration by decile of predicted risk
// (eval/calibration.h). See docs/evaluation.md.
// RunBacktest() may use several threads internally; its result does not depend on how many. The
// request and result types are plain values: safe to read from several threads, not to modify.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/eval/calibration.h"
#include "placecast/eval/metrics.h"
#include "placecast/grid/grid.h"
#include "placecast/models/model.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::eval {

struct BacktestRequest {
  // Registered model names (models::ListModels()), each at most once, in output order.
  std::vector<std::string> models;
  // Per model: parameter name -> text, resolved against that model's ParamSpec. Keys must be
  // models of `models`.
  std::map<std::string, std::map<std::string, std::string>> params;
  // First and last origin, starts of local days of `calendar` in UTC seconds, inclusive; one
  // origin per local day.
  int64_t from_s = 0;
  int64_t to_s = 0;
  // The study's local days: origins step from local midnight to local midnight and a horizon of
  // whole days ends at a local midnight. UTC by default.
  Calendar calendar;
  // Events in [origin - train_days, origin) are the training data: this sets `window_days` of every
  // model that has that parameter and was not given it in `params`. Models without a window use
  // their own rule, but never see events at or after the origin.
  int train_days = 365;
  // Events in [origin, calendar.HorizonEnd(origin, horizon_days)) are scored. With horizon_days > 1
  // consecutive horizons overlap, so an event may be scored at several origins.
  double horizon_days = 1;
  // Coverages (% of active cells) reported in the summary and per-origin table; each in (0, 100],
  // distinct when written with "%g".
  std::vector<double> coverages_pct = {1, 2, 5, 10, 20};
  // Bootstrap replications of the 95% intervals, also the number of sign-flip permutations of the
  // paired test. 0 skips both (intervals collapse to the mean, p-values are null). Default 2000:
  // enough for stable 2.5/97.5 percentiles; cost grows linearly and is small next to fitting.
  int bootstrap_reps = 2000;
  uint64_t seed = 1;
  // Worker threads; 0 = std::thread::hardware_concurrency(). The result does not depend on it.
  int threads = 0;
  // Called as origins complete (done of total), always from the thread that called RunBacktest().
  // May be empty.
  std::function<void(int64_t done, int64_t total)> progress;

  // kInvalidInput with a message naming the field (and its command-line flag) when: no models, an
  // empty or duplicate model name, params for a model not in `models`, from or to not the start
  // of a local day, from after to, more than 36600 origins, train_days < 1, horizon_days not in
  // (0, 3650], no coverages, a coverage outside (0, 100] or repeated, bootstrap_reps < 0 or
  // > 1000000, threads < 0.
  Status Validate() const;
};

// Mean over origins with at least one event, and its percentile bootstrap 95% interval.
struct Interval {
  double mean = 0;
  double lo = 0;
  double hi = 0;
};

// Paired comparison with the reference model over origins with at least one event: mean of
// (this model − reference), its bootstrap 95% interval, and the two-sided p-value of a paired
// sign-flip permutation test (NaN when bootstrap_reps == 0).
struct PairedDiff {
  double diff = 0;
  double lo = 0;
  double hi = 0;
  double p = 0;
};

struct ModelBacktest {
  std::string name;
  ParamValues params;  // fully resolved
  // Model warnings as "YYYY-MM-DD: text", each kind once (texts differing only in their digits are
  // one kind) at the first origin it appeared, in time order; at most 20.
  std::vector<std::string> warnings;
  // Per origin and coverage, row-major [origin × coverages + coverage]; NaN where the origin saw
  // no event.
  std::vector<double> hit_rate, pai, pei;
  // Per origin, what the model chose at its fit (models::Model::Choice: the ensemble's member);
  // empty when the model chose nothing at any origin.
  std::vector<std::string> choices;
  // Summary, one entry per coverage of the request.
  std::vector<Interval> hit_rate_summary, pai_summary, pei_summary;
  std::vector<double> pooled_hit_rate;  // Σ hits / Σ events over all origins
  // Against the reference; empty for the reference model itself.
  std::vector<PairedDiff> hit_rate_vs_reference, pai_vs_reference;
  // Mean hit rate over origins with events at each of CurveCoveragesPct().
  std::vector<double> curve_hit_rate;
  // Calibration by decile of predicted risk, summed over every origin (those without events
  // too: leaving them out would inflate what was observed), its value_kind the model's
  // output_kind().
  Calibration calibration;
};

struct BacktestResult {
  int64_t from_s = 0, to_s = 0;
  Calendar calendar;  // the request's: the days origins and dates are counted in
  int train_days = 0;
  double horizon_days = 0;
  std::vector<double> coverages_pct;
  int bootstrap_reps = 0;
  uint64_t seed = 0;
  std::vector<int64_t> origins_s;          // one per day from..to
  std::vector<int64_t> events_per_origin;  // scored events (in active cells) per origin
  int64_t origins_with_events = 0;
  int64_t events = 0;                 // Σ events_per_origin
  std::string reference;              // "naive" when present, else the first model
  std::vector<ModelBacktest> models;  // request order
};

// Creates a model by name with parameters (name -> text); models::CreateModel by default. Called
// only from the thread that called RunBacktest().
using ModelFactory = std::function<Result<std::unique_ptr<models::Model>>(
    std::string_view name, const std::map<std::string, std::string>& params)>;

// Runs the backtest of `req` on `events` (sorted by time; any span of time) over the active cells
// of `grid`. Errors: Validate()'s; kInvalidInput from model creation, prefixed with
// "model NAME: "; a Fit() or Predict() failure prefixed with "model NAME, origin YYYY-MM-DD: "
// (the earliest such origin), also kData "model NAME, origin YYYY-MM-DD: no event in the
// training window …" (models::NoTrainingEvents) for an origin whose training window holds no
// event; kInvalidInput when no origin has any event in its horizon (nothing
// to score) or the grid has no active cell.
Result<BacktestResult> RunBacktest(const BacktestRequest& req, const EventSet& events,
                                   const grid::Grid& grid);
// Same, creating models with `factory` (tests use it for models outside the registry).
Result<BacktestResult> RunBacktest(const BacktestRequest& req, const EventSet& events,
                                   const grid::Grid& grid, const ModelFactory& factory);

// summary.json (schema_version 1, kind "placecast.backtest"): see docs/evaluation.md. Keys in a
// fixed order and numbers rounded to 9 significant digits, so equal results give equal bytes.
std::string BacktestSummaryJson(const BacktestResult& result);
// per_origin.csv: model,origin,events,hit_rate_<c>…,pai_<c>…,pei_<c>… with <c> each coverage
// written "%g"; one row per model (request order) and origin (time order); metric fields are empty
// for origins without events.
std::string BacktestPerOriginCsv(const BacktestResult& result);
// hit_rate_curves.csv: header "model,coverage_pct,hit_rate"; for each model in request order, one
// row per coverage of CurveCoveragesPct() with the mean hit rate over origins with events.
std::string HitRateCurvesCsv(const BacktestResult& result);
// calibration.csv: header "model,decile,cells,predicted,observed,predicted_share,observed_share";
// for each model in request order, one row per decile (1 = the riskiest tenth of the cells), cells
// counted over origins (cell-origins), numbers to 9 significant digits, a share empty when its
// total is 0.
std::string CalibrationCsv(const BacktestResult& result);

}  // namespace placecast::eval
