// SPDX-License-Identifier: Apache-2.0
// `sepp`: the continuous-space self-exciting point process of Mohler, Short, Brantingham,
// Schoenberg and Tita (2011), "Self-exciting point process modeling of crime", JASA 106. The
// intensity in events per day per m² is
//   λ(t, x, y) = μ(x, y) + Σ_{t_j < t} g(t − t_j, x − x_j, y − y_j),
// with a background μ estimated as a kernel density of the events weighted by their background
// probabilities, and a triggering kernel g = θ h(Δt) f(Δx, Δy) estimated non-parametrically from
// the inferred parent–offspring lags (expected or stochastic declustering), within bounded windows
// in time and space. Formulas and choices: docs/models.md, "sepp".
// A SeppModel is not thread-safe (one instance per thread); Fit() itself uses `num_threads`
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

// The state of a fitted sepp model.
struct SeppFit {
  double theta = 0;             // expected offspring per event (mass of g), in [0, 1)
  double max_trigger_days = 0;  // g is zero for lags outside (0, max_trigger_days] …
  double max_trigger_m = 0;     // … or with |Δx| or |Δy| > max_trigger_m
  // h: the time density of g, per day, constant on time_density.size() equal bins over
  // (0, max_trigger_days]; it integrates to 1.
  std::vector<double> time_density;
  // f: the space density of g, per m², constant on n × n equal square bins over
  // [−max_trigger_m, max_trigger_m]², row-major from the south-west (n² values); integrates to 1.
  std::vector<double> space_density;
  // Summaries of g for reports and tests: the mean and median lag under h, and under f the
  // standard deviation of each coordinate, sqrt((E Δx² + E Δy²) / 2), and the median distance.
  double mean_lag_days = 0, median_lag_days = 0;
  double space_sd_m = 0, median_distance_m = 0;
  double background_bandwidth_m = 0;  // the background kernel's standard deviation
  std::vector<double> mu_per_day;     // background events per day in each active cell
  // The events that can still trigger at the origin (origin − max_trigger_days < t_j < origin),
  // in time order: their age at the origin in days and their position.
  std::vector<double> trigger_age_days, trigger_x_m, trigger_y_m;
  int64_t iterations = 0;   // M-steps done by the fit
  bool converged = false;   // the stopping rule (docs/models.md) was met before the cap
  int64_t events_used = 0;  // events of the training window in an active cell
  int64_t pairs = 0;        // candidate parent–offspring pairs inside both windows
  int64_t window_start_s = 0;
  int64_t origin_s = 0;
};

class SeppModel final : public Model {
 public:
  // A model with `params` (name -> text) resolved against SeppModelInfo().params.
  // kInvalidInput for bad or unknown parameters, as CreateModel().
  static Result<std::unique_ptr<SeppModel>> Create(
      const std::map<std::string, std::string>& params);
  // REQUIRES: `params` resolved against SeppModelInfo().params.
  explicit SeppModel(ParamValues params);
  ~SeppModel() override;

  std::string_view name() const override;
  const ParamValues& params() const override;

  // Fits μ and g on the events in [origin − window_days, origin) that lie in an active cell,
  // iterating declustering and kernel estimation until the stopping rule holds or max_iterations.
  // With refit_every_days = 0 (the default) every call is a full fit, equal in bytes to a fresh
  // model's; with k > 0, a call with the same events and grid within k days after the last full
  // fit does Update() instead. kInvalidInput for an empty grid,
  // unsorted events, or a background raster too fine for the grid (background_bandwidth_m).
  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override;

  // Incremental update: keeps θ, g and μ and moves the origin to new_origin_s, replacing the
  // events that can still trigger by those of `events` (sorted by time) in the training window
  // before the new origin, in an active cell, younger than max_trigger_days — so Predict() equals
  // the full forecast with these fixed parameters (tested). O(events in the window) by binary
  // search. kInvalidInput before a fit, for another grid size, unsorted events, or a new origin
  // before the fit's origin.
  Status Update(const EventSet& events, const grid::Grid& grid, int64_t new_origin_s);

  // Expected events per active cell in [origin, origin + horizon_days): the background integrated
  // over the cell times the horizon, plus, for every event that can still trigger, θ × (mass of h
  // over the event's ages during the horizon) × (mass of f over the cell seen from the event).
  // kInvalidInput before a successful Fit()/LoadFitted() or for a horizon that is not a positive
  // number.
  Result<grid::Surface> Predict(double horizon_days) const override;

  std::vector<std::string> Warnings() const override;

  // sqrt(2) x max(4 background_bandwidth_m + one background bin (a cell, once fitted),
  // max_trigger_m): the square supports of the background kernel and of the triggering window.
  double SupportRadiusM() const override;
  // origin_s − window_days × 86400.
  int64_t TrainFromS(int64_t origin_s) const override;
  // kExpectedCount: Predict() gives expected events over the horizon.
  OutputKind output_kind() const override;

  // The fit as JSON: {"model", "schema_version", "params", "grid", "theta", "max_trigger_days",
  // "max_trigger_m", "time_density", "space_density", "mean_lag_days", "median_lag_days",
  // "space_sd_m", "median_distance_m", "background_bandwidth_m", "iterations", "converged",
  // "events_used", "pairs", "window_start_s", "origin_s", "mu_per_day", "trigger_age_days",
  // "trigger_x_m", "trigger_y_m"}, numbers with round-trip precision; "{}" before a fit.
  std::string FittedJson() const override;
  // Restores a FittedJson() for the same grid (size and geometry checked). kInvalidInput for
  // malformed JSON, another model or another grid (naming the field); kData for another
  // schema_version.
  Status LoadFitted(std::string_view json, const grid::Grid& grid) override;

  // REQUIRES: a successful Fit() or LoadFitted().
  const SeppFit& fit() const;
  // Per event used by the last Fit() (in time order), its probability of being a background
  // event at the final iteration; empty after LoadFitted().
  const std::vector<double>& background_probability() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The registry's entry for "sepp".
const ModelInfo& SeppModelInfo();
// REQUIRES: `params` resolved against SeppModelInfo().params.
Result<std::unique_ptr<Model>> MakeSeppModel(ParamValues params);

}  // namespace placecast::models
