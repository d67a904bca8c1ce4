// SPDX-License-Identifier: Apache-2.0
// Fairness audit: daily flagged cells, exposure and need by area, population-weighted group means,
// ratios to a reference group and a day-resampling bootstrap. Pure functions; thread-safe.
#include "placecast/audit/audit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "placecast/common/random.h"
#include "placecast/grid/ranking.h"
#include "placecast/models/model.h"

namespace placecast::audit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// SplitMix64 (common/random.h): a fixed generator, so intervals are the same bytes on every
// platform.
using SplitMix64 = SplitMix64Generator;

// Linear-interpolated quantile of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const size_t j = std::min(i + 1, sorted.size() - 1);
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[j] - sorted[i]);
}

// Group means per 1,000 residents, from per-area totals. Areas without residents carry no weight.
struct GroupMeans {
  std::vector<double> exposure, need;  // per group
};

GroupMeans Means(const AuditInput& in, const std::vector<double>& exposure_by_area,
                 const std::vector<double>& need_by_area) {
  const size_t ng = in.group_names.size();
  GroupMeans m{std::vector<double>(ng, 0), std::vector<double>(ng, 0)};
  std::vector<double> total(ng, 0);
  for (size_t a = 0; a < in.area_names.size(); ++a) {
    const double p = in.area_residents[a];
    if (p <= 0) continue;
    for (size_t g = 0; g < ng; ++g) {
      const double r = in.residents[a][g];
      m.exposure[g] += r * 1000 * exposure_by_area[a] / p;
      m.need[g] += r * 1000 * need_by_area[a] / p;
      total[g] += r;
    }
  }
  for (size_t g = 0; g < ng; ++g) {
    m.exposure[g] = total[g] > 0 ? m.exposure[g] / total[g] : kNaN;
    m.need[g] = total[g] > 0 ? m.need[g] / total[g] : kNaN;
  }
  return m;
}

double Ratio(double a, double b) { return b > 0 ? a / b : kNaN; }

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string Num(double v) { return std::isfinite(v) ? Fmt("%.6g", v) : ""; }

nlohmann::ordered_json JNum(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::stod(Fmt("%.6g", v));
}

// A count, or null when withheld (negative: a public release).
nlohmann::ordered_json Count(int64_t n) {
  if (n < 0) return nullptr;
  return n;
}

nlohmann::ordered_json JEst(const Estimate& e) {
  return {{"value", JNum(e.value)}, {"lo", JNum(e.lo)}, {"hi", JNum(e.hi)}};
}

}  // namespace

Result<std::vector<int32_t>> CellsToAreas(const grid::Grid& grid,
                                          const std::vector<grid::Boundary>& areas) {
  if (areas.empty()) return Status::InvalidInput("areas: no area polygon");
  std::vector<grid::BoundaryIndex> index;
  index.reserve(areas.size());
  for (const auto& a : areas) index.emplace_back(a);
  std::vector<int32_t> out(grid.num_cells(), -1);
  for (grid::CellId c = 0; c < grid.num_cells(); ++c) {
    const double x = grid.CellCenterX(c), y = grid.CellCenterY(c);
    for (size_t a = 0; a < areas.size(); ++a) {
      if (!areas[a].empty() && index[a].Contains(x, y)) {
        out[c] = static_cast<int32_t>(a);
        break;
      }
    }
  }
  return out;
}

Result<FlaggedDays> FlagCellsByDay(const FlagRequest& req, const EventSet& events,
                                   const grid::Grid& grid) {
  const Calendar& cal = req.calendar;
  if (!cal.IsDayStart(req.from_s) || !cal.IsDayStart(req.to_s)) {
    return Status::InvalidInput("audit: --from/--to: expected starts of " + cal.Describe());
  }
  if (req.from_s > req.to_s) {
    return Status::InvalidInput("audit: --from " + cal.FormatDate(req.from_s) + " is after --to " +
                                cal.FormatDate(req.to_s));
  }
  if (!(req.coverage_pct > 0 && req.coverage_pct <= 100)) {
    return Status::InvalidInput("audit: --coverage-pct: expected a value in (0, 100] (got " +
                                Fmt("%g", req.coverage_pct) + ")");
  }
  if (req.train_days < 1) return Status::InvalidInput("audit: --train-days: expected >= 1");
  if (!(req.horizon_days > 0)) return Status::InvalidInput("audit: horizon_days: expected > 0");
  if (grid.num_cells() == 0) return Status::InvalidInput("audit: the grid has no active cell");

  std::map<std::string, std::string> params = req.params;
  for (const auto& info : models::ListModels()) {
    if (info.name != req.model) continue;
    for (const auto& spec : info.params) {
      if (spec.name == "window_days" && !params.count("window_days")) {
        params["window_days"] = std::to_string(req.train_days);
      }
    }
  }
  auto created = models::CreateModel(req.model, params);
  if (!created.ok()) return created.status().Wrap("model " + req.model);
  auto model = std::move(created).value();
  const int32_t k = grid::TopCellsForShare(req.coverage_pct, grid.num_cells());
  FlaggedDays out;
  std::set<std::string> seen;
  for (int64_t t = req.from_s; t <= req.to_s; t = cal.AddDays(t, 1)) {
    const std::string at = "model " + req.model + ", origin " + cal.FormatDate(t);
    const int64_t train_from = model->TrainFromS(t);
    if (const auto [b, e] = events.TimeRange(train_from, t); b == e) {
      return models::NoTrainingEvents(train_from, t, cal).Wrap(at);
    }
    PLACECAST_RETURN_IF_ERROR(model->Fit(events, grid, t).Wrap(at));
    auto surface = model->Predict(req.horizon_days);
    if (!surface.ok()) return surface.status().Wrap(at);
    // Ranked with the tie rule's keys of this day's origin (the events before it).
    std::vector<grid::CellId> ranking =
        grid::RankCells(*surface, grid::TieBreakFromEvents(events, grid, t)).cells;
    ranking.resize(std::min<size_t>(ranking.size(), static_cast<size_t>(k)));
    out.origins_s.push_back(t);
    out.cells.push_back(std::move(ranking));
    for (const auto& w : model->Warnings()) {
      if (seen.insert(w).second && out.warnings.size() < 20) {
        out.warnings.push_back(cal.FormatDate(t) + ": " + w);
      }
    }
  }
  return out;
}

std::vector<std::vector<int64_t>> NeedByDay(const EventSet& events, const grid::Grid& grid,
                                            const std::vector<int32_t>& cell_area,
                                            int32_t num_areas,
                                            const std::vector<int64_t>& origins_s,
                                            double horizon_days, const Calendar& calendar) {
  std::vector<std::vector<int64_t>> need(origins_s.size(), std::vector<int64_t>(num_areas, 0));
  for (size_t d = 0; d < origins_s.size(); ++d) {
    const int64_t end = calendar.HorizonEnd(origins_s[d], horizon_days);
    for (size_t i = 0; i < events.size(); ++i) {
      const int64_t t = events.t_s[i];
      if (t < origins_s[d] || t >= end) continue;
      const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
      if (c == grid::kNoCell || cell_area[c] < 0) continue;
      ++need[d][cell_area[c]];
    }
  }
  return need;
}

Status AuditInput::Validate() const {
  const size_t na = area_names.size(), ng = group_names.size();
  if (na == 0) return Status::InvalidInput("audit: no area");
  if (ng == 0) return Status::InvalidInput("audit: no population group");
  if (residents.size() != na || area_residents.size() != na) {
    return Status::InvalidInput("audit: residents: expected one row per area (" +
                                std::to_string(na) + ")");
  }
  std::vector<double> group_total(ng, 0);
  for (size_t a = 0; a < na; ++a) {
    if (residents[a].size() != ng) {
      return Status::InvalidInput("audit: residents[" + area_names[a] + "]: expected " +
                                  std::to_string(ng) + " groups (got " +
                                  std::to_string(residents[a].size()) + ")");
    }
    if (!std::isfinite(area_residents[a]) || area_residents[a] < 0) {
      return Status::InvalidInput("audit: area " + area_names[a] +
                                  ": residents: expected a count >= 0 (got " +
                                  Fmt("%g", area_residents[a]) + ")");
    }
    for (size_t g = 0; g < ng; ++g) {
      if (!std::isfinite(residents[a][g]) || residents[a][g] < 0) {
        return Status::InvalidInput("audit: area " + area_names[a] + ", group " + group_names[g] +
                                    ": expected a count >= 0 (got " + Fmt("%g", residents[a][g]) +
                                    ")");
      }
      group_total[g] += area_residents[a] > 0 ? residents[a][g] : 0;
    }
  }
  for (size_t g = 0; g < ng; ++g) {
    if (group_total[g] <= 0) {
      return Status::InvalidInput("audit: group " + group_names[g] +
                                  ": no residents in any area with residents");
    }
  }
  for (size_t c = 0; c < cell_area.size(); ++c) {
    if (cell_area[c] < -1 || cell_area[c] >= static_cast<int32_t>(na)) {
      return Status::InvalidInput("audit: cell_area[" + std::to_string(c) + "]: not an area index");
    }
  }
  if (need.size() != flagged.size()) {
    return Status::InvalidInput("audit: need: expected one row per day (" +
                                std::to_string(flagged.size()) + ", got " +
                                std::to_string(need.size()) + ")");
  }
  for (size_t d = 0; d < flagged.size(); ++d) {
    if (need[d].size() != na)
      return Status::InvalidInput("audit: need: expected one count per area");
    for (grid::CellId c : flagged[d]) {
      if (c < 0 || static_cast<size_t>(c) >= cell_area.size()) {
        return Status::InvalidInput("audit: flagged cell " + std::to_string(c) + " on day " +
                                    std::to_string(d) + " is not an active cell");
      }
    }
  }
  if (flagged.empty()) return Status::InvalidInput("audit: no day to audit");
  if (!reference_group.empty() &&
      std::find(group_names.begin(), group_names.end(), reference_group) == group_names.end()) {
    std::string known;
    for (const auto& g : group_names) known += (known.empty() ? "" : ", ") + g;
    return Status::InvalidInput("audit: --reference-group: unknown group \"" + reference_group +
                                "\" (groups: " + known + ")");
  }
  if (bootstrap_reps < 0) return Status::InvalidInput("audit: --bootstrap: expected >= 0");
  if (!(band_lo > 0 && band_lo < band_hi)) {
    return Status::InvalidInput("audit: band: expected 0 < band_lo < band_hi");
  }
  return Status::Ok();
}

Result<AuditResult> RunAudit(const AuditInput& in) {
  PLACECAST_RETURN_IF_ERROR(in.Validate());
  const size_t na = in.area_names.size(), ng = in.group_names.size(), nd = in.flagged.size();

  // Per day and area: flagged cells. Everything else follows from per-day totals, so the
  // bootstrap resamples these rows.
  std::vector<std::vector<int64_t>> exp_day(nd, std::vector<int64_t>(na, 0));
  AuditResult r;
  r.days = static_cast<int32_t>(nd);
  for (size_t d = 0; d < nd; ++d) {
    for (grid::CellId c : in.flagged[d]) {
      ++r.flagged_cell_days;
      if (in.cell_area[c] < 0) {
        ++r.unassigned_flagged_cell_days;
      } else {
        ++exp_day[d][in.cell_area[c]];
      }
    }
  }
  std::vector<double> exp_area(na, 0), need_area(na, 0);
  for (size_t d = 0; d < nd; ++d) {
    for (size_t a = 0; a < na; ++a) {
      exp_area[a] += static_cast<double>(exp_day[d][a]);
      need_area[a] += static_cast<double>(in.need[d][a]);
    }
  }
  double exp_total = 0, need_total = 0;
  for (size_t a = 0; a < na; ++a) {
    exp_total += exp_area[a];
    need_total += need_area[a];
  }
  r.need_events = static_cast<int64_t>(need_total);

  size_t ref = 0;
  if (in.reference_group.empty()) {
    std::vector<double> tot(ng, 0);
    for (size_t a = 0; a < na; ++a) {
      for (size_t g = 0; g < ng; ++g) tot[g] += in.residents[a][g];
    }
    for (size_t g = 1; g < ng; ++g) {
      if (tot[g] > tot[ref]) ref = g;
    }
  } else {
    ref = std::find(in.group_names.begin(), in.group_names.end(), in.reference_group) -
          in.group_names.begin();
  }
  r.reference_group = in.group_names[ref];
  r.band_lo = in.band_lo;
  r.band_hi = in.band_hi;
  r.bootstrap_reps = in.bootstrap_reps;
  r.seed = in.seed;

  std::vector<int32_t> cells_in(na, 0);
  for (int32_t a : in.cell_area) {
    if (a >= 0) ++cells_in[a];
  }
  for (size_t a = 0; a < na; ++a) {
    AreaAudit aa;
    aa.name = in.area_names[a];
    aa.residents = in.area_residents[a];
    aa.cells = cells_in[a];
    aa.flagged_cell_days = static_cast<int64_t>(exp_area[a]);
    aa.exposure_share = exp_total > 0 ? exp_area[a] / exp_total : kNaN;
    aa.exposure_per_1k_residents = aa.residents > 0 ? 1000 * exp_area[a] / aa.residents : kNaN;
    aa.need_events = static_cast<int64_t>(need_area[a]);
    aa.need_share = need_total > 0 ? need_area[a] / need_total : kNaN;
    aa.need_per_1k_residents = aa.residents > 0 ? 1000 * need_area[a] / aa.residents : kNaN;
    r.areas.push_back(aa);
  }

  const GroupMeans m = Means(in, exp_area, need_area);
  if (!(m.exposure[ref] > 0)) {
    return Status::InvalidInput("audit: reference group " + r.reference_group +
                                ": no flagged cell in any area where its residents live; "
                                "ratios are undefined");
  }
  if (!(m.need[ref] > 0)) {
    return Status::InvalidInput("audit: reference group " + r.reference_group +
                                ": no victim-reported offence in any area where its residents "
                                "live; need ratios are undefined");
  }

  // Bootstrap over days: resample day rows with replacement, recompute every ratio.
  std::vector<std::vector<double>> boot_exp(ng), boot_need(ng), boot_disp(ng);
  SplitMix64 rng{in.seed};
  std::vector<double> e(na), n(na);
  for (int rep = 0; rep < in.bootstrap_reps; ++rep) {
    std::fill(e.begin(), e.end(), 0);
    std::fill(n.begin(), n.end(), 0);
    for (size_t i = 0; i < nd; ++i) {
      const size_t d = rng.Below(nd);
      for (size_t a = 0; a < na; ++a) {
        e[a] += static_cast<double>(exp_day[d][a]);
        n[a] += static_cast<double>(in.need[d][a]);
      }
    }
    const GroupMeans b = Means(in, e, n);
    for (size_t g = 0; g < ng; ++g) {
      const double er = Ratio(b.exposure[g], b.exposure[ref]);
      const double nr = Ratio(b.need[g], b.need[ref]);
      if (std::isfinite(er)) boot_exp[g].push_back(er);
      if (std::isfinite(nr)) boot_need[g].push_back(nr);
      if (std::isfinite(er) && std::isfinite(nr) && nr > 0) boot_disp[g].push_back(er / nr);
    }
  }
  auto estimate = [&](double value, std::vector<double>& boot) {
    Estimate est{value, value, value};
    if (in.bootstrap_reps > 0) {
      std::sort(boot.begin(), boot.end());
      est.lo = Quantile(boot, 0.025);
      est.hi = Quantile(boot, 0.975);
    }
    return est;
  };
  for (size_t g = 0; g < ng; ++g) {
    GroupAudit ga;
    ga.name = in.group_names[g];
    for (size_t a = 0; a < na; ++a) ga.residents += in.residents[a][g];
    ga.exposure_per_1k_residents = m.exposure[g];
    ga.need_per_1k_residents = m.need[g];
    const double er = Ratio(m.exposure[g], m.exposure[ref]);
    const double nr = Ratio(m.need[g], m.need[ref]);
    ga.exposure_ratio = estimate(er, boot_exp[g]);
    ga.need_ratio = estimate(nr, boot_need[g]);
    ga.disparity_beyond_need = estimate(nr > 0 ? er / nr : kNaN, boot_disp[g]);
    auto outside = [&](double v) { return std::isfinite(v) && (v < in.band_lo || v > in.band_hi); };
    ga.exposure_outside_band = outside(ga.exposure_ratio.value);
    ga.disparity_outside_band = outside(ga.disparity_beyond_need.value);
    const std::string band = Fmt("%g", in.band_lo) + "–" + Fmt("%g", in.band_hi);
    // Without bootstrap replications there is no interval to quote (lo = hi = the estimate).
    const bool intervals = in.bootstrap_reps > 0;
    auto ci = [&](const auto& e) {
      return intervals ? " (95% CI " + Fmt("%.2f", e.lo) + "–" + Fmt("%.2f", e.hi) + ")"
                       : std::string(" (no interval: no bootstrap)");
    };
    if (g == ref) {
      ga.statement = ga.name + " is the reference group (ratios 1 by definition).";
    } else {
      ga.statement =
          "Group " + ga.name + ": the areas its residents live in are flagged " + Fmt("%.2f", er) +
          "× as often as those of group " + r.reference_group + ci(ga.exposure_ratio) +
          (ga.exposure_outside_band ? ", OUTSIDE the " + band + " band"
                                    : ", within the " + band + " band") +
          ". Victim-reported offences per resident are " + Fmt("%.2f", nr) +
          "× the reference's, so the disparity beyond need is " +
          Fmt("%.2f", ga.disparity_beyond_need.value) + ci(ga.disparity_beyond_need) +
          (ga.disparity_outside_band ? ": OUTSIDE the band, FLAGGED" : ": within the band") +
          (intervals && ga.disparity_outside_band && ga.disparity_beyond_need.lo <= in.band_hi &&
                   ga.disparity_beyond_need.hi >= in.band_lo
               ? " (but its 95% interval reaches into the band: the day-to-day evidence is weak)."
               : ".");
    }
    r.groups.push_back(std::move(ga));
  }
  return r;
}

std::string AuditJson(const AuditResult& r) {
  nlohmann::ordered_json j;
  j["days"] = r.days;
  j["flagged_cell_days"] = r.flagged_cell_days;
  j["unassigned_flagged_cell_days"] = r.unassigned_flagged_cell_days;
  j["need_events"] = Count(r.need_events);
  j["reference_group"] = r.reference_group;
  j["band"] = {JNum(r.band_lo), JNum(r.band_hi)};
  j["bootstrap"] = {
      {"reps", r.bootstrap_reps}, {"seed", r.seed}, {"method", "percentile, resampling days"}};
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const auto& g : r.groups) {
    groups.push_back({{"group", g.name},
                      {"residents", JNum(g.residents)},
                      {"exposure_per_1k_residents", JNum(g.exposure_per_1k_residents)},
                      {"need_per_1k_residents", JNum(g.need_per_1k_residents)},
                      {"exposure_ratio", JEst(g.exposure_ratio)},
                      {"need_ratio", JEst(g.need_ratio)},
                      {"disparity_beyond_need", JEst(g.disparity_beyond_need)},
                      {"exposure_outside_band", g.exposure_outside_band},
                      {"disparity_outside_band", g.disparity_outside_band},
                      {"statement", g.statement}});
  }
  j["groups"] = groups;
  nlohmann::ordered_json areas = nlohmann::ordered_json::array();
  for (const auto& a : r.areas) {
    areas.push_back({{"area", a.name},
                     {"residents", JNum(a.residents)},
                     {"cells", a.cells},
                     {"flagged_cell_days", a.flagged_cell_days},
                     {"exposure_share", JNum(a.exposure_share)},
                     {"exposure_per_1k_residents", JNum(a.exposure_per_1k_residents)},
                     {"need_events", Count(a.need_events)},
                     {"need_share", JNum(a.need_share)},
                     {"need_per_1k_residents", JNum(a.need_per_1k_residents)}});
  }
  j["areas"] = areas;
  return j.dump(2);
}

std::string AuditAreasCsvHeader() {
  return "model,area,residents,cells,flagged_cell_days,exposure_share,exposure_per_1k_residents,"
         "need_events,need_share,need_per_1k_residents\n";
}

std::string AuditAreasCsv(const AuditResult& r, const std::string& model) {
  std::string s;
  for (const auto& a : r.areas) {
    s += model + "," + a.name + "," + Num(a.residents) + "," + std::to_string(a.cells) + "," +
         std::to_string(a.flagged_cell_days) + "," + Num(a.exposure_share) + "," +
         Num(a.exposure_per_1k_residents) + "," +
         (a.need_events < 0 ? std::string() : std::to_string(a.need_events)) + "," +
         Num(a.need_share) + "," + Num(a.need_per_1k_residents) + "\n";
  }
  return s;
}

std::string AuditGroupsCsvHeader() {
  return "model,group,residents,exposure_per_1k_residents,need_per_1k_residents,exposure_ratio,"
         "exposure_ratio_lo,exposure_ratio_hi,need_ratio,need_ratio_lo,need_ratio_hi,"
         "disparity_beyond_need,disparity_lo,disparity_hi,exposure_outside_band,"
         "disparity_outside_band\n";
}

std::string AuditGroupsCsv(const AuditResult& r, const std::string& model) {
  std::string s;
  auto est = [](const Estimate& e) { return Num(e.value) + "," + Num(e.lo) + "," + Num(e.hi); };
  for (const auto& g : r.groups) {
    s += model + "," + g.name + "," + Num(g.residents) + "," + Num(g.exposure_per_1k_residents) +
         "," + Num(g.need_per_1k_residents) + "," + est(g.exposure_ratio) + "," +
         est(g.need_ratio) + "," + est(g.disparity_beyond_need) + "," +
         (g.exposure_outside_band ? "1" : "0") + "," + (g.disparity_outside_band ? "1" : "0") +
         "\n";
  }
  return s;
}

}  // namespace placecast::audit
