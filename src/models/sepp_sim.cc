// SPDX-License-Identifier: Apache-2.0
// Branching-structure simulators of the SEPP models. Pure functions; thread-safe.
#include "models/sepp_sim.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "models/cell_sums.h"

namespace placecast::models {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  // Uniform in (0, 1): 53 random bits, never 0.
  double Uniform() { return (static_cast<double>(gen_() >> 11) + 0.5) * 0x1.0p-53; }
  double Exponential(double rate) { return -std::log(Uniform()) / rate; }
  // Poisson by inversion of the CDF (used for small means: θ < 1).
  int Poisson(double mean) {
    const double u = Uniform();
    double p = std::exp(-mean), cdf = p;
    int k = 0;
    while (u > cdf && k < 1000) {
      ++k;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }
  // Standard normal by Box–Muller (one of the pair; the formula is ours, not the library's).
  double Normal() {
    const double u = Uniform(), v = Uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * 3.14159265358979323846 * v);
  }
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Uniform() * static_cast<double>(n)); }

 private:
  std::mt19937_64 gen_;
};

struct SimEvent {
  double t_days;
  grid::CellId cell;
  int generation;
};

}  // namespace

Result<EventSet> SimulateSeppGrid(const grid::Grid& grid, const SeppGridSimSpec& spec) {
  if (!(spec.theta >= 0 && spec.theta < 1)) {
    return Status::InvalidInput("SimulateSeppGrid: theta: expected a value in [0, 1) (got " +
                                FormatValue(spec.theta) + ")");
  }
  if (!(spec.omega_per_day > 0) || !std::isfinite(spec.omega_per_day)) {
    return Status::InvalidInput(
        "SimulateSeppGrid: omega_per_day: expected a positive number (got " +
        FormatValue(spec.omega_per_day) + ")");
  }
  if (!(spec.neighbour_weight >= 0 && spec.neighbour_weight <= 1)) {
    return Status::InvalidInput("SimulateSeppGrid: neighbour_weight: expected a value in [0, 1]");
  }
  if (!(spec.duration_days > 0) || !std::isfinite(spec.duration_days)) {
    return Status::InvalidInput("SimulateSeppGrid: duration_days: expected a positive number");
  }
  if (spec.mu_per_day.size() != static_cast<size_t>(grid.num_cells())) {
    return Status::InvalidInput(
        "SimulateSeppGrid: mu_per_day: expected " + std::to_string(grid.num_cells()) +
        " rates (one per active cell), got " + std::to_string(spec.mu_per_day.size()));
  }
  Rng rng(spec.seed);
  const double T = spec.duration_days;
  std::vector<SimEvent> all;
  for (grid::CellId c = 0; c < grid.num_cells(); ++c) {
    const double mu = spec.mu_per_day[static_cast<size_t>(c)];
    if (!(mu >= 0) || !std::isfinite(mu)) {
      return Status::InvalidInput("SimulateSeppGrid: mu_per_day[" + std::to_string(c) +
                                  "]: expected a non-negative number");
    }
    if (mu == 0) continue;
    for (double t = rng.Exponential(mu); t < T; t += rng.Exponential(mu)) all.push_back({t, c, 0});
  }
  // Offspring, generation by generation (all is appended to while it is walked).
  for (size_t k = 0; k < all.size(); ++k) {
    const SimEvent parent = all[k];
    const int kids = rng.Poisson(spec.theta);
    for (int q = 0; q < kids; ++q) {
      const double t = parent.t_days + rng.Exponential(spec.omega_per_day);
      grid::CellId cell = parent.cell;
      if (spec.neighbour_weight > 0 && rng.Uniform() < spec.neighbour_weight) {
        std::vector<grid::CellId> nbs;
        for (int dr = -1; dr <= 1; ++dr) {
          for (int dc = -1; dc <= 1; ++dc) {
            if (dr == 0 && dc == 0) continue;
            const grid::CellId m =
                grid.ColRowToCell(grid.CellCol(parent.cell) + dc, grid.CellRow(parent.cell) + dr);
            if (m != grid::kNoCell) nbs.push_back(m);
          }
        }
        if (!nbs.empty()) cell = nbs[rng.Below(nbs.size())];
      }
      if (t < T) all.push_back({t, cell, parent.generation + 1});
    }
  }
  EventSet out;
  const double s = grid.cell_size_m();
  for (size_t k = 0; k < all.size(); ++k) {
    const SimEvent& e = all[k];
    const double x = grid.x0_m() + (grid.CellCol(e.cell) + rng.Uniform()) * s;
    const double y = grid.y0_m() + (grid.CellRow(e.cell) + rng.Uniform()) * s;
    const auto t_s = spec.start_s + static_cast<int64_t>(std::floor(e.t_days * kSecondsPerDay));
    char id[48];
    std::snprintf(id, sizeof(id), "g%d-%zu", e.generation, k);
    out.Add(t_s, x, y, OffenceGroup::kBurglaryResidential, "simulated", id);
  }
  out.SortByTime();
  return out;
}

Result<EventSet> SimulateSepp(const SeppSimSpec& spec) {
  auto bad = [](const std::string& what) { return Status::InvalidInput("SimulateSepp: " + what); };
  if (!(spec.theta >= 0 && spec.theta < 1)) {
    return bad("theta: expected a value in [0, 1) (got " + FormatValue(spec.theta) + ")");
  }
  if (!(spec.omega_per_day > 0) || !std::isfinite(spec.omega_per_day)) {
    return bad("omega_per_day: expected a positive number (got " + FormatValue(spec.omega_per_day) +
               ")");
  }
  if (!(spec.sigma_m >= 0) || !std::isfinite(spec.sigma_m)) {
    return bad("sigma_m: expected a non-negative number (got " + FormatValue(spec.sigma_m) + ")");
  }
  if (!(spec.background_per_day >= 0) || !std::isfinite(spec.background_per_day)) {
    return bad("background_per_day: expected a non-negative number");
  }
  if (!(spec.x1_m > spec.x0_m) || !(spec.y1_m > spec.y0_m)) {
    return bad("box: expected x0_m < x1_m and y0_m < y1_m");
  }
  if (!(spec.duration_days > 0) || !std::isfinite(spec.duration_days)) {
    return bad("duration_days: expected a positive number");
  }
  double blob_total = 0;
  for (const auto& b : spec.blobs) {
    if (!(b.weight >= 0) || !(b.sd_m > 0)) return bad("blobs: expected weight >= 0 and sd_m > 0");
    blob_total += b.weight;
  }
  if (blob_total > 1 + 1e-12) return bad("blobs: weights sum to more than 1");
  Rng rng(spec.seed);
  const double T = spec.duration_days;
  struct Ev {
    double t, x, y;
    int generation;
  };
  std::vector<Ev> all;
  if (spec.background_per_day > 0) {
    for (double t = rng.Exponential(spec.background_per_day); t < T;
         t += rng.Exponential(spec.background_per_day)) {
      double u = rng.Uniform();
      const SeppSimBlob* blob = nullptr;
      for (const auto& b : spec.blobs) {
        if (u < b.weight) {
          blob = &b;
          break;
        }
        u -= b.weight;
      }
      if (blob != nullptr) {
        const double x = blob->x_m + blob->sd_m * rng.Normal();
        all.push_back({t, x, blob->y_m + blob->sd_m * rng.Normal(), 0});
      } else {
        const double x = spec.x0_m + (spec.x1_m - spec.x0_m) * rng.Uniform();
        all.push_back({t, x, spec.y0_m + (spec.y1_m - spec.y0_m) * rng.Uniform(), 0});
      }
    }
  }
  for (size_t k = 0; k < all.size(); ++k) {
    const Ev parent = all[k];
    const int kids = rng.Poisson(spec.theta);
    for (int q = 0; q < kids; ++q) {
      const double t = parent.t + rng.Exponential(spec.omega_per_day);
      const double x = parent.x + spec.sigma_m * rng.Normal();
      const double y = parent.y + spec.sigma_m * rng.Normal();
      if (t < T) all.push_back({t, x, y, parent.generation + 1});
    }
  }
  EventSet out;
  for (size_t k = 0; k < all.size(); ++k) {
    const Ev& e = all[k];
    const auto t_s = spec.start_s + static_cast<int64_t>(std::floor(e.t * kSecondsPerDay));
    char id[48];
    std::snprintf(id, sizeof(id), "s%d-%zu", e.generation, k);
    out.Add(t_s, e.x, e.y, OffenceGroup::kBurglaryResidential, "simulated", id);
  }
  out.SortByTime();
  return out;
}

}  // namespace placecast::models
