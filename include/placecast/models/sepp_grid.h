// SPDX-License-Identifier: Apache-2.0
// `sepp_grid`: the grid ETAS (self-exciting point process) model of the predictive-policing field
// trials (Mohler et al. 2015). In each active cell c the intensity in events per day is
//   λ_c(t) = μ_c + θ ω Σ_{j in c, t_j < t} e^(−ω (t − t_j)),
// fitted by expectation–maximisation with O(n) exponential recursions per iteration. This header
// adds what the generic Model interface lacks: the fitted parameters, and an O(new events) update
// of the triggering state to a later origin. Formulas and choices: docs/models.md, "sepp_grid".
// A SeppGridModel is not thread-safe (one instance per thread); Fit() itself uses `num_threads`
// threads internally and gives the same bytes for any thread count.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/models/model.h"

namespace placecast::models {

// The state of a fitted sepp_grid model.
struct SeppGridFit {
  double theta = 0;                // expected number of offspring per event, in [0, 1)
  double omega_per_day = 0;        // decay rate of the triggering kernel (mean delay 1/ω days)
  std::vector<double> mu_per_day;  // background rate per active cell, events per day
  int64_t iterations = 0;          // EM iterations (M-steps) done by the last full fit
  bool converged = false;          // the relative log-likelihood change fell below `tol`
  double log_likelihood = 0;       // at the reported parameters, over the training window
  int64_t events_used = 0;         // events of the training window in an active cell
  double neighbour_weight = 0;     // share of triggering that goes to the 8 neighbours
  int64_t window_start_s = 0;      // start of the training window of the last full fit
  int64_t origin_s = 0;            // the time the triggering state below refers to
  // Per active cell, Σ e^(−ω (origin_s − t_j)) over the cell's events with
  // window_start_s <= t_j < origin_s (t in days). Predict() spreads it to neighbours if asked.
  std::vector<double> excitation;
};

class SeppGridModel final : public Model {
 public:
  // A model with `params` (name -> text) resolved against SeppGridModelInfo().params.
  // kInvalidInput for bad or unknown parameters, as CreateModel().
  static Result<std::unique_ptr<SeppGridModel>> Create(
      const std::map<std::string, std::string>& params);
  // REQUIRES: `params` resolved against SeppGridModelInfo().params.
  explicit SeppGridModel(ParamValues params);
  ~SeppGridModel() override;

  std::string_view name() const override;
  const ParamValues& params() const override;

  // Fits μ, θ and ω by EM on the events in [origin − window_days, origin) that lie in an active
  // cell. With refit_every_days = 0 (the default) every call is a full fit, equal in bytes to a
  // fresh model's. With refit_every_days = k > 0, a call with the same `events` and `grid` and an
  // origin in [last full fit origin, + k days) keeps θ, ω and μ and only advances the triggering
  // state (as Update()). kInvalidInput for an empty grid or unsorted events.
  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override;

  // Expected events per active cell in [origin, origin + horizon_days):
  //   μ_c h + θ (1 − e^(−ω h)) Σ_s a(s→c) excitation_s
  // where a(s→c) is the share of cell s's offspring that land in c (1 for s = c when
  // neighbour_weight = 0). kInvalidInput before a successful Fit()/LoadFitted() or for a horizon
  // that is not a positive number.
  Result<grid::Surface> Predict(double horizon_days) const override;

  std::vector<std::string> Warnings() const override;

  // 0 with neighbour_weight = 0 (a cell's value rests on its own events); otherwise, once fitted,
  // sqrt(2) cells: a cell's value also rests on the events of its 8 neighbours.
  double SupportRadiusM() const override;
  // origin_s − window_days × 86400.
  int64_t TrainFromS(int64_t origin_s) const override;
  // kExpectedCount: Predict() gives expected events over the horizon.
  OutputKind output_kind() const override;

  // The fit as JSON: {"model", "schema_version", "params", "grid", "theta", "omega_per_day",
  // "iterations", "converged", "log_likelihood", "events_used", "neighbour_weight",
  // "window_start_s", "origin_s", "mu_per_day": [...], "excitation": [...]}; "{}" before a fit.
  std::string FittedJson() const override;
  // Restores a FittedJson() for the same grid (its size and geometry are checked). The model's
  // own parameters are kept; neighbour_weight comes from the JSON, as the fit used it.
  // kInvalidInput for malformed JSON, another model or a different grid (naming the field);
  // kData for another schema_version.
  Status LoadFitted(std::string_view json, const grid::Grid& grid) override;

  // Keeps θ, ω and μ and moves the triggering state from fit().origin_s to `new_origin_s`,
  // reading only the events in [fit().origin_s, new_origin_s) that lie in an active cell of
  // `grid`: O(new events + cells). The result equals the triggering sum recomputed from scratch
  // over [fit().window_start_s, new_origin_s) with the same parameters, up to rounding.
  // kInvalidInput before a fit, for a grid with another number of cells, or for
  // new_origin_s < fit().origin_s. `grid` must outlive the next Predict().
  Status Update(const EventSet& events, const grid::Grid& grid, int64_t new_origin_s);

  // REQUIRES: a successful Fit() or LoadFitted().
  const SeppGridFit& fit() const;
  // Log-likelihood at the start of each EM iteration of the last full fit (iterations + 1 values,
  // the last one at the reported parameters); for diagnostics and tests.
  const std::vector<double>& log_likelihood_trace() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The registry's entry for "sepp_grid".
const ModelInfo& SeppGridModelInfo();
// REQUIRES: `params` resolved against SeppGridModelInfo().params.
Result<std::unique_ptr<Model>> MakeSeppGridModel(ParamValues params);

}  // namespace placecast::models
