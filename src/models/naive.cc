// SPDX-License-Identifier: Apache-2.0
// `naive` model: counts of events per cell over [origin - window_days, origin), kept as a sliding
// window. Not thread-safe (one instance per thread).
#include "models/naive.h"

#include "models/cell_sums.h"
#include "models/residue.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kNaiveParams[] = {
    {"window_days", ParamType::kInt, "365", 1, 36500, "days",
     "Training window: the events in [origin - window_days, origin) are counted. Longer windows "
     "give steadier counts but react slowly to change; shorter ones follow recent change but are "
     "noisy."},
};

constexpr ModelInfo kNaiveInfo{
    "naive", "events per cell in the training window, as an expected count for the horizon",
    "grid thematic mapping of counts, one of the methods compared by Chainey, Tompson and Uhlig "
    "(2008), Security Journal 21",
    kNaiveParams};

class NaiveModel final : public Model {
 public:
  explicit NaiveModel(ParamValues params)
      : params_(std::move(params)), window_days_(params_.GetInt("window_days")) {}

  std::string_view name() const override { return kNaiveInfo.name; }
  const ParamValues& params() const override { return params_; }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    auto deposit = [&](size_t i, int64_t sign) {
      const grid::CellId cell = grid.PointToCell(events.x_m[i], events.y_m[i]);
      if (cell == grid::kNoCell) return false;
      sums_.sums()[static_cast<size_t>(cell)] += sign * kFixedPointOne;
      return true;
    };
    auto slid = sums_.Update(FitKey::Of(events, grid), events, WindowStart(origin_s, window_days_),
                             origin_s, deposit);
    if (!slid.ok()) return slid.status().Wrap(name());
    warnings_ = WindowWarnings(events, origin_s, window_days_, "window_days", sums_.events_used(),
                               sums_.events_in_window());
    fitted_ = true;
    return Status::Ok();
  }

  // Expected events in the horizon at the window's rate: count × horizon_days / window_days.
  Result<grid::Surface> Predict(double horizon_days) const override {
    if (!fitted_) return Status::InvalidInput("naive: Predict() called before a successful Fit()");
    if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
      return Status::InvalidInput("naive: horizon_days: expected a positive number (got " +
                                  FormatValue(horizon_days) + ")");
    }
    const double scale = horizon_days / static_cast<double>(window_days_);
    grid::Surface s;
    s.value.reserve(sums_.sums().size());
    for (int64_t v : sums_.sums()) s.value.push_back(FromFixedPoint(v) * scale);
    PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues(name(), &s));
    return s;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  // Counts only the cell's own events, over window_days.
  double SupportRadiusM() const override { return 0; }
  int64_t TrainFromS(int64_t origin_s) const override {
    return WindowStart(origin_s, window_days_);
  }
  OutputKind output_kind() const override { return OutputKind::kExpectedCount; }

 private:
  ParamValues params_;
  int64_t window_days_;
  SlidingCellSums sums_;
  bool fitted_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace

const ModelInfo& NaiveModelInfo() { return kNaiveInfo; }

Result<std::unique_ptr<Model>> MakeNaiveModel(ParamValues params) {
  return std::unique_ptr<Model>(std::make_unique<NaiveModel>(std::move(params)));
}

}  // namespace placecast::models
