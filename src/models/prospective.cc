// SPDX-License-Identifier: Apache-2.0
// `prospective` model. The weights depend on each event's age at the origin, so every Fit() sums
// the short window afresh, visiting only the cells within bandwidth_m of each event. Not
// thread-safe (one instance per thread).
#include "models/prospective.h"

#include <algorithm>
#include <cmath>

#include "models/cell_sums.h"
#include "models/residue.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kProspectiveParams[] = {
    {"bandwidth_m", ParamType::kDouble, "400", 1, 50000, "m",
     "Spatial bandwidth: events farther than this from a cell centre do not count. Bowers et al. "
     "used 400 m with 50 m cells. Wider reaches more of the near-repeat area but blurs hotspots."},
    {"bandwidth_days", ParamType::kInt, "56", 1, 3650, "days",
     "Temporal bandwidth: only events in [origin - bandwidth_days, origin) count. Bowers et al. "
     "used two months; longer windows are steadier but forget the near-repeat signal more slowly."},
    {"time_unit_days", ParamType::kInt, "7", 1, 3650, "days",
     "Age unit of the time weight 1 / (1 + floor(age_days / time_unit_days)): with 7, events of "
     "this week weigh 1, last week's 1/2, and so on."},
    {"distance", ParamType::kEnum, "cells", -1e300, 1e300, "",
     "Distance in the space weight 1 / (1 + d): cells counts whole cell widths, "
     "d = floor(distance_m / cell_size_m), as Bowers et al. did; metres uses the unrounded "
     "distance_m / cell_size_m, a smoother weight.",
     "cells|metres"},
};

constexpr ModelInfo kProspectiveInfo{
    "prospective",
    "prospective hot-spotting: recent nearby events weighted by 1/(1+distance) x 1/(1+age)",
    "Bowers, Johnson and Pease (2004), Prospective hot-spotting: the future of crime mapping?, "
    "Brit. J. Criminol. 44(5) 641-658",
    kProspectiveParams};

class ProspectiveModel final : public Model {
 public:
  explicit ProspectiveModel(ParamValues params)
      : params_(std::move(params)),
        bandwidth_m_(params_.GetDouble("bandwidth_m")),
        bandwidth_days_(params_.GetInt("bandwidth_days")),
        time_unit_s_(params_.GetInt("time_unit_days") * kSecondsPerDay),
        whole_cells_(params_.GetString("distance") != "metres") {}

  std::string_view name() const override { return kProspectiveInfo.name; }
  const ParamValues& params() const override { return params_; }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    const double s = grid.cell_size_m(), x0 = grid.x0_m(), y0 = grid.y0_m();
    const double h2 = bandwidth_m_ * bandwidth_m_;
    const double reach_cells = bandwidth_m_ / s;
    const int32_t nx = grid.nx(), ny = grid.ny();
    auto deposit = [&](size_t i, int64_t sign) {
      const double x = events.x_m[i], y = events.y_m[i];
      if (grid.PointToCell(x, y) == grid::kNoCell) return false;
      // 0 <= age_units: the event is in [origin - bandwidth_days, origin).
      const int64_t age_units = (origin_s - events.t_s[i]) / time_unit_s_;
      const double time_factor = 1.0 + static_cast<double>(age_units);
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
          const double d2 = dx * dx + dy * dy;
          if (!(d2 <= h2)) continue;  // within bandwidth_m, the edge included
          const grid::CellId cell = grid.ColRowToCell(c, r);
          if (cell == grid::kNoCell) continue;
          double d_cells = std::sqrt(d2) / s;
          if (whole_cells_) d_cells = std::floor(d_cells);
          const double w = 1.0 / ((1.0 + d_cells) * time_factor);
          sums[static_cast<size_t>(cell)] += sign * ToFixedPoint(w);
        }
      }
      return true;
    };
    // Every weight changes with the origin, so never slide: restart the sums each time.
    sums_.Reset();
    auto slid = sums_.Update(FitKey::Of(events, grid), events,
                             WindowStart(origin_s, bandwidth_days_), origin_s, deposit);
    if (!slid.ok()) return slid.status().Wrap(name());
    warnings_ = WindowWarnings(events, origin_s, bandwidth_days_, "bandwidth_days",
                               sums_.events_used(), sums_.events_in_window());
    std::string bw = BandwidthWarning(bandwidth_m_, grid.cell_size_m());
    if (!bw.empty()) warnings_.insert(warnings_.begin(), std::move(bw));
    fitted_ = true;
    return Status::Ok();
  }

  // The prospective score itself, the same for every horizon: Bowers et al. rank cells by it and
  // it is not a count.
  Result<grid::Surface> Predict(double horizon_days) const override {
    if (!fitted_) {
      return Status::InvalidInput("prospective: Predict() called before a successful Fit()");
    }
    if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
      return Status::InvalidInput("prospective: horizon_days: expected a positive number (got " +
                                  FormatValue(horizon_days) + ")");
    }
    grid::Surface out;
    out.value.reserve(sums_.sums().size());
    for (int64_t v : sums_.sums()) out.value.push_back(FromFixedPoint(v));
    PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues(name(), &out));
    return out;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  double SupportRadiusM() const override { return bandwidth_m_; }
  int64_t TrainFromS(int64_t origin_s) const override {
    return WindowStart(origin_s, bandwidth_days_);
  }
  // A sum of distance and age weights, not a rate: only shares are meaningful.
  OutputKind output_kind() const override { return OutputKind::kRelativeScore; }

 private:
  ParamValues params_;
  double bandwidth_m_;
  int64_t bandwidth_days_;
  int64_t time_unit_s_;
  bool whole_cells_;
  SlidingCellSums sums_;
  bool fitted_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace

const ModelInfo& ProspectiveModelInfo() { return kProspectiveInfo; }

Result<std::unique_ptr<Model>> MakeProspectiveModel(ParamValues params) {
  return std::unique_ptr<Model>(std::make_unique<ProspectiveModel>(std::move(params)));
}

}  // namespace placecast::models
