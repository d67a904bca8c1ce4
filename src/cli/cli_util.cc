// SPDX-License-Identifier: Apache-2.0
// Shared subcommand helpers.
#include "cli/cli_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "placecast/common/offence.h"

namespace placecast::cli {

bool ShowProgress() {
  const char* ci = std::getenv("CI");
  return isatty(STDERR_FILENO) && (ci == nullptr || *ci == '\0');
}

int Fail(const Status& status) {
  std::fprintf(stderr, "placecast: %s\n", status.message().c_str());
  const int code = static_cast<int>(status.code());
  return code >= 2 ? code : static_cast<int>(ErrorCode::kInternal);
}

namespace {
int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Progress::Progress(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
Progress::~Progress() { Finish(); }

void Progress::Update(int64_t done, int64_t total) {
  if (!enabled_) return;
  const int64_t now = NowMs();
  if (now - last_ms_ < 200 && done != total) return;
  last_ms_ = now;
  shown_ = true;
  if (total > 0) {
    std::fprintf(stderr, "\r%s %lld/%lld (%d%%)   ", label_.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total), static_cast<int>(100 * done / total));
  } else {
    std::fprintf(stderr, "\r%s %lld   ", label_.c_str(), static_cast<long long>(done));
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (enabled_ && shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  shown_ = false;
}

Result<std::map<std::string, std::map<std::string, std::string>>> ParseParamFlags(
    const std::vector<std::string>& flags) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& f : flags) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidInput("--param: expected key=value or model.key=value (got \"" + f +
                                  "\")");
    }
    std::string key = f.substr(0, eq);
    std::string model;
    const auto dot = key.find('.');
    if (dot != std::string::npos) {
      model = key.substr(0, dot);
      key = key.substr(dot + 1);
    }
    out[model][key] = f.substr(eq + 1);
  }
  return out;
}

std::map<std::string, std::string> ParamsFor(
    const std::map<std::string, std::map<std::string, std::string>>& all,
    const std::string& model) {
  std::map<std::string, std::string> p;
  if (auto it = all.find(""); it != all.end()) p = it->second;
  if (auto it = all.find(model); it != all.end()) {
    for (const auto& [k, v] : it->second) p[k] = v;
  }
  return p;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<std::string> CheckEnforcementTypes(const std::string& selection_name, bool allowed) {
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(selection_name));
  const auto enforced = sel.EnforcementDriven();
  if (enforced.empty()) return std::string();
  std::string names;
  for (auto g : enforced) {
    names += (names.empty() ? "" : ", ") + std::string(GetOffenceGroupInfo(g).name);
  }
  if (!allowed) {
    return Status::InvalidInput(
        "--offence " + selection_name + ": includes enforcement-driven offence types (" + names +
        "), which measure where police look more than where crime happens; pass "
        "--allow-enforcement-types to use them anyway");
  }
  std::string w = "training on enforcement-driven offence types (" + names +
                  "): recorded counts follow patrol presence, so the forecast may send patrols "
                  "back where they already were (a feedback loop)";
  std::fprintf(stderr, "placecast: warning: %s\n", w.c_str());
  return w;
}

}  // namespace placecast::cli

#include <limits>

#include "placecast/io/ingest.h"
#include "placecast/io/store.h"

namespace placecast::cli {

Result<Study> LoadStudy(const std::string& store_path, const std::string& offence,
                        const std::string& boundary_path, double cell_size_m, int64_t t_from_s,
                        int64_t t_to_s, bool allow_enforcement_types) {
  Study s;
  s.store_path = store_path;
  s.offence = offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(offence));
  PLACECAST_ASSIGN_OR_RETURN(s.enforcement_warning,
                             CheckEnforcementTypes(offence, allow_enforcement_types));
  std::error_code ec;
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(store_path, false));
  PLACECAST_ASSIGN_OR_RETURN(std::string crs, store->GetCrs());
  PLACECAST_ASSIGN_OR_RETURN(s.events, store->LoadEvents(sel.groups, t_from_s, t_to_s));
  if (!boundary_path.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(s.study_area, io::ReadBoundary(boundary_path, crs));
    s.grid_source = "boundary " + boundary_path;
  } else {
    auto area = store->GetStudyArea();
    if (area.ok()) {
      s.study_area = std::move(area).value();
      s.grid_source = "study area saved in the store";
    } else if (area.status().code() != ErrorCode::kNotFound) {
      return area.status();
    }
  }
  if (!s.study_area.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(s.grid, grid::GridFromBoundary(s.study_area, cell_size_m, crs));
  } else {
    // The extent of every event of the selection, so the grid does not move with the dates asked.
    PLACECAST_ASSIGN_OR_RETURN(EventSet all,
                               store->LoadEvents(sel.groups, std::numeric_limits<int64_t>::min(),
                                                 std::numeric_limits<int64_t>::max()));
    if (all.empty()) {
      return Status::InvalidInput(store_path + ": no " + offence +
                                  " incident in the store to lay a grid over");
    }
    double xmin = all.x_m[0], xmax = xmin, ymin = all.y_m[0], ymax = ymin;
    for (size_t i = 0; i < all.size(); ++i) {
      xmin = std::min(xmin, all.x_m[i]);
      xmax = std::max(xmax, all.x_m[i]);
      ymin = std::min(ymin, all.y_m[i]);
      ymax = std::max(ymax, all.y_m[i]);
    }
    PLACECAST_ASSIGN_OR_RETURN(s.grid,
                               grid::Grid::FromExtent(xmin, ymin, xmax, ymax, cell_size_m, crs));
    s.grid_source = "extent of the " + offence + " incidents in the store";
  }
  return s;
}

}  // namespace placecast::cli

#include <CLI/CLI.hpp>

namespace placecast::cli {

void AddForecastSelectionFlags(CLI::App* cmd, ForecastSelection* f) {
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--model", f->model, "model name (see `placecast models`)")->required();
  cmd->add_option("--offence", f->offence, "offence group (see `placecast offences`)")->required();
  cmd->add_option("--origin", f->origin,
                  "forecast origin date YYYY-MM-DD (UTC midnight); "
                  "training uses only events before it")
      ->required();
  cmd->add_option("--horizon-days", f->horizon_days, "forecast horizon in days")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3650.0));
  cmd->add_option("--cell-size-m", f->cell_size_m, "grid cell size in metres")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--boundary", f->boundary,
                  "study-area polygons (GeoJSON, Shapefile, GeoPackage); default: the store's");
  cmd->add_option("--param", f->params, "model parameter key=value (repeatable)");
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …) in training");
}

Result<SelectedForecast> RunSelectedForecast(const ForecastSelection& f) {
  SelectedForecast out;
  PLACECAST_ASSIGN_OR_RETURN(out.origin_s, ParseDate(f.origin, "--origin"));
  PLACECAST_ASSIGN_OR_RETURN(auto all_params, ParseParamFlags(f.params));
  PLACECAST_ASSIGN_OR_RETURN(auto model,
                             models::CreateModel(f.model, ParamsFor(all_params, f.model)));
  // Only events before the origin are ever loaded: the model cannot see the future.
  PLACECAST_ASSIGN_OR_RETURN(
      out.study, LoadStudy(f.store, f.offence, f.boundary, f.cell_size_m,
                           std::numeric_limits<int64_t>::min(), out.origin_s, f.allow_enforcement));
  PLACECAST_RETURN_IF_ERROR(
      model->Fit(out.study.events, out.study.grid, out.origin_s).Wrap("fitting " + f.model));
  PLACECAST_ASSIGN_OR_RETURN(out.surface, model->Predict(f.horizon_days));
  out.params_json = model->params().ToJson();
  out.support_m = SupportRadiusM(model->params());
  out.train_from_s = TrainFromS(model->params(), out.origin_s);
  out.warnings = model->Warnings();
  for (const auto& w : out.warnings) std::fprintf(stderr, "placecast: warning: %s\n", w.c_str());
  if (!out.study.enforcement_warning.empty()) {
    out.warnings.push_back(out.study.enforcement_warning);
  }
  return out;
}

void AddForecastSelectionParams(const ForecastSelection& f, const SelectedForecast& fc,
                                nlohmann::ordered_json* lp) {
  (*lp)["store"] = f.store;
  (*lp)["model"] = f.model;
  (*lp)["model_params"] = nlohmann::ordered_json::parse(fc.params_json);
  (*lp)["offence"] = f.offence;
  (*lp)["origin"] = FormatDate(fc.origin_s);
  (*lp)["horizon_days"] = f.horizon_days;
  (*lp)["cell_size_m"] = f.cell_size_m;
  (*lp)["boundary"] = f.boundary;
  (*lp)["allow_enforcement_types"] = f.allow_enforcement;
}

}  // namespace placecast::cli

#include <cctype>

#include "placecast/io/csv.h"

namespace placecast::cli {

Result<OffenceSelection> NeedOffenceSelection(const std::string& need_offence,
                                              const std::string& offence) {
  const std::string name = need_offence.empty() ? offence : need_offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(name));
  if (!sel.EnforcementDriven().empty()) {
    return Status::InvalidInput("--need-offence " + name +
                                ": includes enforcement-driven offence types, which measure "
                                "police attention, not need; choose victim-reported offences");
  }
  return sel;
}

std::string AreaKey(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  s = s.substr(i);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    const size_t nz = s.find_first_not_of('0');
    return nz == std::string::npos ? "0" : s.substr(nz);
  }
  return s;
}

Result<Population> ReadPopulation(const std::string& path, const std::string& area_column) {
  PLACECAST_ASSIGN_OR_RETURN(auto csv, io::CsvReader::Open(path));
  const auto& header = csv->header();
  const int area_col = area_column.empty() ? 0 : csv->ColumnIndex(area_column);
  if (area_col < 0) {
    return Status::InvalidInput(path + ":1: --population-area-column: no column \"" + area_column +
                                "\"");
  }
  const int total_col = csv->ColumnIndex("total");
  Population pop;
  std::vector<int> group_cols;
  for (int c = 0; c < static_cast<int>(header.size()); ++c) {
    if (c == area_col || c == total_col) continue;
    group_cols.push_back(c);
    pop.groups.push_back(header[c]);
  }
  if (group_cols.empty()) {
    return Status::InvalidInput(path + ":1: no group column besides the area code and total");
  }
  std::vector<std::string_view> f;
  for (;;) {
    PLACECAST_ASSIGN_OR_RETURN(bool more, csv->Next(f));
    if (!more) break;
    const std::string key = AreaKey(std::string(f[area_col]));
    std::vector<double> counts;
    double sum = 0;
    for (size_t i = 0; i < group_cols.size(); ++i) {
      const std::string v(f[group_cols[i]]);
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(x) || x < 0) {
        return Status::InvalidInput(path + ":" + std::to_string(csv->line()) + ": " +
                                    pop.groups[i] + ": expected a count >= 0 (got \"" + v + "\")");
      }
      counts.push_back(x);
      sum += x;
    }
    if (pop.by_area.count(key)) {
      return Status::InvalidInput(path + ":" + std::to_string(csv->line()) + ": " +
                                  header[area_col] + ": area listed twice (got \"" + key + "\")");
    }
    double total = sum;
    if (total_col >= 0) {
      const std::string v(f[total_col]);
      char* end = nullptr;
      total = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(total >= 0)) {
        return Status::InvalidInput(path + ":" + std::to_string(csv->line()) +
                                    ": total: expected a count >= 0 (got \"" + v + "\")");
      }
    }
    pop.by_area[key] = counts;
    pop.total[key] = total;
  }
  return pop;
}

Result<audit::AuditInput> AuditInputForAreas(const std::vector<grid::Boundary>& areas,
                                             const std::string& areas_path,
                                             const std::string& area_field,
                                             const std::string& population_path,
                                             const std::string& population_area_column) {
  PLACECAST_ASSIGN_OR_RETURN(Population pop,
                             ReadPopulation(population_path, population_area_column));
  audit::AuditInput in;
  in.group_names = pop.groups;
  for (const auto& a : areas) {
    const std::string key = AreaKey(a.name);
    auto it = pop.by_area.find(key);
    if (it == pop.by_area.end()) {
      return Status::InvalidInput(population_path + ": no row for area \"" + a.name + "\" of " +
                                  areas_path + " (" + area_field + ")");
    }
    in.area_names.push_back(a.name);
    in.residents.push_back(it->second);
    in.area_residents.push_back(pop.total[key]);
  }
  return in;
}

}  // namespace placecast::cli

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"

namespace placecast::cli {
namespace {

// Options that cannot change a published figure, left out of a release's query: where products
// go, the store (its data is in the query by digest, and a copied store keeps its key), threads
// and the release flags themselves (k only withholds; ε and Δ are in every draw's message).
bool IsOutsideQuery(const std::string& name) {
  static const char* const kNames[] = {"out",     "store",          "threads",
                                       "help",    "public-release", "min-incidents",
                                       "epsilon", "explain-top",    "top-pct"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// One option value as the query holds it: numbers as %.17g (so "1000", "1e3" and "1000.0" are one
// figure), an existing regular file as "sha256:<hex of its bytes>" (so the figure follows the
// file's content, not its name), anything else as given; applied to each comma-separated part and
// to the value side of key=value.
std::string CanonicalToken(const std::string& t) {
  if (t.empty()) return t;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != nullptr && *end == '\0' && std::isfinite(v) && !std::isspace(t[0])) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(t, ec)) {
    auto h = io::Sha256File(t);
    if (h.ok()) return "sha256:" + *h;
  }
  return t;
}

std::string CanonicalValue(const std::string& value) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t comma = value.find(',', start);
    std::string part = value.substr(start, comma == std::string::npos ? comma : comma - start);
    const size_t eq = part.find('=');
    part = eq == std::string::npos ? CanonicalToken(part)
                                   : part.substr(0, eq + 1) + CanonicalToken(part.substr(eq + 1));
    out += part;
    if (comma == std::string::npos) break;
    out += ',';
    start = comma + 1;
  }
  return out;
}

// {"name": canonical value or sorted list of values, ...} over the command's options in name
// order; an option not given counts with its default (or "" without one), a flag as true/false.
nlohmann::ordered_json QueryOptions(const CLI::App& cmd) {
  std::map<std::string, nlohmann::ordered_json> by_name;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (IsOutsideQuery(name)) continue;
    if (opt->get_expected_min() == 0) {  // a flag
      by_name[name] = opt->count() > 0;
      continue;
    }
    std::vector<std::string> values;
    if (opt->count() > 0) {
      for (const std::string& r : opt->results()) values.push_back(CanonicalValue(r));
    } else {
      values.push_back(CanonicalValue(opt->get_default_str()));
    }
    std::sort(values.begin(), values.end());
    by_name[name] =
        values.size() == 1 ? nlohmann::ordered_json(values[0]) : nlohmann::ordered_json(values);
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto& [k, v] : by_name) j[k] = std::move(v);
  return j;
}

std::string StoreOption(const CLI::App& cmd) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (!opt->get_lnames().empty() && opt->get_lnames().front() == "store" && opt->count() > 0) {
      return opt->results().front();
    }
  }
  return "";
}

bool HasStoreOption(const CLI::App& cmd) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (!opt->get_lnames().empty() && opt->get_lnames().front() == "store") return true;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const ReleaseIdentity>> ReleaseIdentityOf(const PublicReleaseFlags& p) {
  if (p.identity != nullptr) return p.identity;
  const std::string store_path = p.command != nullptr ? StoreOption(*p.command) : p.replay_store;
  if (store_path.empty()) {
    return Status::InvalidInput(
        "--public-release: noise is keyed by a store's release key, and this run has no --store");
  }
  auto identity = std::make_shared<ReleaseIdentity>();
  {
    PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(store_path, false));
    auto key = store->GetReleaseKey();
    if (!key.ok()) return key.status().Wrap("--public-release: release key of " + store_path);
    PLACECAST_RETURN_IF_ERROR(io::CheckReleaseKey(*key).Wrap("--public-release: " + store_path));
    identity->key = std::move(*key);
    if (p.command == nullptr) {
      identity->query = p.replay_query;
    } else {
      PLACECAST_ASSIGN_OR_RETURN(io::StoreState state, store->GetState());
      // The data the figures are computed from; the ingest history is left out (an ingest that
      // adds nothing changes no figure).
      nlohmann::ordered_json q;
      q["command"] = p.command->get_name();
      q["options"] = QueryOptions(*p.command);
      q["data"] =
          io::Sha256Hex(state.incidents_sum + "\n" + state.study_area + "\n" + state.metadata);
      identity->query = q.dump();
    }
  }
  p.identity = std::move(identity);
  return p.identity;
}

void AddPublicReleaseFlags(CLI::App* cmd, PublicReleaseFlags* p, const PublicReleaseHelp& help) {
  p->command = cmd;
  cmd->add_flag("--public-release", p->public_release, help.release);
  cmd->add_option("--min-incidents", p->min_incidents, help.min_incidents)
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--epsilon", p->epsilon, help.epsilon)->check(CLI::Range(1e-6, 1e6));
}

int CheckPublicReleaseFlags(const PublicReleaseFlags& p) {
  const char* why = nullptr;
  if (!p.public_release && (p.min_incidents > 0 || p.epsilon > 0)) {
    why = "--min-incidents and --epsilon need --public-release";
  } else if (p.public_release && p.min_incidents <= 0) {
    why = "--public-release needs --min-incidents K (K >= 1)";
  } else if (p.public_release && p.epsilon > 0 && p.command != nullptr &&
             (!HasStoreOption(*p.command) || StoreOption(*p.command).empty())) {
    why = "--epsilon needs --store: the noise is keyed by the store's release key";
  }
  if (why == nullptr) return 0;
  std::fprintf(stderr, "placecast: %s\n", why);
  return 1;
}

nlohmann::ordered_json PrivacyJson(const PublicReleaseFlags& p,
                                   const nlohmann::ordered_json& counts, double sensitivity,
                                   const std::string& note) {
  nlohmann::ordered_json j;
  j["mode"] = "public-release";
  j["min_incidents"] = p.min_incidents;
  for (auto it = counts.begin(); it != counts.end(); ++it) j[it.key()] = it.value();
  j["epsilon"] = p.epsilon > 0 ? nlohmann::ordered_json(p.epsilon) : nullptr;
  j["sensitivity"] = sensitivity;
  j["noise"] = p.epsilon > 0 ? nlohmann::ordered_json("keyed") : nullptr;
  j["note"] = note;
  return j;
}

void AddPublicReleaseParams(const PublicReleaseFlags& p, nlohmann::ordered_json* lp) {
  if (!p.public_release) return;
  (*lp)["public_release"] = true;
  (*lp)["min_incidents"] = p.min_incidents;
  (*lp)["epsilon"] = p.epsilon;
  // The query is public; the identity was loaded when the noise was drawn.
  if (p.epsilon > 0 && p.identity != nullptr) (*lp)["release_query"] = p.identity->query;
}

std::string NoiseSentence(const PublicReleaseFlags& p, double sensitivity, const std::string& what,
                          const std::string& per, const std::string& after) {
  if (p.epsilon <= 0) return "No noise added.";
  char buf[640];
  std::snprintf(buf, sizeof(buf),
                "Laplace noise of scale Δ/ε = %g added to %s (ε = %g, sensitivity Δ = %g %s; "
                "drawn with the store's secret release key, so the same figure gets the same "
                "noise in every release), %s.",
                sensitivity / p.epsilon, what.c_str(), p.epsilon, sensitivity, per.c_str(),
                after.c_str());
  return buf;
}

Result<std::vector<int64_t>> PublicCounts(const PublicReleaseFlags& p,
                                          const std::vector<int64_t>& counts, double sensitivity,
                                          const std::string& figures) {
  if (!p.public_release) return counts;
  if (p.epsilon <= 0) return io::PublishCounts(counts, p.min_incidents, sensitivity, 0, "", "");
  PLACECAST_ASSIGN_OR_RETURN(auto id, ReleaseIdentityOf(p));
  return io::PublishCounts(counts, p.min_incidents, sensitivity, p.epsilon, id->key,
                           id->query + "\n" + figures);
}

}  // namespace placecast::cli

namespace placecast::cli {

std::string EpsilonText(const PublicReleaseFlags& p, double sensitivity) {
  if (p.epsilon <= 0) return "none (no noise)";
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%g (sensitivity %g)", p.epsilon, sensitivity);
  return buf;
}

}  // namespace placecast::cli

namespace placecast::cli {

double SupportRadiusM(const ParamValues& params) {
  double r = 0;
  for (const auto& [k, v] : params.items()) {
    if (k == "bandwidth_m" || k == "background_bandwidth_m" || k == "trigger_bandwidth_m" ||
        k == "max_trigger_m") {
      r = std::max(r, std::strtod(v.c_str(), nullptr));
    }
  }
  return r;
}

int64_t TrainFromS(const ParamValues& params, int64_t origin_s) {
  int64_t window_days = 0;
  for (const auto& [k, v] : params.items()) {
    if (k == "window_days" || k == "bandwidth_days") {
      window_days = std::max(window_days, params.GetInt(k));
    }
  }
  return window_days > 0 ? origin_s - window_days * kSecondsPerDay : 0;
}

Result<PublicSurface> MakeSurfacePublic(const PublicReleaseFlags& p, const Study& study,
                                        int64_t train_from_s, int64_t origin_s, double support_m,
                                        grid::Surface* surface) {
  constexpr double kSensitivity = 1;  // one incident changes a naive count by one
  PublicSurface out;
  out.support_m = support_m;
  PLACECAST_RETURN_IF_ERROR(io::SuppressSmallCells(study.grid, study.events, train_from_s, origin_s,
                                                   support_m, p.min_incidents, &out.suppressed)
                                .Wrap("--public-release"));
  for (uint8_t b : out.suppressed) out.suppressed_cells += b;
  if (p.epsilon > 0) {
    PLACECAST_ASSIGN_OR_RETURN(auto id, ReleaseIdentityOf(p));
    PLACECAST_ASSIGN_OR_RETURN(surface->value,
                               io::AddLaplaceNoise(surface->value, kSensitivity, p.epsilon, id->key,
                                                   id->query + "\nrisk surface"));
    for (double& v : surface->value) v = std::max(0.0, v);
  }
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "Public release: no incident points are published; cells resting on fewer "
                "than k = %lld training incidents (in the cell or within %g m of it) are "
                "suppressed; %s",
                static_cast<long long>(p.min_incidents), support_m,
                p.epsilon > 0 ? "" : "no noise added.");
  out.note = buf;
  if (p.epsilon > 0) {
    out.note += NoiseSentence(p, kSensitivity, "every risk value", "per incident",
                              "negative values set to 0");
  }
  return out;
}

}  // namespace placecast::cli

#include <limits>

namespace placecast::cli {

// Public release (docs/privacy.md, "audit") of one model's result: each area's count of
// victim-reported offences below k is withheld, the others get Laplace noise (sensitivity 1: an
// offence lies in one area) when ε is given; shares and rates per resident follow from the
// published counts, and the total and shares are withheld when any area is. Group figures that
// rest on need (need per resident, need ratio, disparity beyond need) are computed on the true
// counts and published only when no area is withheld: otherwise the withheld areas' counts could
// be recovered from them. Exposure is published as computed. Returns the withheld areas.
Result<int64_t> MakeAuditPublic(const PublicReleaseFlags& f, audit::AuditResult* r) {
  std::vector<int64_t> need;
  for (const auto& a : r->areas) need.push_back(a.need_events);
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published,
                             PublicCounts(f, need, 1, "area need counts"));
  int64_t withheld = 0, total = 0;
  for (int64_t n : published) {
    if (n == io::kWithheldCount)
      ++withheld;
    else
      total += n;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < r->areas.size(); ++i) {
    audit::AreaAudit& a = r->areas[i];
    a.need_events = published[i];
    const bool shown = published[i] != io::kWithheldCount;
    a.need_share =
        shown && withheld == 0 && total > 0 ? static_cast<double>(published[i]) / total : nan;
    a.need_per_1k_residents =
        shown && a.residents > 0 ? 1000.0 * static_cast<double>(published[i]) / a.residents : nan;
  }
  r->need_events = withheld == 0 ? total : io::kWithheldCount;
  if (withheld > 0) {
    char why[256];
    std::snprintf(why, sizeof(why),
                  " Need-based figures are withheld in this public release: %lld area(s) rest "
                  "on fewer than k = %lld victim-reported offences.",
                  static_cast<long long>(withheld), static_cast<long long>(f.min_incidents));
    for (auto& g : r->groups) {
      g.need_per_1k_residents = nan;
      g.need_ratio = {nan, nan, nan};
      g.disparity_beyond_need = {nan, nan, nan};
      g.disparity_outside_band = false;
      const size_t cut = g.statement.find(". Victim-reported offences per resident");
      if (cut != std::string::npos) g.statement = g.statement.substr(0, cut + 1) + why;
    }
  }
  return withheld;
}

}  // namespace placecast::cli

namespace placecast::cli {

void PrintPublicRelease(const PublicReleaseFlags& p, const std::string& lead, int64_t part,
                        int64_t whole, const std::string& what, double sensitivity) {
  std::printf("public release: k = %lld, %s%lld of %lld %s, epsilon %s\n",
              static_cast<long long>(p.min_incidents), lead.c_str(), static_cast<long long>(part),
              static_cast<long long>(whole), what.c_str(), EpsilonText(p, sensitivity).c_str());
}

std::string SupportLead(double support_m) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "support %g m, ", support_m);
  return buf;
}

}  // namespace placecast::cli
