// SPDX-License-Identifier: Apache-2.0
// The rolling-origin backtest driver: request validation, parameter resolution, the per-origin
// loop over contiguous chunks of origins (one thread and one instance of each model per chunk, each
// walking its chunk in time order so models can slide their windows), and the summary statistics
// and calibration. Every per-origin number is computed from that origin alone and every sum runs in
// origin order, so the result does not depend on the number of threads.
#include "placecast/eval/backtest.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "eval/resample.h"

namespace placecast::eval {
namespace {

constexpr int64_t kMaxOrigins = 36600;
constexpr int kMaxBootstrapReps = 1000000;
constexpr size_t kMaxWarningsPerModel = 20;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string G(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// The first failure of a worker, at (origin, model).
struct Failure {
  size_t origin = 0;
  size_t model = 0;
  Status status;
};

// A warning's text with every digit replaced by '#': warnings that differ only in their numbers
// ("714 of the 2719 events …") are reported once, at their first origin.
std::string DigitsMasked(std::string s) {
  for (char& c : s) {
    if (c >= '0' && c <= '9') c = '#';
  }
  return s;
}

struct Warning {
  size_t origin;
  size_t model;
  std::string text;
};

}  // namespace

Status BacktestRequest::Validate() const {
  auto bad = [](const std::string& m) { return Status::InvalidInput("backtest: " + m); };
  if (models.empty()) return bad("models (--models): no model given");
  std::set<std::string> seen;
  for (const auto& m : models) {
    if (m.empty()) return bad("models (--models): empty model name");
    if (!seen.insert(m).second) return bad("models (--models): model \"" + m + "\" given twice");
  }
  for (const auto& [m, p] : params) {
    if (!seen.count(m)) {
      return bad("params (--param): parameters given for model \"" + m +
                 "\", which is not among the models");
    }
  }
  if (!calendar.IsDayStart(from_s)) {
    return bad("from (--from): the first origin must start a day (" + calendar.Describe() +
               ") (got " + calendar.FormatDateTime(from_s) + ")");
  }
  if (!calendar.IsDayStart(to_s)) {
    return bad("to (--to): the last origin must start a day (" + calendar.Describe() + ") (got " +
               calendar.FormatDateTime(to_s) + ")");
  }
  if (from_s > to_s) {
    return bad("from (--from) " + calendar.FormatDate(from_s) + " is after to (--to) " +
               calendar.FormatDate(to_s));
  }
  if (calendar.DaysBetween(from_s, to_s) + 1 > kMaxOrigins) {
    return bad("from (--from) .. to (--to) spans more than " + std::to_string(kMaxOrigins) +
               " daily origins");
  }
  if (train_days < 1) {
    return bad("train_days (--train-days) must be at least 1 (got " + std::to_string(train_days) +
               ")");
  }
  if (!(horizon_days > 0 && horizon_days <= 3650) || horizon_days * kSecondsPerDay < 1) {
    return bad("horizon_days (--horizon-days) must be in (0, 3650] and at least one second (got " +
               G(horizon_days) + ")");
  }
  if (coverages_pct.empty()) return bad("coverages_pct: no coverage given");
  std::set<std::string> keys;
  for (double c : coverages_pct) {
    if (!(c > 0 && c <= 100)) {
      return bad("coverages_pct: each coverage must be in (0, 100] (got " + G(c) + ")");
    }
    if (!keys.insert(G(c)).second) {
      return bad("coverages_pct: coverage " + G(c) + " given twice");
    }
  }
  if (bootstrap_reps < 0 || bootstrap_reps > kMaxBootstrapReps) {
    return bad("bootstrap_reps (--bootstrap) must be in [0, " + std::to_string(kMaxBootstrapReps) +
               "] (got " + std::to_string(bootstrap_reps) + ")");
  }
  if (threads < 0) {
    return bad("threads (--threads) must be 0 (all cores) or more (got " + std::to_string(threads) +
               ")");
  }
  return Status::Ok();
}

Result<BacktestResult> RunBacktest(const BacktestRequest& req, const EventSet& events,
                                   const grid::Grid& grid, const ModelFactory& factory) {
  PLACECAST_RETURN_IF_ERROR(req.Validate());
  if (grid.num_cells() == 0) return Status::InvalidInput("backtest: the grid has no active cell");
  {
    Status s = events.Validate();
    if (!s.ok()) return s.Wrap("backtest: events");
  }
  const size_t num_models = req.models.size();

  // Resolve each model's parameters once, adding window_days = train_days where the model has a
  // window and the caller did not set it.
  std::vector<std::map<std::string, std::string>> given(num_models);
  std::vector<models::Model::OutputKind> kinds(num_models);
  BacktestResult out;
  out.models.resize(num_models);
  for (size_t m = 0; m < num_models; ++m) {
    const std::string& name = req.models[m];
    auto it = req.params.find(name);
    if (it != req.params.end()) given[m] = it->second;
    auto created = factory(name, given[m]);
    if (!created.ok()) return created.status().Wrap("model " + name);
    if (!given[m].count("window_days")) {
      bool has_window = false;
      for (const auto& [k, v] : (*created)->params().items()) has_window |= k == "window_days";
      if (has_window) {
        given[m]["window_days"] = std::to_string(req.train_days);
        created = factory(name, given[m]);
        if (!created.ok()) return created.status().Wrap("model " + name);
      }
    }
    out.models[m].name = name;
    out.models[m].params = (*created)->params();
    kinds[m] = (*created)->output_kind();
  }

  out.from_s = req.from_s;
  out.to_s = req.to_s;
  out.train_days = req.train_days;
  out.horizon_days = req.horizon_days;
  out.coverages_pct = req.coverages_pct;
  out.bootstrap_reps = req.bootstrap_reps;
  out.seed = req.seed;
  out.calendar = req.calendar;
  // One origin per local day; each scores the events up to the end of its horizon in local days
  // (a one-day horizon over a daylight-saving change lasts 23 or 25 hours).
  for (int64_t t = req.from_s; t <= req.to_s; t = req.calendar.AddDays(t, 1)) {
    out.origins_s.push_back(t);
  }
  const size_t num_origins = out.origins_s.size();

  // Coverages scored at every origin: the request's, then the curve's.
  const size_t num_cov = req.coverages_pct.size();
  const auto curve = CurveCoveragesPct();
  std::vector<double> all_cov(req.coverages_pct);
  all_cov.insert(all_cov.end(), curve.begin(), curve.end());

  size_t num_threads = req.threads > 0 ? static_cast<size_t>(req.threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
  num_threads = std::min(num_threads, num_origins);

  // One instance of each model per thread, created here on the caller's thread.
  std::vector<std::vector<std::unique_ptr<models::Model>>> inst(num_threads);
  for (size_t t = 0; t < num_threads; ++t) {
    for (size_t m = 0; m < num_models; ++m) {
      auto created = factory(req.models[m], given[m]);
      if (!created.ok()) return created.status().Wrap("model " + req.models[m]);
      inst[t].push_back(std::move(created).value());
    }
  }

  const std::vector<grid::CellId> cells = EventCells(events, grid);
  out.events_per_origin.assign(num_origins, 0);
  // Per model: [origin × num_cov + c] for the request's coverages, [origin × curve + j] for the
  // curve, and the (expected) hits for pooling; [origin × kCalibrationGroups + d] for calibration.
  std::vector<std::vector<double>> hits(num_models), curve_hr(num_models);
  std::vector<std::vector<DecileSums>> deciles(num_models);
  for (size_t m = 0; m < num_models; ++m) {
    ModelBacktest& mb = out.models[m];
    mb.hit_rate.assign(num_origins * num_cov, kNaN);
    mb.pai.assign(num_origins * num_cov, kNaN);
    mb.pei.assign(num_origins * num_cov, kNaN);
    hits[m].assign(num_origins * num_cov, 0);
    curve_hr[m].assign(num_origins * curve.size(), kNaN);
    deciles[m].assign(num_origins * kCalibrationGroups, DecileSums{});
    mb.choices.assign(num_origins, std::string());
  }

  std::vector<std::optional<Failure>> failures(num_threads);
  std::vector<std::vector<Warning>> warnings(num_threads);
  std::mutex mu;
  std::condition_variable cv;
  int64_t done = 0;
  size_t finished = 0;

  auto work = [&](size_t t, size_t o0, size_t o1) {
    std::set<std::pair<size_t, std::string>> seen_warnings;
    for (size_t o = o0; o < o1; ++o) {
      const int64_t origin = out.origins_s[o];
      const std::vector<int64_t> counts = CountEventsPerCell(
          events, grid, origin, req.calendar.HorizonEnd(origin, req.horizon_days), cells);
      int64_t n_events = 0;
      for (int64_t c : counts) n_events += c;
      out.events_per_origin[o] = n_events;
      // The tie rule's keys: the events before this origin only.
      const grid::TieBreak ties =
          n_events == 0 ? grid::TieBreak{} : grid::TieBreakFromEvents(events, grid, origin);
      for (size_t m = 0; m < num_models; ++m) {
        models::Model& model = *inst[t][m];
        auto fail = [&](const Status& s) {
          failures[t] = Failure{
              o, m,
              s.Wrap("model " + req.models[m] + ", origin " + req.calendar.FormatDate(origin))};
        };
        // An origin whose training window is empty is reported, not scored on a surface of zeros.
        const int64_t train_from = model.TrainFromS(origin);
        if (const auto [b, e] = events.TimeRange(train_from, origin); b == e) {
          return fail(models::NoTrainingEvents(train_from, origin, req.calendar));
        }
        Status fit = model.Fit(events, grid, origin);
        if (!fit.ok()) return fail(fit);
        Result<grid::Surface> surface = model.Predict(req.horizon_days);
        if (!surface.ok()) return fail(surface.status());
        if (static_cast<int32_t>(surface->value.size()) != grid.num_cells()) {
          return fail(Status::Internal("forecast has " + std::to_string(surface->value.size()) +
                                       " values for " + std::to_string(grid.num_cells()) +
                                       " active cells"));
        }
        out.models[m].choices[o] = model.Choice();
        for (std::string& w : model.Warnings()) {
          if (seen_warnings.emplace(m, DigitsMasked(w)).second) {
            warnings[t].push_back({o, m, std::move(w)});
          }
        }
        // Calibration at every origin: a day without events is part of what a forecast predicts.
        // Without events the tie keys cannot move a decile's sums (tied cells have equal risk).
        auto cal = CalibrationDeciles(*surface, counts, ties);
        if (!cal.ok()) return fail(cal.status());
        std::copy(cal->begin(), cal->end(), deciles[m].begin() + o * kCalibrationGroups);
        if (n_events == 0) continue;
        auto scores = ScoreCoverages(*surface, counts, all_cov, ties);
        if (!scores.ok()) return fail(scores.status());
        ModelBacktest& mb = out.models[m];
        for (size_t c = 0; c < num_cov; ++c) {
          const CoverageScore& s = (*scores)[c];
          mb.hit_rate[o * num_cov + c] = s.hit_rate;
          mb.pai[o * num_cov + c] = s.pai;
          mb.pei[o * num_cov + c] = s.pei;
          hits[m][o * num_cov + c] = s.hits;
        }
        for (size_t j = 0; j < curve.size(); ++j) {
          curve_hr[m][o * curve.size() + j] = (*scores)[num_cov + j].hit_rate;
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        ++done;
      }
      cv.notify_one();
    }
  };

  std::vector<std::thread> pool;
  for (size_t t = 0; t < num_threads; ++t) {
    const size_t o0 = num_origins * t / num_threads;
    const size_t o1 = num_origins * (t + 1) / num_threads;
    pool.emplace_back([&, t, o0, o1] {
      try {
        work(t, o0, o1);
      } catch (const std::exception& e) {
        failures[t] = Failure{o0, 0, Status::Internal(std::string("backtest worker: ") + e.what())};
      } catch (...) {
        failures[t] = Failure{o0, 0, Status::Internal("backtest worker: unknown exception")};
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        ++finished;
      }
      cv.notify_one();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    int64_t reported = -1;
    while (true) {
      cv.wait(lock, [&] { return done != reported || finished == num_threads; });
      if (done != reported) {
        reported = done;
        if (req.progress) {
          lock.unlock();
          req.progress(reported, static_cast<int64_t>(num_origins));
          lock.lock();
        }
      }
      if (finished == num_threads && done == reported) break;
    }
  }
  for (auto& th : pool) th.join();

  // Report the earliest failure: each thread stops at its first, so this does not depend on the
  // number of threads.
  const Failure* first = nullptr;
  for (const auto& f : failures) {
    if (f && (!first || std::tie(f->origin, f->model) < std::tie(first->origin, first->model))) {
      first = &*f;
    }
  }
  if (first) return first->status;

  // Warnings: first appearance of each distinct text per model, in time order.
  {
    std::vector<Warning> all;
    for (auto& w : warnings) all.insert(all.end(), w.begin(), w.end());
    std::stable_sort(all.begin(), all.end(), [](const Warning& a, const Warning& b) {
      return std::tie(a.model, a.origin) < std::tie(b.model, b.origin);
    });
    std::set<std::pair<size_t, std::string>> seen;
    for (const Warning& w : all) {
      auto& list = out.models[w.model].warnings;
      if (list.size() < kMaxWarningsPerModel &&
          seen.emplace(w.model, DigitsMasked(w.text)).second) {
        list.push_back(req.calendar.FormatDate(out.origins_s[w.origin]) + ": " + w.text);
      }
    }
  }

  std::vector<size_t> with;
  for (size_t o = 0; o < num_origins; ++o) {
    out.events += out.events_per_origin[o];
    if (out.events_per_origin[o] > 0) with.push_back(o);
  }
  out.origins_with_events = static_cast<int64_t>(with.size());
  if (with.empty()) {
    return Status::InvalidInput("backtest: no event in the active cells in any horizon from " +
                                req.calendar.FormatDate(req.from_s) + " to " +
                                req.calendar.FormatDate(req.to_s) + ": nothing to score");
  }

  // Summary statistics over the origins with events.
  const auto n = static_cast<int64_t>(with.size());
  const internal::Bootstrap boot(n, req.bootstrap_reps, req.seed);
  std::optional<internal::SignFlip> flip;
  if (req.bootstrap_reps > 0) flip.emplace(n, req.bootstrap_reps, req.seed);
  size_t ref = 0;
  for (size_t m = 0; m < num_models; ++m) {
    if (req.models[m] == "naive") ref = m;
  }
  out.reference = req.models[ref];

  std::vector<double> x(with.size());
  auto column = [&](const std::vector<double>& v, size_t c) {
    for (size_t i = 0; i < with.size(); ++i) x[i] = v[with[i] * num_cov + c];
  };
  auto interval = [&]() {
    Interval iv;
    boot.MeanInterval(x, &iv.mean, &iv.lo, &iv.hi);
    return iv;
  };
  auto paired = [&](const std::vector<double>& v, const std::vector<double>& r, size_t c) {
    for (size_t i = 0; i < with.size(); ++i) {
      x[i] = v[with[i] * num_cov + c] - r[with[i] * num_cov + c];
    }
    PairedDiff d;
    boot.MeanInterval(x, &d.diff, &d.lo, &d.hi);
    d.p = flip ? flip->PValue(x) : kNaN;
    return d;
  };
  for (size_t m = 0; m < num_models; ++m) {
    ModelBacktest& mb = out.models[m];
    const ModelBacktest& rb = out.models[ref];
    if (std::all_of(mb.choices.begin(), mb.choices.end(),
                    [](const std::string& c) { return c.empty(); })) {
      mb.choices.clear();
    }
    for (size_t c = 0; c < num_cov; ++c) {
      column(mb.hit_rate, c);
      mb.hit_rate_summary.push_back(interval());
      column(mb.pai, c);
      mb.pai_summary.push_back(interval());
      column(mb.pei, c);
      mb.pei_summary.push_back(interval());
      double sum_hits = 0;
      for (size_t o : with) sum_hits += hits[m][o * num_cov + c];
      mb.pooled_hit_rate.push_back(sum_hits / static_cast<double>(out.events));
      if (m != ref) {
        mb.hit_rate_vs_reference.push_back(paired(mb.hit_rate, rb.hit_rate, c));
        mb.pai_vs_reference.push_back(paired(mb.pai, rb.pai, c));
      }
    }
    for (size_t j = 0; j < curve.size(); ++j) {
      double s = 0;
      for (size_t o : with) s += curve_hr[m][o * curve.size() + j];
      mb.curve_hit_rate.push_back(s / static_cast<double>(with.size()));
    }
    std::vector<DecileSums> total(kCalibrationGroups);
    for (size_t o = 0; o < num_origins; ++o) {
      for (size_t d = 0; d < kCalibrationGroups; ++d) {
        const DecileSums& s = deciles[m][o * kCalibrationGroups + d];
        total[d].cells += s.cells;
        total[d].predicted += s.predicted;
        total[d].observed += s.observed;
      }
    }
    mb.calibration = SummariseCalibration(total, kinds[m]);
  }
  return out;
}

}  // namespace placecast::eval
