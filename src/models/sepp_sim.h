// SPDX-License-Identifier: Apache-2.0
// Simulators of self-exciting point processes by their branching structure, with a seed, for
// parameter-recovery tests and benchmarks of the SEPP models. Internal to the models subsystem.
// The random numbers come from std::mt19937_64 (fully specified by the standard) turned into
// uniforms, exponentials and Poisson counts by our own formulas, so a seed gives the same events on
// every platform and standard library. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::models {

struct SeppGridSimSpec {
  double theta = 0.4;              // expected offspring per event, in [0, 1)
  double omega_per_day = 0.2;      // offspring delays are exponential with this rate
  std::vector<double> mu_per_day;  // background rate per active cell (grid.num_cells() values)
  // Share of each event's offspring placed in its 8 neighbouring active cells (evenly), the rest in
  // its own cell; with no active neighbour all stay. The same rule as sepp_grid's option.
  double neighbour_weight = 0;
  int64_t start_s = 0;  // the simulation covers [start_s, start_s + duration_days)
  double duration_days = 365;
  uint64_t seed = 1;
};

// Draws the process on [start_s, start_s + duration_days): in each cell a homogeneous Poisson
// background of rate μ_c; every event (background or not) has Poisson(θ) children at exponential(ω)
// delays, placed in its cell (or a neighbour, see neighbour_weight); children after the end are
// dropped. Each event lies at a uniform point inside its cell, its time rounded to the second; ids
// are "g<generation>-<n>". Returns the events sorted by time. kInvalidInput for parameters out of
// range or a wrong number of rates.
Result<EventSet> SimulateSeppGrid(const grid::Grid& grid, const SeppGridSimSpec& spec);

// The continuous model of `sepp`: a background homogeneous in time, in space uniform over a box or
// a mixture of the box and Gaussian blobs; every event has Poisson(θ) children at exponential(ω)
// delays, displaced by independent Gaussian(σ) steps in x and y. That is the triggering kernel
// g(Δt, Δx, Δy) = θ ω e^(−ω Δt) N(Δx; σ) N(Δy; σ).
struct SeppSimBlob {
  double x_m = 0, y_m = 0;  // centre
  double sd_m = 100;        // standard deviation per axis
  double weight = 0.1;      // share of the background events drawn from this blob
};

struct SeppSimSpec {
  double theta = 0.3;              // expected offspring per event, in [0, 1)
  double omega_per_day = 0.1;      // offspring delays are exponential with this rate
  double sigma_m = 50;             // offspring displacement: Gaussian sd per axis, metres
  double background_per_day = 20;  // background events per day in total
  double x0_m = 0, y0_m = 0;       // the background box [x0, x1) × [y0, y1)
  double x1_m = 10000, y1_m = 10000;
  std::vector<SeppSimBlob> blobs;  // weights sum to at most 1; the rest is uniform in the box
  int64_t start_s = 0;             // the simulation covers [start_s, start_s + duration_days)
  double duration_days = 365;
  uint64_t seed = 1;
};

// Draws the process on [start_s, start_s + duration_days) by its branching structure; children
// after the end are dropped, children outside the box are kept (space is unbounded). Times are
// rounded down to the second; ids are "s<generation>-<n>". Returns the events sorted by time.
// kInvalidInput for parameters out of range.
Result<EventSet> SimulateSepp(const SeppSimSpec& spec);

}  // namespace placecast::models
