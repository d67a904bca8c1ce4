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
