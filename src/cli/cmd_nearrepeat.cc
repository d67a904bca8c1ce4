// SPDX-License-Identifier: Apache-2.0
// `placecast nearrepeat`: the multi-band Knox test (near-repeat calculator) on a store's offence
// selection or on an x,y,date CSV in the Near Repeat Calculator's format; writes knox.csv and
// knox.json, prints the NRC-style tables and, for a store, appends a ledger record. Single-threaded
// driver (the test uses --threads).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "placecast/analysis/knox.h"
#include "placecast/io/csv.h"
#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"

namespace placecast::cli {
namespace {

struct NearRepeatFlags : PublicReleaseFlags {
  std::string store;
  std::string input;
  std::string offence;
  std::string from, to;
  std::string space_bands, time_bands;
  double space_step_m = 0;
  int64_t space_count = 0;
  int64_t time_step_days = 0;
  int64_t time_count = 0;
  std::string distance = "euclidean";
  std::string precision = "double";
  int64_t permutations = 999;
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out;
  bool allow_enforcement = false;
};

// "2016-01-31" or "1/31/2016" (the NRC's US format) -> UTC midnight.
Result<int64_t> ParseNrcDate(std::string_view s, const std::string& where) {
  unsigned m = 0, d = 0;
  int y = 0;
  char tail = 0;
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%u/%u/%d%c", &m, &d, &y, &tail) == 3 && m >= 1 && m <= 12 &&
      d >= 1 && d <= 31) {
    return DaysFromCivil(y, m, d) * kSecondsPerDay;
  }
  auto t = ParseDate(text.substr(0, 10), where);
  if (!t.ok() || (text.size() > 10 && text[10] != ' ' && text[10] != 'T')) {
    return Status::InvalidInput(where + ": expected a date YYYY-MM-DD or M/D/YYYY (got \"" + text +
                                "\")");
  }
  return t;
}

// The NRC's input: x,y,date per row; a header row (x, y, date in any case) is optional.
Result<EventSet> ReadXyDateCsv(const std::string& path, int64_t* rows_skipped) {
  io::CsvReader::Options opt;
  opt.has_header = false;
  opt.check_field_count = false;
  PLACECAST_ASSIGN_OR_RETURN(auto reader, io::CsvReader::Open(path, opt));
  EventSet ev;
  std::vector<std::string_view> f;
  *rows_skipped = 0;
  int ix = 0, iy = 1, id = 2;
  bool first = true;
  while (true) {
    PLACECAST_ASSIGN_OR_RETURN(bool more, reader->Next(f));
    if (!more) break;
    const std::string where = path + ":" + std::to_string(reader->line());
    if (first) {
      first = false;
      char* end = nullptr;
      const std::string x0(f.empty() ? std::string_view() : f[0]);
      std::strtod(x0.c_str(), &end);
      if (end == x0.c_str()) {  // a header
        ix = iy = id = -1;
        for (size_t k = 0; k < f.size(); ++k) {
          std::string h(f[k]);
          for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (h == "x") ix = static_cast<int>(k);
          if (h == "y") iy = static_cast<int>(k);
          if (h == "date" || h == "time") id = static_cast<int>(k);
        }
        if (ix < 0 || iy < 0 || id < 0) {
          return Status::InvalidInput(where + ": header must name columns x, y and date (got \"" +
                                      x0 + "\", …)");
        }
        continue;
      }
    }
    const int need = std::max({ix, iy, id});
    if (static_cast<int>(f.size()) <= need) {
      return Status::InvalidInput(where + ": expected x,y,date (got " + std::to_string(f.size()) +
                                  " fields)");
    }
    auto missing = [](std::string_view v) { return v.empty() || v == "NA" || v == "NaN"; };
    if (missing(f[ix]) || missing(f[iy]) || missing(f[id])) {
      ++*rows_skipped;  // the NRC and the R package drop rows without x, y or date
      continue;
    }
    const std::string xs(f[ix]), ys(f[iy]);
    char *ex = nullptr, *ey = nullptr;
    const double x = std::strtod(xs.c_str(), &ex);
    const double y = std::strtod(ys.c_str(), &ey);
    if (*ex != '\0' || !std::isfinite(x)) {
      return Status::InvalidInput(where + ": x: not a number (got \"" + xs + "\")");
    }
    if (*ey != '\0' || !std::isfinite(y)) {
      return Status::InvalidInput(where + ": y: not a number (got \"" + ys + "\")");
    }
    PLACECAST_ASSIGN_OR_RETURN(int64_t t, ParseNrcDate(f[id], where + ": date"));
    ev.Add(t, x, y, OffenceGroup::kUnknown, "", std::to_string(reader->line()));
  }
  ev.SortByTime();
  return ev;
}

// Public release (docs/privacy.md, "nearrepeat"): the open last space band [bK, inf) is withheld
// (one incident is in N − 1 pairs, nearly all of them there); close-band cells with fewer than k
// pairs are withheld; the others get Laplace noise when ε is given, with sensitivity D = the most
// close pairs any one event takes part in (from the data, so the guarantee is nominal). Knox
// ratios use the published counts; expected counts and p-values come from the true data.
// Returns the privacy record.
Result<nlohmann::ordered_json> MakeKnoxPublic(const NearRepeatFlags& f, analysis::KnoxResult* r) {
  const size_t close_cells = static_cast<size_t>(r->rows - 1) * r->cols;
  const std::vector<int64_t> close(r->observed.begin(), r->observed.begin() + close_cells);
  const double sensitivity =
      static_cast<double>(std::max<int64_t>(1, r->max_close_pairs_per_event));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published, PublicCounts(f, close, sensitivity));
  r->withheld.assign(r->observed.size(), 1);
  int64_t withheld = 0;
  for (size_t i = 0; i < close_cells; ++i) {
    if (published[i] == io::kWithheldCount) {
      ++withheld;
      continue;
    }
    r->withheld[i] = 0;
    r->observed[i] = published[i];
    r->knox_ratio[i] = r->expected[i] > 0 ? static_cast<double>(published[i]) / r->expected[i]
                                          : std::numeric_limits<double>::quiet_NaN();
  }
  r->close_pairs = -1;  // the total would give away the sum of the withheld cells
  char buf[768];
  std::snprintf(buf, sizeof(buf),
                "Public release: no incident points, times or ids are published; the open band "
                "[%g, inf) m is withheld (each incident is in N - 1 pairs, nearly all there); "
                "band cells with fewer than k = %lld pairs are withheld (%lld of %zu close "
                "cells); the total of close pairs is withheld. Expected counts and p-values are "
                "computed on the true data; Knox ratios use the published counts. The "
                "sensitivity D = %lld is the most close pairs any one incident takes part in, "
                "computed from these data, so the guarantee is nominal (data-dependent), not a "
                "formal one. ",
                r->request.space_bands_m.back(), static_cast<long long>(f.min_incidents),
                static_cast<long long>(withheld), close_cells,
                static_cast<long long>(r->max_close_pairs_per_event));
  const std::string note =
      buf + NoiseSentence(f, sensitivity, "each published pair count", "pairs per incident",
                          "rounded to a whole number and at least 0");
  return PrivacyJson(f,
                     {{"close_cells", close_cells},
                      {"withheld_cells", withheld},
                      {"withheld_open_band_cells", r->cols}},
                     sensitivity, note);
}

Status RunNearRepeat(const NearRepeatFlags& f) {
  std::map<std::string, std::string> given;
  if (!f.space_bands.empty() && f.space_step_m > 0) {
    return Status::InvalidInput("--space-bands and --space-step: give one of them, not both");
  }
  if (!f.time_bands.empty() && f.time_step_days > 0) {
    return Status::InvalidInput("--time-bands and --time-step: give one of them, not both");
  }
  if (!f.space_bands.empty()) given["space_bands_m"] = f.space_bands;
  if (f.space_step_m > 0 || f.space_count > 0) {
    PLACECAST_ASSIGN_OR_RETURN(auto e, analysis::EqualBandEdges(f.space_step_m, f.space_count,
                                                                "--space-step/--space-count"));
    std::string s;
    for (double v : e) s += (s.empty() ? "" : ",") + std::to_string(v);
    given["space_bands_m"] = s;
  }
  if (!f.time_bands.empty()) given["time_bands_days"] = f.time_bands;
  if (f.time_step_days > 0 || f.time_count > 0) {
    PLACECAST_ASSIGN_OR_RETURN(
        auto e, analysis::EqualBandEdges(static_cast<double>(f.time_step_days), f.time_count,
                                         "--time-step/--time-count"));
    std::string s;
    for (double v : e) s += (s.empty() ? "" : ",") + std::to_string(static_cast<int64_t>(v));
    given["time_bands_days"] = s;
  }
  given["distance"] = f.distance;
  given["coordinate_precision"] = f.precision;
  given["permutations"] = std::to_string(f.permutations);
  given["seed"] = std::to_string(f.seed);
  given["threads"] = std::to_string(f.threads);
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(analysis::KnoxParams(), given, "nearrepeat"));
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxRequest request,
                             analysis::KnoxRequestFromParams(values));

  EventSet events;
  std::string source;
  int64_t skipped = 0;
  if (!f.input.empty() == !f.store.empty()) {
    return Status::InvalidInput("--store or --input: give exactly one of them");
  }
  if (!f.input.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(events, ReadXyDateCsv(f.input, &skipped));
    source = f.input;
  } else {
    if (f.offence.empty()) return Status::InvalidInput("--offence: required with --store");
    PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(f.offence));
    PLACECAST_ASSIGN_OR_RETURN(std::string warning,
                               CheckEnforcementTypes(f.offence, f.allow_enforcement));
    (void)warning;
    int64_t from = std::numeric_limits<int64_t>::min(), to = std::numeric_limits<int64_t>::max();
    if (!f.from.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(from, ParseDate(f.from, "--from"));
    }
    if (!f.to.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(to, ParseDate(f.to, "--to"));
    }
    if (from >= to) return Status::InvalidInput("--from: must be before --to");
    PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
    PLACECAST_ASSIGN_OR_RETURN(events, store->LoadEvents(sel.groups, from, to));
    source = f.store + " (" + f.offence + ")";
  }
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxResult result, analysis::KnoxTest(events, request));
  nlohmann::ordered_json privacy;
  std::string json;
  if (f.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeKnoxPublic(f, &result));
    json = analysis::KnoxResultToJson(result);
    json.resize(json.size() - 3);  // drop the closing "\n}\n"
    json += ",\n  \"privacy\": " + SafeDump(privacy) + "\n}\n";
  } else {
    json = analysis::KnoxResultToJson(result);
  }

  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "knox.csv", analysis::KnoxResultToCsv(result)));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "knox.json", json));
  if (f.store.empty()) {
    PLACECAST_RETURN_IF_ERROR(stage->Publish());  // an --input CSV run has no store, so no ledger
  } else {
    nlohmann::ordered_json lp;
    lp["store"] = f.store;
    lp["offence"] = f.offence;
    lp["from"] = f.from;
    lp["to"] = f.to;
    lp["knox_params"] = nlohmann::ordered_json::parse(values.ToJson());
    lp["allow_enforcement_types"] = f.allow_enforcement;
    lp["out"] = f.out;
    AddPublicReleaseParams(f, &lp);
    PLACECAST_RETURN_IF_ERROR(
        RecordAndPublish(f.store, "nearrepeat", SafeDump(lp), {f.store}, *stage));
  }
  std::printf(
      "nearrepeat: %s: %lld events (%lld rows without x, y or date skipped), %lld pairs, "
      "%lld permutations (seed %lld), %s distance\n\n",
      source.c_str(), static_cast<long long>(result.num_events), static_cast<long long>(skipped),
      static_cast<long long>(result.num_pairs), static_cast<long long>(request.permutations),
      static_cast<long long>(f.seed), f.distance.c_str());
  std::printf("%s", analysis::KnoxResultToTable(result).c_str());
  std::printf(
      "Bands: space [lo, hi) metres, \"same location\" = distance 0; time [lo, hi) whole "
      "days between dates.\nwrote %sknox.csv, %sknox.json\n",
      dir.c_str(), dir.c_str());
  if (f.public_release) {
    PrintPublicRelease(
        f, "", privacy["withheld_cells"].get<int64_t>(), privacy["close_cells"].get<int64_t>(),
        "close cells withheld (x) and the open band", privacy["sensitivity"].get<double>());
  }
  return Status::Ok();
}

}  // namespace

void RegisterNearRepeat(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<NearRepeatFlags>();
  auto* cmd = app.add_subcommand("nearrepeat",
                                 "Knox test for near repeats (space-time pairs vs permutations)");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`");
  cmd->add_option("--input", f->input,
                  "CSV of x,y,date rows (Near Repeat Calculator format) instead of --store");
  cmd->add_option("--offence", f->offence, "offence group (with --store)");
  cmd->add_option("--from", f->from, "first date YYYY-MM-DD (with --store)");
  cmd->add_option("--to", f->to, "end date YYYY-MM-DD, exclusive (with --store)");
  cmd->add_option("--space-bands", f->space_bands,
                  "upper edges of the spatial bands in metres, "
                  "e.g. 100,200,300 (default 100,200,300)");
  cmd->add_option("--space-step", f->space_step_m, "equal spatial bands of this width (metres)");
  cmd->add_option("--space-count", f->space_count, "number of equal spatial bands");
  cmd->add_option("--time-bands", f->time_bands,
                  "upper edges of the temporal bands in days, e.g. 7,14,21 (default 7,14,21)");
  cmd->add_option("--time-step", f->time_step_days, "equal temporal bands of this many days");
  cmd->add_option("--time-count", f->time_count, "number of equal temporal bands");
  cmd->add_option("--distance", f->distance, "euclidean or manhattan")->capture_default_str();
  cmd->add_option("--coordinate-precision", f->precision,
                  "double, or float32 to reproduce the Near Repeat Calculator's counts")
      ->capture_default_str();
  cmd->add_option("--permutations", f->permutations, "Monte Carlo permutations")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "random seed")->capture_default_str();
  cmd->add_option("--threads", f->threads, "worker threads")->capture_default_str();
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "allow enforcement-driven offence types (narcotics, weapons, …)");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: withhold band cells with fewer than --min-incidents pairs and the open "
       "last space band; publish no incident points",
       "public release: least pairs a published band cell counts",
       "public release: privacy budget ε of Laplace noise on the published pair counts "
       "(sensitivity: the most close pairs one incident is in); default: no noise"});
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunNearRepeat(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
