// SPDX-License-Identifier: Apache-2.0
// Model: a forecasting method registered by name. Each declares its parameters once in a ParamSpec
// table; Fit() sees only events strictly before the forecast origin; Predict() returns one value
// per active cell for [origin, origin + horizon). A Model instance is not thread-safe (it may keep
// state between fits so that successive origins are cheap); use one instance per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/common/offence.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::models {

// What a model may read besides the target events (issue 15): the study's local days and the
// events of other offence groups, leading indicators of the target. The operations fill it for a
// model whose ReadsContext() is true, with the groups its IndicatorGroups() names, and hand it
// over through SetContext() before the first Fit(). Every EventSet is time-sorted, in the grid's
// CRS, and holds only events before the latest origin of the run; Fit() still reads only those
// before its own origin. Immutable once built; shared between a run's model instances.
struct FitContext {
  Calendar calendar;  // the study's local days (UTC when left default)
  struct Indicator {
    OffenceGroup group = OffenceGroup::kUnknown;
    EventSet events;
  };
  std::vector<Indicator> indicators;  // in OffenceGroup order, one per group asked
  // A static environment layer of the store (io/env_layer.h), in the grid's CRS.
  struct Layer {
    enum class Kind { kPoint, kLine, kPolygon };
    std::string name;           // [a-z0-9_]: boost's env_<name>_* columns
    std::string snapshot_date;  // local date the layer describes, "YYYY-MM-DD"
    int64_t snapshot_s = 0;     // the start of that local day
    Kind kind = Kind::kPoint;
    // Per feature, its parts: single vertices (points), polylines (lines) or even-odd rings
    // (polygons, closing vertex dropped).
    std::vector<std::vector<grid::Ring>> features;
  };
  std::vector<Layer> layers;  // every layer of the store, ordered by name
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view name() const = 0;
  // The fully resolved parameters this model was created with.
  virtual const ParamValues& params() const = 0;

  // Fits on the events of `events` with t < origin_s that fall in an active cell of `grid`.
  // Events at or after the origin are never read (a test guards this). `events` and `grid` must
  // outlive the next Predict(). A model may reuse work from its previous Fit() when called again
  // with the same `events` and `grid` and a later origin (a sliding window); the result is the
  // same as a fresh fit's. kInvalidInput for an empty grid.
  virtual Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) = 0;

  // Risk per active cell for [origin, origin + horizon_days). Higher is riskier; values are
  // comparable across cells of one forecast, not across models. REQUIRES: a successful Fit().
  virtual Result<grid::Surface> Predict(double horizon_days) const = 0;

  // Plain-language warnings about unsafe settings for the data of the last Fit() (bandwidth smaller
  // than a cell, a window with fewer than 30 events, …). Empty when none.
  virtual std::vector<std::string> Warnings() const = 0;

  // The state estimated by the last Fit() as a JSON object — enough to Predict() again through
  // LoadFitted() without refitting — or "{}" for models whose state is cheap to recompute (the
  // default). Written with round-trip precision: a reload predicts the same bytes.
  virtual std::string FittedJson() const { return "{}"; }

  // What the last Fit() chose among alternatives, in a few words for reports and backtest
  // summaries: the ensemble's member ("retro"), or its weights ("weight naive 0.25, retro 0.75").
  // Empty, the default, for a model that chooses nothing.
  virtual std::string Choice() const { return {}; }

  // Restores a state written by FittedJson() of the same model for the same `grid`, after which
  // Predict() works without a Fit(). `grid` must outlive the next Predict(). The default is
  // kInvalidInput (the model has no saved state); models that save one return kInvalidInput for
  // JSON that is not theirs or does not match `grid`, kData for another schema version.
  virtual Status LoadFitted(std::string_view /*json*/, const grid::Grid& /*grid*/) {
    return Status::InvalidInput(std::string(name()) + ": has no fitted state to load");
  }

  // The facts below are what callers (public release, hotspots, reports) need to know about a
  // model's values; they ask here instead of testing the model's name. Each depends only on the
  // model's parameters, never on a fit. Every registered model overrides all three (model_test
  // checks each against written-out answers); the defaults serve test doubles outside the
  // registry.

  // The kernel support of the published values, in metres: the largest spatial reach parameter
  // the model declares (bandwidth_m, background_bandwidth_m, trigger_bandwidth_m, max_trigger_m),
  // so that an incident farther than this from a cell does not contribute to its value. 0 (the
  // default) when the model has none: only a cell's own incidents count.
  virtual double SupportRadiusM() const { return 0; }

  // The start of the training window for a forecast from `origin_s`, in seconds since the epoch:
  // origin_s − (the largest of the model's window_days and bandwidth_days) × 86400, saturating at
  // the smallest int64 rather than overflowing; 0 (the default: all history) when the model has
  // neither. Fit() reads no event before this time.
  virtual int64_t TrainFromS(int64_t /*origin_s*/) const { return 0; }

  // What Predict() gives per cell.
  enum class OutputKind {
    // The expected number of events in the cell over the horizon: sums over cells are expected
    // counts for an area, and values are comparable with observed counts.
    kExpectedCount,
    // A relative kernel score: higher is riskier, but only shares of the total are meaningful.
    kRelativeScore,
  };
  // kRelativeScore by default, the weaker claim.
  virtual OutputKind output_kind() const { return OutputKind::kRelativeScore; }

  // ---- context (issue 15) ----

  // True for a model that reads a FitContext (boost); false, the default, for the models that
  // learn from the target events alone and never get one.
  virtual bool ReadsContext() const { return false; }

  // The offence groups whose events the model reads as leading indicators when its target is
  // `target` (the groups of the --offence selection): none by default. kInvalidInput for a
  // group the parameters name that is in the target, or enforcement-driven without
  // `allow_enforcement_types` (naming the flag).
  virtual Result<std::vector<OffenceGroup>> IndicatorGroups(
      const std::vector<OffenceGroup>& /*target*/, bool /*allow_enforcement_types*/) const {
    return std::vector<OffenceGroup>{};
  }

  // Hands the model its context, kept until the next call. The default ignores it. kInvalidInput
  // when an indicator group the model needs is missing.
  virtual Status SetContext(std::shared_ptr<const FitContext> /*context*/) { return Status::Ok(); }
};

// "expected_count" or "relative_score", as written in run metadata ("value_kind").
std::string_view OutputKindName(Model::OutputKind kind);

struct ModelInfo {
  std::string_view name;
  std::string_view summary;    // one line
  std::string_view reference;  // the paper it follows
  std::span<const ParamSpec> params;
};

// Every registered model, in a fixed order.
std::span<const ModelInfo> ListModels();

// The training window [train_from_s, origin_s) of a forecast as text: "2023-12-01 .. 2024-11-30"
// (its first and last day), or "before 2024-12-01" when it reaches back to all history
// (train_from_s <= 0, as Model::TrainFromS gives for a model without a window). Dates are local
// dates of `calendar`.
std::string TrainingWindowText(int64_t train_from_s, int64_t origin_s,
                               const Calendar& calendar = Calendar());

// The failure of a forecast whose training window holds no event: kData (a data problem,
// exit 3), "no event in the training window 2023-12-01 .. 2024-11-30". Fitting a model on nothing
// would give a surface of zeros, every cell tied and flagged as if it were a hotspot.
Status NoTrainingEvents(int64_t train_from_s, int64_t origin_s,
                        const Calendar& calendar = Calendar());

// Creates the model `name` with `params` (name -> text) resolved against its ParamSpec.
// kInvalidInput listing the known models for an unknown name, and for bad or unknown parameters.
Result<std::unique_ptr<Model>> CreateModel(std::string_view name,
                                           const std::map<std::string, std::string>& params);

// Same, from a JSON object of parameters as written by ParamValues::ToJson() (a run manifest's
// "params"), so a run can be reproduced from its manifest. kInvalidInput for an unknown name, for
// JSON that is not an object and for bad or unknown parameters.
Result<std::unique_ptr<Model>> CreateModelFromJson(std::string_view name,
                                                   std::string_view params_json);

}  // namespace placecast::models
