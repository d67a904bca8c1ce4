// SPDX-License-Identifier: Apache-2.0
// `sepp_grid` model: grid ETAS fitted by expectation / conditional maximisation with O(n)
// exponential recursions per iteration, cells split into fixed blocks summed in a fixed order so
// any thread count gives the same bytes. Not thread-safe (one instance per thread).
#include "placecast/models/sepp_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "models/cell_sums.h"
#include "models/fitted_json.h"
#include "models/residue.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kSeppGridParams[] = {
    {"window_days", ParamType::kInt, "365", 1, 36500, "days",
     "Training window: the events in [origin - window_days, origin) are fitted; T = window_days is "
     "the observation length in the likelihood. Longer windows estimate theta and omega better "
     "but assume the background stayed constant for longer."},
    {"theta_init", ParamType::kDouble, "0.5", 1e-6, 0.99, "",
     "Starting value of theta, the expected number of offspring per event. EM converges to the "
     "same fit from any start in (0, 1) on well-behaved data; it only changes the iteration "
     "count."},
    {"omega_init", ParamType::kDouble, "0.1", 1e-6, 1000, "1/days",
     "Starting value of omega, the decay rate of the triggering kernel (mean delay 1/omega days). "
     "0.1/day (10-day mean delay) lies within the range of fits reported for burglary and "
     "violent crime."},
    {"tol", ParamType::kDouble, "1e-9", 1e-15, 0.01, "",
     "Convergence: EM stops when |LL_k - LL_(k-1)| <= tol * |LL_k| for the log-likelihood LL. At "
     "1e-9 the remaining change of theta and omega is far below their standard errors; smaller "
     "values cost iterations for no visible change in the forecast."},
    {"max_iterations", ParamType::kInt, "500", 1, 100000, "",
     "Iteration cap. When it is hit before convergence, the fit is used and a warning says so."},
    {"neighbour_weight", ParamType::kDouble, "0", 0, 1, "",
     "Our extension (not in Mohler et al. 2015): the share of each event's offspring that land in "
     "the 8 neighbouring active cells (split evenly among them), the rest staying in its own cell; "
     "the total stays theta. 0 is the paper's model. With no active neighbour all stay."},
    {"min_background_per_day", ParamType::kDouble, "1e-6", 1e-12, 1, "events/day",
     "Floor on the background rate mu of every cell with events in the window, so the first "
     "event of a cell never has zero intensity (log 0). The M-step maximises under mu >= floor, so "
     "EM stays monotone. Cells without events get mu = 0, their exact maximum. 1e-6/day is one "
     "event in 2700 years: negligible for any real cell."},
    {"refit_every_days", ParamType::kInt, "0", 0, 36500, "days",
     "0: every Fit() is a full EM fit. k > 0: a Fit() with the same events and grid within k days "
     "after the last full fit keeps theta, omega and mu and only advances the triggering state "
     "with the new events (O(new events)); cheaper daily backtests at the cost of parameters up "
     "to k days old."},
    {"num_threads", ParamType::kInt, "2", 1, 64, "",
     "Threads used by each EM iteration. The result is the same bytes for any value: cells are "
     "cut into fixed blocks whose partial sums are added in a fixed order."},
};

constexpr ModelInfo kSeppGridInfo{
    "sepp_grid",
    "grid ETAS self-exciting point process (background rate per cell plus exponential "
    "self-excitation), fitted by EM",
    "Mohler, Short, Malinowski, Johnson, Tita, Bertozzi and Brantingham (2015), Randomized "
    "controlled field trials of predictive policing, JASA 110; Mohler (2014), Marked point process "
    "hotspot maps for homicide and gun crime prediction in Chicago, IJF 30",
    kSeppGridParams};

constexpr int kSchemaVersion = 1;
// Cells are cut into this many blocks of about equal work, whatever the thread count.
constexpr int kNumBlocks = 64;
constexpr double kThetaMax = 0.999;

// Offspring shares: an event in cell s sends own_share(s) of its kernel to s and nb_share(s) to
// each of its active neighbours.
struct Shares {
  std::vector<double> own;                              // per cell
  std::vector<double> nb;                               // per cell
  std::vector<std::array<grid::CellId, 8>> neighbours;  // kNoCell-padded
};

Shares MakeShares(const grid::Grid& g, double w) {
  Shares s;
  const int32_t n = g.num_cells();
  s.own.assign(static_cast<size_t>(n), 1.0);
  s.nb.assign(static_cast<size_t>(n), 0.0);
  s.neighbours.assign(static_cast<size_t>(n), {});
  for (grid::CellId c = 0; c < n; ++c) {
    auto& nbs = s.neighbours[static_cast<size_t>(c)];
    nbs.fill(grid::kNoCell);
    int k = 0;
    for (int dr = -1; dr <= 1; ++dr) {
      for (int dc = -1; dc <= 1; ++dc) {
        if (dr == 0 && dc == 0) continue;
        const grid::CellId m = g.ColRowToCell(g.CellCol(c) + dc, g.CellRow(c) + dr);
        if (m != grid::kNoCell) nbs[static_cast<size_t>(k++)] = m;
      }
    }
    if (w > 0 && k > 0) {
      s.own[static_cast<size_t>(c)] = 1.0 - w;
      s.nb[static_cast<size_t>(c)] = w / k;
    }
  }
  return s;
}

// Runs fn(block) for every block on `threads` threads. Blocks are independent; which thread runs
// which block does not change any result.
template <typename Fn>
void ForBlocks(int threads, int num_blocks, Fn&& fn) {
  threads = std::max(1, std::min(threads, num_blocks));
  if (threads == 1) {
    for (int b = 0; b < num_blocks; ++b) fn(b);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int b = t; b < num_blocks; b += threads) fn(b);
    });
  }
  for (int b = 0; b < num_blocks; b += threads) fn(b);
  for (auto& th : pool) th.join();
}

// The training data of one full fit, laid out per cell for the recursions.
struct Layout {
  int32_t num_cells = 0;
  double length_days = 0;         // T
  std::vector<double> all_t;      // days since window start, ascending (every used event)
  std::vector<size_t> own_start;  // num_cells + 1, into own_t
  std::vector<double> own_t;      // per cell, ascending
  // The streams each cell's intensity reads: its own events, plus (neighbour_weight > 0) its
  // neighbours' with their share. Empty when neighbour_weight = 0 (the stream is own_t, weight 1).
  bool weighted = false;
  std::vector<size_t> stream_start;
  std::vector<double> stream_t, stream_w;
  std::vector<uint8_t> stream_own;
  std::vector<int32_t> block_start;  // kNumBlocks + 1 cell boundaries
};

// Sufficient statistics of one E-step.
struct EStats {
  double sum_log_lambda = 0;
  double p_trig = 0;      // P = Σ_i Σ_j p_ij
  double p_trig_lag = 0;  // D = Σ_i Σ_j p_ij (t_i − t_j)
  // At the window's end T: Σ_j e^(−ωτ_j) and Σ_j τ_j e^(−ωτ_j), τ_j = T − t_j. Summed over every
  // cell's stream these are exact also with neighbour spread, as each event's shares sum to 1.
  double tail0 = 0, tail1 = 0;
};

// E-step of one block of cells: fills mu_num[c] = Σ_{i in c} p_bg,i and returns the block's sums.
template <bool kWeighted>
EStats EStepBlock(const Layout& lay, int block, const std::vector<double>& mu, double theta,
                  double omega, std::vector<double>* mu_num) {
  EStats st;
  const double theta_omega = theta * omega;
  const auto& start = kWeighted ? lay.stream_start : lay.own_start;
  const double* ts = kWeighted ? lay.stream_t.data() : lay.own_t.data();
  for (int32_t c = lay.block_start[static_cast<size_t>(block)];
       c < lay.block_start[static_cast<size_t>(block) + 1]; ++c) {
    const size_t k0 = start[static_cast<size_t>(c)], k1 = start[static_cast<size_t>(c) + 1];
    const double m = mu[static_cast<size_t>(c)];
    double bg = 0;
    // S: Σ w_j e^(−ω(t − t_j)) and U: Σ w_j (t − t_j) e^(−ω(t − t_j)) over the events strictly
    // before the current time `cur`; `pending` is the weight of the events at `cur`, which join S
    // only when time moves on (ties do not trigger each other).
    double s = 0, u = 0, pending = 0;
    double cur = k0 < k1 ? ts[k0] : 0;
    for (size_t k = k0; k < k1; ++k) {
      const double t = ts[k];
      if (t != cur) {
        s += pending;
        pending = 0;
        const double dt = t - cur;
        const double d = std::exp(-omega * dt);
        u = d * (u + dt * s);
        s *= d;
        cur = t;
      }
      if (!kWeighted || lay.stream_own[k]) {
        const double trig = theta_omega * s;
        const double lambda = m + trig;
        const double inv = 1.0 / lambda;
        bg += m * inv;
        st.p_trig += trig * inv;
        st.p_trig_lag += theta_omega * u * inv;
        st.sum_log_lambda += std::log(lambda);
      }
      pending += kWeighted ? lay.stream_w[k] : 1.0;
    }
    if (k0 < k1) {  // the state at T, for the edge terms
      s += pending;
      const double dt = lay.length_days - cur;
      const double d = std::exp(-omega * dt);
      st.tail0 += d * s;
      st.tail1 += d * (u + dt * s);
    }
    (*mu_num)[static_cast<size_t>(c)] = bg;
  }
  return st;
}

std::string Fmt(double v) { return FormatValue(v); }

}  // namespace

struct SeppGridModel::Impl {
  explicit Impl(ParamValues p)
      : params(std::move(p)),
        window_days(params.GetInt("window_days")),
        theta_init(params.GetDouble("theta_init")),
        omega_init(params.GetDouble("omega_init")),
        tol(params.GetDouble("tol")),
        max_iterations(params.GetInt("max_iterations")),
        neighbour_weight(params.GetDouble("neighbour_weight")),
        min_background(params.GetDouble("min_background_per_day")),
        refit_every_days(params.GetInt("refit_every_days")),
        num_threads(static_cast<int>(params.GetInt("num_threads"))) {}

  ParamValues params;
  int64_t window_days;
  double theta_init, omega_init, tol;
  int64_t max_iterations;
  double neighbour_weight, min_background;
  int64_t refit_every_days;
  int num_threads;

  bool fitted = false;
  SeppGridFit fit;
  std::vector<double> ll_trace;
  std::vector<std::string> warnings;
  const grid::Grid* grid = nullptr;
  Shares shares;
  FitKey key;
  int64_t full_fit_origin_s = 0;
  bool has_full_fit = false;

  Status FullFit(const EventSet& events, const grid::Grid& g, int64_t origin_s);
  Layout BuildLayout(const EventSet& events, const grid::Grid& g, size_t lo, size_t hi,
                     std::vector<grid::CellId>* cells) const;
  Status Advance(const EventSet& events, const grid::Grid& g, int64_t new_origin_s);
};

Layout SeppGridModel::Impl::BuildLayout(const EventSet& events, const grid::Grid& g, size_t lo,
                                        size_t hi, std::vector<grid::CellId>* cells) const {
  Layout lay;
  lay.num_cells = g.num_cells();
  lay.length_days = static_cast<double>(window_days);
  const int64_t start_s = fit.window_start_s;
  const auto nc = static_cast<size_t>(lay.num_cells);
  cells->clear();
  std::vector<size_t> count(nc + 1, 0);
  std::vector<size_t> used;
  used.reserve(hi - lo);
  for (size_t i = lo; i < hi; ++i) {
    const grid::CellId c = g.PointToCell(events.x_m[i], events.y_m[i]);
    if (c == grid::kNoCell) continue;
    used.push_back(i);
    cells->push_back(c);
    ++count[static_cast<size_t>(c) + 1];
  }
  lay.all_t.resize(used.size());
  for (size_t k = 0; k < used.size(); ++k) {
    lay.all_t[k] = static_cast<double>(events.t_s[used[k]] - start_s) / kSecondsPerDay;
  }
  for (size_t c = 0; c < nc; ++c) count[c + 1] += count[c];
  lay.own_start = count;
  lay.own_t.resize(used.size());
  {
    std::vector<size_t> pos(count.begin(), count.end() - 1);
    for (size_t k = 0; k < used.size(); ++k) {
      lay.own_t[pos[static_cast<size_t>((*cells)[k])]++] = lay.all_t[k];
    }
  }
  lay.weighted = neighbour_weight > 0;
  std::vector<size_t> work(nc, 0);  // stream length per cell, for blocking
  if (lay.weighted) {
    lay.stream_start.assign(nc + 1, 0);
    for (size_t c = 0; c < nc; ++c) {
      size_t len = count[c + 1] - count[c];
      for (grid::CellId m : shares.neighbours[c]) {
        if (m != grid::kNoCell)
          len += count[static_cast<size_t>(m) + 1] - count[static_cast<size_t>(m)];
      }
      lay.stream_start[c + 1] = lay.stream_start[c] + len;
    }
    const size_t total = lay.stream_start[nc];
    lay.stream_t.resize(total);
    lay.stream_w.resize(total);
    lay.stream_own.resize(total);
    struct Entry {
      double t, w;
      uint8_t own;
    };
    std::vector<Entry> buf;
    for (size_t c = 0; c < nc; ++c) {
      buf.clear();
      auto append = [&](size_t src, double w, uint8_t own) {
        const size_t mid = buf.size();
        for (size_t k = count[src]; k < count[src + 1]; ++k) buf.push_back({lay.own_t[k], w, own});
        std::inplace_merge(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(mid), buf.end(),
                           [](const Entry& a, const Entry& b) { return a.t < b.t; });
      };
      append(c, shares.own[c], 1);
      for (grid::CellId m : shares.neighbours[c]) {
        if (m != grid::kNoCell)
          append(static_cast<size_t>(m), shares.nb[static_cast<size_t>(m)], 0);
      }
      for (size_t k = 0; k < buf.size(); ++k) {
        const size_t at = lay.stream_start[c] + k;
        lay.stream_t[at] = buf[k].t;
        lay.stream_w[at] = buf[k].w;
        lay.stream_own[at] = buf[k].own;
      }
      work[c] = buf.size();
    }
  } else {
    for (size_t c = 0; c < nc; ++c) work[c] = count[c + 1] - count[c];
  }
  // Fixed blocks of about equal work (stream entries plus one per cell).
  size_t total_work = 0;
  for (size_t c = 0; c < nc; ++c) total_work += work[c] + 1;
  lay.block_start.assign(kNumBlocks + 1, lay.num_cells);
  lay.block_start[0] = 0;
  size_t acc = 0;
  int b = 1;
  for (size_t c = 0; c < nc && b < kNumBlocks; ++c) {
    acc += work[c] + 1;
    while (b < kNumBlocks && acc * kNumBlocks >= total_work * static_cast<size_t>(b)) {
      lay.block_start[static_cast<size_t>(b++)] = static_cast<int32_t>(c + 1);
    }
  }
  return lay;
}

Status SeppGridModel::Impl::FullFit(const EventSet& events, const grid::Grid& g, int64_t origin_s) {
  const int64_t start_s = WindowStart(origin_s, window_days);
  const auto [lo, hi] = events.TimeRange(start_s, origin_s);
  if (!(FitKey::Of(events, g) == key && has_full_fit)) {
    PLACECAST_RETURN_IF_ERROR(CheckSorted(events));
  }
  if (shares.own.size() != static_cast<size_t>(g.num_cells()) || grid != &g ||
      !(FitKey::Of(events, g) == key)) {
    shares = MakeShares(g, neighbour_weight);
  }
  fit = SeppGridFit{};
  fit.window_start_s = start_s;
  fit.origin_s = origin_s;
  fit.neighbour_weight = neighbour_weight;
  std::vector<grid::CellId> cells;
  const Layout lay = BuildLayout(events, g, lo, hi, &cells);
  const auto nc = static_cast<size_t>(lay.num_cells);
  const double T = lay.length_days;
  const double n = static_cast<double>(lay.all_t.size());
  fit.events_used = static_cast<int64_t>(lay.all_t.size());

  // Start: θ and ω as given, μ_c = (1 − θ) × (events of c) / T, floored.
  double theta = theta_init, omega = omega_init;
  std::vector<double> mu(nc);
  for (size_t c = 0; c < nc; ++c) {
    const double cnt = static_cast<double>(lay.own_start[c + 1] - lay.own_start[c]);
    mu[c] = cnt > 0 ? std::max(min_background, (1 - theta) * cnt / T) : 0.0;
  }
  std::vector<double> mu_num(nc, 0.0);
  std::vector<EStats> partial(kNumBlocks);
  ll_trace.clear();
  int64_t iter = 0;
  bool converged = false;
  double ll = 0;
  for (;; ++iter) {
    // E-step at (μ, θ, ω): posterior sums and the log-likelihood of these parameters.
    ForBlocks(num_threads, kNumBlocks, [&](int b) {
      partial[static_cast<size_t>(b)] = lay.weighted
                                            ? EStepBlock<true>(lay, b, mu, theta, omega, &mu_num)
                                            : EStepBlock<false>(lay, b, mu, theta, omega, &mu_num);
    });
    EStats st;
    for (const EStats& p : partial) {
      st.sum_log_lambda += p.sum_log_lambda;
      st.p_trig += p.p_trig;
      st.p_trig_lag += p.p_trig_lag;
      st.tail0 += p.tail0;
      st.tail1 += p.tail1;
    }
    double sum_mu = 0;
    for (double m : mu) sum_mu += m;
    ll = st.sum_log_lambda - T * sum_mu - theta * (n - st.tail0);
    ll_trace.push_back(ll);
    if (iter > 0 && std::abs(ll - ll_trace[ll_trace.size() - 2]) <= tol * std::abs(ll)) {
      converged = true;
      break;
    }
    if (iter >= max_iterations || n == 0) break;
    // M-step, as a conditional maximisation of Q(μ, θ, ω) = Σ p_bg log μ − μT + P log θ + P log ω
    // − ωD − θ Σ_j (1 − e^(−ωτ_j)), in closed form:
    //  - θ given the current ω: θ' = P / (n − e0), e0 = Σ e^(−ωτ_j) (the edge-corrected form);
    //  - ω given θ': the edge term θ' e0(ω) is convex in ω, so its tangent at the current ω
    //    minorises Q; maximising the minoriser gives ω' = P / (D + θ' e1), e1 = Σ τ_j e^(−ωτ_j).
    // Each step raises Q, so the log-likelihood never decreases; the fixed point satisfies the
    // exact stationarity conditions θ = P / Σ(1 − e^(−ωτ_j)) and P/ω − D − θ e1(ω) = 0.
    // A cell without events has no log λ term: its MLE is μ = 0 exactly. The floor applies to
    // the others, where it keeps log λ finite.
    for (size_t c = 0; c < nc; ++c) {
      mu[c] =
          lay.own_start[c + 1] > lay.own_start[c] ? std::max(min_background, mu_num[c] / T) : 0.0;
    }
    const double edge = n - st.tail0;
    if (edge > 0) theta = std::min(kThetaMax, st.p_trig / edge);
    const double lag = st.p_trig_lag + theta * st.tail1;
    if (st.p_trig > 0 && lag > 0) omega = st.p_trig / lag;
  }
  fit.theta = theta;
  fit.omega_per_day = omega;
  fit.mu_per_day = std::move(mu);
  fit.iterations = iter;
  fit.converged = converged || n == 0;
  fit.log_likelihood = ll;
  // Triggering state at the origin: Σ_j e^(−ω(T − t_j)) per cell.
  fit.excitation.assign(nc, 0.0);
  for (size_t c = 0; c < nc; ++c) {
    double x = 0;
    for (size_t k = lay.own_start[c]; k < lay.own_start[c + 1]; ++k) {
      x += std::exp(-omega * (T - lay.own_t[k]));
    }
    fit.excitation[c] = x;
  }

  warnings = WindowWarnings(events, origin_s, window_days, "window_days", fit.events_used,
                            static_cast<int64_t>(hi - lo));
  if (!fit.converged) {
    const double last = ll_trace.size() >= 2 ? ll_trace[ll_trace.size() - 2] : ll;
    warnings.push_back("EM stopped at max_iterations = " + std::to_string(max_iterations) +
                       " before converging (relative log-likelihood change " +
                       Fmt(std::abs(ll - last) / std::max(std::abs(ll), 1e-300)) + " > tol " +
                       Fmt(tol) + "); the fit is used as it is");
  }
  if (theta >= kThetaMax) {
    warnings.push_back("theta reached its cap " + Fmt(kThetaMax) +
                       ": nearly every event is explained as triggered, so the background is "
                       "poorly identified (a trend or a too-long window?)");
  }
  grid = &g;
  key = FitKey::Of(events, g);
  full_fit_origin_s = origin_s;
  has_full_fit = true;
  fitted = true;
  return Status::Ok();
}

Status SeppGridModel::Impl::Advance(const EventSet& events, const grid::Grid& g,
                                    int64_t new_origin_s) {
  if (new_origin_s < fit.origin_s) {
    return Status::InvalidInput("sepp_grid: Update(): new origin " + FormatDateTime(new_origin_s) +
                                " is before the state's origin " + FormatDateTime(fit.origin_s));
  }
  const auto [lo, hi] = events.TimeRange(fit.origin_s, new_origin_s);
  const double omega = fit.omega_per_day;
  const double decay =
      std::exp(-omega * static_cast<double>(new_origin_s - fit.origin_s) / kSecondsPerDay);
  for (double& x : fit.excitation) x *= decay;
  for (size_t i = lo; i < hi; ++i) {
    const grid::CellId c = g.PointToCell(events.x_m[i], events.y_m[i]);
    if (c == grid::kNoCell) continue;
    fit.excitation[static_cast<size_t>(c)] +=
        std::exp(-omega * static_cast<double>(new_origin_s - events.t_s[i]) / kSecondsPerDay);
  }
  fit.origin_s = new_origin_s;
  grid = &g;
  return Status::Ok();
}

SeppGridModel::SeppGridModel(ParamValues params)
    : impl_(std::make_unique<Impl>(std::move(params))) {}
SeppGridModel::~SeppGridModel() = default;

Result<std::unique_ptr<SeppGridModel>> SeppGridModel::Create(
    const std::map<std::string, std::string>& params) {
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(kSeppGridParams, params, kSeppGridInfo.name));
  return std::make_unique<SeppGridModel>(std::move(values));
}

std::string_view SeppGridModel::name() const { return kSeppGridInfo.name; }
const ParamValues& SeppGridModel::params() const { return impl_->params; }
const SeppGridFit& SeppGridModel::fit() const { return impl_->fit; }
const std::vector<double>& SeppGridModel::log_likelihood_trace() const { return impl_->ll_trace; }
std::vector<std::string> SeppGridModel::Warnings() const { return impl_->warnings; }

double SeppGridModel::SupportRadiusM() const {
  // With neighbour_weight > 0 a cell also reads its 8 neighbours: an event anywhere in a
  // diagonal neighbour is within sqrt(2) cells of the cell's square.
  const Impl& m = *impl_;
  if (m.neighbour_weight <= 0 || m.grid == nullptr) return 0;
  return std::sqrt(2.0) * m.grid->cell_size_m();
}
int64_t SeppGridModel::TrainFromS(int64_t origin_s) const {
  return WindowStart(origin_s, impl_->window_days);
}
Model::OutputKind SeppGridModel::output_kind() const { return OutputKind::kExpectedCount; }

Status SeppGridModel::Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) {
  Impl& m = *impl_;
  PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
  if (m.refit_every_days > 0 && m.fitted && m.has_full_fit && FitKey::Of(events, grid) == m.key &&
      origin_s >= m.fit.origin_s &&
      origin_s < m.full_fit_origin_s + m.refit_every_days * kSecondsPerDay) {
    return m.Advance(events, grid, origin_s);
  }
  m.fitted = false;
  m.warnings.clear();
  Status s = m.FullFit(events, grid, origin_s);
  if (!s.ok()) {
    m.has_full_fit = false;
    return s.Wrap(name());
  }
  return s;
}

Status SeppGridModel::Update(const EventSet& events, const grid::Grid& grid, int64_t new_origin_s) {
  Impl& m = *impl_;
  if (!m.fitted) {
    return Status::InvalidInput("sepp_grid: Update() called before a successful Fit()");
  }
  if (grid.num_cells() != static_cast<int32_t>(m.fit.excitation.size())) {
    return Status::InvalidInput("sepp_grid: Update(): the grid has " +
                                std::to_string(grid.num_cells()) + " active cells, the fit " +
                                std::to_string(m.fit.excitation.size()));
  }
  if (m.shares.own.size() != static_cast<size_t>(grid.num_cells())) {
    m.shares = MakeShares(grid, m.fit.neighbour_weight);
  }
  return m.Advance(events, grid, new_origin_s);
}

Result<grid::Surface> SeppGridModel::Predict(double horizon_days) const {
  const Impl& m = *impl_;
  if (!m.fitted)
    return Status::InvalidInput("sepp_grid: Predict() called before a successful Fit()");
  if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
    return Status::InvalidInput("sepp_grid: horizon_days: expected a positive number (got " +
                                FormatValue(horizon_days) + ")");
  }
  const SeppGridFit& f = m.fit;
  const double trig = f.theta * -std::expm1(-f.omega_per_day * horizon_days);
  const size_t nc = f.mu_per_day.size();
  grid::Surface out;
  out.value.resize(nc);
  for (size_t c = 0; c < nc; ++c) {
    double x = m.shares.own[c] * f.excitation[c];
    if (f.neighbour_weight > 0) {
      for (grid::CellId s : m.shares.neighbours[c]) {
        if (s != grid::kNoCell) {
          x += m.shares.nb[static_cast<size_t>(s)] * f.excitation[static_cast<size_t>(s)];
        }
      }
    }
    out.value[c] = f.mu_per_day[c] * horizon_days + trig * x;
  }
  PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues("sepp_grid", &out));
  return out;
}

std::string SeppGridModel::FittedJson() const {
  const Impl& m = *impl_;
  if (!m.fitted) return "{}";
  const SeppGridFit& f = m.fit;
  nlohmann::ordered_json j = FittedJsonHeader("sepp_grid", kSchemaVersion, m.params, *m.grid);
  j["theta"] = f.theta;
  j["omega_per_day"] = f.omega_per_day;
  j["iterations"] = f.iterations;
  j["converged"] = f.converged;
  j["log_likelihood"] = f.log_likelihood;
  j["events_used"] = f.events_used;
  j["neighbour_weight"] = f.neighbour_weight;
  j["window_start_s"] = f.window_start_s;
  j["origin_s"] = f.origin_s;
  j["mu_per_day"] = f.mu_per_day;
  j["excitation"] = f.excitation;
  return j.dump();
}

Status SeppGridModel::LoadFitted(std::string_view json, const grid::Grid& grid) {
  PLACECAST_ASSIGN_OR_RETURN(const nlohmann::json j,
                             ParseFittedJson(json, "sepp_grid", kSchemaVersion, grid));
  const FittedJsonReader in(j, "sepp_grid");
  const auto num_cells = static_cast<size_t>(grid.num_cells());  // checked equal to the fit's
  SeppGridFit f;
  double iterations = 0;
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("theta", &f.theta));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("omega_per_day", &f.omega_per_day));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("log_likelihood", &f.log_likelihood));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("neighbour_weight", &f.neighbour_weight));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("iterations", &iterations));
  f.iterations = static_cast<int64_t>(iterations);
  PLACECAST_RETURN_IF_ERROR(in.GetInt("events_used", &f.events_used));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("window_start_s", &f.window_start_s));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("origin_s", &f.origin_s));
  PLACECAST_RETURN_IF_ERROR(in.GetBool("converged", &f.converged));
  if (!(f.theta >= 0 && f.theta < 1)) return in.Bad("theta: expected a value in [0, 1)");
  if (!(f.omega_per_day > 0) || !std::isfinite(f.omega_per_day)) {
    return in.Bad("omega_per_day: expected a positive number");
  }
  if (!(f.neighbour_weight >= 0 && f.neighbour_weight <= 1)) {
    return in.Bad("neighbour_weight: expected a value in [0, 1]");
  }
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("mu_per_day", num_cells, /*non_negative=*/true, &f.mu_per_day));
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("excitation", num_cells, /*non_negative=*/true, &f.excitation));
  Impl& m = *impl_;
  m.fit = std::move(f);
  m.shares = MakeShares(grid, m.fit.neighbour_weight);
  m.grid = &grid;
  m.ll_trace.clear();
  m.warnings.clear();
  m.has_full_fit = false;
  m.key = FitKey{};
  m.fitted = true;
  return Status::Ok();
}

const ModelInfo& SeppGridModelInfo() { return kSeppGridInfo; }

Result<std::unique_ptr<Model>> MakeSeppGridModel(ParamValues params) {
  return std::unique_ptr<Model>(std::make_unique<SeppGridModel>(std::move(params)));
}

}  // namespace placecast::models
