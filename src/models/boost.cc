// SPDX-License-Identifier: Apache-2.0
// `boost` model: gradient-boosted regression trees through XGBoost's C API. At a forecast origin it
// builds training rows (cell, training origin) for the train_origins days before the origin, each
// labelled with the cell's events over the label_days after its training origin and described by
// BoostFeatures computed from the events before that training origin only; it fits the booster
// and predicts from the features at the origin. The fit is saved as JSON (the booster in XGBoost's
// own JSON model format, with the predictions per cell) and explained by XGBoost's per-prediction
// feature contributions (TreeSHAP). Not thread-safe (one instance per thread).
#include "models/boost.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "models/boost_features.h"
#include "models/cell_sums.h"
#include "models/fitted_json.h"
#include "models/residue.h"
#include "placecast/common/holidays.h"
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
    {"train_origins", ParamType::kInt, "52", 1, 3650, "",
     "Training origins: local days origin_day - label_days - k x train_step_days - (k mod 7) for "
     "k = 0 .. train_origins - 1, each giving one row per active cell. The (k mod 7) shift makes "
     "a weekly step visit every day of the week. More origins give more rows (time and memory "
     "grow linearly). The default, 52 at a 7-day step, spans a year."},
    {"train_step_days", ParamType::kInt, "7", 1, 365, "days",
     "Days between training origins. 1 trains on consecutive days (the most recent history, "
     "densely); 7 spreads the same number of rows over seven times as long."},
    {"refit_days", ParamType::kInt, "7", 1, 365, "days",
     "The trees are fitted at the start of local days whose day number (days since 1970-01-01) "
     "is a multiple of refit_days, and a forecast from any day uses the trees of the latest such "
     "day at or before it, with features computed at its own origin. A backtest thus refits "
     "every refit_days days and predicts daily; a fit never depends on which origins came "
     "before (the same bytes as a fresh fit). 1 refits at every origin."},
    {"indicators", ParamType::kString, "auto", -1e300, 1e300, "",
     "Leading-indicator offence groups whose counts become features: auto (every victim-reported "
     "standard group outside the target selection; enforcement-driven groups too only with "
     "--allow-enforcement-types), none, or a comma-separated list of group names."},
    {"layers", ParamType::kString, "auto", -1e300, 1e300, "",
     "Static environment layers of the store (`placecast layers add`) whose features become "
     "columns: env_<name>_dist_m, the distance from the cell centre to the nearest feature (0 "
     "inside a polygon), and env_<name>_kde, the quartic-kernel weighted count of features within "
     "400 m. auto (every layer in the store), none, or a comma-separated list of layer names. A "
     "layer whose snapshot date is after the forecast origin gets a warning: it can leak the "
     "future."},
    {"label_days", ParamType::kInt, "1", 1, 365, "days",
     "Length of each row's label window: the label is the cell's count over [training origin, "
     "training origin + label_days). Predict() scales the learned count by horizon_days / "
     "label_days. Must be less than window_days."},
    {"zero_keep", ParamType::kDouble, "0.1", 0.001, 1, "",
     "Share of rows with a zero label that are kept, chosen by a hash of seed, day and cell; kept "
     "zero rows weigh 1 / zero_keep under the poisson objective so expected counts stay unbiased. "
     "The default keeps one in ten: most cells have no event on most days, and their rows cost "
     "time without teaching much. 1 keeps every row."},
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
    {"window_days", ParamType::kInt, "365", 2, 36500, "days",
     "Feature window: each row's features count the events in [its time - window_days, its "
     "time): look-backs of 1, 7, 28, 91, 365 days and window_days itself, cut at window_days. "
     "The history read reaches back from the origin over the training origins and then "
     "window_days more (TrainFromS)."},
};

constexpr ModelInfo kBoostInfo{
    "boost",
    "gradient-boosted trees (XGBoost) over counts at several look-backs and scales, days since "
    "the last event, leading-indicator offence groups and the local calendar with holidays, "
    "trained on a year of weekly origins before the origin and refitted weekly",
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

// Version of FittedJson()'s layout; LoadFitted() refuses another (kData).
constexpr int64_t kSchemaVersion = 1;

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

// The groups an `indicators` value names: "auto", "none" or a comma-separated list of group
// names. kInvalidInput naming the parameter and the value for an unknown name, a group of the
// target, or an enforcement-driven group without `allow_enforcement_types`.
// The layers of `context` the parameter `layers` names, ordered by name: auto (every one), none,
// or a comma-separated list. kInvalidInput for a name the context lacks or a name given twice.
Result<std::vector<const FitContext::Layer*>> SelectLayers(const std::string& value,
                                                           const FitContext* context) {
  std::vector<const FitContext::Layer*> out;
  if (value == "none") return out;
  std::vector<const FitContext::Layer*> all;
  if (context != nullptr) {
    for (const FitContext::Layer& l : context->layers) all.push_back(&l);
  }
  std::sort(all.begin(), all.end(), [](const FitContext::Layer* a, const FitContext::Layer* b) {
    return a->name < b->name;
  });
  if (value == "auto") return all;
  size_t pos = 0;
  while (pos <= value.size()) {
    const size_t comma = std::min(value.find(',', pos), value.size());
    const std::string name = value.substr(pos, comma - pos);
    pos = comma + 1;
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const FitContext::Layer* l) { return l->name == name; });
    if (it == all.end()) {
      std::string stored;
      for (const auto* l : all) stored += (stored.empty() ? "" : ", ") + l->name;
      return Status::InvalidInput("boost: parameter layers: no layer \"" + name +
                                  "\" in the store (expected auto, none or layers of: " +
                                  (stored.empty() ? std::string("none stored") : stored) +
                                  "; add one with `placecast layers add`)");
    }
    if (std::find(out.begin(), out.end(), *it) != out.end()) {
      return Status::InvalidInput("boost: parameter layers: \"" + name + "\" is named twice");
    }
    out.push_back(*it);
  }
  std::sort(out.begin(), out.end(), [](const FitContext::Layer* a, const FitContext::Layer* b) {
    return a->name < b->name;
  });
  return out;
}

Result<std::vector<OffenceGroup>> ParseIndicators(const std::string& value,
                                                  const std::vector<OffenceGroup>& target,
                                                  bool allow_enforcement_types) {
  auto in_target = [&](OffenceGroup g) {
    return std::find(target.begin(), target.end(), g) != target.end();
  };
  std::vector<OffenceGroup> out;
  if (value == "none") return out;
  if (value == "auto") {
    for (const OffenceGroupInfo& info : OffenceGroups()) {
      if (info.group == OffenceGroup::kUnknown || info.group == OffenceGroup::kOther) continue;
      if (in_target(info.group)) continue;
      if (info.enforcement_driven && !allow_enforcement_types) continue;
      out.push_back(info.group);
    }
    return out;
  }
  size_t pos = 0;
  while (pos <= value.size()) {
    const size_t comma = std::min(value.find(',', pos), value.size());
    const std::string name = value.substr(pos, comma - pos);
    pos = comma + 1;
    const OffenceGroupInfo* found = nullptr;
    for (const OffenceGroupInfo& info : OffenceGroups()) {
      if (info.name == name && info.group != OffenceGroup::kUnknown) found = &info;
    }
    const std::string what = "boost: parameter indicators: ";
    if (found == nullptr) {
      std::string known;
      for (const OffenceGroupInfo& info : OffenceGroups()) {
        if (info.group == OffenceGroup::kUnknown) continue;
        known += known.empty() ? "" : ", ";
        known += info.name;
      }
      return Status::InvalidInput(what + "unknown offence group \"" + name +
                                  "\" (expected auto, none or groups of: " + known + ")");
    }
    if (in_target(found->group)) {
      return Status::InvalidInput(what + "\"" + name +
                                  "\" is in the target selection: it cannot lead itself");
    }
    if (found->enforcement_driven && !allow_enforcement_types) {
      return Status::InvalidInput(what + "\"" + name +
                                  "\" is enforcement-driven (it measures where police look); pass "
                                  "--allow-enforcement-types to use it");
    }
    if (std::find(out.begin(), out.end(), found->group) != out.end()) {
      return Status::InvalidInput(what + "\"" + name + "\" is named twice");
    }
    out.push_back(found->group);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class BoostModel final : public Model {
 public:
  explicit BoostModel(ParamValues params)
      : params_(std::move(params)),
        trees_(params_.GetInt("trees")),
        label_days_(params_.GetInt("label_days")),
        train_origins_(params_.GetInt("train_origins")),
        train_step_days_(params_.GetInt("train_step_days")),
        refit_days_(params_.GetInt("refit_days")),
        window_days_(params_.GetInt("window_days")),
        zero_keep_(params_.GetDouble("zero_keep")),
        seed_(params_.GetInt("seed")),
        pairwise_(params_.GetString("objective") == "pairwise"),
        features_(window_days_, {}, label_days_) {}

  std::string_view name() const override { return kBoostInfo.name; }
  const ParamValues& params() const override { return params_; }

  bool ReadsContext() const override { return true; }

  Result<std::vector<OffenceGroup>> IndicatorGroups(const std::vector<OffenceGroup>& target,
                                                    bool allow_enforcement_types) const override {
    return ParseIndicators(params_.GetString("indicators"), target, allow_enforcement_types);
  }

  Status SetContext(std::shared_ptr<const FitContext> context) override {
    std::vector<OffenceGroup> groups;
    indicator_events_.clear();
    if (context != nullptr) {
      for (const FitContext::Indicator& ind : context->indicators) {
        groups.push_back(ind.group);
        indicator_events_.push_back(&ind.events);
      }
    }
    PLACECAST_ASSIGN_OR_RETURN(std::vector<const FitContext::Layer*> layers,
                               SelectLayers(params_.GetString("layers"), context.get()));
    context_ = std::move(context);
    calendar_ = context_ != nullptr ? context_->calendar : Calendar();
    holidays_ = HolidayRulesForZone(calendar_.zone());
    features_ = BoostFeatures(window_days_, std::move(groups), label_days_, std::move(layers));
    booster_.reset();
    fitted_ = false;
    return Status::Ok();
  }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    rate_.clear();
    grid_ = nullptr;
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    if (Status sorted = CheckSorted(events); !sorted.ok()) return sorted.Wrap(name());
    for (const EventSet* ind : indicator_events_) {
      if (Status sorted = CheckSorted(*ind); !sorted.ok()) {
        return sorted.Wrap("boost: leading-indicator events");
      }
    }
    const auto ncell = static_cast<size_t>(grid.num_cells());
    const size_t nf = features_.num_features();

    // The trees of the refit day at or before the origin: kept from the last fit when that was
    // the same day on the same inputs, else fitted now.
    const int64_t train_at = TrainAt(origin_s);
    const FitKey key = FitKey::Of(events, grid);
    if (booster_ == nullptr || trained_at_ != train_at || !(trained_key_ == key)) {
      booster_.reset();
      PLACECAST_RETURN_IF_ERROR(Train(events, grid, train_at));
      trained_at_ = train_at;
      trained_key_ = key;
    }

    // Features at the origin, one row per active cell, and their predictions.
    std::vector<float> x_now;
    features_.Append(events, indicator_events_, grid, calendar_, holidays_,
                     WindowStart(origin_s, window_days_), origin_s, &x_now);
    DMatrixHandle dnow_raw = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat(x_now.data(), ncell, nf, std::nanf(""), &dnow_raw),
              "creating the prediction matrix"));
    DMatrixPtr dnow(dnow_raw);
    PLACECAST_RETURN_IF_ERROR(SetFeatureNames(dnow.get()));
    bst_ulong out_len = 0;
    const float* out = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterPredict(booster_.get(), dnow.get(), 0, 0, 0, &out_len, &out), "predicting"));
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

    const int64_t start = TrainFromS(origin_s);
    const auto [wlo, whi] = events.TimeRange(start, origin_s);
    int64_t used = 0;
    for (size_t i = wlo; i < whi; ++i) {
      used += grid.PointToCell(events.x_m[i], events.y_m[i]) != grid::kNoCell ? 1 : 0;
    }
    warnings_ =
        WindowWarnings(events, origin_s, calendar_.DaysBetween(start, origin_s),
                       "window_days + training origins", used, static_cast<int64_t>(whi - wlo));
    AddLayerWarnings(origin_s);
    origin_s_ = origin_s;
    window_start_s_ = WindowStart(origin_s, window_days_);
    feature_names_ = features_.names();
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
  // The oldest training origin of the trees used at `origin_s`, less the feature window.
  int64_t TrainFromS(int64_t origin_s) const override {
    return WindowStart(TrainingOrigin(TrainAt(origin_s), train_origins_ - 1), window_days_);
  }
  OutputKind output_kind() const override {
    return pairwise_ ? OutputKind::kRelativeScore : OutputKind::kExpectedCount;
  }

  Result<std::vector<std::pair<std::string, double>>> FeatureGains() const {
    if (!fitted_ || booster_ == nullptr) {
      return Status::InvalidInput("boost: feature gains asked before a successful Fit()");
    }
    bst_ulong n = 0, dim = 0;
    const char** names = nullptr;
    const bst_ulong* shape = nullptr;
    const float* scores = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterFeatureScore(booster_.get(), R"({"importance_type": "total_gain"})", &n,
                                    &names, &dim, &shape, &scores),
              "scoring features"));
    std::vector<std::pair<std::string, double>> out;
    for (bst_ulong i = 0; i < n; ++i) out.emplace_back(names[i], scores[i]);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
  }

  // The header of fitted_json.h, then origin_s, window_start_s, feature_names, rate (per active
  // cell: the expected count per label window, or the relative score; what Predict() scales) and
  // booster (XGBoost's JSON model, as XGBoosterSaveModelToBuffer writes it). "{}" before a fit, or
  // if XGBoost cannot write its model.
  std::string FittedJson() const override {
    if (!fitted_) return "{}";
    bst_ulong len = 0;
    const char* buf = nullptr;
    if (XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "json"})", &len, &buf) != 0) {
      return "{}";
    }
    auto booster = nlohmann::ordered_json::parse(buf, buf + len, nullptr, false);
    if (booster.is_discarded()) return "{}";
    nlohmann::ordered_json j = FittedJsonHeader(name(), kSchemaVersion, params_, *grid_);
    j["origin_s"] = origin_s_;
    j["window_start_s"] = window_start_s_;
    j["feature_names"] = feature_names_;
    j["rate"] = rate_;
    j["booster"] = std::move(booster);
    return j.dump();
  }

  // Restores a FittedJson() for the same grid and the same parameters: Predict() gives the saved
  // rates, and the booster is reloaded for explanations. kInvalidInput for another model, grid or
  // parameter value (the fit's label_days and objective decide what its rates mean), a missing or
  // malformed field, or a booster XGBoost cannot read; kData for another schema version.
  Status LoadFitted(std::string_view json, const grid::Grid& grid) override {
    PLACECAST_ASSIGN_OR_RETURN(const nlohmann::json j,
                               ParseFittedJson(json, name(), kSchemaVersion, grid));
    const FittedJsonReader in(j, name());
    const nlohmann::json mine = nlohmann::json::parse(params_.ToJson());
    const auto theirs = j.find("params");
    if (theirs == j.end() || !theirs->is_object()) return in.Bad("params: expected an object");
    for (const auto& [key, value] : mine.items()) {
      const auto it = theirs->find(key);
      if (it == theirs->end() || *it != value) {
        return in.Bad("params: the fit was made with " + key + " = " +
                      (it == theirs->end() ? std::string("(none)") : it->dump()) + " (got " +
                      value.dump() + "); give the fit's parameters");
      }
    }
    for (const auto& [key, value] : theirs->items()) {
      if (!mine.contains(key)) return in.Bad("params: unknown parameter " + key + " in the fit");
    }
    int64_t origin_s = 0, window_start_s = 0;
    PLACECAST_RETURN_IF_ERROR(in.GetInt("origin_s", &origin_s));
    PLACECAST_RETURN_IF_ERROR(in.GetInt("window_start_s", &window_start_s));
    if (window_start_s != WindowStart(origin_s, window_days_)) {
      return in.Bad("window_start_s: expected origin_s - window_days x 86400 = " +
                    std::to_string(WindowStart(origin_s, window_days_)) + " (got " +
                    std::to_string(window_start_s) + ")");
    }
    const auto names = j.find("feature_names");
    const bool names_ok = names != j.end() && names->is_array() && !names->empty() &&
                          std::ranges::all_of(*names, [](const nlohmann::json& n) {
                            return n.is_string() && !n.get<std::string>().empty();
                          });
    if (!names_ok) return in.Bad("feature_names: expected an array of non-empty strings");
    std::vector<std::string> feature_names = names->get<std::vector<std::string>>();
    std::vector<double> rate;
    PLACECAST_RETURN_IF_ERROR(in.GetNumbers("rate", static_cast<size_t>(grid.num_cells()),
                                            /*non_negative=*/true, &rate));
    const auto model = j.find("booster");
    if (model == j.end() || !model->is_object()) return in.Bad("booster: expected an object");
    const std::string text = model->dump();
    BoosterHandle raw = nullptr;
    PLACECAST_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &raw), "creating a booster"));
    BoosterPtr booster(raw);
    if (XGBoosterLoadModelFromBuffer(booster.get(), text.data(), text.size()) != 0) {
      return in.Bad(std::string("booster: not an XGBoost model: ") + XGBGetLastError());
    }
    bst_ulong num_features = 0;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterGetNumFeature(booster.get(), &num_features), "reading the model"));
    if (num_features != feature_names.size()) {
      return in.Bad("booster: a model of " + std::to_string(num_features) + " features for " +
                    std::to_string(feature_names.size()) + " feature_names");
    }
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterSetParam(booster.get(), "nthread",
                                std::to_string(params_.GetInt("threads")).c_str()),
              "setting nthread"));
    booster_ = std::move(booster);
    trained_key_ = FitKey{};  // a later Fit() trains its own trees
    origin_s_ = origin_s;
    window_start_s_ = window_start_s;
    feature_names_ = std::move(feature_names);
    rate_ = std::move(rate);
    warnings_.clear();
    AddLayerWarnings(origin_s);
    grid_ = &grid;
    fitted_ = true;
    return Status::Ok();
  }

  // A layer that describes the city after the origin can carry what happened after it (a
  // licence granted because of later trouble, a station opened later): say so.
  void AddLayerWarnings(int64_t origin_s) {
    for (const FitContext::Layer* l : features_.layers()) {
      if (l->snapshot_s > origin_s) {
        warnings_.push_back("layer " + l->name + " is a snapshot of " + l->snapshot_date +
                            ", after the origin " + calendar_.FormatDate(origin_s) +
                            ": it can leak the future");
      }
    }
  }

  Result<int64_t> FitOrigin() const {
    if (!fitted_) return Status::InvalidInput("boost: explain called before a successful Fit()");
    return origin_s_;
  }

  // GetBoostContributions (boost.h).
  Result<BoostContributions> Contributions(const EventSet& events, const grid::Grid& grid,
                                           const std::vector<grid::CellId>& cells) const {
    if (!fitted_) return Status::InvalidInput("boost: explain called before a successful Fit()");
    const auto ncell = static_cast<size_t>(grid.num_cells());
    if (ncell != rate_.size()) {
      return Status::InvalidInput("boost: grid: the fit has " + std::to_string(rate_.size()) +
                                  " cells (got " + std::to_string(ncell) + ")");
    }
    BoostFeatures features(window_days_, features_.indicators(), label_days_, features_.layers());
    if (features.names() != feature_names_) {
      return Status::InvalidInput("boost: feature_names: the fit's " +
                                  std::to_string(feature_names_.size()) + " features are not the " +
                                  std::to_string(features.num_features()) +
                                  " this version computes; refit to explain it");
    }
    const size_t nf = feature_names_.size();
    std::vector<float> x;
    features.Append(events, indicator_events_, grid, calendar_, holidays_, window_start_s_,
                    origin_s_, &x);
    PLACECAST_ASSIGN_OR_RETURN(DMatrixPtr all, Matrix(x, ncell));
    // The features must give the fit's own prediction of every cell, bit for bit.
    PLACECAST_ASSIGN_OR_RETURN(std::vector<float> predicted, PredictRows(all.get(), 0, ncell));
    PLACECAST_ASSIGN_OR_RETURN(std::vector<float> margins, PredictRows(all.get(), 1, ncell));
    // As Fit() turns XGBoost's predictions into rates.
    std::vector<double> rate(predicted.begin(), predicted.end());
    if (pairwise_) {
      const double best = *std::max_element(rate.begin(), rate.end());
      for (double& v : rate) v = std::exp(v - best);
    }
    for (size_t c = 0; c < ncell; ++c) {
      if (rate[c] != rate_[c]) {
        return Status::InvalidInput(
            "boost: events: not the events the fit was made from: their features predict " +
            FormatValue(rate[c]) + " for cell " + std::to_string(c) +
            " (the fit: " + FormatValue(rate_[c]) + ")");
      }
    }
    std::vector<float> rows;
    rows.reserve(cells.size() * nf);
    for (grid::CellId c : cells) {
      const auto at = x.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(c) * nf);
      rows.insert(rows.end(), at, at + static_cast<ptrdiff_t>(nf));
    }
    PLACECAST_ASSIGN_OR_RETURN(DMatrixPtr asked, Matrix(rows, cells.size()));
    PLACECAST_ASSIGN_OR_RETURN(std::vector<float> contrib,
                               PredictRows(asked.get(), 2, cells.size() * (nf + 1)));
    // XGBoost computes in float; each value is shown as the shortest decimal of its float.
    auto shortest = [](float v) {
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, v);
      double d = v;
      std::from_chars(buf, res.ptr, d);
      return d;
    };
    BoostContributions out;
    out.feature_names = feature_names_;
    out.origin_s = origin_s_;
    out.window_start_s = window_start_s_;
    out.label_days = label_days_;
    out.pairwise = pairwise_;
    out.max_margin = shortest(*std::max_element(margins.begin(), margins.end()));
    for (size_t k = 0; k < cells.size(); ++k) {
      BoostCellContributions cc;
      cc.cell = cells[k];
      for (size_t f = 0; f < nf; ++f) {
        cc.values.push_back(shortest(rows[k * nf + f]));
        cc.contributions.push_back(shortest(contrib[k * (nf + 1) + f]));
      }
      cc.bias = shortest(contrib[k * (nf + 1) + nf]);
      cc.margin = shortest(margins[static_cast<size_t>(cells[k])]);
      out.cells.push_back(std::move(cc));
    }
    return out;
  }

 private:
  // The time the trees used at `origin_s` are fitted at: the origin itself when refit_days is 1
  // or the origin's local day is a refit day, else the start of the latest refit day before it.
  int64_t TrainAt(int64_t origin_s) const {
    const int64_t day = calendar_.DayOf(origin_s);
    const int64_t refit_day = day - ((day % refit_days_) + refit_days_) % refit_days_;
    return refit_day == day ? origin_s : calendar_.DayStart(refit_day);
  }

  // Training origin k of trees fitted at `train_at`: label_days + k x step + (k mod 7) local days
  // before it, at the same time of day.
  int64_t TrainingOrigin(int64_t train_at, int64_t k) const {
    const int64_t day = calendar_.DayOf(train_at);
    const int64_t time_of_day = train_at - calendar_.DayStart(day);
    return calendar_.DayStart(day - label_days_ - k * train_step_days_ - k % 7) + time_of_day;
  }

  // Fits booster_ on the rows of the training origins of `train_at`.
  Status Train(const EventSet& events, const grid::Grid& grid, int64_t train_at) {
    const auto ncell = static_cast<size_t>(grid.num_cells());
    const size_t nf = features_.num_features();
    // Training rows, newest training origin first.
    std::vector<float> x, label, weight;
    std::vector<unsigned> group;
    std::vector<double> counts(ncell);
    for (int64_t k = 0; k < train_origins_; ++k) {
      const int64_t o = TrainingOrigin(train_at, k);
      const size_t first_row = label.size();
      features_.Append(events, indicator_events_, grid, calendar_, holidays_,
                       WindowStart(o, window_days_), o, &x);
      std::fill(counts.begin(), counts.end(), 0.0);
      const auto [lo, hi] = events.TimeRange(o, calendar_.HorizonEnd(o, label_days_));
      for (size_t i = lo; i < hi; ++i) {
        const grid::CellId c = grid.PointToCell(events.x_m[i], events.y_m[i]);
        if (c != grid::kNoCell) counts[static_cast<size_t>(c)] += 1.0;
      }
      // Keep every row with events and a hashed share zero_keep of the others, compacting x.
      const uint64_t day_seed =
          DeriveSeed(static_cast<uint64_t>(seed_), static_cast<uint64_t>(calendar_.DayOf(o)));
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
      if (kept > first_row) group.push_back(static_cast<unsigned>(kept - first_row));
    }
    if (label.empty()) {
      return Status::InvalidInput("boost: no training row: no cell was kept at any of the " +
                                  std::to_string(train_origins_) + " training origins");
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
    {
      // The booster keeps its own feature names (for its importance scores and saved model).
      std::vector<const char*> names;
      for (const auto& n : features_.names()) names.push_back(n.c_str());
      PLACECAST_RETURN_IF_ERROR(Check(
          XGBoosterSetStrFeatureInfo(booster.get(), "feature_name", names.data(), names.size()),
          "naming the booster's features"));
    }
    // The trees start from the rows' weighted mean count (XGBoost 1.7 starts count:poisson at 0.5,
    // and its max_delta_step of 0.7 per tree then spends most of the trees walking down to a daily
    // rate of a few in ten thousand, leaving the forecasts several times too high).
    double label_sum = 0, weight_sum = 0;
    for (size_t i = 0; i < label.size(); ++i) {
      label_sum += static_cast<double>(label[i]) * weight[i];
      weight_sum += weight[i];
    }
    const double base_score = std::max(label_sum / weight_sum, 1e-9);
    const std::pair<std::string, std::string> settings[] = {
        {"objective", pairwise_ ? "rank:pairwise" : "count:poisson"},
        {"base_score", pairwise_ ? "0" : RoundTrip(base_score)},
        {"tree_method", "hist"},
        {"max_depth", std::to_string(params_.GetInt("max_depth"))},
        {"eta", RoundTrip(params_.GetDouble("learning_rate"))},
        {"seed", std::to_string(seed_)},
        {"nthread", std::to_string(params_.GetInt("threads"))},
        {"verbosity", "0"},
    };
    for (const auto& [k, val] : settings) {
      PLACECAST_RETURN_IF_ERROR(
          Check(XGBoosterSetParam(booster.get(), k.c_str(), val.c_str()), "setting " + k));
    }
    for (int64_t iter = 0; iter < trees_; ++iter) {
      PLACECAST_RETURN_IF_ERROR(Check(
          XGBoosterUpdateOneIter(booster.get(), static_cast<int>(iter), dtrain.get()), "training"));
    }
    booster_ = std::move(booster);
    return Status::Ok();
  }

  // A DMatrix of `rows` rows of the fit's features, named.
  Result<DMatrixPtr> Matrix(const std::vector<float>& x, size_t rows) const {
    DMatrixHandle raw = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat(x.data(), rows, feature_names_.size(), std::nanf(""), &raw),
              "creating a matrix"));
    DMatrixPtr m(raw);
    std::vector<const char*> names;
    for (const auto& n : feature_names_) names.push_back(n.c_str());
    PLACECAST_RETURN_IF_ERROR(
        Check(XGDMatrixSetStrFeatureInfo(m.get(), "feature_name", names.data(), names.size()),
              "naming features"));
    return m;
  }

  // XGBoosterPredictFromDMatrix of prediction `type` (0 value, 1 margin, 2 contributions with the
  // bias last in each row), copied out; kInternal unless it has `size` values.
  Result<std::vector<float>> PredictRows(DMatrixHandle m, int type, size_t size) const {
    const std::string config = R"({"type": )" + std::to_string(type) +
                               R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                               R"("strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    PLACECAST_RETURN_IF_ERROR(
        Check(XGBoosterPredictFromDMatrix(booster_.get(), m, config.c_str(), &shape, &dim, &out),
              "predicting"));
    bst_ulong n = dim == 0 ? 0 : 1;
    for (bst_ulong d = 0; d < dim; ++d) n *= shape[d];
    if (n != size) {
      return Status::Internal("boost: XGBoost returned " + std::to_string(n) + " values for " +
                              std::to_string(size));
    }
    return std::vector<float>(out, out + size);
  }

  Status SetFeatureNames(DMatrixHandle m) const {
    std::vector<const char*> names;
    for (const auto& n : features_.names()) names.push_back(n.c_str());
    return Check(XGDMatrixSetStrFeatureInfo(m, "feature_name", names.data(), names.size()),
                 "naming features");
  }

  ParamValues params_;
  int64_t trees_, label_days_, train_origins_, train_step_days_, refit_days_, window_days_;
  double zero_keep_;
  int64_t seed_;
  bool pairwise_;
  std::shared_ptr<const FitContext> context_;
  Calendar calendar_;
  HolidayRules holidays_ = HolidayRules::kNone;
  std::vector<const EventSet*> indicator_events_;  // into context_, one per feature group
  BoostFeatures features_;
  BoosterPtr booster_;  // the trees of the last training
  int64_t trained_at_ = 0;
  FitKey trained_key_;
  const grid::Grid* grid_ = nullptr;
  std::vector<double> rate_;  // per active cell: expected count per label window, or score
  bool fitted_ = false;
  std::vector<std::string> warnings_;
  // The fit, for FittedJson() and explanations (with booster_): origin, window and feature names.
  int64_t origin_s_ = 0, window_start_s_ = 0;
  std::vector<std::string> feature_names_;
};

}  // namespace

const ModelInfo& BoostModelInfo() { return kBoostInfo; }

Result<std::vector<std::pair<std::string, double>>> BoostFeatureGains(const Model& model) {
  const auto* boost = dynamic_cast<const BoostModel*>(&model);
  if (boost == nullptr) {
    return Status::InvalidInput("feature gains: model \"" + std::string(model.name()) +
                                "\" is not boost");
  }
  return boost->FeatureGains();
}

Result<std::unique_ptr<Model>> MakeBoostModel(ParamValues params) {
  if (params.GetInt("label_days") >= params.GetInt("window_days")) {
    return Status::InvalidInput(
        "boost: parameter label_days: expected a value below window_days (" +
        std::to_string(params.GetInt("window_days")) + ") (got " +
        std::to_string(params.GetInt("label_days")) + ")");
  }
  return std::unique_ptr<Model>(std::make_unique<BoostModel>(std::move(params)));
}

Result<int64_t> GetBoostFitOrigin(const Model& model) {
  const auto* boost = dynamic_cast<const BoostModel*>(&model);
  if (boost == nullptr) return Status::InvalidInput("boost: not a boost model");
  return boost->FitOrigin();
}

Result<BoostContributions> GetBoostContributions(const Model& model, const EventSet& events,
                                                 const grid::Grid& grid,
                                                 const std::vector<grid::CellId>& cells) {
  const auto* boost = dynamic_cast<const BoostModel*>(&model);
  if (boost == nullptr) return Status::InvalidInput("boost: not a boost model");
  return boost->Contributions(events, grid, cells);
}

}  // namespace placecast::models
