// SPDX-License-Identifier: Apache-2.0
// Feedback-loop simulation: a synthetic city of areas with known true offence rates, policed each
// day by a transparent forecaster trained on what has been RECORDED so far, where recording of
// discretionary offences depends on where the patrols were. It reproduces the runaway feedback of
// Ensign et al. (2018) — with equal true rates, a small initial imbalance in the recorded data
// keeps the patrols in the first-favoured areas — and compares mitigations (victim-reported
// training, inverse-propensity weighting of discoveries, an exploration share) over seeded
// replications. Model, recording mechanism and reading guide in docs/feedback.md. Pure functions
// of plain values: no files; the same request gives the same result bytes. Safe to call from
// several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::audit {

// How the day's forecast becomes patrol presence.
enum class FeedbackAllocation {
  // The `patrolled_areas` areas with the highest forecast are patrolled all day (ties broken at
  // random); the hot-spot practice the runaway argument is about.
  kTopK,
  // Patrol presence proportional to the forecast: area a is patrolled with probability
  // min(1, c · forecast_a), c chosen so the probabilities sum to `patrolled_areas`.
  kProportional,
};

// How the forecast weighs the recorded offences of the past.
enum class FeedbackForecaster {
  kWindow,       // counts over the last window_days days (the `naive` model)
  kExponential,  // exponentially weighted counts, weight exp(-age_days / window_days)
};

// The policies compared. Each is run on the same true offences and the same random streams in a
// replication (common random numbers), so differences between them are not sampling noise.
enum class FeedbackMitigation {
  kNone,         // train on every recorded offence (victim-reported and discretionary)
  kVictimOnly,   // train only on victim-reported offences
  kIpw,          // Ensign et al.'s correction: each patrol discovery weighted by 1 / P(patrol
                 // there that day); dispatch uses the exploration share so that P > 0 everywhere
  kExploration,  // a share `epsilon` of patrol presence spread uniformly over all areas
  kOracle,       // reference: patrols by the true rates (top-k or proportional), no learning
};

// "none", "victim_only", "ipw", "exploration", "oracle".
std::string_view FeedbackMitigationName(FeedbackMitigation m);

// The run's scalar parameters as one table (flags, JSON and docs come from it). The per-area
// rates are not in it: they are "equal" (from the table's two rates) or given per area.
std::span<const ParamSpec> FeedbackParams();

struct FeedbackRequest {
  // True daily offence rates per area (Poisson means), one entry per area, >= 0 and finite.
  // Victim-reported offences are recorded wherever they happen; discretionary ones (drug
  // possession, weapons) mostly only where a patrol sees them.
  std::vector<double> victim_rate_per_day;
  std::vector<double> discretionary_rate_per_day;
  // The initially favoured areas are areas 0 .. favoured_areas-1: their recorded history is
  // inflated by `initial_bias`. 1 <= favoured_areas < number of areas.
  int favoured_areas = 2;
  // Relative over-recording of the favoured areas in the history before day 0 (0.1 = 10% more
  // recorded offences for the same true rates). >= 0.
  double initial_bias = 0.1;
  // Days simulated after the history. History: window_days days before day 0 drawn with no patrol.
  int days = 365;
  int replications = 50;
  uint64_t seed = 1;
  // Patrol units per day: top-k patrols this many areas; proportional spreads this much presence.
  int patrolled_areas = 2;
  FeedbackAllocation allocation = FeedbackAllocation::kTopK;
  FeedbackForecaster forecaster = FeedbackForecaster::kWindow;
  // Memory of the forecaster: window length, or the mean age of the exponential weights.
  int window_days = 28;
  // Recording probabilities: a victim-reported offence is recorded with `record_victim`; a
  // discretionary one with `record_disc_low` in an unpatrolled area-day and `record_disc_high` in a
  // patrolled one (the difference is the patrol's discoveries). 0 <= low <= high <= 1.
  double record_victim = 0.9;
  double record_disc_low = 0.05;
  double record_disc_high = 0.6;
  // Share of patrol presence spread uniformly over all areas by the exploration and IPW policies:
  // presence_a = (1 - epsilon) · policy_a + epsilon · patrolled_areas / areas. In [0, 1].
  double epsilon = 0.1;
  // The policies run, in this order (each at most once, at least one).
  std::vector<FeedbackMitigation> mitigations = {
      FeedbackMitigation::kNone, FeedbackMitigation::kVictimOnly, FeedbackMitigation::kIpw,
      FeedbackMitigation::kExploration, FeedbackMitigation::kOracle};

  // kInvalidInput naming the parameter, the value and what was expected.
  Status Validate() const;
};

// A request from resolved FeedbackParams() values, with `areas` areas of equal rates
// (victim_rate_per_day, discretionary_rate_per_day from the table) and every mitigation.
// kInvalidInput as Validate().
Result<FeedbackRequest> FeedbackRequestFromParams(const ParamValues& values);

// Mean over replications and the interval holding the central 95% of the replications
// (2.5% and 97.5% empirical quantiles, linear interpolation).
struct FeedbackStat {
  double mean = 0, lo = 0, hi = 0;
};

struct FeedbackPolicyResult {
  FeedbackMitigation mitigation = FeedbackMitigation::kNone;
  // Per day: the favoured areas' share of patrol presence (0..1), across replications.
  std::vector<FeedbackStat> favoured_share;
  // Per day: the favoured areas' share of the forecast (of the training data in its memory) — the
  // model's belief, Ensign et al.'s urn proportion.
  std::vector<FeedbackStat> favoured_forecast_share;
  // Favoured areas' share of patrol presence over the last window_days days (or all days if
  // fewer).
  FeedbackStat final_favoured_share;
  // final_favoured_share / the favoured areas' share of true offences: 1 = patrols follow the
  // truth; > 1 = the favoured areas are over-patrolled relative to their true offences.
  FeedbackStat disparity;
  // Patrol share per favoured area over patrol share per other area, in the final period, divided
  // by the same ratio of true rates. Infinite when the other areas get no patrol at all; the
  // statistics then count such replications as +inf (mean = +inf).
  FeedbackStat share_ratio_vs_truth;
  // Share of all true offences (both kinds) committed where and when a patrol was present
  // (presence-weighted), over all days.
  FeedbackStat hit_rate;
  // Oracle hit rate minus this hit rate, same replication (percentage of true offences as a
  // fraction: 0.05 = 5 points). Present only when the oracle is among the mitigations; else NaN.
  FeedbackStat hit_rate_lost;
  // Replications whose final favoured share exceeds the favoured areas' true share by more than
  // 0.1.
  int replications_over_truth = 0;
};

struct FeedbackResult {
  double true_favoured_share = 0;              // favoured areas' share of the true offence rates
  double initial_favoured_share_fair = 0;      // favoured_areas / areas
  std::vector<FeedbackPolicyResult> policies;  // in request order
};

// Runs every mitigation of `req` for req.replications seeded replications. kInvalidInput as
// Validate(). Deterministic: replication r uses streams derived from (seed, r) only.
Result<FeedbackResult> SimulateFeedback(const FeedbackRequest& req);

// JSON document {schema_version, kind: "placecast.feedback", settings, true_favoured_share,
// policies: [{mitigation, final_favoured_share, disparity, ..., favoured_share: [[mean, lo, hi]
// per day]}]}; non-finite numbers as null.
std::string FeedbackResultJson(const FeedbackRequest& req, const FeedbackResult& result);

// CSV "mitigation,day,mean,lo,hi,forecast_mean,forecast_lo,forecast_hi": the favoured share of
// patrol presence and of the forecast, one row per mitigation and day.
std::string FeedbackCurvesCsv(const FeedbackResult& result);

}  // namespace placecast::audit
