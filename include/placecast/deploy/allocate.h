// SPDX-License-Identifier: Apache-2.0
// Patrol allocation per shift: which patrol points (or beats) to staff with the units of a shift so
// that the forecast events they cover are as many as possible — the maximal covering location
// problem of Church and ReVelle (1974). Also the time-of-day profile that splits a forecast into
// shifts, and the coverage sets of points and beats on a grid. Method in docs/allocation.md.
//
// Pure functions over in-memory grids, events and tables. Thread-safety: everything is safe to call
// from several threads except SolveMaxCover with the GLPK solver, which uses GLPK's process-wide
// environment: call it from one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/status.h"

namespace placecast::deploy {

// A shift: local wall-clock hours [start_hour, end_hour), wrapping past midnight when
// end_hour <= start_hour ("22-06" is 22:00 to 06:00 the next morning).
struct Shift {
  int32_t start_hour = 0;  // 0..23
  int32_t end_hour = 0;    // 0..24
  // "06-14".
  std::string Label() const;
  // Hours covered, 1..24.
  int32_t Hours() const;
  // True when local hour `h` (0..23) falls in the shift.
  bool ContainsHour(int32_t h) const;
};

// Parses "06-14,14-22,22-06": comma-separated START-END local hours (0..24). kInvalidInput naming
// the item when an item is malformed, an hour is out of range, a shift is empty (start == end is
// read as the whole day only when it is the single shift "0-24"), or two shifts overlap. Shifts
// need not cover the whole day; events in uncovered hours then belong to no shift.
Result<std::vector<Shift>> ParseShifts(std::string_view spec);

// Index of the shift holding local hour `h` (0..23), or -1.
int32_t ShiftOfHour(const std::vector<Shift>& shifts, int32_t h);

// Time-of-day profile per cell: the share of a cell's past events that fell in each shift, by local
// time, shrunk towards the citywide profile because most cells have few events:
//   share[c][s] = (n_cs + k · city_s) / (n_c + k),   city_s = N_s / N,
// with n_cs the cell's events in shift s, n_c its events, N_s and N the same over every active
// cell, and k = prior_weight (a cell with k events is pulled halfway to the city). With no event at
// all, city_s = hours of s / 24. The shares of a cell sum to the city's coverage of the day
// (1 when the shifts cover the whole day).
struct ShiftProfile {
  int32_t num_shifts = 0;
  double prior_weight = 0;
  std::vector<double> citywide;          // [shift]
  std::vector<int64_t> citywide_events;  // [shift] N_s
  int64_t events = 0;                    // N (events in active cells)
  std::vector<double> share;             // [cell * num_shifts + shift]
  double Share(grid::CellId cell, int32_t shift) const {
    return share[static_cast<size_t>(cell) * num_shifts + shift];
  }
};

// Default prior weight k of the shrinkage: 10 events. A cell with 10 past events keeps half its
// own profile; one with 100 keeps 91 %. Smaller k trusts sparse cells more (noisier weights),
// larger k flattens every cell to the city's profile.
inline constexpr double kDefaultProfilePriorWeight = 10;

// Builds the profile from `events` with t in [t_from_s, t_to_s). `utc_offset_s` gives each event's
// offset of local time from UTC in its source time zone (local = UTC + offset; empty = all UTC).
// Events outside the active cells are ignored. kInvalidInput when there is no shift, the offsets
// do not match the events, or prior_weight is negative or not finite.
Result<ShiftProfile> BuildShiftProfile(const EventSet& events,
                                       const std::vector<int32_t>& utc_offset_s,
                                       const grid::Grid& grid, const std::vector<Shift>& shifts,
                                       int64_t t_from_s, int64_t t_to_s, double prior_weight);

// Active cells whose centre lies within `radius_m` of (x_m, y_m) (distance <= radius), ascending.
std::vector<grid::CellId> CellsWithinRadius(const grid::Grid& grid, double x_m, double y_m,
                                            double radius_m);

// Active cells whose centre lies in `beat`, ascending.
std::vector<grid::CellId> CellsInPolygon(const grid::Grid& grid, const grid::Boundary& beat);

// Candidate patrol points when the user has none ("--points auto:N"): walking the cells in the
// order of grid::RankCells(risk, ties) (descending risk, ties by the tie rule's keys `ties`, empty:
// by ascending id), a cell's centre becomes a point when it is at least `min_spacing_m` from every
// point already placed, until `count` points are placed or the cells with positive risk run out.
// Returns the chosen cells in placement order. kInvalidInput for count < 1, a risk vector or tie
// key of the wrong size, or a negative spacing.
Result<std::vector<grid::CellId>> AutoPointCells(const grid::Grid& grid,
                                                 const std::vector<double>& risk,
                                                 const grid::TieBreak& ties, int32_t count,
                                                 double min_spacing_m);

// One shift's maximal covering problem:
//   maximise Σ_c w_c y_c  subject to  y_c <= Σ_{p covers c} x_p,  Σ_p x_p <= units,
//   group_min[d] <= Σ_{p in d} x_p <= group_max[d],  x_p ∈ {0, 1},  0 <= y_c <= 1.
struct CoverProblem {
  std::vector<double> weight;                // per demand cell, finite and >= 0
  std::vector<std::vector<int32_t>> covers;  // per site: indices into `weight`
  int32_t units = 0;                         // >= 0
  // Optional bounds per group (district). site_group is empty (no bounds) or one entry per site:
  // an index into group_names, or -1 for a site in no group.
  std::vector<int32_t> site_group;
  std::vector<std::string> group_names;
  std::vector<int32_t> group_min, group_max;  // per group; max < 0 means no maximum

  // kInvalidInput naming the field for a malformed problem (sizes, negative or non-finite weight,
  // an index out of range, negative units, min < 0, min > max), and naming the group for
  // infeasible bounds: a minimum above the group's sites, or minimums summing above `units`.
  Status Validate() const;
};

enum class Solver { kGlpk, kGreedy };

struct SolveOptions {
  Solver solver = Solver::kGlpk;
  // Wall-clock limit of GLPK's branch and bound. Default 60 s; when it is hit, the greedy plan is
  // used (or GLPK's incumbent when it is better) and the gap against the bound is reported.
  double time_limit_s = 60;
};

struct CoverSolution {
  // Chosen sites in rank order: each next site is the chosen one adding the most weight to those
  // before it (ties by ascending index); marginal[i] is what site i adds. Σ marginal = objective.
  std::vector<int32_t> sites;
  std::vector<double> marginal;
  double objective = 0;  // covered weight Σ_c w_c min(1, Σ x_p)
  // Upper bound on the optimum: the MIP optimum when proven, else the LP-relaxation optimum.
  double bound = 0;
  // (bound − objective) / bound, 0 when bound is 0. 0 for a proven optimum.
  double gap = 0;
  double lp_bound = 0;   // LP-relaxation optimum (always computed)
  std::string solver;    // "glpk" or "greedy"
  std::string status;    // "optimal", "time_limit" or "heuristic" (Solver::kGreedy)
  bool optimal = false;  // objective proven optimal
  double time_s = 0;     // wall-clock seconds of the solve
};

// Solves `p` with GLPK (LP relaxation by simplex, then glp_intopt with presolve, MIP gap 0 and the
// time limit) or greedily: repeatedly add the site with the largest marginal gain (ties: lowest
// index) whose group is below its maximum, forced into groups still below their minimum when the
// remaining units are needed for those minimums, until the units are used or no site adds weight
// and every minimum is met. Errors: Validate()'s; kInternal when GLPK fails unexpectedly.
Result<CoverSolution> SolveMaxCover(const CoverProblem& p, const SolveOptions& options);

// Covered weight of a set of sites: Σ_c w_c · [c covered by some site of `sites`].
double CoveredWeight(const CoverProblem& p, const std::vector<int32_t>& sites);

// Orders `sites` by marginal gain as CoverSolution::sites does, filling `marginal`.
std::vector<int32_t> RankByMarginalGain(const CoverProblem& p, std::vector<int32_t> sites,
                                        std::vector<double>* marginal);

}  // namespace placecast::deploy
