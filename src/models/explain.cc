// SPDX-License-Identifier: Apache-2.0
// ExplainCell: recomputes one cell's value event by event with the model's own formula (the same
// expressions and fixed-point rounding as naive.cc, retro.cc and prospective.cc; the fitted state
// of sepp_grid.cc and sepp.cc, as fitted here or by the caller) and groups the contributions into
// parts, bands and top events; boost's cells are split by XGBoost's per-prediction feature
// contributions (boost.h). Stateless; safe to call from several threads.
#include "placecast/models/explain.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "models/boost.h"
#include "models/boost_words.h"
#include "models/cell_sums.h"
#include "models/retro.h"
#include "models/sepp_internal.h"
#include "placecast/models/model.h"
#include "placecast/models/sepp.h"
#include "placecast/models/sepp_grid.h"

namespace placecast::models {
namespace {

// One event's contribution to the cell.
struct Contribution {
  size_t index = 0;
  double distance_m = 0;
  double value = 0;
};

std::vector<double> DistanceEdges(double reach_m) {
  std::vector<double> edges = {0, 50, 100, 200};
  while (edges.back() < reach_m) edges.push_back(edges.back() * 2);
  while (edges.size() > 2 && edges[edges.size() - 2] >= reach_m) edges.pop_back();
  edges.back() = std::max(reach_m, edges[edges.size() - 2]);
  return edges;
}

std::vector<double> AgeEdges(double window_days) {
  std::vector<double> edges = {0, 7, 30, 90, 365};
  while (edges.size() > 2 && edges[edges.size() - 2] >= window_days) edges.pop_back();
  edges.back() = window_days;  // the last band ends at the window: cut to it or extended to it
  return edges;
}

size_t BandOf(const std::vector<double>& edges, double v) {
  for (size_t b = 0; b + 2 < edges.size(); ++b) {
    if (v < edges[b + 1]) return b;
  }
  return edges.size() - 2;
}

std::string FormatEdge(double v) { return FormatValue(std::round(v)); }

double Share(double value, double total) { return total != 0 ? value / total : 0.0; }

double RoundTo10(double d) { return std::round(d / 10.0) * 10.0; }

// Event i as an explanation may show it: time, offence, group, distance (to 10 m) and age.
ExplainEvent ToExplainEvent(const EventSet& events, int64_t origin_s, size_t i, double distance_m,
                            double contribution) {
  ExplainEvent e;
  e.t_s = events.t_s[i];
  e.offence = events.offence[i] < events.offence_names.size()
                  ? events.offence_names[events.offence[i]]
                  : std::string();
  e.group = std::string(GetOffenceGroupInfo(events.group[i]).name);
  e.distance_m = RoundTo10(distance_m);
  e.age_days = static_cast<double>(origin_s - e.t_s) / static_cast<double>(kSecondsPerDay);
  e.contribution = contribution;
  return e;
}

// Fills bands and top events of `out` from `contrib`; band shares are relative to out->risk.
void Summarise(const EventSet& events, int64_t origin_s, const std::vector<Contribution>& contrib,
               double reach_m, double window_days, int top_n, CellExplanation* out) {
  const std::vector<double> d_edges = DistanceEdges(reach_m);
  const std::vector<double> a_edges = AgeEdges(window_days);
  const size_t nd = d_edges.size() - 1, na = a_edges.size() - 1;
  std::vector<ExplainBand> table(nd * na);
  for (size_t d = 0; d < nd; ++d) {
    for (size_t a = 0; a < na; ++a) {
      ExplainBand& b = table[d * na + a];
      b.distance_from_m = d_edges[d];
      b.distance_to_m = d_edges[d + 1];
      b.age_from_days = a_edges[a];
      b.age_to_days = a_edges[a + 1];
    }
  }
  for (const Contribution& c : contrib) {
    const double age_days =
        static_cast<double>(origin_s - events.t_s[c.index]) / static_cast<double>(kSecondsPerDay);
    ExplainBand& b = table[BandOf(d_edges, c.distance_m) * na + BandOf(a_edges, age_days)];
    ++b.events;
    b.value += c.value;
  }
  for (ExplainBand& b : table) {
    if (b.events == 0) continue;
    b.share = Share(b.value, out->risk);
    out->bands.push_back(b);
  }
  out->events_contributing = static_cast<int64_t>(contrib.size());

  std::vector<Contribution> sorted = contrib;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Contribution& a, const Contribution& b) {
    if (a.value != b.value) return a.value > b.value;
    return events.t_s[a.index] > events.t_s[b.index];
  });
  const size_t n = std::min(sorted.size(), static_cast<size_t>(top_n));
  for (size_t k = 0; k < n; ++k) {
    const Contribution& c = sorted[k];
    out->top_events.push_back(ToExplainEvent(events, origin_s, c.index, c.distance_m, c.value));
  }
}

// Parts of retro and prospective: the contributions by distance band.
void DistanceParts(const std::vector<Contribution>& contrib, double reach_m, CellExplanation* out) {
  const std::vector<double> edges = DistanceEdges(reach_m);
  std::vector<double> value(edges.size() - 1, 0.0);
  for (const Contribution& c : contrib) value[BandOf(edges, c.distance_m)] += c.value;
  for (size_t b = 0; b < value.size(); ++b) {
    out->parts.push_back({FormatEdge(edges[b]) + "-" + FormatEdge(edges[b + 1]) + " m", value[b],
                          Share(value[b], out->risk)});
  }
}

double DistanceToCentre(const grid::Grid& grid, grid::CellId cell, double x, double y) {
  return std::hypot(grid.CellCenterX(cell) - x, grid.CellCenterY(cell) - y);
}

// Whether cell (c, r) lies in the box of cells an event at fractional cell coordinates (fx, fy)
// reaches, computed with the same expressions as the retro and prospective Fit() loops so that the
// explanation visits exactly the cells the forecast did.
bool InReachBox(double fx, double fy, double reach_cells, int32_t nx, int32_t ny, int32_t c,
                int32_t r) {
  const auto c0 = static_cast<int32_t>(std::max(0.0, std::ceil(fx - reach_cells)));
  const auto c1 = static_cast<int32_t>(std::min(nx - 1.0, std::floor(fx + reach_cells)));
  const auto r0 = static_cast<int32_t>(std::max(0.0, std::ceil(fy - reach_cells)));
  const auto r1 = static_cast<int32_t>(std::min(ny - 1.0, std::floor(fy + reach_cells)));
  return c >= c0 && c <= c1 && r >= r0 && r <= r1;
}

Result<CellExplanation> ExplainNaive(const ParamValues& p, const EventSet& events,
                                     const grid::Grid& grid, int64_t origin_s, grid::CellId cell,
                                     int top_n) {
  const int64_t window_days = p.GetInt("window_days");
  const auto [lo, hi] = events.TimeRange(WindowStart(origin_s, window_days), origin_s);
  std::vector<Contribution> contrib;
  for (size_t i = lo; i < hi; ++i) {
    if (grid.PointToCell(events.x_m[i], events.y_m[i]) != cell) continue;
    contrib.push_back({i, DistanceToCentre(grid, cell, events.x_m[i], events.y_m[i]), 1.0});
  }
  CellExplanation out;
  out.risk = static_cast<double>(contrib.size());
  out.note = "events in the cell over the last " + std::to_string(window_days) +
             " days; the forecast is this x horizon_days / " + std::to_string(window_days);
  out.parts.push_back({"events in cell", out.risk, out.risk > 0 ? 1.0 : 0.0});
  Summarise(events, origin_s, contrib, grid.cell_size_m() * std::sqrt(0.5),
            static_cast<double>(window_days), top_n, &out);
  return out;
}

Result<CellExplanation> ExplainRetro(const ParamValues& p, const EventSet& events,
                                     const grid::Grid& grid, int64_t origin_s, grid::CellId cell,
                                     int top_n) {
  const double bandwidth_m = p.GetDouble("bandwidth_m");
  const int64_t window_days = p.GetInt("window_days");
  const RetroKernel kernel =
      p.GetString("kernel") == "gaussian" ? RetroKernel::kGaussian : RetroKernel::kQuartic;
  // The same expressions as RetroModel::Fit(), so each weight rounds to the same fixed point.
  const double s = grid.cell_size_m(), x0 = grid.x0_m(), y0 = grid.y0_m();
  const double inv_h2 = 1.0 / (bandwidth_m * bandwidth_m);
  const double support = RetroKernelSupport(kernel);
  const double cutoff_u2 = support * support;
  const double reach_cells = support * bandwidth_m / s;
  const int32_t nx = grid.nx(), ny = grid.ny();
  const int32_t c = grid.CellCol(cell), r = grid.CellRow(cell);
  const auto [lo, hi] = events.TimeRange(WindowStart(origin_s, window_days), origin_s);
  std::vector<Contribution> contrib;
  int64_t total = 0;
  for (size_t i = lo; i < hi; ++i) {
    const double x = events.x_m[i], y = events.y_m[i];
    if (grid.PointToCell(x, y) == grid::kNoCell) continue;
    const double fx = (x - x0) / s - 0.5, fy = (y - y0) / s - 0.5;
    if (!InReachBox(fx, fy, reach_cells, nx, ny, c, r)) continue;
    const double dy = y0 + (r + 0.5) * s - y;
    const double dx = x0 + (c + 0.5) * s - x;
    const double u2 = (dx * dx + dy * dy) * inv_h2;
    if (!(u2 < cutoff_u2)) continue;
    const int64_t w = ToFixedPoint(RetroKernelValue(kernel, u2));
    if (w == 0) continue;
    total += w;
    contrib.push_back({i, std::sqrt(dx * dx + dy * dy), FromFixedPoint(w)});
  }
  CellExplanation out;
  out.risk = FromFixedPoint(total);
  out.note = "sum of kernel weights K(d / " + FormatValue(bandwidth_m) + " m) over the last " +
             std::to_string(window_days) + " days; the forecast is this x horizon_days / " +
             std::to_string(window_days);
  DistanceParts(contrib, support * bandwidth_m, &out);
  Summarise(events, origin_s, contrib, support * bandwidth_m, static_cast<double>(window_days),
            top_n, &out);
  return out;
}

Result<CellExplanation> ExplainProspective(const ParamValues& p, const EventSet& events,
                                           const grid::Grid& grid, int64_t origin_s,
                                           grid::CellId cell, int top_n) {
  const double bandwidth_m = p.GetDouble("bandwidth_m");
  const int64_t bandwidth_days = p.GetInt("bandwidth_days");
  const int64_t time_unit_s = p.GetInt("time_unit_days") * kSecondsPerDay;
  const bool whole_cells = p.GetString("distance") != "metres";
  // The same expressions as ProspectiveModel::Fit().
  const double s = grid.cell_size_m(), x0 = grid.x0_m(), y0 = grid.y0_m();
  const double h2 = bandwidth_m * bandwidth_m;
  const double reach_cells = bandwidth_m / s;
  const int32_t nx = grid.nx(), ny = grid.ny();
  const int32_t c = grid.CellCol(cell), r = grid.CellRow(cell);
  const auto [lo, hi] = events.TimeRange(WindowStart(origin_s, bandwidth_days), origin_s);
  std::vector<Contribution> contrib;
  int64_t total = 0;
  for (size_t i = lo; i < hi; ++i) {
    const double x = events.x_m[i], y = events.y_m[i];
    if (grid.PointToCell(x, y) == grid::kNoCell) continue;
    const int64_t age_units = (origin_s - events.t_s[i]) / time_unit_s;
    const double time_factor = 1.0 + static_cast<double>(age_units);
    const double fx = (x - x0) / s - 0.5, fy = (y - y0) / s - 0.5;
    if (!InReachBox(fx, fy, reach_cells, nx, ny, c, r)) continue;
    const double dy = y0 + (r + 0.5) * s - y;
    const double dx = x0 + (c + 0.5) * s - x;
    const double d2 = dx * dx + dy * dy;
    if (!(d2 <= h2)) continue;
    double d_cells = std::sqrt(d2) / s;
    if (whole_cells) d_cells = std::floor(d_cells);
    const int64_t w = ToFixedPoint(1.0 / ((1.0 + d_cells) * time_factor));
    if (w == 0) continue;
    total += w;
    contrib.push_back({i, std::sqrt(d2), FromFixedPoint(w)});
  }
  CellExplanation out;
  out.risk = FromFixedPoint(total);
  out.note = "prospective score: sum over the last " + std::to_string(bandwidth_days) +
             " days of 1 / (1 + distance) x 1 / (1 + age) within " + FormatValue(bandwidth_m) +
             " m";
  DistanceParts(contrib, bandwidth_m, &out);
  Summarise(events, origin_s, contrib, bandwidth_m, static_cast<double>(bandwidth_days), top_n,
            &out);
  return out;
}

// The cell's share of sepp_grid's forecast over `horizon_days`, from its fit (made once for every
// cell asked, or reloaded).
Result<CellExplanation> ExplainSeppGrid(const SeppGridModel& model, const grid::Surface& surface,
                                        const EventSet& events, const grid::Grid& grid,
                                        grid::CellId cell, int top_n, double horizon_days) {
  const SeppGridFit& f = model.fit();
  const auto cu = static_cast<size_t>(cell);

  // Offspring shares as in sepp_grid.cc: an event in cell s keeps 1 - w in s and gives w / k to
  // each of its k active neighbours (all stay in s when w = 0 or k = 0).
  const double w = f.neighbour_weight;
  auto active_neighbours = [&](grid::CellId s) {
    std::vector<grid::CellId> nbs;
    for (int dr = -1; dr <= 1; ++dr) {
      for (int dc = -1; dc <= 1; ++dc) {
        if (dr == 0 && dc == 0) continue;
        const grid::CellId m = grid.ColRowToCell(grid.CellCol(s) + dc, grid.CellRow(s) + dr);
        if (m != grid::kNoCell) nbs.push_back(m);
      }
    }
    return nbs;
  };
  std::map<grid::CellId, double> share_to_cell;
  const std::vector<grid::CellId> own_nbs = active_neighbours(cell);
  share_to_cell[cell] = (w > 0 && !own_nbs.empty()) ? 1.0 - w : 1.0;
  // The triggering this cell receives, summed in the order SeppGridModel::Predict() sums it, so
  // that background + triggered is the forecast's value bit for bit.
  double x = share_to_cell[cell] * f.excitation[cu];
  if (w > 0) {
    for (grid::CellId s : own_nbs) {
      const double share = w / static_cast<double>(active_neighbours(s).size());
      share_to_cell[s] = share;
      x += share * f.excitation[static_cast<size_t>(s)];
    }
  }
  const double trig = f.theta * -std::expm1(-f.omega_per_day * horizon_days);
  const double background = f.mu_per_day[cu] * horizon_days;
  const double triggered = trig * x;
  CellExplanation out;
  out.risk = surface.value[cu];
  out.note = "expected events in " + FormatValue(horizon_days) +
             " day(s): background mu_c x h + triggered theta (1 - e^-omega h) x excitation "
             "(theta " +
             FormatValue(f.theta) + ", omega " + FormatValue(f.omega_per_day) + " per day)";
  out.parts.push_back({"background", background, Share(background, out.risk)});
  out.parts.push_back({"triggered", triggered, Share(triggered, out.risk)});
  const auto [lo, hi] = events.TimeRange(f.window_start_s, f.origin_s);
  std::vector<Contribution> contrib;
  for (size_t i = lo; i < hi; ++i) {
    const grid::CellId s = grid.PointToCell(events.x_m[i], events.y_m[i]);
    if (s == grid::kNoCell) continue;
    const auto it = share_to_cell.find(s);
    if (it == share_to_cell.end()) continue;
    const double age_days =
        static_cast<double>(f.origin_s - events.t_s[i]) / static_cast<double>(kSecondsPerDay);
    const double v = trig * it->second * std::exp(-f.omega_per_day * age_days);
    contrib.push_back({i, DistanceToCentre(grid, cell, events.x_m[i], events.y_m[i]), v});
  }
  const double reach_m = grid.cell_size_m() * (w > 0 ? 1.5 : 0.5) * std::sqrt(2.0);
  const double window_days =
      static_cast<double>(f.origin_s - f.window_start_s) / static_cast<double>(kSecondsPerDay);
  Summarise(events, f.origin_s, contrib, reach_m, window_days, top_n, &out);
  return out;
}

// The indexes in `events` of sepp's triggering events (fit.trigger_*): the events of the training
// window in an active cell younger than max_trigger_days at the origin, selected as
// SeppModel::Fit() selects them, and checked against the fit one by one.
Result<std::vector<size_t>> SeppTriggerEvents(const SeppFit& f, const EventSet& events,
                                              const grid::Grid& grid) {
  const std::vector<size_t> index = sepp_internal::TriggeringEvents(events, grid, f.window_start_s,
                                                                    f.origin_s, f.max_trigger_days);
  const size_t n = f.trigger_age_days.size();
  for (size_t j = 0; j < std::max(n, index.size()); ++j) {
    if (j < n && j < index.size()) {
      const size_t i = index[j];
      const double age = static_cast<double>(f.origin_s - events.t_s[i]) / kSecondsPerDay;
      if (age == f.trigger_age_days[j] && events.x_m[i] == f.trigger_x_m[j] &&
          events.y_m[i] == f.trigger_y_m[j]) {
        continue;
      }
    }
    return Status::InvalidInput(
        "sepp: events: not the events the fit was made from: triggering event " +
        std::to_string(j) + " of the fit (" + std::to_string(n) + " in the fit, " +
        std::to_string(index.size()) + " in the events before " + FormatDateTime(f.origin_s) +
        ") differs");
  }
  return index;
}

// The cell's share of sepp's forecast over `horizon_days`: the background μ integrated over the
// cell and the horizon, and per triggering event j the mass θ × (h over its ages during the
// horizon) × (f over the cell seen from the event), with the cell box and the cell mass
// SeppModel::Predict() uses.
CellExplanation ExplainSepp(const SeppFit& f, const sepp_internal::TriggerKernel& k,
                            const std::vector<size_t>& trigger_index, const grid::Surface& surface,
                            const EventSet& events, const grid::Grid& g, grid::CellId cell,
                            int top_n, double horizon_days) {
  const auto cu = static_cast<size_t>(cell);
  const int32_t col = g.CellCol(cell), row = g.CellRow(cell);
  std::vector<Contribution> contrib;
  double triggered = 0;
  for (size_t j = 0; f.theta > 0 && j < f.trigger_age_days.size(); ++j) {
    const double a = f.trigger_age_days[j];
    const double time_mass = k.TimeMass(a + horizon_days) - k.TimeMass(a);
    if (!(time_mass > 0)) continue;
    const double xj = f.trigger_x_m[j], yj = f.trigger_y_m[j];
    if (!sepp_internal::TriggerReach(g, xj, yj, f.max_trigger_m).Contains(col, row)) continue;
    const double v = f.theta * time_mass * k.CellMass(g, col, row, xj, yj);
    if (!(v > 0)) continue;
    triggered += v;
    contrib.push_back({trigger_index[j], DistanceToCentre(g, cell, xj, yj), v});
  }
  const double background = f.mu_per_day[cu] * horizon_days;
  CellExplanation out;
  out.risk = surface.value[cu];
  out.note = "expected events in the cell in " + FormatValue(horizon_days) +
             " day(s): background density integrated over the cell x h + triggered, for each "
             "event of the last " +
             FormatValue(f.max_trigger_days) +
             " days, theta x (mass of h over its ages in the horizon) x (mass of f over the "
             "cell) (theta " +
             FormatValue(f.theta) + ", g within " + FormatValue(f.max_trigger_m) + " m)";
  out.parts.push_back({"background", background, Share(background, out.risk)});
  out.parts.push_back({"triggered", triggered, Share(triggered, out.risk)});
  const double reach_m = (f.max_trigger_m + g.cell_size_m() / 2) * std::sqrt(2.0);
  Summarise(events, f.origin_s, contrib, reach_m, f.max_trigger_days, top_n, &out);
  return out;
}

// Days of past events listed for a boost cell (the 28-day count features' look-back).
constexpr int64_t kBoostEventDays = 28;

// A boost cell: its margin split by the features' contributions (TreeSHAP), the top_n features by
// absolute contribution in words, and as context the events of its 3x3 neighbourhood in the last
// 28 days of the window, newest first (the count features read them; no single event has a share).
CellExplanation ExplainBoost(const BoostContributions& b, const BoostCellContributions& c,
                             const grid::Surface& surface, const EventSet& events,
                             const grid::Grid& grid, int top_n, double horizon_days) {
  const size_t nf = c.contributions.size();
  CellExplanation out;
  out.risk = surface.value[static_cast<size_t>(c.cell)];
  out.margin = c.margin;
  out.bias = c.bias;
  out.num_features = static_cast<int64_t>(nf);
  std::vector<size_t> order(nf);
  for (size_t f = 0; f < nf; ++f) order[f] = f;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::fabs(c.contributions[x]) > std::fabs(c.contributions[y]);
  });
  const size_t listed = std::min(nf, static_cast<size_t>(top_n));
  std::vector<bool> shown(nf, false);
  for (size_t k = 0; k < listed; ++k) {
    const size_t f = order[k];
    shown[f] = true;
    out.features.push_back({b.feature_names[f],
                            BoostFeatureToWords(b.feature_names[f], c.values[f]), c.values[f],
                            c.contributions[f]});
  }
  for (size_t f = 0; f < nf; ++f) {
    if (!shown[f]) out.other_features += c.contributions[f];
  }
  const std::string sum =
      "bias + the contributions of the " + std::to_string(nf) + " features (TreeSHAP values";
  if (b.pairwise) {
    out.note = "relative score exp(margin - " + FormatValue(b.max_margin) +
               ", the forecast's largest margin); margin " + FormatValue(c.margin) + " = " + sum +
               " on the ranking-score scale)";
  } else {
    out.note = "expected events in " + FormatValue(horizon_days) + " day(s) = exp(margin) x " +
               FormatValue(horizon_days) + " / " + std::to_string(b.label_days) +
               " (label_days); margin " + FormatValue(c.margin) + " = log expected events per " +
               std::to_string(b.label_days) + " day(s) = " + sum + " on the log scale)";
  }
  // The events of the 3x3 neighbourhood the count features read, as context only.
  out.events_additive = false;
  const int32_t col = grid.CellCol(c.cell), row = grid.CellRow(c.cell);
  const auto [lo, hi] = events.TimeRange(
      std::max(b.window_start_s, b.origin_s - kBoostEventDays * kSecondsPerDay), b.origin_s);
  for (size_t i = hi; i-- > lo;) {
    const grid::CellId s = grid.PointToCell(events.x_m[i], events.y_m[i]);
    if (s == grid::kNoCell || std::abs(grid.CellCol(s) - col) > 1 ||
        std::abs(grid.CellRow(s) - row) > 1) {
      continue;
    }
    ++out.events_contributing;
    if (out.top_events.size() < static_cast<size_t>(top_n)) {
      out.top_events.push_back(ToExplainEvent(
          events, b.origin_s, i, DistanceToCentre(grid, c.cell, events.x_m[i], events.y_m[i]), 0));
    }
  }
  return out;
}

// The checks every entry point makes before anything is fitted or read.
Status CheckRequest(std::string_view model, const EventSet& events, const grid::Grid& grid,
                    const std::vector<grid::CellId>& cells, int top_n, double horizon_days) {
  for (grid::CellId cell : cells) {
    if (grid.num_cells() == 0 || cell < 0 || cell >= grid.num_cells()) {
      return Status::InvalidInput("explain: cell: not an active cell of the grid (got " +
                                  std::to_string(cell) + ", expected 0.." +
                                  std::to_string(grid.num_cells() - 1) + ")");
    }
  }
  if (top_n < 0) {
    return Status::InvalidInput("explain: top_n: expected a number >= 0 (got " +
                                std::to_string(top_n) + ")");
  }
  if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
    return Status::InvalidInput("explain: horizon_days: expected a positive number (got " +
                                FormatValue(horizon_days) + ")");
  }
  PLACECAST_RETURN_IF_ERROR(CheckFitInputs(model, events, grid));
  // Explanations also show each event's offence and group.
  if (events.group.size() != events.t_s.size() || events.offence.size() != events.t_s.size()) {
    return Status::InvalidInput("explain: events: the offence columns differ in length from t_s (" +
                                std::to_string(events.group.size()) + " groups, " +
                                std::to_string(events.offence.size()) + " offences, " +
                                std::to_string(events.t_s.size()) + " times)");
  }
  return CheckSorted(events);
}

// kInvalidInput unless a fitted model's origin is the one asked for.
Status CheckOrigin(std::string_view model, int64_t fit_origin_s, int64_t origin_s) {
  if (fit_origin_s == origin_s) return Status::Ok();
  return Status::InvalidInput("origin: the fitted " + std::string(model) + " is for " +
                              FormatDateTime(fit_origin_s) + " (got " + FormatDateTime(origin_s) +
                              ")");
}

bool HasFittedState(std::string_view model) {
  return model == "sepp_grid" || model == "sepp" || model == "boost";
}

}  // namespace

Result<std::vector<CellExplanation>> ExplainFittedCells(const Model& model, const EventSet& events,
                                                        const grid::Grid& grid, int64_t origin_s,
                                                        const std::vector<grid::CellId>& cells,
                                                        int top_n, double horizon_days) {
  const std::string name(model.name());
  const std::string context = "explain " + name;
  if (!IsExplainable(name)) {
    for (const ModelInfo& info : ListModels()) {
      if (info.name == name) {
        return Status::InvalidInput("explain: model \"" + name + "\" has no explanation yet");
      }
    }
    return Status::InvalidInput("explain: unknown model \"" + name + "\"");
  }
  PLACECAST_RETURN_IF_ERROR(CheckRequest(name, events, grid, cells, top_n, horizon_days));
  const ParamValues& p = model.params();
  // The fitted models' forecast, once for every cell (an error before a fit).
  grid::Surface surface;
  const auto* sepp_grid = dynamic_cast<const SeppGridModel*>(&model);
  const auto* sepp = dynamic_cast<const SeppModel*>(&model);
  sepp_internal::TriggerKernel kernel;
  std::vector<size_t> trigger_index;
  BoostContributions boost;
  if (HasFittedState(name)) {
    if (sepp_grid == nullptr && sepp == nullptr && name != "boost") {
      return Status::Internal(context + ": not the registered model class");
    }
    auto predicted = model.Predict(horizon_days);
    if (!predicted.ok()) return predicted.status().Wrap(context);
    surface = std::move(predicted).value();
    if (surface.value.size() != static_cast<size_t>(grid.num_cells())) {
      return Status::InvalidInput(context + ": grid: the fit has " +
                                  std::to_string(surface.value.size()) + " cells (got " +
                                  std::to_string(grid.num_cells()) + ")");
    }
    int64_t fit_origin_s = 0;
    if (sepp_grid != nullptr || sepp != nullptr) {
      fit_origin_s = sepp_grid != nullptr ? sepp_grid->fit().origin_s : sepp->fit().origin_s;
    } else {
      auto boost_origin = GetBoostFitOrigin(model);
      if (!boost_origin.ok()) return boost_origin.status().Wrap(context);
      fit_origin_s = *boost_origin;
    }
    PLACECAST_RETURN_IF_ERROR(CheckOrigin(name, fit_origin_s, origin_s).Wrap(context));
    if (name == "boost") {
      auto contributions = GetBoostContributions(model, events, grid, cells);
      if (!contributions.ok()) return contributions.status().Wrap(context);
      boost = std::move(contributions).value();
    }
    if (sepp != nullptr) {
      kernel = sepp_internal::KernelOfFit(sepp->fit());
      auto index = SeppTriggerEvents(sepp->fit(), events, grid);
      if (!index.ok()) return index.status().Wrap(context);
      trigger_index = std::move(index).value();
    }
  }
  std::vector<CellExplanation> all;
  for (size_t k = 0; k < cells.size(); ++k) {
    const grid::CellId cell = cells[k];
    Result<CellExplanation> out = Status::Internal(context + ": no explanation for this model");
    if (name == "naive") {
      out = ExplainNaive(p, events, grid, origin_s, cell, top_n);
    } else if (name == "retro") {
      out = ExplainRetro(p, events, grid, origin_s, cell, top_n);
    } else if (name == "prospective") {
      out = ExplainProspective(p, events, grid, origin_s, cell, top_n);
    } else if (sepp_grid != nullptr) {
      out = ExplainSeppGrid(*sepp_grid, surface, events, grid, cell, top_n, horizon_days);
    } else if (sepp != nullptr) {
      out = ExplainSepp(sepp->fit(), kernel, trigger_index, surface, events, grid, cell, top_n,
                        horizon_days);
    } else if (name == "boost") {
      out = ExplainBoost(boost, boost.cells[k], surface, events, grid, top_n, horizon_days);
    }
    if (!out.ok()) return out.status().Wrap(context);
    out.value().model = name;
    out.value().cell = cell;
    all.push_back(std::move(out).value());
  }
  return all;
}

Result<std::vector<CellExplanation>> ExplainCells(std::string_view model, const ParamValues& params,
                                                  const EventSet& events, const grid::Grid& grid,
                                                  int64_t origin_s,
                                                  const std::vector<grid::CellId>& cells, int top_n,
                                                  double horizon_days) {
  const std::string context = "explain " + std::string(model);
  const std::map<std::string, std::string> given(params.items().begin(), params.items().end());
  auto created = CreateModel(model, given);
  if (!created.ok()) {
    // An unknown name is reported as "explain: unknown model …", not under its own name.
    const bool known =
        std::ranges::any_of(ListModels(), [&](const ModelInfo& m) { return m.name == model; });
    return created.status().Wrap(known ? context : "explain");
  }
  std::unique_ptr<Model> m = std::move(created).value();
  PLACECAST_RETURN_IF_ERROR(CheckRequest(model, events, grid, cells, top_n, horizon_days));
  // sepp_grid, sepp and boost are fitted once, as a forecast would fit them; every cell is read
  // from that fit.
  if (HasFittedState(model)) {
    Status fit = m->Fit(events, grid, origin_s);
    if (!fit.ok()) return fit.Wrap(context);
  }
  return ExplainFittedCells(*m, events, grid, origin_s, cells, top_n, horizon_days);
}

Result<CellExplanation> ExplainCell(std::string_view model, const ParamValues& params,
                                    const EventSet& events, const grid::Grid& grid,
                                    int64_t origin_s, grid::CellId cell, int top_n,
                                    double horizon_days) {
  PLACECAST_ASSIGN_OR_RETURN(
      std::vector<CellExplanation> all,
      ExplainCells(model, params, events, grid, origin_s, {cell}, top_n, horizon_days));
  return std::move(all.front());
}

bool IsExplainable(std::string_view model) {
  return model == "naive" || model == "retro" || model == "prospective" || model == "sepp_grid" ||
         model == "sepp" || model == "boost";
}

std::string CellExplanationToJson(const CellExplanation& e) {
  nlohmann::ordered_json j;
  j["model"] = e.model;
  j["cell"] = e.cell;
  j["risk"] = e.risk;
  j["note"] = e.note;
  j["events_contributing"] = e.events_contributing;
  if (e.num_features > 0) {
    j["margin"] = e.margin;
    j["bias"] = e.bias;
    j["other_features_contribution"] = e.other_features;
    j["num_features"] = e.num_features;
    j["features"] = nlohmann::ordered_json::array();
    for (const ExplainFeature& f : e.features) {
      j["features"].push_back({{"name", f.name},
                               {"words", f.words},
                               {"value", f.value},
                               {"contribution", f.contribution}});
    }
  }
  j["parts"] = nlohmann::ordered_json::array();
  for (const ExplainPart& p : e.parts) {
    j["parts"].push_back({{"name", p.name}, {"value", p.value}, {"share", p.share}});
  }
  j["bands"] = nlohmann::ordered_json::array();
  for (const ExplainBand& b : e.bands) {
    j["bands"].push_back({{"distance_from_m", b.distance_from_m},
                          {"distance_to_m", b.distance_to_m},
                          {"age_from_days", b.age_from_days},
                          {"age_to_days", b.age_to_days},
                          {"events", b.events},
                          {"value", b.value},
                          {"share", b.share}});
  }
  j["top_events"] = nlohmann::ordered_json::array();
  for (const ExplainEvent& t : e.top_events) {
    j["top_events"].push_back(
        {{"time_utc", FormatDateTime(t.t_s)},
         {"offence", t.offence},
         {"group", t.group},
         {"distance_m", t.distance_m},
         {"age_days", t.age_days},
         {"contribution", e.events_additive ? nlohmann::ordered_json(t.contribution)
                                            : nlohmann::ordered_json(nullptr)}});
  }
  return j.dump(2);
}

}  // namespace placecast::models
