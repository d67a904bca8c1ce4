// SPDX-License-Identifier: Apache-2.0
// What several operations share: --param handling against the models' tables, the study (the
// events of an offence selection and the grid they are counted on), and the forecast selection
// (the fields that pick one forecast, taken by forecast, explain, hotspots and allocate).
// Internal to src/ops. Not thread-safe (reads the store).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/common/offence.h"
#include "placecast/eval/backtest.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/io/store.h"
#include "placecast/models/model.h"
#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"
#include "placecast/status.h"

namespace placecast::ops {

// ---- --param key=value ------------------------------------------------------------------------

// Parses `key=value` / `model.key=value` entries. Returns model -> key -> value, with unqualified
// keys under "". kInvalidInput for an entry without '='.
Result<std::map<std::string, std::map<std::string, std::string>>> ParseParamFlags(
    const std::vector<std::string>& flags);

// Checks that each of `names` is a registered model: kInvalidInput otherwise, naming `flag` and the
// first unknown name and listing the known ones, as an unknown --offence is reported:
// `--model: unknown model (got "kde"; known: naive, …)`. A name the user mistyped is bad input.
Status CheckModelNames(const std::vector<std::string>& names, std::string_view flag);

// True when the registered model `model` declares the parameter `key`; also true for a model that
// is not registered (CheckModelNames reports it).
bool ModelHasParam(const std::string& model, const std::string& key);

// Checks parsed `params` against the ParamSpec tables of `models`, the models of this run: a
// qualifier must name one of them, a qualified key must be that model's, an unqualified key at
// least one's. kInvalidInput listing every unknown key, why, and the keys each model takes.
Status CheckParamKeys(const std::map<std::string, std::map<std::string, std::string>>& params,
                      const std::vector<std::string>& models);

// ParseParamFlags, CheckParamKeys, then for each of `models` the parameters it gets: the
// unqualified keys it declares, overlaid by those qualified with its name.
Result<std::map<std::string, std::map<std::string, std::string>>> ParamsForModels(
    const std::vector<std::string>& flags, const std::vector<std::string>& models);

// ---- the study --------------------------------------------------------------------------------

// The warning text when `selection_name` includes enforcement-driven offence types and `allowed`
// (also sent to `progress`); "" when it has none; kInvalidInput when it has and not `allowed`.
Result<std::string> CheckEnforcementTypes(const std::string& selection_name, bool allowed,
                                          Progress& progress);

// The store's CRS once it is known to measure in metres (io::CheckCrsInMetres, prefixed with the
// store's path): every cell size, band and radius is read in metres. kInvalidInput for a store in
// feet, naming the metre twin.
Result<std::string> GetMetreCrs(io::Store& store);

// How the warning of a grid laid over the events' bounding box begins (LoadStudy).
inline constexpr std::string_view kNoBoundaryWarning = "no --boundary: ";

struct Study {
  std::string offence;
  std::string crs;                  // the store's, in metres
  std::string enforcement_warning;  // empty unless enforcement-driven types are used
  // Empty unless the grid covers the bounding box of the events (no boundary, no study area in
  // the store): "no --boundary: the grid covers the bounding box of the theft incidents, 142.3 km2,
  // …" with a hint; also sent to the progress.
  std::string boundary_warning;
  double bbox_area_km2 = 0;  // the area of that bounding box; 0 when there is a boundary
  EventSet events;           // the selection's events in [t_from, t_to), time-sorted
  grid::Grid grid;
  grid::Boundary study_area;  // empty when the grid covers the data's extent
  std::string grid_source;    // "boundary FILE", "study area saved in the store", "extent of …"
  Calendar calendar;          // the store's local days (io::StoreCalendar)
};

// Forwards to `inner` all but the no-boundary warnings (kNoBoundaryWarning), for an operation that
// loads several studies and warns about their grids once itself.
class ProgressWithoutBoundaryWarning final : public Progress {
 public:
  explicit ProgressWithoutBoundaryWarning(Progress& inner) : inner_(inner) {}
  void Stage(std::string_view label) override { inner_.Stage(label); }
  void Update(int64_t done, int64_t total) override { inner_.Update(done, total); }
  void Warn(std::string_view text) override {
    if (!text.starts_with(kNoBoundaryWarning)) inner_.Warn(text);
  }

 private:
  Progress& inner_;
};

// The no-boundary warning for a grid over a bounding box of `area_km2` of `what` ("the theft
// incidents").
std::string NoBoundaryWarning(const std::string& what, double area_km2);

// Loads the selection's events with t in [t_from_s, t_to_s) from `store` and builds the grid:
// `cell_size_m` <= 0 loads the events only (no grid, no boundary read). Otherwise the grid is
// masked by `boundary_path` if given (its coordinates in `boundary_crs` when not empty), else by
// the store's study area, else laid over the extent of all the selection's events in the store,
// with a warning (Study::boundary_warning). kInvalidInput for a store in feet (GetMetreCrs), a
// boundary without CRS (io::ReadBoundary); kData when no event of the selection is stored and
// there is no boundary to lay the grid over.
Result<Study> LoadStudy(io::Store& store, const std::string& offence,
                        const std::string& boundary_path, const std::string& boundary_crs,
                        double cell_size_m, int64_t t_from_s, int64_t t_to_s,
                        bool allow_enforcement_types, Progress& progress);

// What the store holds of the selection `offence`: "the store holds no homicide event" or "the
// store holds 12 homicide events, 2019-01-03 .. 2020-05-01".
Result<std::string> StoreHoldings(io::Store& store, const std::string& offence);

// `s` (a failure of a run on `offence`) as the user should read it when it is a data problem
// (kData, such as models::NoTrainingEvents): prefixed "--offence NAME: " with what the store
// holds of it added; any other status unchanged.
Status WithStoreHoldings(io::Store& store, const std::string& offence, const Status& s);

// Checks the training data of a forecast of `study` from `origin_s` whose window starts at
// `train_from_s`: kData (a data problem), through WithStoreHoldings, when the window holds no
// event. When the store's last event (of any offence) before the origin is more than
// `horizon_days` before it, returns the warning (also sent to `progress`) naming that event's
// date, the origin and the gap in days, or fails with it as kData when `strict`; "" when the
// data are fresh.
Result<std::string> CheckTrainingData(io::Store& store, const Study& study, int64_t train_from_s,
                                      int64_t origin_s, double horizon_days, bool strict,
                                      Progress& progress);

// ---- model contexts (issue 15) ---------------------------------------------------------------

// Gives the models that read a models::FitContext (Model::ReadsContext) theirs: the study's local
// days and, from the store, the events before `t_to_s` of the leading-indicator groups each asks
// for (Model::IndicatorGroups, given the study's offence selection and
// `allow_enforcement_types`). Contexts are shared between instances that ask for the same groups,
// so a backtest's threads load each group once. `store` and `study` must outlive it.
class FitContexts {
 public:
  FitContexts(io::Store& store, const Study& study, bool allow_enforcement_types, int64_t t_to_s)
      : store_(store), study_(study), allow_(allow_enforcement_types), t_to_s_(t_to_s) {}

  // No-op for a model that reads no context. Errors: IndicatorGroups's (wrapped with the model's
  // name), the store's.
  Status Provide(models::Model& model);

  // models::CreateModel followed by Provide, for eval::RunBacktest.
  eval::ModelFactory Factory();

 private:
  io::Store& store_;
  const Study& study_;
  bool allow_;
  int64_t t_to_s_;
  std::map<std::vector<OffenceGroup>, std::shared_ptr<const models::FitContext>> made_;
};

// A forecast made from a selection: the study (events before the origin), the fitted model and
// its surface (expected events or scores per active cell over the horizon), with the warnings
// already sent to the progress.
// The model keeps pointers to the study's events and grid, so the study lives on the heap: moving a
// SelectedForecast does not move it.
struct SelectedForecast {
  std::unique_ptr<Study> study_ptr = std::make_unique<Study>();
  Study& study = *study_ptr;
  int64_t origin_s = 0;
  std::unique_ptr<models::Model> model;
  grid::Surface surface;
  std::vector<std::string> warnings;  // stale-data, model and enforcement warnings
  double support_m = 0;               // the model's SupportRadiusM
  int64_t train_from_s = 0;           // the model's TrainFromS(origin)
  grid::TieBreak ties;                // the tie rule's keys at the origin (grid/ranking.h)
};

// Checks the --param keys, creates the model, loads the study up to the origin (the model cannot
// see the future), checks its training data (CheckTrainingData), fits the model, or restores the
// state `fitted_json` when it is not empty (errors wrapped `fitted_what`), and predicts. Warnings
// go to `progress`.
Result<SelectedForecast> RunSelectedForecast(io::Store& store, const Selection& s,
                                             Progress& progress,
                                             const std::string& fitted_json = "",
                                             const std::string& fitted_what = "");

// The first line of a product that names what was forecast: "retro forecast of burglary for
// 2024-12-01" (the origin's local date).
std::string SelectionTitle(const Selection& s, const Calendar& calendar, int64_t origin_s);

}  // namespace placecast::ops
