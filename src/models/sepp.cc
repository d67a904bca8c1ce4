// SPDX-License-Identifier: Apache-2.0
// `sepp` model: the continuous self-exciting point process of Mohler et al. (2011), fitted by
// iterating declustering (expected or stochastic) and kernel estimation over the candidate pairs
// of bounded space-time windows, found once with a spatial bucket index. Events are cut into
// fixed blocks whose partial sums are added in a fixed order, so any thread count gives the same
// bytes. Not thread-safe (one instance per thread).
#include "placecast/models/sepp.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "models/cell_sums.h"
#include "models/fitted_json.h"
#include "models/residue.h"
#include "models/sepp_internal.h"
#include "placecast/common/random.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kSeppParams[] = {
    {"window_days", ParamType::kInt, "365", 1, 36500, "days",
     "Training window: the events in [origin - window_days, origin) are fitted. The background is "
     "a time-stationary rate over this window, so a longer window estimates the triggering better "
     "but assumes the background stayed constant for longer."},
    {"max_trigger_days", ParamType::kDouble, "60", 0.01, 3650, "days",
     "Triggering window in time: only pairs with 0 < t_i - t_j <= max_trigger_days can be parent "
     "and offspring, and g is zero beyond it. Near-repeat studies of burglary find raised risk "
     "for a few weeks up to about two months; 60 days keeps that whole range while bounding the "
     "work to O(events x neighbours)."},
    {"max_trigger_m", ParamType::kDouble, "500", 10, 10000, "m",
     "Triggering window in space: only pairs with |x_i - x_j| <= max_trigger_m and "
     "|y_i - y_j| <= max_trigger_m (a square) can be parent and offspring. Near-repeat risk is "
     "reported within a few hundred metres; 500 m keeps it with room to spare. The work grows "
     "with its square."},
    {"background_bandwidth_m", ParamType::kDouble, "100", 1, 10000, "m",
     "Standard deviation of the Gaussian kernel (truncated at 4 sd) of the background density. "
     "100 m is close to the spread of retro's default 200 m quartic kernel (sd 71 m) and keeps "
     "the background local; larger values smooth more and forecast less sharply."},
    {"trigger_bandwidth_days", ParamType::kDouble, "0.5", 0, 365, "days",
     "Standard deviation of the Gaussian that smooths the histogram of offspring lags in time "
     "(reflected at 0). Small values follow the data closely; 0 leaves the 1000-bin histogram "
     "unsmoothed."},
    {"trigger_bandwidth_m", ParamType::kDouble, "10", 0, 10000, "m",
     "Standard deviation of the Gaussian that smooths the histogram of offspring displacements "
     "(per axis), at every iteration. The smoothing compounds over the iterations, so it widens "
     "the estimate by more than one bandwidth (docs/models.md); with trigger_shape free it is "
     "needed (unsmoothed, the free histogram fits noise), with isotropic use 0."},
    {"trigger_shape", ParamType::kEnum, "free", 0, 0, "",
     "Spatial triggering density: free (a 2-D histogram of displacements, as Mohler et al. 2011) "
     "or isotropic (that histogram averaged over rings one bin wide, so it depends on distance "
     "only; our extension, with far fewer free values and much less bias on sparse data).",
     "free|isotropic"},
    {"declustering", ParamType::kEnum, "expected", 0, 0, "",
     "expected: every candidate pair enters the kernel estimates with its probability p_ij "
     "(deterministic). stochastic: each iteration draws one parent (or the background) per event "
     "from these probabilities with the seed, as Mohler et al. (2011) do, and estimates from the "
     "sample.",
     "expected|stochastic"},
    {"tol", ParamType::kDouble, "0.001", 1e-12, 0.5, "",
     "Convergence: expected declustering stops when no event's background probability changes "
     "by more than tol between iterations; stochastic declustering when theta changes by no more "
     "than max(tol, 1/sqrt(events)), its sampling noise, on 3 successive iterations."},
    {"max_iterations", ParamType::kInt, "300", 1, 10000, "",
     "Iteration cap. When it is hit before convergence, the fit is used and a warning says so."},
    {"seed", ParamType::kInt, "1", 0, 9007199254740992.0, "",
     "Seed of the stochastic declustering draws (unused with expected declustering)."},
    {"refit_every_days", ParamType::kInt, "0", 0, 36500, "days",
     "0: every Fit() is a full fit. k > 0: a Fit() with the same events and grid within k days "
     "after the last full fit keeps theta, g and the background and only replaces the events "
     "that can trigger (as Update()); much cheaper daily backtests at the cost of a fit up to k "
     "days old."},
    {"num_threads", ParamType::kInt, "2", 1, 64, "",
     "Threads used by the pair search and each iteration. The result is the same bytes for any "
     "value: events are cut into fixed blocks whose partial sums are added in a fixed order."},
};

constexpr ModelInfo kSeppInfo{
    "sepp",
    "continuous self-exciting point process (kernel-density background plus non-parametric "
    "space-time triggering), fitted by declustering",
    "Mohler, Short, Brantingham, Schoenberg and Tita (2011), Self-exciting point process modeling "
    "of crime, JASA 106(493)",
    kSeppParams};

constexpr int kSchemaVersion = 1;
constexpr double kThetaMax = 0.999;

using namespace sepp_internal;  // NOLINT: this file implements it

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Weights of a Gaussian of `sd_bins` integrated over unit bins at offsets −R..R, R = radius(sd),
// normalised to sum to 1. sd 0 gives {1}.
std::vector<double> BinnedGaussian(double sd_bins, int32_t radius) {
  if (!(sd_bins > 0) || radius <= 0) return {1.0};
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  double sum = 0;
  for (int32_t d = -radius; d <= radius; ++d) {
    const double v = NormalCdf((d + 0.5) / sd_bins) - NormalCdf((d - 0.5) / sd_bins);
    w[static_cast<size_t>(d + radius)] = v;
    sum += v;
  }
  for (double& v : w) v /= sum;
  return w;
}

// A uniform in (0, 1) for (seed, iteration, event): the same whatever thread draws it.
double DrawUniform(uint64_t seed, uint64_t iteration, uint64_t event) {
  const uint64_t h = SplitMix64(SplitMix64(seed) ^ SplitMix64((iteration << 40) ^ event));
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
}

// Smooths a 1-D histogram with `w` (offsets −R..R); mass below 0 is reflected, above n dropped.
std::vector<double> SmoothTime(const std::vector<double>& hist, const std::vector<double>& w) {
  const auto n = static_cast<int32_t>(hist.size());
  const auto r = static_cast<int32_t>(w.size() / 2);
  std::vector<double> out(hist.size(), 0.0);
  for (int32_t b = 0; b < n; ++b) {
    const double v = hist[static_cast<size_t>(b)];
    if (v == 0) continue;
    for (int32_t d = -r; d <= r; ++d) {
      int32_t to = b + d;
      if (to < 0) to = -to - 1;
      if (to >= n) continue;
      out[static_cast<size_t>(to)] += v * w[static_cast<size_t>(d + r)];
    }
  }
  return out;
}

// Smooths an n × n histogram with `w` along x then y; mass past the edges is dropped.
std::vector<double> SmoothSpace(const std::vector<double>& hist, int32_t n,
                                const std::vector<double>& w) {
  const auto r = static_cast<int32_t>(w.size() / 2);
  std::vector<double> tmp(hist.size(), 0.0), out(hist.size(), 0.0);
  for (int32_t y = 0; y < n; ++y) {
    for (int32_t x = 0; x < n; ++x) {
      const double v = hist[static_cast<size_t>(y) * n + x];
      if (v == 0) continue;
      for (int32_t d = std::max(-r, -x); d <= std::min(r, n - 1 - x); ++d) {
        tmp[static_cast<size_t>(y) * n + x + d] += v * w[static_cast<size_t>(d + r)];
      }
    }
  }
  for (int32_t y = 0; y < n; ++y) {
    for (int32_t x = 0; x < n; ++x) {
      const double v = tmp[static_cast<size_t>(y) * n + x];
      if (v == 0) continue;
      for (int32_t d = std::max(-r, -y); d <= std::min(r, n - 1 - y); ++d) {
        out[static_cast<size_t>(y + d) * n + x] += v * w[static_cast<size_t>(d + r)];
      }
    }
  }
  return out;
}

// Replaces every bin of an n × n displacement histogram (centred on zero displacement) by the
// mean over its ring: the bins whose centres lie at the same whole number of bin widths from
// the centre. This is the M-step for a density that depends on distance only and is constant on
// each ring (the maximum-likelihood such density spreads each ring's weight evenly over it).
void AverageOverRings(std::vector<double>* hist) {
  const int32_t n = kSpaceBins;
  auto ring_of = [&](int32_t x, int32_t y) {
    return static_cast<size_t>(std::hypot(x + 0.5 - n / 2.0, y + 0.5 - n / 2.0));
  };
  const size_t rings = ring_of(0, 0) + 1;
  std::vector<double> mass(rings, 0.0), bins(rings, 0.0);
  for (int32_t y = 0; y < n; ++y) {
    for (int32_t x = 0; x < n; ++x) {
      mass[ring_of(x, y)] += (*hist)[static_cast<size_t>(y) * n + x];
      bins[ring_of(x, y)] += 1;
    }
  }
  for (int32_t y = 0; y < n; ++y) {
    for (int32_t x = 0; x < n; ++x) {
      const size_t r = ring_of(x, y);
      (*hist)[static_cast<size_t>(y) * n + x] = mass[r] / bins[r];
    }
  }
}

std::string Fmt(double v) { return FormatValue(v); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// sepp_internal

namespace sepp_internal {

int32_t TriggerKernel::TimeBin(double dt_days) const {
  const auto b = static_cast<int32_t>(dt_days / TimeBinDays());
  return std::clamp(b, 0, kTimeBins - 1);
}

int32_t TriggerKernel::SpaceBin(double dx_m, double dy_m) const {
  const double sb = SpaceBinM();
  const int32_t ix =
      std::clamp(static_cast<int32_t>(std::floor((dx_m + max_m) / sb)), 0, kSpaceBins - 1);
  const int32_t iy =
      std::clamp(static_cast<int32_t>(std::floor((dy_m + max_m) / sb)), 0, kSpaceBins - 1);
  return iy * kSpaceBins + ix;
}

void TriggerKernel::BuildCumulative() {
  const double tw = TimeBinDays(), sb = SpaceBinM();
  h_cum.assign(kTimeBins + 1, 0.0);
  for (int32_t b = 0; b < kTimeBins; ++b) {
    h_cum[static_cast<size_t>(b) + 1] =
        h_cum[static_cast<size_t>(b)] + h[static_cast<size_t>(b)] * tw;
  }
  constexpr int32_t m = kSpaceBins + 1;
  f_cum.assign(static_cast<size_t>(m) * m, 0.0);
  for (int32_t y = 0; y < kSpaceBins; ++y) {
    double row = 0;
    for (int32_t x = 0; x < kSpaceBins; ++x) {
      row += f[static_cast<size_t>(y) * kSpaceBins + x] * sb * sb;
      f_cum[static_cast<size_t>(y + 1) * m + x + 1] =
          f_cum[static_cast<size_t>(y) * m + x + 1] + row;
    }
  }
}

double TriggerKernel::TimeMass(double a_days) const {
  if (!(a_days > 0)) return 0;
  const double u = a_days / TimeBinDays();
  if (u >= kTimeBins) return h_cum[kTimeBins];
  const auto i = static_cast<int32_t>(u);
  const double frac = u - i;
  return h_cum[static_cast<size_t>(i)] +
         frac * (h_cum[static_cast<size_t>(i) + 1] - h_cum[static_cast<size_t>(i)]);
}

double TriggerKernel::SpaceMass(double x0, double y0, double x1, double y1) const {
  const double sb = SpaceBinM();
  constexpr int32_t m = kSpaceBins + 1;
  auto cum = [&](double x, double y) {
    const double u = std::clamp((x + max_m) / sb, 0.0, static_cast<double>(kSpaceBins));
    const double v = std::clamp((y + max_m) / sb, 0.0, static_cast<double>(kSpaceBins));
    const int32_t i = std::min(static_cast<int32_t>(u), kSpaceBins - 1);
    const int32_t j = std::min(static_cast<int32_t>(v), kSpaceBins - 1);
    const double a = u - i, b = v - j;
    const double c00 = f_cum[static_cast<size_t>(j) * m + i];
    const double c01 = f_cum[static_cast<size_t>(j) * m + i + 1];
    const double c10 = f_cum[static_cast<size_t>(j + 1) * m + i];
    const double c11 = f_cum[static_cast<size_t>(j + 1) * m + i + 1];
    return c00 + a * (c01 - c00) + b * (c10 - c00) + a * b * (c11 - c01 - c10 + c00);
  };
  return cum(x1, y1) - cum(x0, y1) - cum(x1, y0) + cum(x0, y0);
}

Result<BackgroundRaster> BackgroundRaster::Create(const grid::Grid& grid, double sd_m) {
  BackgroundRaster r;
  const double cs = grid.cell_size_m();
  r.per_cell = std::max<int32_t>(1, static_cast<int32_t>(std::ceil(cs / sd_m - 1e-9)));
  const int64_t bins = int64_t{grid.nx()} * r.per_cell * grid.ny() * r.per_cell;
  if (bins > kMaxRasterBins) {
    return Status::InvalidInput("sepp: background_bandwidth_m: " + Fmt(sd_m) + " m on this " +
                                std::to_string(grid.nx()) + " x " + std::to_string(grid.ny()) +
                                " grid of " + Fmt(cs) + " m cells needs a background raster of " +
                                std::to_string(bins) + " bins (at most " +
                                std::to_string(kMaxRasterBins) + "); use a larger bandwidth");
  }
  r.x0_m = grid.x0_m();
  r.y0_m = grid.y0_m();
  r.bin_m = cs / r.per_cell;
  r.nx = grid.nx() * r.per_cell;
  r.ny = grid.ny() * r.per_cell;
  const auto radius = static_cast<int32_t>(std::floor(4 * sd_m / r.bin_m + 1e-9));
  r.kernel = BinnedGaussian(sd_m / r.bin_m, radius);
  return r;
}

int64_t BackgroundRaster::BinOf(double x_m, double y_m) const {
  const int32_t ix = std::clamp(static_cast<int32_t>(std::floor((x_m - x0_m) / bin_m)), 0, nx - 1);
  const int32_t iy = std::clamp(static_cast<int32_t>(std::floor((y_m - y0_m) / bin_m)), 0, ny - 1);
  return int64_t{iy} * nx + ix;
}

void BackgroundRaster::Smooth(const std::vector<double>& deposit, std::vector<double>* mass) const {
  const int32_t r = Radius();
  std::vector<double> tmp(deposit.size(), 0.0);
  mass->assign(deposit.size(), 0.0);
  for (int32_t y = 0; y < ny; ++y) {
    for (int32_t x = 0; x < nx; ++x) {
      const double v = deposit[static_cast<size_t>(y) * nx + x];
      if (v == 0) continue;
      for (int32_t d = std::max(-r, -x); d <= std::min(r, nx - 1 - x); ++d) {
        tmp[static_cast<size_t>(y) * nx + x + d] += v * kernel[static_cast<size_t>(d + r)];
      }
    }
  }
  for (int32_t y = 0; y < ny; ++y) {
    for (int32_t x = 0; x < nx; ++x) {
      const double v = tmp[static_cast<size_t>(y) * nx + x];
      if (v == 0) continue;
      for (int32_t d = std::max(-r, -y); d <= std::min(r, ny - 1 - y); ++d) {
        (*mass)[static_cast<size_t>(y + d) * nx + x] += v * kernel[static_cast<size_t>(d + r)];
      }
    }
  }
}

void BuildPairs(Training* tr, const TriggerKernel& geometry, int threads,
                std::vector<size_t>* blocks) {
  const size_t n = tr->t_s.size();
  const double max_m = geometry.max_m;
  const double max_s = geometry.max_days * kSecondsPerDay;
  double xmin = 0, ymin = 0;
  if (n > 0) {
    xmin = *std::min_element(tr->x_m.begin(), tr->x_m.end());
    ymin = *std::min_element(tr->y_m.begin(), tr->y_m.end());
  }
  // Bucket keys (by, bx) packed in an int64; events of a bucket in index (= time) order.
  auto bucket = [&](size_t i, int64_t* bx, int64_t* by) {
    *bx = static_cast<int64_t>(std::floor((tr->x_m[i] - xmin) / max_m));
    *by = static_cast<int64_t>(std::floor((tr->y_m[i] - ymin) / max_m));
  };
  constexpr int64_t kSide = int64_t{1} << 30;
  std::vector<std::pair<int64_t, uint32_t>> keyed(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t bx = 0, by = 0;
    bucket(i, &bx, &by);
    keyed[i] = {by * kSide + bx, static_cast<uint32_t>(i)};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int64_t> keys;
  std::vector<size_t> key_start;
  std::vector<uint32_t> members(n);
  for (size_t k = 0; k < n; ++k) {
    if (k == 0 || keyed[k].first != keyed[k - 1].first) {
      keys.push_back(keyed[k].first);
      key_start.push_back(k);
    }
    members[k] = keyed[k].second;
  }
  key_start.push_back(n);

  // Visits the candidate parents of event i in a fixed order (bucket rows, columns, then time).
  auto visit = [&](size_t i, auto&& emit) {
    int64_t bx = 0, by = 0;
    bucket(i, &bx, &by);
    const int64_t ti = tr->t_s[i];
    const double lo_s = static_cast<double>(ti) - max_s;
    for (int64_t dy = -1; dy <= 1; ++dy) {
      for (int64_t dx = -1; dx <= 1; ++dx) {
        const int64_t key = (by + dy) * kSide + (bx + dx);
        auto it = std::lower_bound(keys.begin(), keys.end(), key);
        if (it == keys.end() || *it != key) continue;
        const size_t b = static_cast<size_t>(it - keys.begin());
        const uint32_t* first = members.data() + key_start[b];
        const uint32_t* last = members.data() + key_start[b + 1];
        const uint32_t* p = std::lower_bound(first, last, lo_s, [&](uint32_t j, double v) {
          return static_cast<double>(tr->t_s[j]) < v;
        });
        for (; p != last; ++p) {
          const uint32_t j = *p;
          if (tr->t_s[j] >= ti) break;  // ties and later events are never parents
          const double dt = static_cast<double>(ti - tr->t_s[j]) / kSecondsPerDay;
          const double ddx = tr->x_m[i] - tr->x_m[j], ddy = tr->y_m[i] - tr->y_m[j];
          if (dt > geometry.max_days || std::abs(ddx) > max_m || std::abs(ddy) > max_m) continue;
          emit(dt, ddx, ddy);
        }
      }
    }
  };

  std::vector<size_t> count_blocks(kBlocks + 1);
  for (int b = 0; b <= kBlocks; ++b) count_blocks[static_cast<size_t>(b)] = n * b / kBlocks;
  std::vector<uint64_t> counts(n + 1, 0);
  ForBlocks(threads, kBlocks, [&](int b) {
    for (size_t i = count_blocks[static_cast<size_t>(b)];
         i < count_blocks[static_cast<size_t>(b) + 1]; ++i) {
      uint64_t c = 0;
      visit(i, [&](double, double, double) { ++c; });
      counts[i + 1] = c;
    }
  });
  for (size_t i = 0; i < n; ++i) counts[i + 1] += counts[i];
  tr->pair_start = std::move(counts);
  const uint64_t total = tr->pair_start[n];
  tr->pair_tbin.resize(total);
  tr->pair_sbin.resize(total);
  ForBlocks(threads, kBlocks, [&](int b) {
    for (size_t i = count_blocks[static_cast<size_t>(b)];
         i < count_blocks[static_cast<size_t>(b) + 1]; ++i) {
      uint64_t at = tr->pair_start[i];
      visit(i, [&](double dt, double ddx, double ddy) {
        tr->pair_tbin[at] = static_cast<uint16_t>(geometry.TimeBin(dt));
        tr->pair_sbin[at] = static_cast<uint16_t>(geometry.SpaceBin(ddx, ddy));
        ++at;
      });
    }
  });
  // Blocks of about equal work (pairs plus one per event) for the iterations.
  blocks->assign(kBlocks + 1, n);
  (*blocks)[0] = 0;
  const double work = static_cast<double>(total + n);
  size_t i = 0;
  for (int b = 1; b < kBlocks; ++b) {
    const double target = work * b / kBlocks;
    while (i < n && static_cast<double>(tr->pair_start[i] + i) < target) ++i;
    (*blocks)[static_cast<size_t>(b)] = i;
  }
}

void EStep(const Training& tr, const TriggerKernel& g, const std::vector<double>& mu,
           const std::vector<size_t>& blocks, int threads, std::vector<double>* lambda,
           std::vector<double>* p_bg) {
  const size_t n = tr.t_s.size();
  lambda->resize(n);
  p_bg->resize(n);
  ForBlocks(threads, kBlocks, [&](int b) {
    for (size_t i = blocks[static_cast<size_t>(b)]; i < blocks[static_cast<size_t>(b) + 1]; ++i) {
      double s = 0;
      for (uint64_t k = tr.pair_start[i]; k < tr.pair_start[i + 1]; ++k) {
        s += g.h[tr.pair_tbin[k]] * g.f[tr.pair_sbin[k]];
      }
      const double lam = mu[i] + g.theta * s;
      (*lambda)[i] = lam;
      (*p_bg)[i] = lam > 0 ? mu[i] / lam : 1.0;
    }
  });
}

void BackgroundAtEvents(const Training& tr, const BackgroundRaster& r,
                        const std::vector<double>& weights, double length_days,
                        std::vector<double>* mu) {
  const size_t n = tr.t_s.size();
  std::vector<double> deposit(static_cast<size_t>(r.nx) * r.ny, 0.0), mass;
  for (size_t i = 0; i < n; ++i) deposit[static_cast<size_t>(tr.raster_bin[i])] += weights[i];
  r.Smooth(deposit, &mass);
  const double scale = 1.0 / (r.bin_m * r.bin_m * length_days);
  const double self = r.SelfWeight();
  mu->resize(n);
  for (size_t i = 0; i < n; ++i) {
    (*mu)[i] =
        std::max(0.0, mass[static_cast<size_t>(tr.raster_bin[i])] - weights[i] * self) * scale;
  }
}

}  // namespace sepp_internal

// ---------------------------------------------------------------------------------------------
// SeppModel

struct SeppModel::Impl {
  explicit Impl(ParamValues p)
      : params(std::move(p)),
        window_days(params.GetInt("window_days")),
        max_trigger_days(params.GetDouble("max_trigger_days")),
        max_trigger_m(params.GetDouble("max_trigger_m")),
        background_bandwidth_m(params.GetDouble("background_bandwidth_m")),
        trigger_bandwidth_days(params.GetDouble("trigger_bandwidth_days")),
        trigger_bandwidth_m(params.GetDouble("trigger_bandwidth_m")),
        isotropic(params.GetString("trigger_shape") == "isotropic"),
        stochastic(params.GetString("declustering") == "stochastic"),
        tol(params.GetDouble("tol")),
        max_iterations(params.GetInt("max_iterations")),
        seed(static_cast<uint64_t>(params.GetInt("seed"))),
        num_threads(static_cast<int>(params.GetInt("num_threads"))),
        refit_every_days(params.GetInt("refit_every_days")) {}

  ParamValues params;
  int64_t window_days;
  double max_trigger_days, max_trigger_m, background_bandwidth_m;
  double trigger_bandwidth_days, trigger_bandwidth_m;
  bool isotropic;
  bool stochastic;
  double tol;
  int64_t max_iterations;
  uint64_t seed;
  int num_threads;
  int64_t refit_every_days;

  bool fitted = false;
  SeppFit fit;
  FitKey key;  // of the last full fit, for refit_every_days
  int64_t full_fit_origin_s = 0;
  bool has_full_fit = false;
  TriggerKernel kernel;  // with cumulative tables, for Predict()
  std::vector<double> p_bg;
  std::vector<std::string> warnings;
  const grid::Grid* grid = nullptr;

  Status FullFit(const EventSet& events, const grid::Grid& g, int64_t origin_s);
  Status Advance(const EventSet& events, const grid::Grid& g, int64_t new_origin_s);
  void Summarise();
};

void SeppModel::Impl::Summarise() {
  const TriggerKernel& k = kernel;
  const double tw = k.TimeBinDays(), sb = k.SpaceBinM();
  double mean = 0;
  for (int32_t b = 0; b < kTimeBins; ++b) mean += k.h[static_cast<size_t>(b)] * tw * (b + 0.5) * tw;
  fit.mean_lag_days = mean;
  fit.median_lag_days = k.max_days;
  for (int32_t b = 0; b < kTimeBins; ++b) {
    const double c0 = k.h_cum[static_cast<size_t>(b)], c1 = k.h_cum[static_cast<size_t>(b) + 1];
    if (c1 >= 0.5 && c1 > c0) {
      fit.median_lag_days = (b + (0.5 - c0) / (c1 - c0)) * tw;
      break;
    }
  }
  double second = 0;
  std::vector<std::pair<double, double>> by_distance;
  by_distance.reserve(k.f.size());
  for (int32_t y = 0; y < kSpaceBins; ++y) {
    for (int32_t x = 0; x < kSpaceBins; ++x) {
      const double m = k.f[static_cast<size_t>(y) * kSpaceBins + x] * sb * sb;
      const double cx = -k.max_m + (x + 0.5) * sb, cy = -k.max_m + (y + 0.5) * sb;
      second += m * (cx * cx + cy * cy + sb * sb / 6);
      by_distance.emplace_back(std::hypot(cx, cy), m);
    }
  }
  fit.space_sd_m = std::sqrt(second / 2);
  std::sort(by_distance.begin(), by_distance.end());
  double acc = 0;
  fit.median_distance_m = 0;
  for (const auto& [d, m] : by_distance) {
    acc += m;
    if (acc >= 0.5) {
      fit.median_distance_m = d;
      break;
    }
  }
}

Status SeppModel::Impl::FullFit(const EventSet& events, const grid::Grid& g, int64_t origin_s) {
  PLACECAST_RETURN_IF_ERROR(CheckSorted(events));
  PLACECAST_ASSIGN_OR_RETURN(BackgroundRaster raster,
                             BackgroundRaster::Create(g, background_bandwidth_m));
  const int64_t start_s = WindowStart(origin_s, window_days);
  const auto [lo, hi] = events.TimeRange(start_s, origin_s);
  fit = SeppFit{};
  fit.window_start_s = start_s;
  fit.origin_s = origin_s;
  fit.max_trigger_days = max_trigger_days;
  fit.max_trigger_m = max_trigger_m;
  fit.background_bandwidth_m = background_bandwidth_m;
  const double T = static_cast<double>(window_days);

  Training tr;
  for (size_t i = lo; i < hi; ++i) {
    if (g.PointToCell(events.x_m[i], events.y_m[i]) == grid::kNoCell) continue;
    tr.t_s.push_back(events.t_s[i]);
    tr.t_days.push_back(static_cast<double>(events.t_s[i] - start_s) / kSecondsPerDay);
    tr.x_m.push_back(events.x_m[i]);
    tr.y_m.push_back(events.y_m[i]);
    tr.raster_bin.push_back(raster.BinOf(events.x_m[i], events.y_m[i]));
  }
  const size_t n = tr.t_s.size();
  fit.events_used = static_cast<int64_t>(n);

  // Start: h exponential with mean max_trigger_days / 10, f Gaussian with sd max_trigger_m / 5,
  // θ = 0.5, every event half background.
  TriggerKernel k;
  k.max_days = max_trigger_days;
  k.max_m = max_trigger_m;
  k.theta = 0.5;
  {
    const double tw = k.TimeBinDays(), scale = max_trigger_days / 10;
    k.h.resize(kTimeBins);
    double sum = 0;
    for (int32_t b = 0; b < kTimeBins; ++b) {
      const double v = std::exp(-b * tw / scale) - std::exp(-(b + 1) * tw / scale);
      k.h[static_cast<size_t>(b)] = v;
      sum += v;
    }
    for (double& v : k.h) v /= sum * tw;
    const double sb = k.SpaceBinM();
    std::vector<double> axis(kSpaceBins);
    const double sd = max_trigger_m / 5;
    for (int32_t b = 0; b < kSpaceBins; ++b) {
      const double x0 = -max_trigger_m + b * sb;
      axis[static_cast<size_t>(b)] = NormalCdf((x0 + sb) / sd) - NormalCdf(x0 / sd);
    }
    const double total = std::accumulate(axis.begin(), axis.end(), 0.0);
    k.f.resize(static_cast<size_t>(kSpaceBins) * kSpaceBins);
    for (int32_t y = 0; y < kSpaceBins; ++y) {
      for (int32_t x = 0; x < kSpaceBins; ++x) {
        k.f[static_cast<size_t>(y) * kSpaceBins + x] =
            axis[static_cast<size_t>(x)] * axis[static_cast<size_t>(y)] / (total * total * sb * sb);
      }
    }
  }
  k.BuildCumulative();

  std::vector<size_t> blocks;
  BuildPairs(&tr, k, num_threads, &blocks);
  fit.pairs = static_cast<int64_t>(tr.pair_start.empty() ? 0 : tr.pair_start.back());

  const double tw = k.TimeBinDays();
  const auto tsd = trigger_bandwidth_days / tw;
  const std::vector<double> wt = BinnedGaussian(tsd, static_cast<int32_t>(std::ceil(4 * tsd)));
  const auto ssd = trigger_bandwidth_m / k.SpaceBinM();
  const std::vector<double> ws = BinnedGaussian(ssd, static_cast<int32_t>(std::ceil(4 * ssd)));

  std::vector<double> weights(n, 1 - k.theta), mu, lambda, prev;
  BackgroundAtEvents(tr, raster, weights, T, &mu);
  constexpr size_t kHistT = kTimeBins;
  constexpr size_t kHistS = static_cast<size_t>(kSpaceBins) * kSpaceBins;
  std::vector<std::vector<double>> part_t(kBlocks), part_s(kBlocks);
  std::vector<double> part_p(kBlocks);
  int64_t iter = 0;
  bool converged = false;
  double last_change = 0, prev_theta = k.theta;
  int stable = 0;
  constexpr int kStableIterations = 3;
  for (;; ++iter) {
    EStep(tr, k, mu, blocks, num_threads, &lambda, &p_bg);
    if (n == 0) {
      converged = true;
      break;
    }
    if (iter > 0) {
      if (stochastic) {
        // θ never settles under sampling; stop once it has moved by no more than its sampling
        // noise on kStableIterations successive iterations.
        last_change = std::abs(k.theta - prev_theta);
        stable =
            last_change <= std::max(tol, 1 / std::sqrt(static_cast<double>(n))) ? stable + 1 : 0;
        if (stable >= kStableIterations) converged = true;
      } else {
        last_change = 0;
        for (size_t i = 0; i < n; ++i)
          last_change = std::max(last_change, std::abs(p_bg[i] - prev[i]));
        if (last_change <= tol) converged = true;
      }
      if (converged) break;
    }
    if (iter >= max_iterations) break;
    prev = p_bg;
    prev_theta = k.theta;
    // Declustering: the weight of every pair (expected) or one drawn parent per event
    // (stochastic), accumulated per block.
    ForBlocks(num_threads, kBlocks, [&](int b) {
      auto& ht = part_t[static_cast<size_t>(b)];
      auto& hs = part_s[static_cast<size_t>(b)];
      ht.assign(kHistT, 0.0);
      hs.assign(kHistS, 0.0);
      double p_sum = 0;
      for (size_t i = blocks[static_cast<size_t>(b)]; i < blocks[static_cast<size_t>(b) + 1]; ++i) {
        const uint64_t k0 = tr.pair_start[i], k1 = tr.pair_start[i + 1];
        if (!stochastic) {
          weights[i] = p_bg[i];
          if (!(lambda[i] > 0)) continue;
          const double scale = k.theta / lambda[i];
          for (uint64_t q = k0; q < k1; ++q) {
            const double p = scale * k.h[tr.pair_tbin[q]] * k.f[tr.pair_sbin[q]];
            ht[tr.pair_tbin[q]] += p;
            hs[tr.pair_sbin[q]] += p;
            p_sum += p;
          }
        } else {
          const double u = DrawUniform(seed, static_cast<uint64_t>(iter), i);
          if (u < p_bg[i] || k1 == k0 || !(lambda[i] > 0)) {
            weights[i] = 1;
            continue;
          }
          weights[i] = 0;
          const double scale = k.theta / lambda[i];
          double c = p_bg[i];
          uint64_t pick = k1 - 1;
          for (uint64_t q = k0; q < k1; ++q) {
            c += scale * k.h[tr.pair_tbin[q]] * k.f[tr.pair_sbin[q]];
            if (u < c) {
              pick = q;
              break;
            }
          }
          ht[tr.pair_tbin[pick]] += 1;
          hs[tr.pair_sbin[pick]] += 1;
          p_sum += 1;
        }
      }
      part_p[static_cast<size_t>(b)] = p_sum;
    });
    std::vector<double> ht(kHistT, 0.0), hs(kHistS, 0.0);
    double p_total = 0;
    for (int b = 0; b < kBlocks; ++b) {
      const auto& pt = part_t[static_cast<size_t>(b)];
      const auto& ps = part_s[static_cast<size_t>(b)];
      for (size_t q = 0; q < kHistT; ++q) ht[q] += pt[q];
      for (size_t q = 0; q < kHistS; ++q) hs[q] += ps[q];
      p_total += part_p[static_cast<size_t>(b)];
    }
    // Kernel estimation: smoothed histograms, normalised to densities.
    if (p_total > 0) {
      std::vector<double> st = SmoothTime(ht, wt);
      std::vector<double> ss = SmoothSpace(hs, kSpaceBins, ws);
      if (isotropic) AverageOverRings(&ss);
      const double sum_t = std::accumulate(st.begin(), st.end(), 0.0);
      const double sum_s = std::accumulate(ss.begin(), ss.end(), 0.0);
      const double sb = k.SpaceBinM();
      if (sum_t > 0 && sum_s > 0) {
        for (size_t q = 0; q < kHistT; ++q) k.h[q] = st[q] / (sum_t * tw);
        for (size_t q = 0; q < kHistS; ++q) k.f[q] = ss[q] / (sum_s * sb * sb);
        k.BuildCumulative();
      }
      // θ: offspring found over offspring that could be seen (edge-corrected for the window end).
      double exposure = 0;
      for (size_t i = 0; i < n; ++i) exposure += k.TimeMass(T - tr.t_days[i]);
      k.theta = exposure > 0 ? std::min(kThetaMax, p_total / exposure) : 0.0;
    } else {
      k.theta = 0;
    }
    BackgroundAtEvents(tr, raster, weights, T, &mu);
  }
  kernel = std::move(k);
  fit.theta = kernel.theta;
  fit.time_density = kernel.h;
  fit.space_density = kernel.f;
  fit.iterations = iter;
  fit.converged = converged;
  Summarise();

  // Background per cell: the smoothed raster mass of the cell's bins over the window length.
  {
    std::vector<double> deposit(static_cast<size_t>(raster.nx) * raster.ny, 0.0), mass;
    for (size_t i = 0; i < n; ++i) deposit[static_cast<size_t>(tr.raster_bin[i])] += weights[i];
    raster.Smooth(deposit, &mass);
    const auto nc = static_cast<size_t>(g.num_cells());
    fit.mu_per_day.assign(nc, 0.0);
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      double s = 0;
      for (int32_t a = 0; a < raster.per_cell; ++a) {
        const size_t row = static_cast<size_t>(g.CellRow(c) * raster.per_cell + a) * raster.nx;
        for (int32_t b = 0; b < raster.per_cell; ++b) {
          s += mass[row + static_cast<size_t>(g.CellCol(c) * raster.per_cell + b)];
        }
      }
      fit.mu_per_day[static_cast<size_t>(c)] = s / T;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const double age = static_cast<double>(origin_s - tr.t_s[i]) / kSecondsPerDay;
    if (age < max_trigger_days) {
      fit.trigger_age_days.push_back(age);
      fit.trigger_x_m.push_back(tr.x_m[i]);
      fit.trigger_y_m.push_back(tr.y_m[i]);
    }
  }

  warnings = WindowWarnings(events, origin_s, window_days, "window_days", fit.events_used,
                            static_cast<int64_t>(hi - lo));
  if (!fit.converged) {
    warnings.push_back("sepp stopped at max_iterations = " + std::to_string(max_iterations) +
                       " before converging (last change " + Fmt(last_change) +
                       (stochastic ? " of theta" : " of a background probability") +
                       "); the fit is used as it is");
  }
  if (fit.theta >= kThetaMax) {
    warnings.push_back("theta reached its cap " + Fmt(kThetaMax) +
                       ": nearly every event is explained as triggered, so the background is "
                       "poorly identified (a trend, duplicated records or a too-long window?)");
  }
  grid = &g;
  fitted = true;
  return Status::Ok();
}

SeppModel::SeppModel(ParamValues params) : impl_(std::make_unique<Impl>(std::move(params))) {}
SeppModel::~SeppModel() = default;

Result<std::unique_ptr<SeppModel>> SeppModel::Create(
    const std::map<std::string, std::string>& params) {
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(kSeppParams, params, kSeppInfo.name));
  return std::make_unique<SeppModel>(std::move(values));
}

std::string_view SeppModel::name() const { return kSeppInfo.name; }
const ParamValues& SeppModel::params() const { return impl_->params; }
const SeppFit& SeppModel::fit() const { return impl_->fit; }
const std::vector<double>& SeppModel::background_probability() const { return impl_->p_bg; }
std::vector<std::string> SeppModel::Warnings() const { return impl_->warnings; }

double SeppModel::SupportRadiusM() const {
  const Impl& m = *impl_;
  // The background is a separable Gaussian cut at 4 sd, convolved on a raster of bins no wider
  // than a cell: its square support reaches sqrt(2) (4 sd + one bin) from an event. Triggering
  // pairs lie in a square of half-width max_trigger_m: sqrt(2) max_trigger_m at its corners.
  const double bin_m = m.grid != nullptr ? m.grid->cell_size_m() : 0;
  return std::sqrt(2.0) * std::max(4 * m.background_bandwidth_m + bin_m, m.max_trigger_m);
}
int64_t SeppModel::TrainFromS(int64_t origin_s) const {
  return WindowStart(origin_s, impl_->window_days);
}
Model::OutputKind SeppModel::output_kind() const { return OutputKind::kExpectedCount; }

Status SeppModel::Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) {
  Impl& m = *impl_;
  PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
  if (m.refit_every_days > 0 && m.fitted && m.has_full_fit && FitKey::Of(events, grid) == m.key &&
      origin_s >= m.fit.origin_s &&
      origin_s < m.full_fit_origin_s + m.refit_every_days * kSecondsPerDay) {
    return m.Advance(events, grid, origin_s);
  }
  m.fitted = false;
  m.has_full_fit = false;
  m.warnings.clear();
  m.p_bg.clear();
  Status s = m.FullFit(events, grid, origin_s);
  if (!s.ok()) {
    if (s.message().rfind("sepp:", 0) == 0) return s;
    return s.Wrap(name());
  }
  m.key = FitKey::Of(events, grid);
  m.full_fit_origin_s = origin_s;
  m.has_full_fit = true;
  return s;
}

Status SeppModel::Update(const EventSet& events, const grid::Grid& grid, int64_t new_origin_s) {
  Impl& m = *impl_;
  if (!m.fitted) return Status::InvalidInput("sepp: Update() called before a successful Fit()");
  if (grid.num_cells() != static_cast<int32_t>(m.fit.mu_per_day.size())) {
    return Status::InvalidInput("sepp: Update(): the grid has " + std::to_string(grid.num_cells()) +
                                " active cells, the fit " +
                                std::to_string(m.fit.mu_per_day.size()));
  }
  PLACECAST_RETURN_IF_ERROR(CheckSorted(events));
  return m.Advance(events, grid, new_origin_s);
}

// With θ, h, f and μ fixed, the forecast depends on the origin only through the events that can
// still trigger: those of the training window [new origin − window_days, new origin) in an active
// cell whose age is below max_trigger_days — the same rule as the end of FullFit().
Status SeppModel::Impl::Advance(const EventSet& events, const grid::Grid& g, int64_t new_origin_s) {
  if (new_origin_s < fit.origin_s) {
    return Status::InvalidInput("sepp: Update(): new origin " + FormatDateTime(new_origin_s) +
                                " is before the fit's origin " + FormatDateTime(fit.origin_s));
  }
  fit.window_start_s = WindowStart(new_origin_s, window_days);
  fit.trigger_age_days.clear();
  fit.trigger_x_m.clear();
  fit.trigger_y_m.clear();
  for (size_t i :
       TriggeringEvents(events, g, fit.window_start_s, new_origin_s, fit.max_trigger_days)) {
    fit.trigger_age_days.push_back(static_cast<double>(new_origin_s - events.t_s[i]) /
                                   kSecondsPerDay);
    fit.trigger_x_m.push_back(events.x_m[i]);
    fit.trigger_y_m.push_back(events.y_m[i]);
  }
  fit.origin_s = new_origin_s;
  grid = &g;
  return Status::Ok();
}

Result<grid::Surface> SeppModel::Predict(double horizon_days) const {
  const Impl& m = *impl_;
  if (!m.fitted) return Status::InvalidInput("sepp: Predict() called before a successful Fit()");
  if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
    return Status::InvalidInput("sepp: horizon_days: expected a positive number (got " +
                                FormatValue(horizon_days) + ")");
  }
  const SeppFit& f = m.fit;
  const grid::Grid& g = *m.grid;
  const size_t nc = f.mu_per_day.size();
  grid::Surface out;
  out.value.resize(nc);
  for (size_t c = 0; c < nc; ++c) out.value[c] = f.mu_per_day[c] * horizon_days;
  for (size_t j = 0; f.theta > 0 && j < f.trigger_age_days.size(); ++j) {
    const double a = f.trigger_age_days[j];
    const double time_mass = m.kernel.TimeMass(a + horizon_days) - m.kernel.TimeMass(a);
    if (!(time_mass > 0)) continue;
    const double xj = f.trigger_x_m[j], yj = f.trigger_y_m[j];
    const CellBox box = TriggerReach(g, xj, yj, f.max_trigger_m);
    for (int32_t row = box.r0; row <= box.r1; ++row) {
      for (int32_t col = box.c0; col <= box.c1; ++col) {
        const grid::CellId cell = g.ColRowToCell(col, row);
        if (cell == grid::kNoCell) continue;
        const double space_mass = m.kernel.CellMass(g, col, row, xj, yj);
        out.value[static_cast<size_t>(cell)] += f.theta * time_mass * space_mass;
      }
    }
  }
  // A cell at the edge of a trigger's reach gets -1e-17 from differences of cumulative tables.
  PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues("sepp", &out));
  return out;
}

std::string SeppModel::FittedJson() const {
  const Impl& m = *impl_;
  if (!m.fitted) return "{}";
  const SeppFit& f = m.fit;
  nlohmann::ordered_json j = FittedJsonHeader("sepp", kSchemaVersion, m.params, *m.grid);
  j["theta"] = f.theta;
  j["max_trigger_days"] = f.max_trigger_days;
  j["max_trigger_m"] = f.max_trigger_m;
  j["time_density"] = f.time_density;
  j["space_density"] = f.space_density;
  j["mean_lag_days"] = f.mean_lag_days;
  j["median_lag_days"] = f.median_lag_days;
  j["space_sd_m"] = f.space_sd_m;
  j["median_distance_m"] = f.median_distance_m;
  j["background_bandwidth_m"] = f.background_bandwidth_m;
  j["iterations"] = f.iterations;
  j["converged"] = f.converged;
  j["events_used"] = f.events_used;
  j["pairs"] = f.pairs;
  j["window_start_s"] = f.window_start_s;
  j["origin_s"] = f.origin_s;
  j["mu_per_day"] = f.mu_per_day;
  j["trigger_age_days"] = f.trigger_age_days;
  j["trigger_x_m"] = f.trigger_x_m;
  j["trigger_y_m"] = f.trigger_y_m;
  return j.dump();
}

Status SeppModel::LoadFitted(std::string_view json, const grid::Grid& grid) {
  PLACECAST_ASSIGN_OR_RETURN(const nlohmann::json j,
                             ParseFittedJson(json, "sepp", kSchemaVersion, grid));
  const FittedJsonReader in(j, "sepp");
  const auto num_cells = static_cast<size_t>(grid.num_cells());  // checked equal to the fit's
  SeppFit f;
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("theta", &f.theta));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("max_trigger_days", &f.max_trigger_days));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("max_trigger_m", &f.max_trigger_m));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("mean_lag_days", &f.mean_lag_days));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("median_lag_days", &f.median_lag_days));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("space_sd_m", &f.space_sd_m));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("median_distance_m", &f.median_distance_m));
  PLACECAST_RETURN_IF_ERROR(in.GetNumber("background_bandwidth_m", &f.background_bandwidth_m));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("iterations", &f.iterations));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("events_used", &f.events_used));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("pairs", &f.pairs));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("window_start_s", &f.window_start_s));
  PLACECAST_RETURN_IF_ERROR(in.GetInt("origin_s", &f.origin_s));
  PLACECAST_RETURN_IF_ERROR(in.GetBool("converged", &f.converged));
  if (!(f.theta >= 0 && f.theta < 1)) return in.Bad("theta: expected a value in [0, 1)");
  if (!(f.max_trigger_days > 0) || !std::isfinite(f.max_trigger_days)) {
    return in.Bad("max_trigger_days: expected a positive number");
  }
  if (!(f.max_trigger_m > 0) || !std::isfinite(f.max_trigger_m)) {
    return in.Bad("max_trigger_m: expected a positive number");
  }
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("time_density", kTimeBins, /*non_negative=*/true, &f.time_density));
  PLACECAST_RETURN_IF_ERROR(in.GetNumbers("space_density",
                                          static_cast<size_t>(kSpaceBins) * kSpaceBins,
                                          /*non_negative=*/true, &f.space_density));
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("mu_per_day", num_cells, /*non_negative=*/true, &f.mu_per_day));
  PLACECAST_RETURN_IF_ERROR(in.GetNumbers("trigger_age_days", std::nullopt,
                                          /*non_negative=*/true, &f.trigger_age_days));
  const size_t nt = f.trigger_age_days.size();
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("trigger_x_m", nt, /*non_negative=*/false, &f.trigger_x_m));
  PLACECAST_RETURN_IF_ERROR(
      in.GetNumbers("trigger_y_m", nt, /*non_negative=*/false, &f.trigger_y_m));
  Impl& m = *impl_;
  m.kernel = KernelOfFit(f);
  m.fit = std::move(f);
  m.grid = &grid;
  m.p_bg.clear();
  m.warnings.clear();
  m.has_full_fit = false;
  m.fitted = true;
  return Status::Ok();
}

const ModelInfo& SeppModelInfo() { return kSeppInfo; }

namespace sepp_internal {

double TriggerKernel::CellMass(const grid::Grid& g, int32_t col, int32_t row, double x_m,
                               double y_m) const {
  const double cs = g.cell_size_m();
  const double x0 = g.x0_m() + col * cs - x_m, y0 = g.y0_m() + row * cs - y_m;
  return SpaceMass(x0, y0, x0 + cs, y0 + cs);
}

TriggerKernel KernelOfFit(const SeppFit& fit) {
  TriggerKernel k;
  k.theta = fit.theta;
  k.max_days = fit.max_trigger_days;
  k.max_m = fit.max_trigger_m;
  k.h = fit.time_density;
  k.f = fit.space_density;
  k.BuildCumulative();
  return k;
}

std::vector<size_t> TriggeringEvents(const EventSet& events, const grid::Grid& g,
                                     int64_t window_start_s, int64_t origin_s, double max_days) {
  std::vector<size_t> index;
  const auto [lo, hi] = events.TimeRange(window_start_s, origin_s);
  for (size_t i = lo; i < hi; ++i) {
    const double age = static_cast<double>(origin_s - events.t_s[i]) / kSecondsPerDay;
    if (age < max_days && g.PointToCell(events.x_m[i], events.y_m[i]) != grid::kNoCell) {
      index.push_back(i);
    }
  }
  return index;
}

CellBox TriggerReach(const grid::Grid& g, double x_m, double y_m, double max_m) {
  const double cs = g.cell_size_m();
  CellBox b;
  b.c0 = std::max<int32_t>(0, static_cast<int32_t>(std::floor((x_m - max_m - g.x0_m()) / cs)));
  b.c1 = std::min<int32_t>(g.nx() - 1,
                           static_cast<int32_t>(std::floor((x_m + max_m - g.x0_m()) / cs)));
  b.r0 = std::max<int32_t>(0, static_cast<int32_t>(std::floor((y_m - max_m - g.y0_m()) / cs)));
  b.r1 = std::min<int32_t>(g.ny() - 1,
                           static_cast<int32_t>(std::floor((y_m + max_m - g.y0_m()) / cs)));
  return b;
}

}  // namespace sepp_internal

Result<std::unique_ptr<Model>> MakeSeppModel(ParamValues params) {
  return std::unique_ptr<Model>(std::make_unique<SeppModel>(std::move(params)));
}

}  // namespace placecast::models
