// SPDX-License-Identifier: Apache-2.0
// `boost` model: gradient-boosted regression trees through XGBoost's C API. At a forecast origin it
// builds training rows (cell, training origin) for the train_origins days before the origin, each
// labelled with the cell's events over the label_days after its training origin and described by
// BoostFeatures computed from the events before that training origin only; it fits the booster
// and predicts from the features at the origin. Not thread-safe (one instance per thread).
#include "models/boost.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "models/boost_features.h"
#include "models/cell_sums.h"
#include "models/residue.h"
#include "placecast/common/random.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kBoostParams[] = {
    {"trees", ParamType::kInt, "100", 1, 5000, "",
     "Boosting rounds (trees). More trees fit finer structure at a proportional cost in time; with "
     "a small learning_rate more are needed."},
    {"max_depth", ParamType::kInt, "4", 1, 12, "",
     "Depth of each tree: how many features one tree can combine. Deeper trees learn interactions "
     "but overfit sparse cells."},
    {"learning_rate", ParamType::kDouble, "0.1", 0.001, 1, "",
     "Shrinkage of each tree's contribution (XGBoost's eta). Smaller is steadier and needs more "
     "trees."},
    {"train_origins", ParamType::kInt, "56", 1, 3650, "days",
     "Training origins: the days origin - label_days - k for k = 0 .. train_origins - 1 (those "
     "inside the window), each giving one row per active cell. More origins give more rows (time "
     "and memory grow linearly) and average over more days of the week."},
    {"label_days", ParamType::kInt, "1", 1, 365, "days",
     "Length of each row's label window: the label is the cell's count over [training origin, "
     "training origin + label_days). Predict() scales the learned count by horizon_days / "
     "label_days. Must be less than window_days."},
    {"zero_keep", ParamType::kDouble, "1", 0.001, 1, "",
     "Share of rows with a zero label that are kept, chosen by a hash of seed, day and cell; kept "
     "zero rows weigh 1 / zero_keep under the poisson objective so expected counts stay unbiased. "
     "Below 1 the fit is faster on large sparse grids."},
    {"objective", ParamType::kEnum, "poisson", -1e300, 1e300, "",
     "poisson: XGBoost count:poisson, and Predict() gives expected counts. pairwise: XGBoost "
     "rank:pairwise with one query group per training origin, which learns the order of cells "
     "within a day; Predict() gives exp(score - max score), a relative score.",
     "poisson|pairwise"},
    {"seed", ParamType::kInt, "0", 0, 2147483647, "",
     "Seed of XGBoost and of the zero-row sampling. Same inputs, parameters and seed give the same "
     "bytes."},
    {"threads", ParamType::kInt, "1", 1, 64, "",
     "XGBoost threads. Results are byte-reproducible for a fixed value; another thread count may "
     "round differently."},
    {"window_days", ParamType::kInt, "730", 2, 36500, "days",
     "History read: the events in [origin - window_days, origin). Feature look-backs (1, 7, 28, "
     "91, 365 days and window_days) are cut at the window start, and training origins lie inside "
     "it."},
};

constexpr ModelInfo kBoostInfo{
    "boost",
    "gradient-boosted trees (XGBoost) over counts at several look-backs and scales, days since "
    "the last event and the calendar, trained on the days before the origin",
    "Friedman (2001), Annals of Statistics 29(5); Chen and Guestrin (2016), XGBoost, KDD",
    kBoostParams};

struct DMatrixFree {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
struct BoosterFree {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using DMatrixPtr = std::unique_ptr<void, DMatrixFree>;
using BoosterPtr = std::unique_ptr<void, BoosterFree>;

// Shortest text that reads back as the same double.
std::string RoundTrip(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Status Check(int rc, std::string_view what) {
  if (rc == 0) return Status::Ok();
  std::string msg = "boost: XGBoost ";
  msg += what;
  msg += ": ";
  msg += XGBGetLastError();
  return Status::Internal(msg);
}

class BoostModel final : public Model {
 public:
  explicit BoostModel(ParamValues params)
      : params_(std::move(params)),
        trees_(params_.GetInt("trees")),
        label_days_(params_.GetInt("label_days")),
        train_origins_(params_.GetInt("train_origins")),
        window_days_(params_.GetInt("window_days")),
        zero_keep_(params_.GetDouble("zero_keep")),
        seed_(params_.GetInt("seed")),
        pairwise_(params_.GetString("objective") == "pairwise"),
        features_(window_days_) {}

  std::string_view name() const override { return kBoostInfo.name; }
  const ParamValues& params() const override { return params_; }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    rate_.clear();
    grid_ = nullptr;
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    if (Status sorted = CheckSorted(events); !sorted.ok()) return sorted.Wrap(name());
    const int64_t start = TrainFromS(origin_s);
    const auto ncell = static_cast<size_t>(grid.num_cells());
    const size_t nf = features_.num_features();

    // Training rows, newest training origin first.
    std::vector<float> x, label, weight;
    std::vector<unsigned> group;
    std::vector<double> counts(ncell);
    for (int64_t k = 0; k < train_origins_; ++k) {
      const int64_t o = origin_s - (label_days_ + k) * kSecondsPerDay;
      if (o <= start) break;
      const size_t first_row = label.size();
      features_.Append(events, grid, start, o, &x);
      std::fill(counts.begin(), counts.end(), 0.0);
      const auto [lo, hi] = events.TimeRange(o, o + label_days_ * kSecondsPerDay);
      for (size_t i = lo; i < hi; ++i) {
        const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
        if (c != grid::kNoCell) counts[static_cast<size_t>(c)] += 1.0;
      }
      // Keep every row with events and a hashed share zero_keep of the others, compacting x.
      const uint64_t day_seed =
          DeriveSeed(static_cast<uint64_t>(seed_), static_cast<uint64_t>(o / kSecondsPerDay));
      size_t kept = first_row;
      for (size_t cell = 0; cell < ncell; ++cell) {
        bool keep = counts[cell] > 0 || zero_keep_ >= 1;
        if (!keep) {
          const double u = static_cast<double>(SplitMix64(day_seed + cell) >> 11) * 0x1.0p-53;
          keep = u < zero_keep_;
        }
        if (!keep) continue;
        if (kept != first_row + cell) {
          std::copy_n(x.begin() + static_cast<ptrdiff_t>((first_row + cell) * nf), nf,
                      x.begin() + static_cast<ptrdiff_t>(kept * nf));
        }
        label.push_back(static_cast<float>(counts[cell]));
        weight.push_back(counts[cell] > 0 ? 1.0f : static_cast<float>(1.0 / zero_keep_));
        ++kept;
      }
      x.resize(kept * nf);
      group.push_back(static_cast<unsigned>(kept - first_row));
    }
    if (label.empty()) {
      return Status::InvalidInput("boost: no training row: window_days (" +
                                  std::to_string(window_days_) +
                                  ") leaves no training origin before the origin");
    }

    DMatrixHandle dtrain_raw = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat(x.data(), label.size(), nf, std::nanf(""), &dtrain_raw),
              "creating the training matrix"));
    DMatrixPtr dtrain(dtrain_raw);
    PLACECAST_RETURN_IF_ERROR(SetFeatureNames(dtrain.get()));
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixSetFloatInfo(dtrain.get(), "label", label.data(), label.size()),
              "setting labels"));
    if (pairwise_) {
      PLACECAST_RETURN_IF_ERROR(
          Check(XGDMatrixSetUIntInfo(dtrain.get(), "group", group.data(), group.size()),
                "setting query groups"));
    } else {
      PLACECAST_RETURN_IF_ERROR(
          Check(XGDMatrixSetFloatInfo(dtrain.get(), "weight", weight.data(), weight.size()),
                "setting weights"));
    }
    BoosterHandle booster_raw = nullptr;
    DMatrixHandle mats[] = {dtrain.get()};
    PLACECAST_RETURN_IF_ERROR(Check(XGBoosterCreate(mats, 1, &booster_raw), "creating a booster"));
    BoosterPtr booster(booster_raw);
    const std::pair<std::string, std::string> settings[] = {
        {"objective", pairwise_ ? "rank:pairwise" : "count:poisson"},
        {"tree_method", "hist"},
        {"max_depth", std::to_string(params_.GetInt("max_depth"))},
        {"eta", RoundTrip(params_.GetDouble("learning_rate"))},
        {"seed", std::to_string(seed_)},
        {"nthread", std::to_string(params_.GetInt("threads"))},
        {"verbosity", "0"},
    };
    for (const auto& [key, val] : settings) {
      PLACECAST_RETURN_IF_ERROR(
          Check(XGBoosterSetParam(booster.get(), key.c_str(), val.c_str()), "setting " + key));
    }
    for (int64_t iter = 0; iter < trees_; ++iter) {
      PLACECAST_RETURN_IF_ERROR(Check(
          XGBoosterUpdateOneIter(booster.get(), static_cast<int>(iter), dtrain.get()), "training"));
    }

    // Features at the origin, one row per active cell, and their predictions.
    std::vector<float> x_now;
    features_.Append(events, grid, start, origin_s, &x_now);
    DMatrixHandle dnow_raw = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat(x_now.data(), ncell, nf, std::nanf(""), &dnow_raw),
              "creating the prediction matrix"));
    DMatrixPtr dnow(dnow_raw);
    PLACECAST_RETURN_IF_ERROR(SetFeatureNames(dnow.get()));
    bst_ulong out_len = 0;
    const float* out = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterPredict(booster.get(), dnow.get(), 0, 0, 0, &out_len, &out), "predicting"));
    if (out_len != ncell) {
      return Status::Internal("boost: XGBoost returned " + std::to_string(out_len) +
                              " predictions for " + std::to_string(ncell) + " cells");
    }
    rate_.assign(out, out + ncell);
    if (pairwise_) {
      // Ranking scores are margins of any sign: exp(score - max) keeps their order in (0, 1].
      const double top = *std::max_element(rate_.begin(), rate_.end());
      for (double& v : rate_) v = std::exp(v - top);
    }

    const auto [wlo, whi] = events.TimeRange(start, origin_s);
    int64_t used = 0;
    for (size_t i = wlo; i < whi; ++i) {
      used += grid.PointToCell(events.x_m[i], events.y_m[i]) != grid::kNoCell ? 1 : 0;
    }
    warnings_ = WindowWarnings(events, origin_s, window_days_, "window_days", used,
                               static_cast<int64_t>(whi - wlo));
    grid_ = &grid;
    fitted_ = true;
    return Status::Ok();
  }

  // Poisson: the learned expected count per label window, scaled to the horizon. Pairwise: the
  // relative score, whatever the horizon.
  Result<grid::Surface> Predict(double horizon_days) const override {
    if (!fitted_) return Status::InvalidInput("boost: Predict() called before a successful Fit()");
    if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
      return Status::InvalidInput("boost: horizon_days: expected a positive number (got " +
                                  FormatValue(horizon_days) + ")");
    }
    const double scale = pairwise_ ? 1.0 : horizon_days / static_cast<double>(label_days_);
    grid::Surface s;
    s.value.reserve(rate_.size());
    for (double v : rate_) s.value.push_back(v * scale);
    PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues(name(), &s));
    return s;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  // The widest count feature is the 7x7 neighbourhood: an event anywhere in a cell three cells
  // away diagonally is within 3 sqrt(2) cells of the cell's square. 0 before a fit (no cell size).
  double SupportRadiusM() const override {
    return grid_ == nullptr ? 0 : 3 * std::sqrt(2.0) * grid_->cell_size_m();
  }
  int64_t TrainFromS(int64_t origin_s) const override {
    return WindowStart(origin_s, window_days_);
  }
  OutputKind output_kind() const override {
    return pairwise_ ? OutputKind::kRelativeScore : OutputKind::kExpectedCount;
  }

 private:
  Status SetFeatureNames(DMatrixHandle m) const {
    std::vector<const char*> names;
    for (const auto& n : features_.names()) names.push_back(n.c_str());
    return Check(XGDMatrixSetStrFeatureInfo(m, "feature_name", names.data(), names.size()),
                 "naming features");
  }

  ParamValues params_;
  int64_t trees_, label_days_, train_origins_, window_days_;
  double zero_keep_;
  int64_t seed_;
  bool pairwise_;
  BoostFeatures features_;
  const grid::Grid* grid_ = nullptr;
  std::vector<double> rate_;  // per active cell: expected count per label window, or score
  bool fitted_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace

const ModelInfo& BoostModelInfo() { return kBoostInfo; }

Result<std::unique_ptr<Model>> MakeBoostModel(ParamValues params) {
  if (params.GetInt("label_days") >= params.GetInt("window_days")) {
    return Status::InvalidInput(
        "boost: parameter label_days: expected a value below window_days (" +
        std::to_string(params.GetInt("window_days")) + ") (got " +
        std::to_string(params.GetInt("label_days")) + ")");
  }
  return std::unique_ptr<Model>(std::make_unique<BoostModel>(std::move(params)));
}

}  // namespace placecast::models
