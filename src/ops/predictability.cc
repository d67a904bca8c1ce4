// SPDX-License-Identifier: Apache-2.0
// predictability (predictability.h).
#include "placecast/ops/predictability.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/record.h"
#include "ops/release.h"
#include "placecast/analysis/knox.h"
#include "placecast/common/offence.h"
#include "placecast/common/safe_json.h"
#include "placecast/eval/backtest.h"
#include "placecast/eval/concentration.h"
#include "placecast/eval/metrics.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/staging.h"
#include "placecast/privacy/privacy.h"
#include "placecast/render/map.h"

namespace placecast::ops {

std::span<const Field<PredictabilityRequest>> PredictabilityRequest::Fields() {
  using R = PredictabilityRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddStoreField(&v, &R::store);
    v.push_back({{.name = "from",
                  .type = FieldType::kDate,
                  .doc = "start of the period YYYY-MM-DD",
                  .flags = kRequired},
                 &R::from});
    v.push_back({{.name = "to",
                  .type = FieldType::kDate,
                  .doc = "end of the period YYYY-MM-DD (exclusive)",
                  .flags = kRequired},
                 &R::to});
    v.push_back({kOutField, &R::out});
    v.push_back({kBoundaryField, &R::boundary});
    v.push_back({kBoundaryCrsField, &R::boundary_crs});
    v.push_back({{.name = "models",
                  .type = FieldType::kStringList,
                  .default_json = R"(["naive","retro"])",
                  .doc = "comma-separated models to backtest (at their defaults); the best one "
                         "counts",
                  .flags = kCommaList},
                 &R::models});
    v.push_back({{.name = "min_events",
                  .type = FieldType::kInt,
                  .default_json = "300",
                  .min = 2,
                  .max = 100000000,
                  .doc = "groups with fewer events in the period are skipped"},
                 &R::min_events});
    v.push_back({kCellSizeField, &R::cell_size_m});
    v.push_back({{.name = "knox_space_m",
                  .type = FieldType::kDouble,
                  .default_json = "200",
                  .min = 1,
                  .max = 100000,
                  .units = "m",
                  .doc = "close range in space for the Knox ratio"},
                 &R::knox_space_m});
    v.push_back({{.name = "knox_days",
                  .type = FieldType::kInt,
                  .default_json = "7",
                  .min = 1,
                  .max = 3650,
                  .units = "days",
                  .doc = "close range in time (days) for the Knox ratio"},
                 &R::knox_days});
    v.push_back({{.name = "permutations",
                  .type = FieldType::kInt,
                  .default_json = "99",
                  .min = 1,
                  .max = 100000,
                  .doc = "Knox Monte Carlo permutations"},
                 &R::permutations});
    v.push_back({{.name = "backtest_days",
                  .type = FieldType::kInt,
                  .default_json = "90",
                  .units = "days",
                  .doc = "daily origins scored: the last N days before --to (1 .. the days in "
                         "[--from, --to))"},
                 &R::backtest_days});
    v.push_back({{.name = "train_days",
                  .type = FieldType::kInt,
                  .default_json = "365",
                  .min = 1,
                  .max = 36500,
                  .units = "days",
                  .doc = "training window of the backtest"},
                 &R::train_days});
    v.push_back({{.name = "bootstrap",
                  .type = FieldType::kInt,
                  .default_json = "1000",
                  .min = 0,
                  .max = 1000000,
                  .doc = "bootstrap replications of the intervals"},
                 &R::bootstrap});
    v.push_back({{.name = "seed",
                  .type = FieldType::kInt,
                  .default_json = "1",
                  .min = 0,
                  .doc = "seed of the permutations and the bootstrap"},
                 &R::seed});
    v.push_back({kAllowEnforcementField, &R::allow_enforcement_types});
    AddReleaseFields(
        &v, {"public release: leave out offence groups with fewer than --min-incidents events, "
             "publish no pair or scored-event counts",
             "public release: least events a published offence group rests on",
             "public release: privacy budget ε of Laplace noise (sensitivity 1) on each published "
             "event count; default: no noise"});
    return v;
  }();
  return fields;
}

Status PredictabilityRequest::Validate() const {
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, ParseDate(from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, ParseDate(to, "--to"));
  if (to_s <= from_s) {
    return Status::InvalidInput("--to: must be after --from (got \"" + to + "\")");
  }
  if (backtest_days < 1 || backtest_days > (to_s - from_s) / kSecondsPerDay) {
    return Status::InvalidInput(
        "--backtest-days: expected 1 .. the days in [--from, --to) (got \"" +
        std::to_string(backtest_days) + "\")");
  }
  if (models.empty()) return Status::InvalidInput("--models: no model given (got \"\")");
  PLACECAST_RETURN_IF_ERROR(CheckModelNames(models, "--models"));
  return CheckReleaseFields(*this, !store.empty());
}

namespace {

struct GroupRow {
  int64_t rank = 0;
  std::string group;
  int ucr_part = 0;
  int64_t events = 0;
  double knox_ratio = NAN, knox_p = NAN;
  int64_t knox_observed = 0;
  double knox_expected = NAN;
  eval::Concentration conc;
  std::string best_model;
  double hit5 = NAN, hit5_lo = NAN, hit5_hi = NAN, pai5 = NAN;
  int64_t scored = 0;
};

std::string Num(double v, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

nlohmann::ordered_json JsonNum(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

// A backtest figure as its summary.json states it (eval::BacktestSummaryJson): rounded to 9
// significant digits, NaN for a figure it writes as null. The products were made from those
// numbers, so they keep their bytes.
double AsSummarised(double v) {
  if (!std::isfinite(v)) return NAN;
  if (v == 0) return 0.0;
  char text[40];
  std::snprintf(text, sizeof(text), "%.9g", v);
  return std::strtod(text, nullptr);
}

// Close-range Knox ratio: pairs at most `space_m` apart (same location included) and less than
// `days` apart, observed over the mean of the permutations.
Status CloseRangeKnox(const EventSet& events, const PredictabilityRequest& r,
                      const Calendar& calendar, GroupRow* row) {
  analysis::KnoxRequest req;
  req.calendar = calendar;
  req.space_bands_m = {r.knox_space_m};
  req.time_bands_days = {r.knox_days};
  req.permutations = r.permutations;
  req.seed = static_cast<uint64_t>(r.seed);
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxResult k, analysis::KnoxTest(events, req));
  // Rows: same location, (0, space_m), [space_m, inf); column 0: [0, days).
  int64_t obs = 0;
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    obs += k.observed[k.Index(i, 0)];
    expected += k.expected[k.Index(i, 0)];
  }
  row->knox_observed = obs;
  row->knox_expected = expected;
  row->knox_ratio = expected > 0 ? static_cast<double>(obs) / expected : NAN;
  // The p-value of the merged cell is not the sum of the two; report the (0, space_m) band's,
  // which holds nearly all close pairs, only when the same-location band is empty of signal.
  row->knox_p = k.p_value[k.Index(1, 0)];
  return Status::Ok();
}

// The best model's hit rate at 5% of cells (with its interval) and PAI, from the backtest.
void TakeBestModel(const eval::BacktestResult& bt, GroupRow* row) {
  const auto& cov = bt.coverages_pct;
  const size_t at5 = static_cast<size_t>(std::find(cov.begin(), cov.end(), 5.0) - cov.begin());
  if (at5 == cov.size()) return;
  for (const eval::ModelBacktest& m : bt.models) {
    const double mean = AsSummarised(m.hit_rate_summary[at5].mean);
    if (std::isnan(mean)) continue;
    if (!std::isfinite(row->hit5) || mean > row->hit5) {
      row->hit5 = mean;
      row->hit5_lo = AsSummarised(m.hit_rate_summary[at5].lo);
      row->hit5_hi = AsSummarised(m.hit_rate_summary[at5].hi);
      row->pai5 = AsSummarised(m.pai_summary[at5].mean);
      row->best_model = m.name;
    }
  }
}

// Public release (docs/privacy.md, "predictability"): the rows of groups with fewer than k events
// in the period are left out (ranks keep their numbers, so a gap shows one); with ε each published
// row's event count gets Laplace noise of sensitivity 1 (an incident is in one group's count). The
// pair counts (Knox observed and expected: one incident is in many pairs) and the scored-event
// counts are not published; the ratios, shares and rates come from the true data. Returns the
// privacy record.
Result<nlohmann::ordered_json> MakeRowsPublic(const PredictabilityRequest& r,
                                              const Release& release, std::vector<GroupRow>* rows) {
  std::vector<int64_t> events;
  for (const GroupRow& g : *rows) events.push_back(g.events);
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedRows published,
                             privacy::ReleaseRows(SpecOf(release), events, 1));
  std::vector<GroupRow> kept;
  for (size_t j = 0; j < published.kept.size(); ++j) {
    kept.push_back((*rows)[published.kept[j]]);
    kept.back().events = published.counts[j];
  }
  const int64_t groups = static_cast<int64_t>(rows->size());
  const int64_t withheld = groups - static_cast<int64_t>(kept.size());
  *rows = std::move(kept);
  char buf[900];
  std::snprintf(
      buf, sizeof(buf),
      "Public release: no incident points, times or ids are published. Offence groups with fewer "
      "than k = %lld events in the period are left out (%lld of %lld; ranks keep their numbers), "
      "and groups skipped for fewer than --min-events events are named without their count. The "
      "Knox pair counts (observed, expected) and the scored-event counts are not published. The "
      "Knox ratio and p-value, the concentration shares and Gini, and the hit rates and PAI are "
      "computed on the true data and published as such; the noise does not cover them. ",
      static_cast<long long>(r.min_incidents), static_cast<long long>(withheld),
      static_cast<long long>(groups));
  const std::string note =
      buf + NoiseSentence(release, 1, "each published event count", "per incident",
                          "rounded to a whole number and at least 0");
  return PrivacyJson(release, {{"groups", groups}, {"withheld_groups", withheld}}, 1, note);
}

}  // namespace

Result<Product> Run(io::Store& store, const PredictabilityRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, cal.ParseDate(r.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, cal.ParseDate(r.to, "--to"));
  const std::vector<std::string>& models = r.models;

  std::vector<GroupRow> rows;
  std::vector<std::string> skipped;
  ctx.progress->Stage("predictability: groups");
  const auto groups = OffenceGroups();
  int64_t done = 0;
  // One no-boundary warning for the command, not one per group.
  ProgressWithoutBoundaryWarning quiet(*ctx.progress);
  double bbox_km2 = 0;
  for (const OffenceGroupInfo& g : groups) {
    ctx.progress->Update(done++, static_cast<int64_t>(groups.size()));
    if (g.group == OffenceGroup::kUnknown || g.group == OffenceGroup::kOther) continue;
    const std::string name(g.name);
    if (g.enforcement_driven && !r.allow_enforcement_types) {
      skipped.push_back(name + " (enforcement-driven)");
      continue;
    }
    // Events from the start of the first training window to the end of the period.
    const int64_t first_origin = cal.AddDays(to_s, -r.backtest_days);
    auto study = LoadStudy(store, name, r.boundary, r.boundary_crs, r.cell_size_m,
                           std::min(from_s, cal.AddDays(first_origin, -r.train_days)), to_s,
                           r.allow_enforcement_types, quiet);
    if (!study.ok()) {
      // A group the data cannot support (an empty store, no incident to lay a grid over) or whose
      // grid cannot be made is skipped with its reason; anything else (a damaged store, which is
      // kData too) fails the run.
      bool skip = study.status().code() == ErrorCode::kInvalidInput;
      if (study.status().code() == ErrorCode::kData) {
        PLACECAST_ASSIGN_OR_RETURN(EventSet all,
                                   store.LoadEvents({g.group}, std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::max()));
        skip = all.empty();
      }
      if (skip) {
        // The reason without the store's path ("STORE: no arson incident …"): the products do not
        // depend on where the store lies, so a replay against a copy gives the same bytes.
        std::string why = study.status().message();
        const std::string prefix = store.GetPath() + ": ";
        if (why.compare(0, prefix.size(), prefix) == 0) why.erase(0, prefix.size());
        skipped.push_back(name + " (" + why + ")");
        continue;
      }
      return study.status();
    }
    bbox_km2 = std::max(bbox_km2, study->bbox_area_km2);
    const auto [b, e] = study->events.TimeRange(from_s, to_s);
    GroupRow row;
    row.group = name;
    row.ucr_part = g.ucr_part;
    row.events = static_cast<int64_t>(e - b);
    if (row.events < r.min_events) {
      skipped.push_back(name + " (" +
                        (r.public_release ? "fewer than " + std::to_string(r.min_events)
                                          : std::to_string(row.events)) +
                        " events)");
      continue;
    }
    EventSet period;
    period.crs = study->events.crs;
    period.offence_names = study->events.offence_names;
    for (size_t i = b; i < e; ++i) {
      period.t_s.push_back(study->events.t_s[i]);
      period.x_m.push_back(study->events.x_m[i]);
      period.y_m.push_back(study->events.y_m[i]);
      period.group.push_back(study->events.group[i]);
      period.offence.push_back(study->events.offence[i]);
      period.id.push_back(study->events.id[i]);
    }
    PLACECAST_RETURN_IF_ERROR(CloseRangeKnox(period, r, cal, &row).Wrap("knox test of " + name));
    const auto counts = eval::CountEventsPerCell(study->events, study->grid, from_s, to_s);
    PLACECAST_ASSIGN_OR_RETURN(row.conc, eval::ComputeConcentration(counts, 5));

    eval::BacktestRequest req;
    req.models = models;
    for (const auto& m : models) req.params[m] = {};
    req.from_s = first_origin;
    req.to_s = cal.AddDays(to_s, -1);
    req.calendar = cal;
    req.train_days = static_cast<int>(r.train_days);
    req.horizon_days = 1;
    req.bootstrap_reps = static_cast<int>(r.bootstrap);
    req.seed = static_cast<uint64_t>(r.seed);
    PLACECAST_RETURN_IF_ERROR(req.Validate());
    FitContexts contexts(store, *study, r.allow_enforcement_types, req.to_s);
    auto run = eval::RunBacktest(req, study->events, study->grid, contexts.Factory());
    if (!run.ok() && run.status().code() == ErrorCode::kData) {
      // A training window without events (models::NoTrainingEvents): this group cannot be scored.
      skipped.push_back(name + " (" + run.status().message() + ")");
      continue;
    }
    PLACECAST_ASSIGN_OR_RETURN(eval::BacktestResult bt, std::move(run));
    row.scored = bt.events;
    TakeBestModel(bt, &row);
    rows.push_back(row);
  }
  if (bbox_km2 > 0) {
    ctx.progress->Warn(NoBoundaryWarning("each group's incidents (the largest)", bbox_km2));
  }
  if (rows.empty()) {
    return Status::InvalidInput("predictability: no offence group has " +
                                std::to_string(r.min_events) + " events in the period (got \"" +
                                r.from + " .. " + r.to + "\")");
  }
  // Most predictable first: by the best model's hit rate at 5%, ties by name.
  std::stable_sort(rows.begin(), rows.end(), [](const GroupRow& a, const GroupRow& b) {
    const double ha = std::isfinite(a.hit5) ? a.hit5 : -1, hb = std::isfinite(b.hit5) ? b.hit5 : -1;
    return ha != hb ? ha > hb : a.group < b.group;
  });
  for (size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int64_t>(i) + 1;
  PLACECAST_ASSIGN_OR_RETURN(Release release, MakeRelease(&store, r));
  nlohmann::ordered_json privacy;
  if (r.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeRowsPublic(r, release, &rows));
  }
  // Counts a public release does not publish: empty in the CSV, null in the JSON.
  auto count_text = [&](int64_t v) { return r.public_release ? std::string() : std::to_string(v); };
  auto count_json = [&](int64_t v) {
    return r.public_release ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
  };
  auto real_json = [&](double v) {
    return r.public_release ? nlohmann::ordered_json(nullptr) : JsonNum(v);
  };

  std::string csv =
      "rank,group,ucr_part,events,knox_ratio,knox_p,knox_observed,knox_expected,top5_share,gini,"
      "generalized_gini,cells_with_events_share,best_model,hit_rate_5,hit_rate_5_lo,hit_rate_5_hi,"
      "pai_5,events_scored\n";
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.predictability";
  j["from"] = r.from;
  j["to"] = r.to;
  j["settings"] = {{"min_events", r.min_events},       {"cell_size_m", r.cell_size_m},
                   {"knox_space_m", r.knox_space_m},   {"knox_days", r.knox_days},
                   {"permutations", r.permutations},   {"models", models},
                   {"backtest_days", r.backtest_days}, {"train_days", r.train_days},
                   {"bootstrap", r.bootstrap},         {"seed", r.seed}};
  j["groups"] = nlohmann::ordered_json::array();
  std::vector<render::BarItem> bars;
  for (const GroupRow& g : rows) {
    csv += std::to_string(g.rank) + "," + g.group + "," + std::to_string(g.ucr_part) + "," +
           std::to_string(g.events) + "," + Num(g.knox_ratio) + "," + Num(g.knox_p) + "," +
           count_text(g.knox_observed) + "," +
           (r.public_release ? std::string() : Num(g.knox_expected)) + "," + Num(g.conc.top_share) +
           "," + Num(g.conc.gini) + "," + Num(g.conc.generalized_gini) + "," +
           Num(g.conc.cells_with_events_share) + "," + g.best_model + "," + Num(g.hit5) + "," +
           Num(g.hit5_lo) + "," + Num(g.hit5_hi) + "," + Num(g.pai5) + "," + count_text(g.scored) +
           "\n";
    j["groups"].push_back(
        {{"rank", g.rank},
         {"group", g.group},
         {"ucr_part", g.ucr_part},
         {"events", g.events},
         {"knox",
          {{"ratio", JsonNum(g.knox_ratio)},
           {"p", JsonNum(g.knox_p)},
           {"observed", count_json(g.knox_observed)},
           {"expected", real_json(g.knox_expected)}}},
         {"concentration",
          {{"top5_share", g.conc.top_share},
           {"gini", g.conc.gini},
           {"generalized_gini", g.conc.generalized_gini},
           {"cells_with_events_share", g.conc.cells_with_events_share}}},
         {"backtest",
          {{"best_model", g.best_model},
           {"hit_rate_5",
            {{"mean", JsonNum(g.hit5)}, {"lo", JsonNum(g.hit5_lo)}, {"hi", JsonNum(g.hit5_hi)}}},
           {"pai_5", JsonNum(g.pai5)},
           {"events_scored", count_json(g.scored)}}}});
    if (std::isfinite(g.hit5)) {
      bars.push_back({g.group, g.hit5, g.hit5_lo, g.hit5_hi,
                      "Knox " + Num(g.knox_ratio, "%.2f") +
                          ", top 5%: " + Num(100 * g.conc.top_share, "%.0f") + "%"});
    }
  }
  j["skipped"] = skipped;
  if (r.public_release) j["privacy"] = privacy;
  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // lines name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "predictability.csv", csv));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "predictability.json", SafeDump(j, 2) + "\n"));
  // The chart is absent when no group was backtested.
  if (!bars.empty()) {
    PLACECAST_RETURN_IF_ERROR(render::RenderBarChartPng(
        sdir + "predictability.png",
        "Predictability: next-day hit rate at 5% of cells, " + r.from + " .. " + r.to,
        "hit rate of the best model (share of next-day events in the top 5% of cells)", bars, 0.05,
        "chance (5%)"));
  }
  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));

  char line[512];
  std::snprintf(line, sizeof(line), "%-4s %-26s %7s %7s %7s %6s %6s %-12s %18s %6s", "rank",
                "group", "events", "knox", "top5%", "gini", "gini'", "best model",
                "hit@5% [95% CI]", "PAI@5");
  out.lines.push_back(line);
  nlohmann::ordered_json ranking = nlohmann::ordered_json::array();
  for (const GroupRow& g : rows) {
    const std::string hit = Num(100 * g.hit5, "%.1f") + " [" + Num(100 * g.hit5_lo, "%.1f") + ", " +
                            Num(100 * g.hit5_hi, "%.1f") + "]";
    std::snprintf(line, sizeof(line), "%-4lld %-26s %7lld %7s %7s %6s %6s %-12s %18s %6s",
                  static_cast<long long>(g.rank), g.group.c_str(), static_cast<long long>(g.events),
                  Num(g.knox_ratio, "%.2f").c_str(), Num(100 * g.conc.top_share, "%.1f").c_str(),
                  Num(g.conc.gini, "%.2f").c_str(), Num(g.conc.generalized_gini, "%.2f").c_str(),
                  g.best_model.c_str(), hit.c_str(), Num(g.pai5, "%.2f").c_str());
    out.lines.push_back(line);
    ranking.push_back({{"rank", g.rank},
                       {"group", g.group},
                       {"best_model", g.best_model},
                       {"hit_rate_5", JsonNum(g.hit5)}});
  }
  for (const auto& s : skipped) out.lines.push_back("skipped: " + s);
  out.lines.push_back("wrote " + dir + "predictability.{csv,json,png}");
  if (r.public_release) {
    out.lines.push_back(PublicReleaseLine(release, "", privacy["withheld_groups"].get<int64_t>(),
                                          privacy["groups"].get<int64_t>(),
                                          "offence groups withheld", 1));
  }
  out.summary["groups"] = std::move(ranking);
  out.summary["skipped"] = skipped;
  out.summary["ledger_seq"] = out.ledger_seq;
  for (const char* name : {"predictability.csv", "predictability.json", "predictability.png"}) {
    if (std::string(name) == "predictability.png" && bars.empty()) continue;
    out.files.push_back(dir + name);
  }
  return out;
}

OpInfo PredictabilityOp() {
  return MakeOpInfo<PredictabilityRequest>(
      StoreUse::kRead,
      [](io::Store* s, const PredictabilityRequest& r, Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
