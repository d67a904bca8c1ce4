// SPDX-License-Identifier: Apache-2.0
// Feedback-loop simulation (see include/placecast/audit/feedback.h and docs/feedback.md).
// Random numbers come from std::mt19937_64 (whose output the C++ standard fixes) through our own
// uniform and Poisson draws, so results are the same bytes on every platform. Replication r draws
// three streams from (seed, r): true offences, recording, dispatch; every policy of the
// replication replays the same streams (common random numbers), and each day consumes a fixed
// number of draws whatever the policy does. Stateless; safe to call from several threads.
#include "placecast/audit/feedback.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>

#include "placecast/common/random.h"

namespace placecast::audit {
namespace {

constexpr ParamSpec kFeedbackParams[] = {
    {"areas", ParamType::kInt, "10", 2, 100000, "", "Number of areas of the synthetic city."},
    {"days", ParamType::kInt, "365", 1, 100000, "days", "Days simulated after the history."},
    {"replications", ParamType::kInt, "50", 1, 100000, "",
     "Seeded replications; intervals are the central 95% of them."},
    {"seed", ParamType::kInt, "1", 0, 9007199254740992.0, "",
     "Master seed; replication r uses streams derived from (seed, r)."},
    {"victim_rate_per_day", ParamType::kDouble, "1", 0, 1e6, "offences/day",
     "True daily rate of victim-reported offences in every area (equal rates)."},
    {"discretionary_rate_per_day", ParamType::kDouble, "2", 0, 1e6, "offences/day",
     "True daily rate of discretionary offences (e.g. drug possession) in every area."},
    {"favoured_areas", ParamType::kInt, "0", 0, 100000, "",
     "Areas 0..n-1 are the initially favoured ones; 0 = as many as patrolled_areas."},
    {"initial_bias", ParamType::kDouble, "0.1", 0, 100, "",
     "Relative over-recording of the favoured areas in the history before day 0."},
    {"patrolled_areas", ParamType::kInt, "2", 1, 100000, "",
     "Patrol units per day (top-k: the k areas patrolled)."},
    {"allocation", ParamType::kEnum, "top_k", -1e300, 1e300, "",
     "top_k patrols the k highest-forecast areas; proportional spreads presence in proportion "
     "to the forecast.",
     "top_k|proportional"},
    {"forecaster", ParamType::kEnum, "window", -1e300, 1e300, "",
     "window: recorded counts over the last window_days days; exponential: counts weighted "
     "exp(-age/window_days).",
     "window|exponential"},
    {"window_days", ParamType::kInt, "28", 1, 3650, "days",
     "Memory of the forecaster; also the length of the history and of the final period."},
    {"record_victim", ParamType::kDouble, "0.9", 0, 1, "",
     "Probability a victim-reported offence is recorded (wherever it happens)."},
    {"record_disc_low", ParamType::kDouble, "0.05", 0, 1, "",
     "Probability a discretionary offence is recorded where no patrol is present."},
    {"record_disc_high", ParamType::kDouble, "0.6", 0, 1, "",
     "Probability a discretionary offence is recorded where a patrol is present."},
    {"epsilon", ParamType::kDouble, "0.1", 0, 1, "",
     "Share of patrol presence spread uniformly by the exploration and IPW policies."},
};

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

// Uniform in [0, 1) with 53 random bits.
double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Poisson(mean) by inversion, in pieces of mean <= 16 (sums of Poissons are Poisson).
int64_t Poisson(std::mt19937_64& rng, double mean) {
  int64_t n = 0;
  while (mean > 0) {
    const double m = std::min(mean, 16.0);
    mean -= m;
    double p = std::exp(-m), cdf = p;
    const double u = Uniform(rng);
    int64_t k = 0;
    while (u > cdf && k < 1000) {
      ++k;
      p *= m / static_cast<double>(k);
      cdf += p;
    }
    n += k;
  }
  return n;
}

bool UsesExploration(FeedbackMitigation m) {
  return m == FeedbackMitigation::kIpw || m == FeedbackMitigation::kExploration;
}

// Presence probabilities summing to k from forecasts `f` (REQUIRES: 1 <= k < f.size()).
// `keys` break ties in top-k (smaller key first).
std::vector<double> Allocate(FeedbackAllocation allocation, const std::vector<double>& f,
                             const std::vector<double>& keys, int k) {
  const size_t n = f.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (f[a] != f[b]) return f[a] > f[b];
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return a < b;
  });
  std::vector<double> pi(n, 0.0);
  if (allocation == FeedbackAllocation::kTopK) {
    for (int i = 0; i < k; ++i) pi[order[i]] = 1.0;
    return pi;
  }
  // Water-filling: cap the largest at 1 while c · f_a would exceed it.
  double remaining = k;
  double rest = 0;
  for (double v : f) rest += v;
  size_t first = 0;
  while (first < n) {
    const size_t a = order[first];
    if (rest <= 0 || remaining * f[a] / rest <= 1.0) break;
    pi[a] = 1.0;
    remaining -= 1.0;
    rest -= f[a];
    ++first;
  }
  const size_t uncapped = n - first;
  for (size_t i = first; i < n; ++i) {
    const size_t a = order[i];
    pi[a] = rest > 0 ? remaining * f[a] / rest : remaining / static_cast<double>(uncapped);
  }
  return pi;
}

FeedbackStat Summarise(std::vector<double> v) {
  FeedbackStat s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    const double h = p * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    if (v[lo] == v[hi]) return v[lo];
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  s.lo = q(0.025);
  s.hi = q(0.975);
  return s;
}

// The true offences of one replication: [day][area] for days -history .. days-1.
struct TrueOffences {
  std::vector<std::vector<int64_t>> victim, disc;
};

struct PolicyRun {
  std::vector<double> share;           // per day: favoured share of patrol presence
  std::vector<double> forecast_share;  // per day: favoured share of the forecast
  double hits = 0, offences = 0;
};

PolicyRun RunPolicy(const FeedbackRequest& req, FeedbackMitigation m, const TrueOffences& truth,
                    int history, uint64_t rec_seed, uint64_t pol_seed,
                    const std::vector<std::vector<double>>& history_train_all,
                    const std::vector<std::vector<double>>& history_train_victim) {
  const int n = static_cast<int>(req.victim_rate_per_day.size());
  const int k = req.patrolled_areas;
  const double q = req.record_disc_low < 1
                       ? (req.record_disc_high - req.record_disc_low) / (1 - req.record_disc_low)
                       : 0.0;
  std::mt19937_64 rec(rec_seed), pol(pol_seed);
  // Training weight of each recorded day [day index from -history][area].
  std::vector<std::vector<double>> train =
      m == FeedbackMitigation::kVictimOnly ? history_train_victim : history_train_all;
  train.resize(static_cast<size_t>(history + req.days), std::vector<double>(n, 0.0));
  const double decay = std::exp(-1.0 / req.window_days);
  std::vector<double> ew(n, 0.0);
  if (req.forecaster == FeedbackForecaster::kExponential) {
    for (int d = 0; d < history; ++d) {
      for (int a = 0; a < n; ++a) ew[a] = ew[a] * decay + train[d][a];
    }
  }
  PolicyRun run;
  run.share.resize(req.days);
  run.forecast_share.resize(req.days);
  std::vector<double> f(n), keys(n);
  for (int t = 0; t < req.days; ++t) {
    const int row = history + t;
    if (m == FeedbackMitigation::kOracle) {
      for (int a = 0; a < n; ++a) {
        f[a] = req.victim_rate_per_day[a] + req.discretionary_rate_per_day[a];
      }
    } else if (req.forecaster == FeedbackForecaster::kExponential) {
      f = ew;
    } else {
      for (int a = 0; a < n; ++a) {
        double s = 0;
        for (int d = std::max(0, row - req.window_days); d < row; ++d) s += train[d][a];
        f[a] = s;
      }
    }
    double f_fav = 0, f_all = 0;
    for (int a = 0; a < n; ++a) {
      f_all += f[a];
      if (a < req.favoured_areas) f_fav += f[a];
    }
    run.forecast_share[t] = f_all > 0 ? f_fav / f_all : 0;
    for (int a = 0; a < n; ++a) keys[a] = Uniform(pol);
    std::vector<double> pi = Allocate(req.allocation, f, keys, k);
    if (UsesExploration(m)) {
      const double uniform = static_cast<double>(k) / n;
      for (double& p : pi) p = (1 - req.epsilon) * p + req.epsilon * uniform;
    }
    double fav = 0, total = 0;
    for (int a = 0; a < n; ++a) {
      total += pi[a];
      if (a < req.favoured_areas) fav += pi[a];
    }
    run.share[t] = total > 0 ? fav / total : 0;
    for (int a = 0; a < n; ++a) {
      const bool present = Uniform(pol) < pi[a];
      const int64_t nv = truth.victim[row][a], nd = truth.disc[row][a];
      run.hits += pi[a] * static_cast<double>(nv + nd);
      run.offences += static_cast<double>(nv + nd);
      int64_t rec_v = 0, rec_reported = 0, rec_discovered = 0;
      for (int64_t i = 0; i < nv; ++i) rec_v += Uniform(rec) < req.record_victim;
      for (int64_t i = 0; i < nd; ++i) {
        const double u1 = Uniform(rec), u2 = Uniform(rec);
        if (u1 < req.record_disc_low) {
          ++rec_reported;
        } else if (present && u2 < q) {
          ++rec_discovered;
        }
      }
      double w = 0;
      switch (m) {
        case FeedbackMitigation::kVictimOnly:
          w = static_cast<double>(rec_v);
          break;
        case FeedbackMitigation::kIpw:
          w = static_cast<double>(rec_v + rec_reported) +
              (rec_discovered > 0 ? static_cast<double>(rec_discovered) / pi[a] : 0.0);
          break;
        default:
          w = static_cast<double>(rec_v + rec_reported + rec_discovered);
      }
      train[row][a] = w;
      if (req.forecaster == FeedbackForecaster::kExponential) ew[a] = ew[a] * decay + w;
    }
  }
  return run;
}

}  // namespace

std::string_view FeedbackMitigationName(FeedbackMitigation m) {
  switch (m) {
    case FeedbackMitigation::kNone:
      return "none";
    case FeedbackMitigation::kVictimOnly:
      return "victim_only";
    case FeedbackMitigation::kIpw:
      return "ipw";
    case FeedbackMitigation::kExploration:
      return "exploration";
    case FeedbackMitigation::kOracle:
      return "oracle";
  }
  return "unknown";
}

std::span<const ParamSpec> FeedbackParams() { return kFeedbackParams; }

Status FeedbackRequest::Validate() const {
  const size_t n = victim_rate_per_day.size();
  if (n < 2 || n > 100000) {
    return Status::InvalidInput("areas: expected 2 .. 100000 areas (got " + std::to_string(n) +
                                ")");
  }
  if (discretionary_rate_per_day.size() != n) {
    return Status::InvalidInput("discretionary_rate_per_day: expected one rate per area, " +
                                std::to_string(n) + " (got " +
                                std::to_string(discretionary_rate_per_day.size()) + ")");
  }
  double fav = 0, other = 0;
  for (size_t a = 0; a < n; ++a) {
    for (const auto& [name, v] :
         {std::pair<const char*, double>{"victim_rate_per_day", victim_rate_per_day[a]},
          std::pair<const char*, double>{"discretionary_rate_per_day",
                                         discretionary_rate_per_day[a]}}) {
      if (!std::isfinite(v) || v < 0 || v > 1e6) {
        return Status::InvalidInput(std::string(name) + ": area " + std::to_string(a) +
                                    ": expected a finite rate in [0, 1e6] (got " + Num(v) + ")");
      }
    }
    (static_cast<int>(a) < favoured_areas ? fav : other) +=
        victim_rate_per_day[a] + discretionary_rate_per_day[a];
  }
  const std::string areas = std::to_string(n);
  if (favoured_areas < 1 || favoured_areas >= static_cast<int>(n)) {
    return Status::InvalidInput(
        "favoured_areas: expected 1 .. areas - 1 = " + std::to_string(n - 1) + " (got " +
        std::to_string(favoured_areas) + ")");
  }
  if (patrolled_areas < 1 || patrolled_areas >= static_cast<int>(n)) {
    return Status::InvalidInput(
        "patrolled_areas: expected 1 .. areas - 1 = " + std::to_string(n - 1) + " (got " +
        std::to_string(patrolled_areas) + ")");
  }
  if (fav <= 0 || other <= 0) {
    return Status::InvalidInput(
        "rates: the favoured and the other areas must each have some true offences (got " +
        Num(fav) + " and " + Num(other) + " per day)");
  }
  if (!std::isfinite(initial_bias) || initial_bias < 0 || initial_bias > 100) {
    return Status::InvalidInput("initial_bias: expected 0 .. 100 (got " + Num(initial_bias) + ")");
  }
  if (days < 1 || days > 100000) {
    return Status::InvalidInput("days: expected 1 .. 100000 (got " + std::to_string(days) + ")");
  }
  if (replications < 1 || replications > 100000) {
    return Status::InvalidInput("replications: expected 1 .. 100000 (got " +
                                std::to_string(replications) + ")");
  }
  if (window_days < 1 || window_days > 3650) {
    return Status::InvalidInput("window_days: expected 1 .. 3650 (got " +
                                std::to_string(window_days) + ")");
  }
  for (const auto& [name, v] : {std::pair<const char*, double>{"record_victim", record_victim},
                                {"record_disc_low", record_disc_low},
                                {"record_disc_high", record_disc_high},
                                {"epsilon", epsilon}}) {
    if (!(v >= 0 && v <= 1)) {
      return Status::InvalidInput(std::string(name) + ": expected a probability in [0, 1] (got " +
                                  Num(v) + ")");
    }
  }
  if (record_disc_low > record_disc_high) {
    return Status::InvalidInput("record_disc_low: must not exceed record_disc_high = " +
                                Num(record_disc_high) + " (got " + Num(record_disc_low) + ")");
  }
  if (mitigations.empty()) {
    return Status::InvalidInput("mitigations: at least one is needed (got none)");
  }
  for (size_t i = 0; i < mitigations.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (mitigations[i] == mitigations[j]) {
        return Status::InvalidInput("mitigations: each at most once (got \"" +
                                    std::string(FeedbackMitigationName(mitigations[i])) +
                                    "\" twice)");
      }
    }
  }
  return Status::Ok();
}

Result<FeedbackRequest> FeedbackRequestFromParams(const ParamValues& values) {
  FeedbackRequest r;
  const int64_t areas = values.GetInt("areas");
  r.victim_rate_per_day.assign(areas, values.GetDouble("victim_rate_per_day"));
  r.discretionary_rate_per_day.assign(areas, values.GetDouble("discretionary_rate_per_day"));
  r.days = static_cast<int>(values.GetInt("days"));
  r.replications = static_cast<int>(values.GetInt("replications"));
  r.seed = static_cast<uint64_t>(values.GetInt("seed"));
  r.patrolled_areas = static_cast<int>(values.GetInt("patrolled_areas"));
  const int64_t fav = values.GetInt("favoured_areas");
  r.favoured_areas = fav == 0 ? r.patrolled_areas : static_cast<int>(fav);
  r.initial_bias = values.GetDouble("initial_bias");
  r.allocation = values.GetString("allocation") == "proportional"
                     ? FeedbackAllocation::kProportional
                     : FeedbackAllocation::kTopK;
  r.forecaster = values.GetString("forecaster") == "exponential" ? FeedbackForecaster::kExponential
                                                                 : FeedbackForecaster::kWindow;
  r.window_days = static_cast<int>(values.GetInt("window_days"));
  r.record_victim = values.GetDouble("record_victim");
  r.record_disc_low = values.GetDouble("record_disc_low");
  r.record_disc_high = values.GetDouble("record_disc_high");
  r.epsilon = values.GetDouble("epsilon");
  PLACECAST_RETURN_IF_ERROR(r.Validate());
  return r;
}

Result<FeedbackResult> SimulateFeedback(const FeedbackRequest& req) {
  PLACECAST_RETURN_IF_ERROR(req.Validate());
  const int n = static_cast<int>(req.victim_rate_per_day.size());
  const int history = req.window_days;
  const int rows = history + req.days;
  const size_t num_m = req.mitigations.size();
  FeedbackResult out;
  double fav_rate = 0, all_rate = 0;
  for (int a = 0; a < n; ++a) {
    const double r = req.victim_rate_per_day[a] + req.discretionary_rate_per_day[a];
    all_rate += r;
    if (a < req.favoured_areas) fav_rate += r;
  }
  out.true_favoured_share = fav_rate / all_rate;
  out.initial_favoured_share_fair = static_cast<double>(req.favoured_areas) / n;
  const double true_ratio = (out.true_favoured_share / req.favoured_areas) /
                            ((1 - out.true_favoured_share) / (n - req.favoured_areas));
  const int final_days = std::min(req.window_days, req.days);

  // [mitigation][day][replication] and [mitigation][replication].
  std::vector<std::vector<std::vector<double>>> curves(
      num_m, std::vector<std::vector<double>>(req.days, std::vector<double>(req.replications)));
  auto forecast_curves = curves;
  std::vector<std::vector<double>> final_share(num_m), disparity(num_m), ratio(num_m), hit(num_m);
  std::vector<int> drifted(num_m, 0);
  for (int r = 0; r < req.replications; ++r) {
    const uint64_t rr = static_cast<uint64_t>(r);
    std::mt19937_64 tr(DeriveSeed(req.seed, 3 * rr));
    TrueOffences truth;
    truth.victim.assign(rows, std::vector<int64_t>(n));
    truth.disc.assign(rows, std::vector<int64_t>(n));
    for (int d = 0; d < rows; ++d) {
      for (int a = 0; a < n; ++a) {
        truth.victim[d][a] = Poisson(tr, req.victim_rate_per_day[a]);
        truth.disc[d][a] = Poisson(tr, req.discretionary_rate_per_day[a]);
      }
    }
    // The history: every area recorded exactly its expected count with no patrol, the favoured
    // areas (1 + initial_bias) times as much. Noise-free, so day 0 always starts from the same
    // small imbalance and what happens next is the feedback alone.
    std::vector<std::vector<double>> hist_all(history, std::vector<double>(n)),
        hist_victim(history, std::vector<double>(n));
    for (int d = 0; d < history; ++d) {
      for (int a = 0; a < n; ++a) {
        const double boost = a < req.favoured_areas ? 1 + req.initial_bias : 1.0;
        const double v = req.victim_rate_per_day[a] * req.record_victim * boost;
        const double dd = req.discretionary_rate_per_day[a] * req.record_disc_low * boost;
        hist_all[d][a] = v + dd;
        hist_victim[d][a] = v;
      }
    }
    std::vector<PolicyRun> runs;
    for (size_t mi = 0; mi < num_m; ++mi) {
      runs.push_back(RunPolicy(req, req.mitigations[mi], truth, history,
                               DeriveSeed(req.seed, 3 * rr + 1), DeriveSeed(req.seed, 3 * rr + 2),
                               hist_all, hist_victim));
      const PolicyRun& run = runs.back();
      double s = 0;
      for (int t = req.days - final_days; t < req.days; ++t) s += run.share[t];
      s /= final_days;
      for (int t = 0; t < req.days; ++t) {
        curves[mi][t][r] = run.share[t];
        forecast_curves[mi][t][r] = run.forecast_share[t];
      }
      final_share[mi].push_back(s);
      disparity[mi].push_back(s / out.true_favoured_share);
      const double other = (1 - s) / (n - req.favoured_areas);
      ratio[mi].push_back(other > 0 ? (s / req.favoured_areas) / other / true_ratio
                                    : std::numeric_limits<double>::infinity());
      hit[mi].push_back(run.offences > 0 ? run.hits / run.offences : 0);
      if (s > out.true_favoured_share + 0.1) ++drifted[mi];
    }
  }
  const auto oracle =
      std::find(req.mitigations.begin(), req.mitigations.end(), FeedbackMitigation::kOracle);
  for (size_t mi = 0; mi < num_m; ++mi) {
    FeedbackPolicyResult p;
    p.mitigation = req.mitigations[mi];
    p.favoured_share.reserve(req.days);
    for (int t = 0; t < req.days; ++t) {
      p.favoured_share.push_back(Summarise(curves[mi][t]));
      p.favoured_forecast_share.push_back(Summarise(forecast_curves[mi][t]));
    }
    p.final_favoured_share = Summarise(final_share[mi]);
    p.disparity = Summarise(disparity[mi]);
    p.share_ratio_vs_truth = Summarise(ratio[mi]);
    p.hit_rate = Summarise(hit[mi]);
    if (oracle != req.mitigations.end()) {
      const auto& o = hit[oracle - req.mitigations.begin()];
      std::vector<double> lost(req.replications);
      for (int r = 0; r < req.replications; ++r) lost[r] = o[r] - hit[mi][r];
      p.hit_rate_lost = Summarise(lost);
    } else {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      p.hit_rate_lost = {nan, nan, nan};
    }
    p.replications_over_truth = drifted[mi];
    out.policies.push_back(std::move(p));
  }
  return out;
}

namespace {

nlohmann::ordered_json JsonNum(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json StatJson(const FeedbackStat& s) {
  return {{"mean", JsonNum(s.mean)}, {"lo", JsonNum(s.lo)}, {"hi", JsonNum(s.hi)}};
}

}  // namespace

std::string FeedbackResultJson(const FeedbackRequest& req, const FeedbackResult& result) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.feedback";
  j["settings"] = {
      {"areas", req.victim_rate_per_day.size()},
      {"victim_rate_per_day", req.victim_rate_per_day},
      {"discretionary_rate_per_day", req.discretionary_rate_per_day},
      {"favoured_areas", req.favoured_areas},
      {"initial_bias", req.initial_bias},
      {"days", req.days},
      {"replications", req.replications},
      {"seed", req.seed},
      {"patrolled_areas", req.patrolled_areas},
      {"allocation", req.allocation == FeedbackAllocation::kTopK ? "top_k" : "proportional"},
      {"forecaster", req.forecaster == FeedbackForecaster::kWindow ? "window" : "exponential"},
      {"window_days", req.window_days},
      {"record_victim", req.record_victim},
      {"record_disc_low", req.record_disc_low},
      {"record_disc_high", req.record_disc_high},
      {"epsilon", req.epsilon}};
  j["true_favoured_share"] = result.true_favoured_share;
  j["fair_favoured_share"] = result.initial_favoured_share_fair;
  j["interval"] = "central 95% of replications (2.5% and 97.5% quantiles)";
  j["policies"] = nlohmann::ordered_json::array();
  for (const FeedbackPolicyResult& p : result.policies) {
    nlohmann::ordered_json curve = nlohmann::ordered_json::array();
    for (const FeedbackStat& s : p.favoured_share) {
      curve.push_back({JsonNum(s.mean), JsonNum(s.lo), JsonNum(s.hi)});
    }
    nlohmann::ordered_json fcurve = nlohmann::ordered_json::array();
    for (const FeedbackStat& s : p.favoured_forecast_share) {
      fcurve.push_back({JsonNum(s.mean), JsonNum(s.lo), JsonNum(s.hi)});
    }
    j["policies"].push_back({{"mitigation", std::string(FeedbackMitigationName(p.mitigation))},
                             {"final_favoured_share", StatJson(p.final_favoured_share)},
                             {"disparity", StatJson(p.disparity)},
                             {"share_ratio_vs_truth", StatJson(p.share_ratio_vs_truth)},
                             {"hit_rate", StatJson(p.hit_rate)},
                             {"hit_rate_lost", StatJson(p.hit_rate_lost)},
                             {"replications_over_truth", p.replications_over_truth},
                             {"favoured_share_by_day", curve},
                             {"favoured_forecast_share_by_day", fcurve}});
  }
  return j.dump(2) + "\n";
}

std::string FeedbackCurvesCsv(const FeedbackResult& result) {
  std::string csv = "mitigation,day,mean,lo,hi,forecast_mean,forecast_lo,forecast_hi\n";
  for (const FeedbackPolicyResult& p : result.policies) {
    const std::string name(FeedbackMitigationName(p.mitigation));
    for (size_t t = 0; t < p.favoured_share.size(); ++t) {
      const FeedbackStat& s = p.favoured_share[t];
      const FeedbackStat& g = p.favoured_forecast_share[t];
      csv += name + "," + std::to_string(t) + "," + Num(s.mean) + "," + Num(s.lo) + "," +
             Num(s.hi) + "," + Num(g.mean) + "," + Num(g.lo) + "," + Num(g.hi) + "\n";
    }
  }
  return csv;
}

}  // namespace placecast::audit
