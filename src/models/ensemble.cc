// SPDX-License-Identifier: Apache-2.0
// `ensemble` model: scores its members on each of the lookback_days local days before the origin
// (each member fitted at the start of the day on the events before it, its top coverage_pct cells
// checked against the day's events), then selects the best member or weights all of them. Scores
// are cached per day across fits on the same events and grid, so a backtest sliding one day at a
// time fits each member once per origin for the newest day. Not thread-safe (one instance per
// thread).
#include "models/ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "models/cell_sums.h"
#include "models/fitted_json.h"
#include "models/residue.h"
#include "placecast/grid/ranking.h"

namespace placecast::models {
namespace {

static constexpr ParamSpec kEnsembleParams[] = {
    {"members", ParamType::kString, "naive,retro,sepp_grid", -1e300, 1e300, "",
     "Comma-separated registered models to choose among, in order of preference: a tie in score "
     "goes to the earlier one. Each is created with its own defaults (but see window_days). Every "
     "member is fitted once per look-back day at the first origin, so slow members (sepp, boost) "
     "multiply the cost; the default keeps to cheap ones. An ensemble cannot be a member."},
    {"lookback_days", ParamType::kInt, "28", 1, 3650, "days",
     "Local days before the origin on which the members are scored. Each day d is forecast by a "
     "member fitted on the events before d and scored on the events of d, all before the origin. "
     "Longer look-backs give steadier scores but follow a change of regime later; the first "
     "origin costs members x lookback_days fits, each later origin of a sliding backtest members "
     "x 1 more."},
    {"coverage_pct", ParamType::kDouble, "5", 0.1, 100, "%",
     "The share of active cells whose hit rate scores a member (as the backtest's hit rate: the "
     "top coverage_pct x cells / 100 cells by the tie rule, a tie block straddling the boundary "
     "counting its expected share). Set it to the coverage the forecast is used at."},
    {"mode", ParamType::kEnum, "select", -1e300, 1e300, "",
     "select: forecast with the member of the best mean daily hit rate over the look-back (its "
     "surface as is). weight: the average of every member's surface normalised to sum 1, "
     "weighted by the members' mean hit rates (equal weights when all are 0): a relative score.",
     "select|weight"},
    {"window_days", ParamType::kInt, "0", 0, 36500, "days",
     "0 keeps each member's own training window. k > 0 is passed as window_days to every member "
     "that declares it (naive, retro, sepp_grid, sepp, boost; not prospective), so one --param "
     "window_days=k shortens them all. Other member parameters keep their defaults."},
};

constexpr ModelInfo kEnsembleInfo{
    "ensemble",
    "selects or weights other models at each origin by their hit rate over the previous days",
    "forecast combination by recent performance, after Bates and Granger (1969), The combination "
    "of forecasts, Operational Research Quarterly 20",
    kEnsembleParams};

constexpr int kSchemaVersion = 1;
constexpr std::string_view kName = "ensemble";

const ModelInfo* FindInfo(std::string_view name) {
  for (const ModelInfo& m : ListModels()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool DeclaresParam(const ModelInfo& m, std::string_view key) {
  return std::any_of(m.params.begin(), m.params.end(),
                     [&](const ParamSpec& p) { return p.name == key; });
}

Result<std::vector<std::string>> ParseMembers(const std::string& text) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidInput("ensemble: parameter members: " + what + " (got \"" + text + "\")");
  };
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(start, end - start);
    const auto first = name.find_first_not_of(" \t");
    const auto last = name.find_last_not_of(" \t");
    name = first == std::string::npos ? "" : name.substr(first, last - first + 1);
    if (name.empty()) return bad("expected a comma-separated list of model names");
    if (name == kName) return bad("an ensemble cannot be a member of an ensemble");
    if (FindInfo(name) == nullptr) {
      std::string known;
      for (const ModelInfo& m : ListModels()) {
        if (m.name != kName) known += (known.empty() ? "" : ", ") + std::string(m.name);
      }
      return bad("unknown model \"" + name + "\" (known: " + known + ")");
    }
    if (std::find(out.begin(), out.end(), name) != out.end()) {
      return bad("\"" + name + "\" is listed twice");
    }
    out.push_back(std::move(name));
    start = end + 1;
  }
  return out;
}

// The (expected) events of `counts` in the top k = coverage_pct × N / 100 cells of `risk`, ranked
// by the tie rule; a tie block of E cells with G ranked above it counts clamp((k − G) / E, 0, 1) of
// its events. The same arithmetic in the same order (cells by id) as eval::ScoreCoverages, so a
// member's score is the backtest's to the bit.
double CoverageHits(const grid::Surface& risk, const std::vector<int64_t>& counts,
                    double coverage_pct, const grid::TieBreak& ties) {
  const grid::CellRanking ranking = grid::RankCells(risk, ties);
  const size_t n = ranking.cells.size();
  std::vector<double> above(n), tied(n);
  for (size_t end = n; end > 0;) {
    const auto start = static_cast<size_t>(ranking.block_start[end - 1]);
    for (size_t i = start; i < end; ++i) {
      above[static_cast<size_t>(ranking.cells[i])] = static_cast<double>(start);
      tied[static_cast<size_t>(ranking.cells[i])] = static_cast<double>(end - start);
    }
    end = start;
  }
  const double k = coverage_pct * static_cast<double>(n) / 100;
  double hits = 0;
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] <= 0) continue;
    hits += static_cast<double>(counts[i]) * std::clamp((k - above[i]) / tied[i], 0.0, 1.0);
  }
  return hits;
}

class EnsembleModel final : public Model {
 public:
  EnsembleModel(ParamValues params, std::vector<std::string> names,
                std::vector<std::unique_ptr<Model>> members)
      : params_(std::move(params)),
        names_(std::move(names)),
        members_(std::move(members)),
        lookback_days_(params_.GetInt("lookback_days")),
        coverage_pct_(params_.GetDouble("coverage_pct")),
        weight_mode_(params_.GetString("mode") == "weight"),
        member_groups_(members_.size()) {}

  std::string_view name() const override { return kName; }
  const ParamValues& params() const override { return params_; }

  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    fitted_ = false;
    warnings_.clear();
    PLACECAST_RETURN_IF_ERROR(CheckFitInputs(name(), events, grid));
    const FitKey key = FitKey::Of(events, grid);
    if (!(sorted_key_ == key)) {
      PLACECAST_RETURN_IF_ERROR(CheckSorted(events).Wrap(name()));
      sorted_key_ = key;
    }
    // Scores are a function of the events, grid, context and day alone: kept while those stay.
    if (!(cache_key_ == key)) {
      scores_.clear();
      cache_key_ = key;
    }
    const size_t num_members = members_.size();
    const int64_t origin_day = calendar_.DayOf(origin_s);
    const int64_t first_day_s = calendar_.DayStart(origin_day - lookback_days_);
    scores_.erase(scores_.begin(), scores_.lower_bound(first_day_s));

    // The look-back: each day ends at or before the origin's day start, so before the origin.
    std::vector<double> rate_sum(num_members, 0.0);
    int64_t days_with_events = 0;
    for (int64_t day = origin_day - lookback_days_; day < origin_day; ++day) {
      const int64_t day_s = calendar_.DayStart(day);
      auto it = scores_.find(day_s);
      if (it == scores_.end()) {
        PLACECAST_ASSIGN_OR_RETURN(DayScore s,
                                   ScoreDay(events, grid, day_s, calendar_.DayStart(day + 1)));
        it = scores_.emplace(day_s, std::move(s)).first;
      }
      const DayScore& s = it->second;
      if (s.events == 0) continue;
      ++days_with_events;
      for (size_t m = 0; m < num_members; ++m) {
        rate_sum[m] += s.hits[m] / static_cast<double>(s.events);
      }
    }
    mean_hit_rate_.assign(num_members, std::numeric_limits<double>::quiet_NaN());
    if (days_with_events > 0) {
      for (size_t m = 0; m < num_members; ++m) {
        mean_hit_rate_[m] = rate_sum[m] / static_cast<double>(days_with_events);
      }
    }
    days_with_events_ = days_with_events;

    // The choice, then the fits at the origin of the members it needs.
    weights_.assign(num_members, 0.0);
    chosen_ = 0;
    if (days_with_events == 0) {
      warnings_.push_back(
          "no event in the " + std::to_string(lookback_days_) + "-day look-back (lookback_days) " +
          TrainingWindowText(first_day_s, calendar_.DayStart(origin_day), calendar_) +
          ": the members could not be scored; " +
          (weight_mode_ ? std::string("weighted equally")
                        : "chose the first member, " + names_[0]));
    }
    if (weight_mode_) {
      double total = 0;
      for (size_t m = 0; m < num_members; ++m) total += days_with_events > 0 ? rate_sum[m] : 0;
      for (size_t m = 0; m < num_members; ++m) {
        weights_[m] = total > 0 ? rate_sum[m] / total : 1.0 / static_cast<double>(num_members);
      }
    } else {
      for (size_t m = 1; m < num_members && days_with_events > 0; ++m) {
        if (rate_sum[m] > rate_sum[chosen_]) chosen_ = m;
      }
      weights_[chosen_] = 1.0;
    }
    empty_window_.assign(num_members, false);
    for (size_t m = 0; m < num_members; ++m) {
      if (weights_[m] == 0) continue;
      PLACECAST_ASSIGN_OR_RETURN(const bool fitted, FitMember(m, events, grid, origin_s));
      empty_window_[m] = !fitted;
      for (const std::string& w : members_[m]->Warnings()) {
        warnings_.push_back("member " + names_[m] + ": " + w);
      }
      if (!fitted) {
        warnings_.push_back(
            "member " + names_[m] + ": no event in its training window " +
            TrainingWindowText(members_[m]->TrainFromS(origin_s), origin_s, calendar_) +
            ": its forecast is 0 in every cell");
      }
    }
    grid_ = &grid;
    origin_s_ = origin_s;
    first_day_s_ = first_day_s;
    fitted_ = true;
    return Status::Ok();
  }

  // select: the chosen member's surface as is. weight: Σ_m w_m × s_m / Σ_cells s_m.
  Result<grid::Surface> Predict(double horizon_days) const override {
    if (!fitted_) {
      return Status::InvalidInput("ensemble: Predict() called before a successful Fit()");
    }
    if (!(horizon_days > 0) || !std::isfinite(horizon_days)) {
      return Status::InvalidInput("ensemble: horizon_days: expected a positive number (got " +
                                  FormatValue(horizon_days) + ")");
    }
    const auto num_cells = static_cast<size_t>(grid_->num_cells());
    if (!weight_mode_) {
      if (empty_window_[chosen_]) return grid::Surface{std::vector<double>(num_cells, 0.0)};
      Result<grid::Surface> s = members_[chosen_]->Predict(horizon_days);
      if (!s.ok()) return s.status().Wrap("ensemble: member " + names_[chosen_]);
      return s;
    }
    grid::Surface out{std::vector<double>(num_cells, 0.0)};
    for (size_t m = 0; m < members_.size(); ++m) {
      if (weights_[m] == 0 || empty_window_[m]) continue;
      Result<grid::Surface> s = members_[m]->Predict(horizon_days);
      if (!s.ok()) return s.status().Wrap("ensemble: member " + names_[m]);
      double total = 0;
      for (double v : s->value) total += v;
      if (!(total > 0)) continue;
      for (size_t c = 0; c < num_cells; ++c) out.value[c] += weights_[m] * (s->value[c] / total);
    }
    PLACECAST_RETURN_IF_ERROR(ClampRoundingResidues(name(), &out));
    return out;
  }

  std::vector<std::string> Warnings() const override { return warnings_; }

  // Not a state to reload: the record of the choice at the origin (which member, the weights,
  // each member's mean hit rate over the look-back), written to run.json. LoadFitted refuses it.
  std::string FittedJson() const override {
    if (!fitted_) return "{}";
    nlohmann::ordered_json j = FittedJsonHeader(name(), kSchemaVersion, params_, *grid_);
    j["origin_s"] = origin_s_;
    j["mode"] = weight_mode_ ? "weight" : "select";
    j["lookback"] = {
        {"from", calendar_.FormatDate(first_day_s_)},
        {"to", calendar_.FormatDate(calendar_.DayStart(calendar_.DayOf(origin_s_)) - 1)},
        {"days_with_events", days_with_events_},
        {"coverage_pct", coverage_pct_}};
    nlohmann::ordered_json members = nlohmann::ordered_json::array();
    for (size_t m = 0; m < members_.size(); ++m) {
      nlohmann::ordered_json e;
      e["name"] = names_[m];
      if (std::isfinite(mean_hit_rate_[m])) {
        e["mean_hit_rate"] = mean_hit_rate_[m];
      } else {
        e["mean_hit_rate"] = nullptr;
      }
      e["weight"] = weights_[m];
      members.push_back(std::move(e));
    }
    if (!weight_mode_) j["chosen"] = names_[chosen_];
    j["members"] = std::move(members);
    return j.dump();
  }

  std::string Choice() const override {
    if (!fitted_) return {};
    if (!weight_mode_) return names_[chosen_];
    std::string out = "weight";
    for (size_t m = 0; m < members_.size(); ++m) {
      char w[32];
      std::snprintf(w, sizeof(w), "%.3g", weights_[m]);
      out += (m == 0 ? " " : ", ") + names_[m] + " " + w;
    }
    return out;
  }

  Status LoadFitted(std::string_view /*json*/, const grid::Grid& /*grid*/) override {
    return Status::InvalidInput(
        "ensemble: LoadFitted: the ensemble's saved state records its choice, not its members' "
        "fits; refit instead");
  }

  // The farthest reach of any member.
  double SupportRadiusM() const override {
    double r = 0;
    for (const auto& m : members_) r = std::max(r, m->SupportRadiusM());
    return r;
  }

  // The earliest start of any member's training window at any look-back day or the origin.
  int64_t TrainFromS(int64_t origin_s) const override {
    int64_t from = origin_s;
    const int64_t origin_day = calendar_.DayOf(origin_s);
    for (const auto& m : members_) {
      from = std::min(from, m->TrainFromS(origin_s));
      for (int64_t day = origin_day - lookback_days_; day < origin_day; ++day) {
        from = std::min(from, m->TrainFromS(calendar_.DayStart(day)));
      }
    }
    return from;
  }

  // Expected counts only when every member gives them and one member's surface is passed on.
  OutputKind output_kind() const override {
    if (weight_mode_) return OutputKind::kRelativeScore;
    for (const auto& m : members_) {
      if (m->output_kind() != OutputKind::kExpectedCount) return OutputKind::kRelativeScore;
    }
    return OutputKind::kExpectedCount;
  }

  // Always: the look-back counts local days of the study's calendar.
  bool ReadsContext() const override { return true; }

  Result<std::vector<OffenceGroup>> IndicatorGroups(const std::vector<OffenceGroup>& target,
                                                    bool allow_enforcement_types) const override {
    std::vector<OffenceGroup> all;
    for (size_t m = 0; m < members_.size(); ++m) {
      member_groups_[m].reset();
      if (!members_[m]->ReadsContext()) continue;
      auto groups = members_[m]->IndicatorGroups(target, allow_enforcement_types);
      if (!groups.ok()) return groups.status().Wrap("ensemble: member " + names_[m]);
      all.insert(all.end(), groups->begin(), groups->end());
      member_groups_[m] = std::move(groups).value();
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }

  // Keeps the calendar and hands each member that reads a context the groups it asked for.
  Status SetContext(std::shared_ptr<const FitContext> context) override {
    calendar_ = context != nullptr ? context->calendar : Calendar();
    scores_.clear();
    cache_key_ = FitKey();
    fitted_ = false;
    for (size_t m = 0; m < members_.size(); ++m) {
      if (!members_[m]->ReadsContext()) continue;
      std::shared_ptr<const FitContext> own = context;
      if (context != nullptr && member_groups_[m].has_value()) {
        auto sub = std::make_shared<FitContext>();
        sub->calendar = context->calendar;
        for (const FitContext::Indicator& ind : context->indicators) {
          const auto& want = *member_groups_[m];
          if (std::find(want.begin(), want.end(), ind.group) != want.end()) {
            sub->indicators.push_back(ind);
          }
        }
        own = std::move(sub);
      }
      PLACECAST_RETURN_IF_ERROR(
          members_[m]->SetContext(std::move(own)).Wrap("ensemble: member " + names_[m]));
    }
    context_ = std::move(context);
    return Status::Ok();
  }

 private:
  struct DayScore {
    int64_t events = 0;        // events of the day in active cells
    std::vector<double> hits;  // per member: (expected) events in its top cells
  };

  // Fits member m at `at_s`; false (not fitted) when its training window holds no event, where
  // its forecast counts as 0 in every cell (the backtest refuses such an origin).
  Result<bool> FitMember(size_t m, const EventSet& events, const grid::Grid& grid, int64_t at_s) {
    Model& member = *members_[m];
    if (const auto [b, e] = events.TimeRange(member.TrainFromS(at_s), at_s); b == e) return false;
    PLACECAST_RETURN_IF_ERROR(member.Fit(events, grid, at_s).Wrap("ensemble: member " + names_[m]));
    return true;
  }

  // Each member fitted at day_s on the events before it, scored on [day_s, next_day_s).
  Result<DayScore> ScoreDay(const EventSet& events, const grid::Grid& grid, int64_t day_s,
                            int64_t next_day_s) {
    DayScore out;
    out.hits.assign(members_.size(), 0.0);
    std::vector<int64_t> counts(static_cast<size_t>(grid.num_cells()), 0);
    const auto [lo, hi] = events.TimeRange(day_s, next_day_s);
    for (size_t i = lo; i < hi; ++i) {
      const grid::CellId cell = grid.PointToCell(events.x_m[i], events.y_m[i]);
      if (cell == grid::kNoCell) continue;
      ++counts[static_cast<size_t>(cell)];
      ++out.events;
    }
    if (out.events == 0) return out;  // nothing to score: no member is fitted
    const grid::TieBreak ties = grid::TieBreakFromEvents(events, grid, day_s);
    const grid::Surface zeros{std::vector<double>(counts.size(), 0.0)};
    for (size_t m = 0; m < members_.size(); ++m) {
      PLACECAST_ASSIGN_OR_RETURN(const bool fitted, FitMember(m, events, grid, day_s));
      if (!fitted) {
        out.hits[m] = CoverageHits(zeros, counts, coverage_pct_, ties);
        continue;
      }
      Result<grid::Surface> s = members_[m]->Predict(1.0);
      if (!s.ok()) return s.status().Wrap("ensemble: member " + names_[m]);
      out.hits[m] = CoverageHits(*s, counts, coverage_pct_, ties);
    }
    return out;
  }

  ParamValues params_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Model>> members_;
  int64_t lookback_days_;
  double coverage_pct_;
  bool weight_mode_;
  // The groups each member asked for in the last IndicatorGroups() (none for one that reads no
  // context), so SetContext hands it exactly those.
  mutable std::vector<std::optional<std::vector<OffenceGroup>>> member_groups_;
  std::shared_ptr<const FitContext> context_;
  Calendar calendar_;

  FitKey sorted_key_;                   // the inputs last found sorted
  FitKey cache_key_;                    // the inputs of scores_
  std::map<int64_t, DayScore> scores_;  // by the day's start

  bool fitted_ = false;
  const grid::Grid* grid_ = nullptr;
  int64_t origin_s_ = 0;
  int64_t first_day_s_ = 0;
  int64_t days_with_events_ = 0;
  std::vector<double> mean_hit_rate_;  // NaN when no day had events
  std::vector<double> weights_;
  std::vector<bool> empty_window_;
  size_t chosen_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace

const ModelInfo& EnsembleModelInfo() { return kEnsembleInfo; }

Result<std::unique_ptr<Model>> MakeEnsembleModel(ParamValues params) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<std::string> names,
                             ParseMembers(params.GetString("members")));
  const int64_t window_days = params.GetInt("window_days");
  std::vector<std::unique_ptr<Model>> members;
  for (const std::string& name : names) {
    std::map<std::string, std::string> given;
    if (window_days > 0 && DeclaresParam(*FindInfo(name), "window_days")) {
      given["window_days"] = std::to_string(window_days);
    }
    auto m = CreateModel(name, given);
    if (!m.ok()) return m.status().Wrap("ensemble: member " + name);
    members.push_back(std::move(m).value());
  }
  return std::unique_ptr<Model>(
      std::make_unique<EnsembleModel>(std::move(params), std::move(names), std::move(members)));
}

}  // namespace placecast::models
