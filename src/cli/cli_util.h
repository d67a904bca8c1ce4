// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the subcommands: how errors leave the process, terminal progress, run
// manifests and --param parsing. Not thread-safe (progress writes to stderr).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "placecast/status.h"

namespace placecast::cli {

// True when stderr is a terminal and CI is not set: progress lines are shown only then.
bool ShowProgress();

// Prints "placecast: <message>" to stderr and returns the exit code (the ErrorCode, >= 2).
int Fail(const Status& status);

// A one-line progress meter on stderr (\r-updated, at most every 0.2 s); silent when disabled.
class Progress {
 public:
  Progress(std::string label, bool enabled);
  ~Progress();
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool shown_ = false;
  int64_t last_ms_ = 0;
};

// Parses repeated `--param key=value` flags, optionally qualified by model (`retro.bandwidth_m=250`).
// Returns model -> key -> value, with unqualified keys under "". kInvalidInput for a flag without '='.
Result<std::map<std::string, std::map<std::string, std::string>>> ParseParamFlags(
    const std::vector<std::string>& flags);

// The parameters for `model`: unqualified ones overlaid by the model's qualified ones.
std::map<std::string, std::string> ParamsFor(
    const std::map<std::string, std::map<std::string, std::string>>& all, const std::string& model);

// Warns on stderr (and returns the warning text) when `groups` include enforcement-driven offence
// types; kInvalidInput when they do and `allowed` is false.
// "a,b,,c" -> {"a", "b", "c"}: the comma-separated lists of flags such as --models.
std::vector<std::string> SplitComma(const std::string& s);

Result<std::string> CheckEnforcementTypes(const std::string& selection_name, bool allowed);

}  // namespace placecast::cli

#include <memory>

#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"

namespace placecast::cli {

// What forecast and backtest share: the events of one offence selection and the grid they are
// counted on.
struct Study {
  std::string store_path;
  std::string offence;
  std::string enforcement_warning;  // empty unless enforcement-driven types are used
  EventSet events;                  // the selection's events in [t_from, t_to), time-sorted
  grid::Grid grid;
  grid::Boundary study_area;        // empty when the grid covers the data's extent
  std::string grid_source;          // "boundary FILE", "store study_area", "extent of the events"
};

// Opens the store, loads the selection's events with t in [t_from_s, t_to_s) and builds the grid:
// masked by `boundary_path` if given, else by the store's study area, else over the extent of all
// the selection's events in the store.
Result<Study> LoadStudy(const std::string& store_path, const std::string& offence,
                        const std::string& boundary_path, double cell_size_m, int64_t t_from_s,
                        int64_t t_to_s, bool allow_enforcement_types);

}  // namespace placecast::cli

#include <nlohmann/json.hpp>

#include "placecast/models/model.h"

namespace CLI {
class App;
}

namespace placecast::cli {

// The flags that select one forecast, as `placecast forecast` takes them; shared by the commands
// that act on a forecast (allocate, hotspots, ...).
struct ForecastSelection {
  std::string store;
  std::string model;
  std::string offence;
  std::string origin;
  double horizon_days = 1;
  double cell_size_m = 150;
  std::string boundary;
  std::vector<std::string> params;
  bool allow_enforcement = false;
};

// Adds --store, --model, --offence, --origin, --horizon-days, --cell-size-m, --boundary, --param
// and --allow-enforcement-types to `cmd`, bound to `f` (which must outlive the parse).
void AddForecastSelectionFlags(CLI::App* cmd, ForecastSelection* f);

// A forecast made from a selection: the study (events before the origin), the model's resolved
// parameters and its surface (expected events per active cell over the horizon), with warnings
// already printed on stderr.
struct SelectedForecast {
  Study study;
  int64_t origin_s = 0;
  std::string params_json;  // resolved model parameters
  grid::Surface surface;
  std::vector<std::string> warnings;  // model and enforcement warnings
};

// Loads the study up to the origin, fits the model and predicts, as `placecast forecast` does
// (without products). Errors from ParseDate, CreateModel, LoadStudy, Fit ("fitting MODEL") and
// Predict.
Result<SelectedForecast> RunSelectedForecast(const ForecastSelection& f);

// Sets the ledger parameters of a forecast selection in `lp`: store, model, model_params (the
// resolved ones of `fc`), offence, origin, horizon_days, cell_size_m, boundary and
// allow_enforcement_types, so commands acting on a forecast record it alike.
void AddForecastSelectionParams(const ForecastSelection& f, const SelectedForecast& fc,
                                nlohmann::ordered_json* lp);

}  // namespace placecast::cli

#include "placecast/audit/audit.h"

namespace placecast::cli {

// Area codes compare as integers when both are ("07" = "7"), else as trimmed text.
std::string AreaKey(std::string s);

// A residents-by-group table, one row per area (the only place group membership enters).
struct Population {
  std::vector<std::string> groups;
  std::map<std::string, std::vector<double>> by_area;  // AreaKey -> group counts
  std::map<std::string, double> total;                 // AreaKey -> residents
};

// Reads the population CSV: one row per area, the area code in `area_column` (default: the first
// column), an optional `total` column, every other column a group count. kInvalidInput naming
// file, line and column for a bad count, a missing column or an area listed twice.
Result<Population> ReadPopulation(const std::string& path, const std::string& area_column);

// The area side of an audit (area names, residents per group, totals) for `areas` read from
// `areas_path` by `area_field`, from the population CSV. kInvalidInput naming the area when the
// table has no row for it; ReadPopulation's errors.
Result<audit::AuditInput> AuditInputForAreas(const std::vector<grid::Boundary>& areas,
                                             const std::string& areas_path,
                                             const std::string& area_field,
                                             const std::string& population_path,
                                             const std::string& population_area_column);

}  // namespace placecast::cli
