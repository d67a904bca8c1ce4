// SPDX-License-Identifier: Apache-2.0
// `retro` model: per-cell sums of kernel weights of the events in [origin - window_days, origin),
// kept as an exact sliding window in fixed point. Not thread-safe (one instance per thread).
#include "models/retro.h"

#include <algorithm>
#include <cmath>

#include "models/cell_sums.h"
#include "models/residue.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kRetroParams[] = {
    {"bandwidth_m", ParamType::kDouble, "200", 1, 50000, "m",
     "Kernel bandwidth: the quartic kernel reaches exactly this far, the Gaussian kernel has this "
     "standard deviation and is cut at 4 bandwidths. Wider kernels give smoother, more stable maps "
     "that blur small hotspots; below one cell size the map is close to raw counts."},
    {"window_days", ParamType::kInt, "365", 1, 36500, "days",
     "Training window: the events in [origin - window_days, origin) are used, all with the same "
     "weight. Longer windows are steadier but slower to follow change."},
    {"kernel", ParamType::kEnum, "quartic", -1e300, 1e300, "",
     "Kernel shape: quartic (1 - u^2)^2 for u = distance / bandwidth_m < 1, as in the classic KDE "
     "hotspot map, or gaussian exp(-u^2 / 2), cut at u = 4.",
     "quartic|gaussian"},
};

constexpr ModelInfo kRetroInfo{
    "retro",
    "retrospective kernel density hotspot map of the training window (quartic or Gaussian)",
    "Chainey, Tompson and Uhlig (2008), The utility of hotspot mapping for predicting spatial "
    "patterns of crime, Security Journal 21; open_cp RetroHotSpot",
    kRetroParams};

class RetroModel final : public Model {
 public:
  explicit RetroModel(ParamValues params)
      : params_(std::move(params)),
        bandwidth_m_(params_.GetDouble("bandwidth_m")),
        window_days_(params_.GetInt("window_days")),
        kernel_(params_.GetString("kernel") == "gaussian" ? RetroKernel::kGaussian
                                                          : RetroKernel::kQuartic) {}

  std::string_view name() const override { return kRetroInfo.name; }
  const ParamValues& params() const override { return params_; }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    const double s = grid.cell_size_m(), x0 = grid.x0_m(), y0 = grid.y0_m();
    const double inv_h2 = 1.0 / (bandwidth_m_ * bandwidth_m_);
    const double support = RetroKernelSupport(kernel_);
    const double cutoff_u2 = support * support;
    const double reach_cells = support * bandwidth_m_ / s;
    const int32_t nx = grid.nx(), ny = grid.ny();
    auto deposit = [&](size_t i, int64_t sign) {
      const double x = events.x_m[i], y = events.y_m[i];
      if (grid.PointToCell(x, y) == grid::kNoCell) return false;
      // Cell centres are at x0 + (c + 0.5)·s, so the event sits at column coordinate fx.
      const double fx = (x - x0) / s - 0.5, fy = (y - y0) / s - 0.5;
      const auto c0 = static_cast<int32_t>(std::max(0.0, std::ceil(fx - reach_cells)));
      const auto c1 = static_cast<int32_t>(std::min(nx - 1.0, std::floor(fx + reach_cells)));
      const auto r0 = static_cast<int32_t>(std::max(0.0, std::ceil(fy - reach_cells)));
      const auto r1 = static_cast<int32_t>(std::min(ny - 1.0, std::floor(fy + reach_cells)));
      auto& sums = sums_.sums();
      for (int32_t r = r0; r <= r1; ++r) {
        const double dy = y0 + (r + 0.5) * s - y;
        for (int32_t c = c0; c <= c1; ++c) {
          const double dx = x0 + (c + 0.5) * s - x;
          const double u2 = (dx * dx + dy * dy) * inv_h2;
          if (!(u2 < cutoff_u2)) continue;
          const grid::CellId cell = grid.ColRowToCell(c, r);
          if (cell == grid::kNoCell) continue;
          sums[static_cast<size_t>(cell)] += sign * ToFixedPoint(RetroKernelValue(kernel_, u2));
        }
      }
      return true;
    };
    auto slid = sums_.Update(FitKey::Of(events, grid), events, WindowStart(origin_s, window_days_),
                             origin_s, deposit);
    if (!slid.ok()) return slid.status().Wrap(name());
    warnings_ = WindowWarnings(events, origin_s, window_days_, "window_days", sums_.events_used(),
                               sums_.events_in_window());
    std::string bw = BandwidthWarning(bandwidth_m_, grid.cell_size_m());
    if (!bw.empty()) warnings_.insert(warnings_.begin(), std::move(bw));
    fitted_ = true;
    return Status::Ok();
  }

  // Σ kernel weights × horizon_days / window_days: the window's kernel-weighted rate scaled to the
  // horizon (the kernel is not normalised, so this is a score, not a calibrated count).
  Result<grid::Surface> Predict(double horizon_days) const override {
    if (!fitted_) return Status::InvalidInput("retro: Predict() called before a successful Fit()");
    if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
      return Status::InvalidInput("retro: horizon_days: expected a positive number (got " +
                                  FormatValue(horizon_days) + ")");
    }
    const double scale = horizon_days / static_cast<double>(window_days_);
    grid::Surface out;
    out.value.reserve(sums_.sums().size());
    for (int64_t v : sums_.sums()) out.value.push_back(FromFixedPoint(v) * scale);
    PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues(name(), &out));
    return out;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  // The kernel's reach: the bandwidth for quartic, 4 bandwidths for the gaussian (cut at u = 4).
  double SupportRadiusM() const override { return bandwidth_m_ * RetroKernelSupport(kernel_); }
  int64_t TrainFromS(int64_t origin_s) const override {
    return WindowStart(origin_s, window_days_);
  }
  // A sum of kernel weights, not a rate: only shares are meaningful.
  OutputKind output_kind() const override { return OutputKind::kRelativeScore; }

 private:
  ParamValues params_;
  double bandwidth_m_;
  int64_t window_days_;
  RetroKernel kernel_;
  SlidingCellSums sums_;
  bool fitted_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace

double RetroKernelValue(RetroKernel kernel, double u2) {
  switch (kernel) {
    case RetroKernel::kQuartic: {
      if (!(u2 < 1.0)) return 0.0;
      const double a = 1.0 - u2;
      return a * a;
    }
    case RetroKernel::kGaussian:
      return u2 < 16.0 ? std::exp(-0.5 * u2) : 0.0;
  }
  return 0.0;
}

double RetroKernelSupport(RetroKernel kernel) {
  return kernel == RetroKernel::kGaussian ? 4.0 : 1.0;
}

const ModelInfo& RetroModelInfo() { return kRetroInfo; }

Result<std::unique_ptr<Model>> MakeRetroModel(ParamValues params) {
  return std::unique_ptr<Model>(std::make_unique<RetroModel>(std::move(params)));
}

}  // namespace placecast::models
