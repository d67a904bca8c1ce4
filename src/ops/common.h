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

#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
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

struct Study {
  std::string offence;
  std::string enforcement_warning;  // empty unless enforcement-driven types are used
  EventSet events;                  // the selection's events in [t_from, t_to), time-sorted
  grid::Grid grid;
  grid::Boundary study_area;  // empty when the grid covers the data's extent
  std::string grid_source;    // "boundary FILE", "study area saved in the store", "extent of …"
};

// Loads the selection's events with t in [t_from_s, t_to_s) from `store` and builds the grid:
// masked by `boundary_path` if given, else by the store's study area, else over the extent of all
// the selection's events in the store.
Result<Study> LoadStudy(io::Store& store, const std::string& offence,
                        const std::string& boundary_path, double cell_size_m, int64_t t_from_s,
                        int64_t t_to_s, bool allow_enforcement_types, Progress& progress);

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
  std::vector<std::string> warnings;  // model and enforcement warnings
  double support_m = 0;               // the model's SupportRadiusM
  int64_t train_from_s = 0;           // the model's TrainFromS(origin)
};

// Checks the --param keys, creates the model, loads the study up to the origin (the model cannot
// see the future), fits the model, or restores the state `fitted_json` when it is not empty
// (errors wrapped `fitted_what`), and predicts. Warnings go to `progress`.
Result<SelectedForecast> RunSelectedForecast(io::Store& store, const Selection& s,
                                             Progress& progress,
                                             const std::string& fitted_json = "",
                                             const std::string& fitted_what = "");

// The first line of a product that names what was forecast: "retro forecast of burglary for
// 2024-12-01".
std::string SelectionTitle(const Selection& s, int64_t origin_s);

}  // namespace placecast::ops
