// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the subcommands: how errors leave the process, terminal progress, run
// manifests and --param parsing. Not thread-safe (progress writes to stderr).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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

// Parses repeated `--param key=value` flags, optionally qualified by model
// (`retro.bandwidth_m=250`). Returns model -> key -> value, with unqualified keys under "".
// kInvalidInput for a flag without '='.
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
  grid::Boundary study_area;  // empty when the grid covers the data's extent
  std::string grid_source;    // "boundary FILE", "store study_area", "extent of the events"
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
  double support_m = 0;               // SupportRadiusM of the resolved parameters
  int64_t train_from_s = 0;           // TrainFromS of the resolved parameters
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
#include "placecast/common/offence.h"

namespace placecast::cli {

// The offences whose incidents measure need in an audit (audit, allocate): `need_offence`, or the
// forecast's `offence` when it is empty. kInvalidInput when the selection is unknown or includes
// enforcement-driven offence types (they measure police attention, not need).
Result<OffenceSelection> NeedOffenceSelection(const std::string& need_offence,
                                              const std::string& offence);

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

namespace placecast::cli {

// What keys a release's noise. `key` is secret and never leaves the process (no product, message,
// ledger record or run.json holds it); `query` is public (the ledger records it).
struct ReleaseIdentity {
  std::string key;    // the store's release key, 32 raw bytes
  std::string query;  // canonical JSON: {"command", "options", "data"}
};

// Public release (docs/privacy.md): the three flags every product that can be published takes.
// Commands derive their flag struct from it so the fields read as f.public_release etc.
//
// The noise of a release is keyed (docs/privacy.md, "Keyed randomness"): each figure's draw is an
// HMAC under the store's secret release key of the figure's identity, which is the command, every
// option that can change a published figure (canonicalized: numbers as %.17g, files by the
// SHA-256 of their bytes; never --out, --store or --threads), the data it is computed from (the
// store's incidents, study area and CRS as io::StoreState digests them), the sensitivity, epsilon
// and the figure's index. There is no seed to pass: the same store and options give the same bytes.
struct PublicReleaseFlags {
  bool public_release = false;
  int64_t min_incidents = 0;  // k: least incidents a published value rests on
  double epsilon = 0;         // privacy budget of the Laplace noise; 0 = no noise
  // Not flags. The command whose options define the query (set by AddPublicReleaseFlags).
  const CLI::App* command = nullptr;
  // Set instead of `command` by a ledger replay: the store and the query as recorded.
  std::string replay_store, replay_query;
  // The key and query once loaded (ReleaseIdentityOf), shared by copies of the flags.
  mutable std::shared_ptr<const ReleaseIdentity> identity;
};

// The key and query of `p`'s release, loaded on first use and cached in p.identity: opens the
// store named by the command's --store (or p.replay_store) and reads io::Store::GetReleaseKey and
// GetState. kInvalidInput when the command has no store (nearrepeat --input), the store's errors
// otherwise (wrapped "--public-release").
Result<std::shared_ptr<const ReleaseIdentity>> ReleaseIdentityOf(const PublicReleaseFlags& p);

// Help text of --public-release and --min-incidents (what is suppressed, what k counts) and of
// --epsilon (what gets noise, with which sensitivity): the parts that differ per product.
struct PublicReleaseHelp {
  std::string release;
  std::string min_incidents;
  std::string epsilon;
};

// Adds --public-release, --min-incidents K (1 .. 10⁶) and --epsilon E (10⁻⁶ .. 10⁶) to `cmd`,
// bound to `p` (which must outlive the parse), and sets p->command = cmd.
void AddPublicReleaseFlags(CLI::App* cmd, PublicReleaseFlags* p, const PublicReleaseHelp& help);

// 0 when the flags go together; otherwise prints the reason on stderr ("placecast: --min-incidents
// and --epsilon need --public-release", "--public-release needs --min-incidents K (K >= 1)",
// "--epsilon needs --store: the noise is keyed by the store's release key" for a command run
// without a store) and returns 1, the usage exit code.
int CheckPublicReleaseFlags(const PublicReleaseFlags& p);

// The "privacy" record of a product's JSON: {"mode": "public-release", "min_incidents": k, then
// the members of `counts` in order (what was suppressed), "epsilon": ε or null, "sensitivity": Δ,
// "noise": "keyed" or null, "note": note}. The key is never in it.
nlohmann::ordered_json PrivacyJson(const PublicReleaseFlags& p,
                                   const nlohmann::ordered_json& counts, double sensitivity,
                                   const std::string& note);

// Records the flags in ledger parameters (public_release, min_incidents, epsilon and, with noise,
// release_query: the public identity of the figures, never the key), only for a public release,
// so ordinary runs keep their records.
void AddPublicReleaseParams(const PublicReleaseFlags& p, nlohmann::ordered_json* lp);

// The sentence a product states about its noise: "Laplace noise of scale Δ/ε = b added to <what>
// (ε = .., sensitivity Δ = .. <per>; keyed by the store's secret release key, the same figure gets
// the same noise in every release), <after>." or "No noise added." when ε = 0.
std::string NoiseSentence(const PublicReleaseFlags& p, double sensitivity, const std::string& what,
                          const std::string& per, const std::string& after);

// io::PublishCounts with the flags' k and ε, keyed by ReleaseIdentityOf(p) and `figures` (which
// kind of count of the command, so two kinds never share draws): counts below k become
// io::kWithheldCount, the others get rounded Laplace noise when ε > 0. Without --public-release
// the counts come back as they are.
Result<std::vector<int64_t>> PublicCounts(const PublicReleaseFlags& p,
                                          const std::vector<int64_t>& counts, double sensitivity,
                                          const std::string& figures = "counts");

}  // namespace placecast::cli

namespace placecast::cli {

// "1 (sensitivity 1)" or "none (no noise)": the ε of a public release as stdout states it.
std::string EpsilonText(const PublicReleaseFlags& p, double sensitivity);

}  // namespace placecast::cli

namespace placecast::cli {

// The kernel support of a model's published values: the largest spatial reach parameter
// (bandwidth_m, background_bandwidth_m, trigger_bandwidth_m, max_trigger_m); 0 when it has none,
// so only a cell's own incidents count.
double SupportRadiusM(const ParamValues& params);

// The start of a model's training window: origin − the largest of window_days and bandwidth_days,
// or 0 (all history) when the model has neither.
int64_t TrainFromS(const ParamValues& params, int64_t origin_s);

// What a public release did to a forecast surface (docs/privacy.md, "forecast").
struct PublicSurface {
  std::vector<uint8_t> suppressed;  // per cell, 1 = withheld
  int64_t suppressed_cells = 0;
  double support_m = 0;
  std::string note;  // the sentence products state
};

// The forecast's public release, shared by forecast, hotspots and allocate: marks the cells
// resting on fewer than k incidents of [train_from_s, origin_s) in the cell or within support_m
// of it (io::SuppressSmallCells), then, when ε > 0, adds Laplace noise (sensitivity 1) to every
// value of `surface` and sets negative values to 0. Suppressed values are left for the caller to
// hide. Errors of SuppressSmallCells and AddLaplaceNoise, wrapped "--public-release".
Result<PublicSurface> MakeSurfacePublic(const PublicReleaseFlags& p, const Study& study,
                                        int64_t train_from_s, int64_t origin_s, double support_m,
                                        grid::Surface* surface);

}  // namespace placecast::cli

namespace placecast::cli {

// Public release of an audit result (docs/privacy.md, "audit"), shared by audit and allocate:
// each area's count of victim-reported offences below k becomes io::kWithheldCount, the others get
// Laplace noise (sensitivity 1) when ε > 0; the areas' shares and rates per resident follow from
// the published counts (shares and the total are withheld when any area is). When any area is
// withheld the groups' need figures (need per resident, need ratio, disparity beyond need) become
// NaN and their statements say why. Returns the number of withheld areas; PublishCounts' errors.
Result<int64_t> MakeAuditPublic(const PublicReleaseFlags& p, audit::AuditResult* r);

}  // namespace placecast::cli

namespace placecast::cli {

// Prints the stdout line of a public release: "public release: k = K, <lead><part> of <whole>
// <what>, epsilon E (sensitivity Δ)" ("epsilon none (no noise)" without noise).
void PrintPublicRelease(const PublicReleaseFlags& p, const std::string& lead, int64_t part,
                        int64_t whole, const std::string& what, double sensitivity);

// "support R m, ": the lead of PrintPublicRelease for the products built on a forecast surface.
std::string SupportLead(double support_m);

}  // namespace placecast::cli
