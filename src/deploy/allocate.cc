// SPDX-License-Identifier: Apache-2.0
// Patrol allocation per shift (maximal covering location problem, Church and ReVelle 1974): shift
// parsing, the shrunk time-of-day profile, coverage sets, and the exact (GLPK) and greedy solvers.
// See include/placecast/deploy/allocate.h for the contracts and docs/allocation.md for the method.
#include "placecast/deploy/allocate.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace placecast::deploy {

std::string Shift::Label() const {
  char b[16];
  std::snprintf(b, sizeof(b), "%02d-%02d", start_hour, end_hour);
  return b;
}

int32_t Shift::Hours() const {
  const int32_t h = end_hour - start_hour;
  return h > 0 ? h : h + 24;
}

bool Shift::ContainsHour(int32_t h) const { return ((h - start_hour + 24) % 24) < Hours(); }

namespace {

// Parses a whole non-negative integer; false when `s` is not one.
bool ParseHour(std::string_view s, int32_t* out) {
  if (s.empty() || s.size() > 2) return false;
  int32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<Shift>> ParseShifts(std::string_view spec) {
  std::vector<Shift> shifts;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    const std::string_view item = Trim(spec.substr(pos, comma - pos));
    pos = comma + 1;
    const std::string quoted = "(got \"" + std::string(item) + "\")";
    const size_t dash = item.find('-');
    Shift s;
    if (dash == std::string_view::npos || !ParseHour(item.substr(0, dash), &s.start_hour) ||
        !ParseHour(item.substr(dash + 1), &s.end_hour)) {
      return Status::InvalidInput("--shifts: expected START-END local hours such as 06-14 " +
                                  quoted);
    }
    if (s.start_hour > 23 || s.end_hour > 24) {
      return Status::InvalidInput("--shifts: start hour must be 0..23 and end hour 0..24 " +
                                  quoted);
    }
    if (s.end_hour == 24) s.end_hour = 0;
    if (s.start_hour == s.end_hour && !(item == "0-24" || item == "00-24")) {
      return Status::InvalidInput(
          "--shifts: a shift must not be empty; write 00-24 for one "
          "shift covering the whole day " +
          quoted);
    }
    for (const Shift& o : shifts) {
      for (int32_t h = 0; h < 24; ++h) {
        if (o.ContainsHour(h) && s.ContainsHour(h)) {
          return Status::InvalidInput("--shifts: " + s.Label() + " overlaps " + o.Label() +
                                      " at hour " + std::to_string(h));
        }
      }
    }
    shifts.push_back(s);
    if (comma == spec.size()) break;
  }
  return shifts;
}

int32_t ShiftOfHour(const std::vector<Shift>& shifts, int32_t h) {
  for (size_t i = 0; i < shifts.size(); ++i) {
    if (shifts[i].ContainsHour(h)) return static_cast<int32_t>(i);
  }
  return -1;
}

Result<ShiftProfile> BuildShiftProfile(const EventSet& events,
                                       const std::vector<int32_t>& utc_offset_s,
                                       const grid::Grid& grid, const std::vector<Shift>& shifts,
                                       int64_t t_from_s, int64_t t_to_s, double prior_weight) {
  if (shifts.empty()) return Status::InvalidInput("shift profile: no shift");
  if (!utc_offset_s.empty() && utc_offset_s.size() != events.size()) {
    return Status::InvalidInput("shift profile: utc_offset_s has " +
                                std::to_string(utc_offset_s.size()) + " entries for " +
                                std::to_string(events.size()) + " events");
  }
  if (!(prior_weight >= 0) || !std::isfinite(prior_weight)) {
    return Status::InvalidInput("shift profile: prior weight must be finite and >= 0");
  }
  const int32_t ns = static_cast<int32_t>(shifts.size());
  int32_t shift_of_hour[24];
  for (int32_t h = 0; h < 24; ++h) shift_of_hour[h] = ShiftOfHour(shifts, h);
  ShiftProfile p;
  p.num_shifts = ns;
  p.prior_weight = prior_weight;
  const size_t nc = static_cast<size_t>(grid.num_cells());
  std::vector<int64_t> n_cs(nc * ns, 0), n_c(nc, 0);
  p.citywide_events.assign(ns, 0);
  const auto [first, last] = events.TimeRange(t_from_s, t_to_s);
  for (size_t i = first; i < last; ++i) {
    const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
    if (c == grid::kNoCell) continue;
    const int64_t local = events.t_s[i] + (utc_offset_s.empty() ? 0 : utc_offset_s[i]);
    const int64_t sec_of_day = ((local % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay;
    const int32_t s = shift_of_hour[sec_of_day / 3600];
    ++n_c[c];
    ++p.events;
    if (s < 0) continue;
    ++n_cs[c * ns + s];
    ++p.citywide_events[s];
  }
  p.citywide.resize(ns);
  for (int32_t s = 0; s < ns; ++s) {
    p.citywide[s] = p.events > 0 ? static_cast<double>(p.citywide_events[s]) / p.events
                                 : shifts[s].Hours() / 24.0;
  }
  p.share.resize(nc * ns);
  for (size_t c = 0; c < nc; ++c) {
    const double denom = static_cast<double>(n_c[c]) + prior_weight;
    for (int32_t s = 0; s < ns; ++s) {
      p.share[c * ns + s] =
          denom > 0 ? (static_cast<double>(n_cs[c * ns + s]) + prior_weight * p.citywide[s]) / denom
                    : p.citywide[s];
    }
  }
  return p;
}

std::vector<grid::CellId> CellsWithinRadius(const grid::Grid& grid, double x_m, double y_m,
                                            double radius_m) {
  std::vector<grid::CellId> out;
  if (!(radius_m >= 0)) return out;
  const double s = grid.cell_size_m();
  // Centres (x0 + (c + 0.5)s) within [x − r, x + r]: c from ceil((x − r − x0)/s − 0.5).
  const int32_t c0 =
      std::max(0, static_cast<int32_t>(std::ceil((x_m - radius_m - grid.x0_m()) / s - 0.5)));
  const int32_t c1 = std::min(
      grid.nx() - 1, static_cast<int32_t>(std::floor((x_m + radius_m - grid.x0_m()) / s - 0.5)));
  const int32_t r0 =
      std::max(0, static_cast<int32_t>(std::ceil((y_m - radius_m - grid.y0_m()) / s - 0.5)));
  const int32_t r1 = std::min(
      grid.ny() - 1, static_cast<int32_t>(std::floor((y_m + radius_m - grid.y0_m()) / s - 0.5)));
  const double r2 = radius_m * radius_m;
  for (int32_t r = r0; r <= r1; ++r) {
    const double dy = grid.y0_m() + (r + 0.5) * s - y_m;
    for (int32_t c = c0; c <= c1; ++c) {
      const double dx = grid.x0_m() + (c + 0.5) * s - x_m;
      if (dx * dx + dy * dy > r2) continue;
      const grid::CellId id = grid.ColRowToCell(c, r);
      if (id != grid::kNoCell) out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<grid::CellId> CellsInPolygon(const grid::Grid& grid, const grid::Boundary& beat) {
  std::vector<grid::CellId> out;
  if (beat.empty()) return out;
  double xmin, ymin, xmax, ymax;
  beat.Extent(&xmin, &ymin, &xmax, &ymax);
  const grid::BoundaryIndex index(beat);
  const double s = grid.cell_size_m();
  const int32_t c0 = std::max(0, static_cast<int32_t>(std::floor((xmin - grid.x0_m()) / s)));
  const int32_t c1 =
      std::min(grid.nx() - 1, static_cast<int32_t>(std::floor((xmax - grid.x0_m()) / s)));
  const int32_t r0 = std::max(0, static_cast<int32_t>(std::floor((ymin - grid.y0_m()) / s)));
  const int32_t r1 =
      std::min(grid.ny() - 1, static_cast<int32_t>(std::floor((ymax - grid.y0_m()) / s)));
  for (int32_t r = r0; r <= r1; ++r) {
    for (int32_t c = c0; c <= c1; ++c) {
      const grid::CellId id = grid.ColRowToCell(c, r);
      if (id == grid::kNoCell) continue;
      if (index.Contains(grid.CellCenterX(id), grid.CellCenterY(id))) out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<grid::CellId>> AutoPointCells(const grid::Grid& grid,
                                                 const std::vector<double>& risk,
                                                 const grid::TieBreak& ties, int32_t count,
                                                 double min_spacing_m) {
  if (count < 1) {
    return Status::InvalidInput("auto points: count must be >= 1 (got " + std::to_string(count) +
                                ")");
  }
  if (risk.size() != static_cast<size_t>(grid.num_cells())) {
    return Status::InvalidInput("auto points: " + std::to_string(risk.size()) +
                                " risk values for " + std::to_string(grid.num_cells()) + " cells");
  }
  for (const auto* key : {&ties.history, &ties.smoothed}) {
    if (!key->empty() && key->size() != risk.size()) {
      return Status::InvalidInput("auto points: " + std::to_string(key->size()) + " tie keys for " +
                                  std::to_string(grid.num_cells()) + " cells");
    }
  }
  if (!(min_spacing_m >= 0)) return Status::InvalidInput("auto points: spacing must be >= 0");
  grid::Surface surface;
  surface.value = risk;
  std::vector<grid::CellId> out;
  const double d2 = min_spacing_m * min_spacing_m;
  for (grid::CellId c : grid::RankCells(surface, ties).cells) {
    if (static_cast<int32_t>(out.size()) >= count || !(risk[c] > 0)) break;
    const double x = grid.CellCenterX(c), y = grid.CellCenterY(c);
    bool ok = true;
    for (grid::CellId o : out) {
      const double dx = grid.CellCenterX(o) - x, dy = grid.CellCenterY(o) - y;
      if (dx * dx + dy * dy < d2) {
        ok = false;
        break;
      }
    }
    if (ok) out.push_back(c);
  }
  return out;
}

Status CoverProblem::Validate() const {
  for (size_t c = 0; c < weight.size(); ++c) {
    if (!std::isfinite(weight[c]) || weight[c] < 0) {
      return Status::InvalidInput("allocation: weight[" + std::to_string(c) +
                                  "] must be finite and >= 0 (got " + std::to_string(weight[c]) +
                                  ")");
    }
  }
  for (size_t p = 0; p < covers.size(); ++p) {
    for (int32_t c : covers[p]) {
      if (c < 0 || static_cast<size_t>(c) >= weight.size()) {
        return Status::InvalidInput("allocation: covers[" + std::to_string(p) +
                                    "] names cell index " + std::to_string(c) + " outside 0.." +
                                    std::to_string(static_cast<int64_t>(weight.size()) - 1));
      }
    }
  }
  if (units < 0) {
    return Status::InvalidInput("allocation: units must be >= 0 (got " + std::to_string(units) +
                                ")");
  }
  if (site_group.empty()) return Status::Ok();
  const size_t ng = group_names.size();
  if (site_group.size() != covers.size() || group_min.size() != ng || group_max.size() != ng) {
    return Status::InvalidInput(
        "allocation: site_group needs one entry per site and group_min/"
        "group_max one per group name");
  }
  std::vector<int32_t> sites_in(ng, 0);
  for (size_t p = 0; p < site_group.size(); ++p) {
    const int32_t g = site_group[p];
    if (g < -1 || g >= static_cast<int32_t>(ng)) {
      return Status::InvalidInput("allocation: site_group[" + std::to_string(p) +
                                  "] = " + std::to_string(g) + " is not a group index");
    }
    if (g >= 0) ++sites_in[g];
  }
  int64_t sum_min = 0;
  for (size_t g = 0; g < ng; ++g) {
    const std::string name = "district " + group_names[g];
    if (group_min[g] < 0) {
      return Status::InvalidInput(name + ": minimum units must be >= 0 (got " +
                                  std::to_string(group_min[g]) + ")");
    }
    if (group_max[g] >= 0 && group_min[g] > group_max[g]) {
      return Status::InvalidInput(name + ": minimum " + std::to_string(group_min[g]) +
                                  " exceeds maximum " + std::to_string(group_max[g]));
    }
    if (group_min[g] > sites_in[g]) {
      return Status::InvalidInput(name + ": minimum " + std::to_string(group_min[g]) +
                                  " units but only " + std::to_string(sites_in[g]) +
                                  " patrol site(s) in it");
    }
    sum_min += group_min[g];
  }
  if (sum_min > units) {
    return Status::InvalidInput("district minimums sum to " + std::to_string(sum_min) +
                                " units, more than the " + std::to_string(units) + " available");
  }
  return Status::Ok();
}

double CoveredWeight(const CoverProblem& p, const std::vector<int32_t>& sites) {
  std::vector<uint8_t> covered(p.weight.size(), 0);
  double total = 0;
  for (int32_t s : sites) {
    for (int32_t c : p.covers[s]) {
      if (!covered[c]) {
        covered[c] = 1;
        total += p.weight[c];
      }
    }
  }
  return total;
}

namespace {

// What site `s` adds to the cells already covered.
double Gain(const CoverProblem& p, int32_t s, const std::vector<uint8_t>& covered) {
  double g = 0;
  for (int32_t c : p.covers[s]) {
    if (!covered[c]) g += p.weight[c];
  }
  return g;
}

void Cover(const CoverProblem& p, int32_t s, std::vector<uint8_t>* covered) {
  for (int32_t c : p.covers[s]) (*covered)[c] = 1;
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<int32_t> Greedy(const CoverProblem& p) {
  const int32_t ns = static_cast<int32_t>(p.covers.size());
  const bool grouped = !p.site_group.empty();
  const size_t ng = grouped ? p.group_names.size() : 0;
  std::vector<int32_t> count(ng, 0);
  std::vector<uint8_t> covered(p.weight.size(), 0), chosen(ns, 0);
  std::vector<int32_t> out;
  auto outstanding = [&] {
    int64_t o = 0;
    for (size_t g = 0; g < ng; ++g) o += std::max(0, p.group_min[g] - count[g]);
    return o;
  };
  while (static_cast<int32_t>(out.size()) < p.units) {
    const int64_t owed = outstanding();
    const bool forced = p.units - static_cast<int64_t>(out.size()) <= owed;
    // Pass 0: any admissible site; pass 1 (when nothing adds weight but minimums are owed): only
    // sites of groups still below their minimum.
    int32_t best = -1;
    for (int pass = 0; pass < 2 && best < 0; ++pass) {
      const bool only_owed = forced || pass == 1;
      if (pass == 1 && owed == 0) break;
      double best_gain = -1;
      for (int32_t s = 0; s < ns; ++s) {
        if (chosen[s]) continue;
        const int32_t g = grouped ? p.site_group[s] : -1;
        if (g >= 0 && p.group_max[g] >= 0 && count[g] >= p.group_max[g]) continue;
        if (only_owed && (g < 0 || count[g] >= p.group_min[g])) continue;
        const double gain = Gain(p, s, covered);
        if (gain > best_gain) {
          best_gain = gain;
          best = s;
        }
      }
      if (best >= 0 && !(best_gain > 0) && !only_owed) best = -1;
    }
    if (best < 0) break;
    chosen[best] = 1;
    Cover(p, best, &covered);
    if (grouped && p.site_group[best] >= 0) ++count[p.site_group[best]];
    out.push_back(best);
  }
  return out;
}

// Chosen sites that add nothing are dropped (from the end of the ranking) unless a district
// minimum needs them, so the plan never lists idle units.
std::vector<int32_t> DropIdle(const CoverProblem& p, std::vector<int32_t> ranked,
                              std::vector<double>* marginal) {
  const bool grouped = !p.site_group.empty();
  std::vector<int32_t> count(grouped ? p.group_names.size() : 0, 0);
  for (int32_t s : ranked) {
    if (grouped && p.site_group[s] >= 0) ++count[p.site_group[s]];
  }
  std::vector<int32_t> keep;
  std::vector<double> keep_m;
  for (size_t i = 0; i < ranked.size(); ++i) {
    const int32_t s = ranked[i];
    const int32_t g = grouped ? p.site_group[s] : -1;
    if (!((*marginal)[i] > 0) && (g < 0 || count[g] > p.group_min[g])) {
      if (g >= 0) --count[g];
      continue;
    }
    keep.push_back(s);
    keep_m.push_back((*marginal)[i]);
  }
  *marginal = std::move(keep_m);
  return keep;
}

// RAII for a GLPK problem object.
struct GlpProb {
  glp_prob* lp = glp_create_prob();
  ~GlpProb() { glp_delete_prob(lp); }
};

// Builds the MCLP in GLPK: columns x_p (binary) then y_c (continuous) for the demand cells that
// have weight and are covered by some site; rows y_c − Σ x_p <= 0, the units and the groups.
void BuildGlpk(const CoverProblem& p, glp_prob* lp) {
  glp_set_obj_dir(lp, GLP_MAX);
  const int32_t ns = static_cast<int32_t>(p.covers.size());
  std::vector<std::vector<int32_t>> covered_by(p.weight.size());
  for (int32_t s = 0; s < ns; ++s) {
    for (int32_t c : p.covers[s]) covered_by[c].push_back(s);
  }
  glp_add_cols(lp, ns);
  for (int32_t s = 0; s < ns; ++s) {
    glp_set_col_kind(lp, s + 1, GLP_BV);
  }
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  int row = 0;
  for (size_t c = 0; c < p.weight.size(); ++c) {
    if (!(p.weight[c] > 0) || covered_by[c].empty()) continue;
    // Duplicate sites of a cell (a site listing a cell twice) add their coefficients, which keeps
    // y_c <= Σ x_p valid.
    const int col = glp_add_cols(lp, 1);
    glp_set_col_bnds(lp, col, GLP_DB, 0.0, 1.0);
    glp_set_obj_coef(lp, col, p.weight[c]);
    row = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, row, GLP_UP, 0.0, 0.0);
    ia.push_back(row), ja.push_back(col), ar.push_back(1.0);
    for (int32_t s : covered_by[c]) ia.push_back(row), ja.push_back(s + 1), ar.push_back(-1.0);
  }
  row = glp_add_rows(lp, 1);
  glp_set_row_bnds(lp, row, GLP_UP, 0.0, static_cast<double>(p.units));
  for (int32_t s = 0; s < ns; ++s) ia.push_back(row), ja.push_back(s + 1), ar.push_back(1.0);
  if (!p.site_group.empty()) {
    for (size_t g = 0; g < p.group_names.size(); ++g) {
      row = glp_add_rows(lp, 1);
      const double lo = p.group_min[g], hi = p.group_max[g];
      if (p.group_max[g] < 0) {
        glp_set_row_bnds(lp, row, GLP_LO, lo, 0.0);
      } else if (lo == hi) {
        glp_set_row_bnds(lp, row, GLP_FX, lo, hi);
      } else {
        glp_set_row_bnds(lp, row, GLP_DB, lo, hi);
      }
      for (int32_t s = 0; s < ns; ++s) {
        if (p.site_group[s] == static_cast<int32_t>(g)) {
          ia.push_back(row), ja.push_back(s + 1), ar.push_back(1.0);
        }
      }
    }
  }
  glp_load_matrix(lp, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
}

}  // namespace

std::vector<int32_t> RankByMarginalGain(const CoverProblem& p, std::vector<int32_t> sites,
                                        std::vector<double>* marginal) {
  std::sort(sites.begin(), sites.end());
  std::vector<uint8_t> covered(p.weight.size(), 0), used(sites.size(), 0);
  std::vector<int32_t> out;
  marginal->clear();
  for (size_t k = 0; k < sites.size(); ++k) {
    size_t best = sites.size();
    double best_gain = -1;
    for (size_t i = 0; i < sites.size(); ++i) {
      if (used[i]) continue;
      const double g = Gain(p, sites[i], covered);
      if (g > best_gain) {
        best_gain = g;
        best = i;
      }
    }
    used[best] = 1;
    Cover(p, sites[best], &covered);
    out.push_back(sites[best]);
    marginal->push_back(best_gain);
  }
  return out;
}

Result<CoverSolution> SolveMaxCover(const CoverProblem& p, const SolveOptions& options) {
  PLACECAST_RETURN_IF_ERROR(p.Validate());
  const auto t0 = std::chrono::steady_clock::now();
  glp_term_out(GLP_OFF);
  GlpProb prob;
  BuildGlpk(p, prob.lp);
  CoverSolution sol;
  // The LP relaxation: the bound every plan is measured against.
  glp_smcp smcp;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  smcp.presolve = GLP_ON;
  const int lp_rc = glp_simplex(prob.lp, &smcp);
  if (lp_rc != 0 || glp_get_status(prob.lp) != GLP_OPT) {
    return Status::Internal("allocation: GLPK could not solve the LP relaxation (code " +
                            std::to_string(lp_rc) + ", status " +
                            std::to_string(glp_get_status(prob.lp)) + ")");
  }
  sol.lp_bound = glp_get_obj_val(prob.lp);

  std::vector<int32_t> chosen;
  if (options.solver == Solver::kGlpk) {
    glp_iocp iocp;
    glp_init_iocp(&iocp);
    iocp.msg_lev = GLP_MSG_OFF;
    iocp.presolve = GLP_ON;
    iocp.mip_gap = 0.0;
    const double limit_ms = std::clamp(options.time_limit_s * 1000.0, 1.0, 2.0e9);
    iocp.tm_lim = static_cast<int>(limit_ms);
    const int rc = glp_intopt(prob.lp, &iocp);
    const int st = glp_mip_status(prob.lp);
    if (rc == 0 && st == GLP_OPT) {
      for (int32_t s = 0; s < static_cast<int32_t>(p.covers.size()); ++s) {
        if (glp_mip_col_val(prob.lp, s + 1) > 0.5) chosen.push_back(s);
      }
      sol.solver = "glpk";
      sol.status = "optimal";
      sol.optimal = true;
    } else if (rc == GLP_ETMLIM) {
      // The greedy plan, or GLPK's incumbent when it covers more.
      chosen = Greedy(p);
      sol.solver = "greedy";
      if (st == GLP_FEAS) {
        std::vector<int32_t> incumbent;
        for (int32_t s = 0; s < static_cast<int32_t>(p.covers.size()); ++s) {
          if (glp_mip_col_val(prob.lp, s + 1) > 0.5) incumbent.push_back(s);
        }
        if (CoveredWeight(p, incumbent) > CoveredWeight(p, chosen)) {
          chosen = incumbent;
          sol.solver = "glpk";
        }
      }
      sol.status = "time_limit";
    } else {
      return Status::Internal("allocation: GLPK branch and bound failed (code " +
                              std::to_string(rc) + ", status " + std::to_string(st) + ")");
    }
  } else {
    chosen = Greedy(p);
    sol.solver = "greedy";
    sol.status = "heuristic";
  }
  sol.sites = RankByMarginalGain(p, chosen, &sol.marginal);
  sol.sites = DropIdle(p, sol.sites, &sol.marginal);
  sol.objective = CoveredWeight(p, sol.sites);
  sol.bound = sol.optimal ? sol.objective : std::max(sol.lp_bound, sol.objective);
  sol.gap = sol.bound > 0 ? (sol.bound - sol.objective) / sol.bound : 0.0;
  sol.time_s = SecondsSince(t0);
  return sol;
}

}  // namespace placecast::deploy
