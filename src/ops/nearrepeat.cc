// SPDX-License-Identifier: Apache-2.0
// nearrepeat (nearrepeat.h).
#include "placecast/ops/nearrepeat.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/result_json.h"
#include "ops/common.h"
#include "ops/param_fields.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/analysis/knox.h"
#include "placecast/common/offence.h"
#include "placecast/io/calendar.h"
#include "placecast/io/csv.h"
#include "placecast/io/file_util.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/privacy/privacy.h"

namespace placecast::ops {

std::span<const Field<NearRepeatRequest>> NearRepeatRequest::Fields() {
  using R = NearRepeatRequest;
  static const std::vector<Field<R>> fields = [] {
    const auto p = analysis::KnoxParams();
    std::vector<Field<R>> v;
    v.push_back({{.name = "store",
                  .doc = "GeoPackage store written by `placecast ingest`",
                  .flags = kNotInQuery},
                 &R::store});
    v.push_back({{.name = "input",
                  .type = FieldType::kInputPath,
                  .doc = "CSV of x,y,date rows (Near Repeat Calculator format) instead of --store"},
                 &R::input});
    v.push_back({{.name = "offence", .doc = "offence group (with --store)"}, &R::offence});
    v.push_back(
        {{.name = "from", .type = FieldType::kDate, .doc = "first date YYYY-MM-DD (with --store)"},
         &R::from});
    v.push_back({{.name = "to",
                  .type = FieldType::kDate,
                  .doc = "end date YYYY-MM-DD, exclusive (with --store)"},
                 &R::to});
    v.push_back({{.name = "space_bands",
                  .units = "m",
                  .doc = "upper edges of the spatial bands in metres, e.g. 100,200,300 (default "
                         "100,200,300)"},
                 &R::space_bands});
    v.push_back({{.name = "space_step",
                  .type = FieldType::kDouble,
                  .units = "m",
                  .doc = "equal spatial bands of this width (metres)"},
                 &R::space_step});
    v.push_back(
        {{.name = "space_count", .type = FieldType::kInt, .doc = "number of equal spatial bands"},
         &R::space_count});
    v.push_back({{.name = "time_bands",
                  .units = "days",
                  .doc = "upper edges of the temporal bands in days, e.g. 7,14,21 (default "
                         "7,14,21)"},
                 &R::time_bands});
    v.push_back({{.name = "time_step",
                  .type = FieldType::kInt,
                  .units = "days",
                  .doc = "equal temporal bands of this many days"},
                 &R::time_step});
    v.push_back(
        {{.name = "time_count", .type = FieldType::kInt, .doc = "number of equal temporal bands"},
         &R::time_count});
    v.push_back({FieldOfParam(p, "distance", "euclidean or manhattan"), &R::distance});
    v.push_back(
        {FieldOfParam(p, "coordinate_precision",
                      "double, or float32 to reproduce the Near Repeat Calculator's counts"),
         &R::coordinate_precision});
    v.push_back({FieldOfParam(p, "permutations", "Monte Carlo permutations"), &R::permutations});
    v.push_back({FieldOfParam(p, "seed", "random seed"), &R::seed});
    v.push_back({FieldOfParam(p, "threads", "worker threads", kNotInQuery), &R::threads});
    v.push_back({kOutField, &R::out});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: withhold band cells with fewer than --min-incidents pairs and the "
             "open last space band; publish no incident points",
             "public release: least pairs a published band cell counts",
             "public release: privacy budget ε of Laplace noise on the published pair counts "
             "(sensitivity: the most close pairs one incident is in); default: no noise"});
    return v;
  }();
  return fields;
}

namespace {

// The Knox settings of `r` resolved against analysis::KnoxParams(): equal bands become their
// edges.
Result<analysis::KnoxRequest> KnoxSettings(const NearRepeatRequest& r) {
  std::map<std::string, std::string> given;
  if (!r.space_bands.empty()) given["space_bands_m"] = r.space_bands;
  if (r.space_step > 0 || r.space_count > 0) {
    PLACECAST_ASSIGN_OR_RETURN(auto e, analysis::EqualBandEdges(r.space_step, r.space_count,
                                                                "--space-step/--space-count"));
    std::string s;
    for (double v : e) {
      if (!s.empty()) s += ',';
      s += std::to_string(v);
    }
    given["space_bands_m"] = s;
  }
  if (!r.time_bands.empty()) given["time_bands_days"] = r.time_bands;
  if (r.time_step > 0 || r.time_count > 0) {
    PLACECAST_ASSIGN_OR_RETURN(
        auto e, analysis::EqualBandEdges(static_cast<double>(r.time_step), r.time_count,
                                         "--time-step/--time-count"));
    std::string s;
    for (double v : e) {
      if (!s.empty()) s += ',';
      s += std::to_string(static_cast<int64_t>(v));
    }
    given["time_bands_days"] = s;
  }
  given["distance"] = r.distance;
  given["coordinate_precision"] = r.coordinate_precision;
  given["permutations"] = ParamText(r.permutations);
  given["seed"] = ParamText(r.seed);
  given["threads"] = ParamText(r.threads);
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(analysis::KnoxParams(), given, "nearrepeat"));
  return analysis::KnoxRequestFromParams(values);
}

}  // namespace

Status NearRepeatRequest::Validate() const {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseFields(*this, !store.empty()));
  if (!space_bands.empty() && space_step > 0) {
    return Status::InvalidInput("--space-bands and --space-step: give one of them, not both");
  }
  if (!time_bands.empty() && time_step > 0) {
    return Status::InvalidInput("--time-bands and --time-step: give one of them, not both");
  }
  PLACECAST_RETURN_IF_ERROR(KnoxSettings(*this).status());
  if (!input.empty() == !store.empty()) {
    return Status::InvalidInput("--store or --input: give exactly one of them");
  }
  if (!store.empty()) {
    if (offence.empty()) return Status::InvalidInput("--offence: required with --store");
    int64_t t_from = std::numeric_limits<int64_t>::min();
    int64_t t_to = std::numeric_limits<int64_t>::max();
    if (!from.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(t_from, ParseDate(from, "--from"));
    }
    if (!to.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(t_to, ParseDate(to, "--to"));
    }
    if (t_from >= t_to) return Status::InvalidInput("--from: must be before --to");
  }
  return Status::Ok();
}

namespace {

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

// Public release (docs/privacy.md, "nearrepeat"; privacy::ReleaseKnox): the open last space band
// [bK, inf) is withheld (one incident is in N − 1 pairs, nearly all of them there); close-band
// cells with fewer than k pairs are withheld; the others get Laplace noise when ε is given, with
// sensitivity D = the most close pairs any one event takes part in (from the data, so the
// guarantee is nominal). Knox ratios use the published counts; expected counts and p-values come
// from the true data. Returns the privacy record.
Result<nlohmann::ordered_json> MakeKnoxPublic(const Release& rel, analysis::KnoxResult* r) {
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedKnox published,
                             privacy::ReleaseKnox(SpecOf(rel), r->rows, r->cols, r->observed,
                                                  r->expected, r->max_close_pairs_per_event));
  const size_t close_cells = static_cast<size_t>(published.close_cells);
  const double sensitivity = published.sensitivity;
  const int64_t withheld = published.withheld_close_cells;
  // Withheld cells keep their true figures in `*r`: the formatters write none of them.
  r->withheld = published.withheld;
  for (size_t i = 0; i < r->withheld.size(); ++i) {
    if (r->withheld[i] != 0) continue;
    r->observed[i] = published.observed[i];
    r->knox_ratio[i] = published.knox_ratio[i];
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
                r->request.space_bands_m.back(), static_cast<long long>(rel.f.min_incidents),
                static_cast<long long>(withheld), close_cells,
                static_cast<long long>(r->max_close_pairs_per_event));
  const std::string note =
      buf + NoiseSentence(rel, sensitivity, "each published pair count", "pairs per incident",
                          "rounded to a whole number and at least 0");
  return PrivacyJson(rel,
                     {{"close_cells", close_cells},
                      {"withheld_cells", withheld},
                      {"withheld_open_band_cells", r->cols}},
                     sensitivity, note);
}

// `text` split into lines (a last line without '\n' is kept).
void AppendLines(const std::string& text, std::vector<std::string>* lines) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines->push_back(text.substr(start));
      break;
    }
    lines->push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

}  // namespace

Result<Product> Run(io::Store* store, const NearRepeatRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxRequest request, KnoxSettings(r));
  EventSet events;
  std::string source;
  int64_t skipped = 0;
  if (!r.input.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(events, ReadXyDateCsv(r.input, &skipped));
    source = r.input;
  } else {
    if (store == nullptr)
      return Status::InvalidInput("--store or --input: give exactly one of them");
    PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(r.offence));
    PLACECAST_RETURN_IF_ERROR(
        CheckEnforcementTypes(r.offence, r.allow_enforcement_types, *ctx.progress).status());
    PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(*store));
    request.calendar = cal;  // pairs are counted in the store's local days
    int64_t from = std::numeric_limits<int64_t>::min(), to = std::numeric_limits<int64_t>::max();
    if (!r.from.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(from, cal.ParseDate(r.from, "--from"));
    }
    if (!r.to.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(to, cal.ParseDate(r.to, "--to"));
    }
    PLACECAST_RETURN_IF_ERROR(GetMetreCrs(*store).status());  // the bands are metres
    PLACECAST_ASSIGN_OR_RETURN(events, store->LoadEvents(sel.groups, from, to));
    source = r.store + " (" + r.offence + ")";
  }
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxResult result, analysis::KnoxTest(events, request));
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(store, r));
  nlohmann::ordered_json privacy;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeKnoxPublic(release, &result));
  }
  namespace ai = analysis::internal;
  ai::Json doc = ai::KnoxResultDoc(result);
  if (r.public_release) doc["privacy"] = privacy;
  const std::string json = ai::DumpAnalysisJson(doc, {{"privacy", ai::kJsonAsIs}});

  // Products are staged inside the output folder and moved into place only after their ledger
  // record commits (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "knox.csv", analysis::KnoxResultToCsv(result)));
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "knox.json", json));
  Product out;
  if (store == nullptr) {
    PLACECAST_RETURN_IF_ERROR(stage->Publish());  // an --input CSV run has no store, so no ledger
  } else {
    PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(*store, ctx, r, *stage));
  }

  char head[1024];
  std::snprintf(head, sizeof(head),
                "nearrepeat: %s: %lld events (%lld rows without x, y or date skipped), %lld pairs, "
                "%lld permutations (seed %lld), %s distance\n\n",
                source.c_str(), static_cast<long long>(result.num_events),
                static_cast<long long>(skipped), static_cast<long long>(result.num_pairs),
                static_cast<long long>(request.permutations), static_cast<long long>(r.seed),
                r.distance.c_str());
  std::string text = head;
  text += analysis::KnoxResultToTable(result);
  text +=
      "Bands: space [lo, hi) metres, \"same location\" = distance 0; time [lo, hi) whole days "
      "between dates.\nwrote " +
      dir + "knox.csv, " + dir + "knox.json\n";
  AppendLines(text, &out.lines);
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, "", privacy["withheld_cells"].get<int64_t>(),
                                          privacy["close_cells"].get<int64_t>(),
                                          "close cells withheld (x) and the open band",
                                          privacy["sensitivity"].get<double>()));
  }
  out.summary["source"] = source;
  out.summary["events"] = result.num_events;
  out.summary["rows_skipped"] = skipped;
  out.summary["pairs"] = result.num_pairs;
  if (r.public_release) out.summary["privacy"] = privacy;
  out.summary["ledger_seq"] = out.ledger_seq;
  out.files = {dir + "knox.csv", dir + "knox.json"};
  return out;
}

OpInfo NearRepeatOp() {
  return MakeOpInfo<NearRepeatRequest>(
      StoreUse::kOptional,
      [](io::Store* s, const NearRepeatRequest& r, Context& c) { return Run(s, r, c); });
}

}  // namespace placecast::ops
