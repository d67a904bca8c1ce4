// SPDX-License-Identifier: Apache-2.0
// `placecast predictability`: which offence types are predictable at all. For every offence group
// with enough events: the Knox ratio at close range (near-repeat signal), the concentration of its
// events over cells (top-5% share, Gini), and the daily backtest hit rate and PAI at 5% of the best
// of the given models. Writes predictability.csv / .json and a bar chart ranking the groups, and
// appends a ledger record.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "placecast/analysis/knox.h"
#include "placecast/common/offence.h"
#include "placecast/eval/backtest.h"
#include "placecast/eval/concentration.h"
#include "placecast/eval/metrics.h"
#include "placecast/io/file_util.h"
#include "placecast/io/privacy.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"
#include "placecast/models/model.h"

namespace placecast::cli {
namespace {

struct PredictabilityFlags : PublicReleaseFlags {
  std::string store, from, to, out, boundary;
  std::string models = "naive,retro";
  int64_t min_events = 300;
  double cell_size_m = 150;
  double knox_space_m = 200;
  int64_t knox_days = 7;
  int64_t permutations = 99;
  int backtest_days = 90;
  int train_days = 365;
  int bootstrap = 1000;
  uint64_t seed = 1;
  bool allow_enforcement = false;
};

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

// Close-range Knox ratio: pairs at most `space_m` apart (same location included) and less than
// `days` apart, observed over the mean of the permutations.
Status CloseRangeKnox(const EventSet& events, const PredictabilityFlags& f, GroupRow* row) {
  analysis::KnoxRequest req;
  req.space_bands_m = {f.knox_space_m};
  req.time_bands_days = {f.knox_days};
  req.permutations = f.permutations;
  req.seed = f.seed;
  PLACECAST_ASSIGN_OR_RETURN(analysis::KnoxResult k, analysis::KnoxTest(events, req));
  // Rows: same location, (0, space_m), [space_m, inf); column 0: [0, days).
  int64_t obs = 0;
  double expected = 0;
  for (int r = 0; r < 2; ++r) {
    obs += k.observed[k.Index(r, 0)];
    expected += k.expected[k.Index(r, 0)];
  }
  row->knox_observed = obs;
  row->knox_expected = expected;
  row->knox_ratio = expected > 0 ? static_cast<double>(obs) / expected : NAN;
  // The p-value of the merged cell is not the sum of the two; report the (0, space_m) band's,
  // which holds nearly all close pairs, only when the same-location band is empty of signal.
  row->knox_p = k.p_value[k.Index(1, 0)];
  return Status::Ok();
}

// Public release (docs/privacy.md, "predictability"): the rows of groups with fewer than k events
// in the period are left out (ranks keep their numbers, so a gap shows one); with ε each published
// row's event count gets Laplace noise of sensitivity 1 (an incident is in one group's count). The
// pair counts (Knox observed and expected: one incident is in many pairs) and the scored-event
// counts are not published; the ratios, shares and rates come from the true data. Returns the
// privacy record.
Result<nlohmann::ordered_json> MakeRowsPublic(const PredictabilityFlags& f,
                                              std::vector<GroupRow>* rows) {
  std::vector<int64_t> events;
  for (const GroupRow& r : *rows) events.push_back(r.events);
  PLACECAST_ASSIGN_OR_RETURN(std::vector<int64_t> published, PublicCounts(f, events, 1));
  std::vector<GroupRow> kept;
  for (size_t i = 0; i < rows->size(); ++i) {
    if (published[i] == io::kWithheldCount) continue;
    kept.push_back((*rows)[i]);
    kept.back().events = published[i];
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
      static_cast<long long>(f.min_incidents), static_cast<long long>(withheld),
      static_cast<long long>(groups));
  const std::string note = buf + NoiseSentence(f, 1, "each published event count", "per incident",
                                               "rounded to a whole number and at least 0");
  return PrivacyJson(f, {{"groups", groups}, {"withheld_groups", withheld}}, 1, note);
}

Status RunPredictability(const PredictabilityFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, ParseDate(f.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, ParseDate(f.to, "--to"));
  if (to_s <= from_s) {
    return Status::InvalidInput("--to: must be after --from (got \"" + f.to + "\")");
  }
  if (f.backtest_days < 1 || f.backtest_days > (to_s - from_s) / kSecondsPerDay) {
    return Status::InvalidInput(
        "--backtest-days: expected 1 .. the days in [--from, --to) (got \"" +
        std::to_string(f.backtest_days) + "\")");
  }
  const std::vector<std::string> models = SplitComma(f.models);
  if (models.empty()) return Status::InvalidInput("--models: no model given (got \"\")");

  std::vector<GroupRow> rows;
  std::vector<std::string> skipped;
  Progress progress("predictability: groups", ShowProgress());
  const auto groups = OffenceGroups();
  int64_t done = 0;
  for (const OffenceGroupInfo& g : groups) {
    progress.Update(done++, static_cast<int64_t>(groups.size()));
    if (g.group == OffenceGroup::kUnknown || g.group == OffenceGroup::kOther) continue;
    const std::string name(g.name);
    if (g.enforcement_driven && !f.allow_enforcement) {
      skipped.push_back(name + " (enforcement-driven)");
      continue;
    }
    // Events from the start of the first training window to the end of the period.
    const int64_t first_origin = to_s - static_cast<int64_t>(f.backtest_days) * kSecondsPerDay;
    auto study = LoadStudy(f.store, name, f.boundary, f.cell_size_m,
                           std::min(from_s, first_origin - f.train_days * kSecondsPerDay), to_s,
                           f.allow_enforcement);
    if (!study.ok()) {
      if (study.status().code() == ErrorCode::kInvalidInput ||
          study.status().code() == ErrorCode::kNotFound) {
        skipped.push_back(name + " (" + study.status().message() + ")");
        continue;
      }
      return study.status();
    }
    const auto [b, e] = study->events.TimeRange(from_s, to_s);
    GroupRow row;
    row.group = name;
    row.ucr_part = g.ucr_part;
    row.events = static_cast<int64_t>(e - b);
    if (row.events < f.min_events) {
      skipped.push_back(name + " (" +
                        (f.public_release ? "fewer than " + std::to_string(f.min_events)
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
    PLACECAST_RETURN_IF_ERROR(CloseRangeKnox(period, f, &row).Wrap("knox test of " + name));
    const auto counts = eval::CountEventsPerCell(study->events, study->grid, from_s, to_s);
    PLACECAST_ASSIGN_OR_RETURN(row.conc, eval::ComputeConcentration(counts, 5));

    eval::BacktestRequest req;
    req.models = models;
    for (const auto& m : models) req.params[m] = {};
    req.from_s = first_origin;
    req.to_s = to_s - kSecondsPerDay;
    req.train_days = f.train_days;
    req.horizon_days = 1;
    req.bootstrap_reps = f.bootstrap;
    req.seed = f.seed;
    PLACECAST_RETURN_IF_ERROR(req.Validate());
    PLACECAST_ASSIGN_OR_RETURN(eval::BacktestResult bt,
                               eval::RunBacktest(req, study->events, study->grid));
    const auto summary = nlohmann::json::parse(eval::BacktestSummaryJson(bt));
    row.scored = summary["events"].get<int64_t>();
    for (const auto& m : models) {
      const auto& h = summary["models"][m]["hit_rate"]["5"];
      if (h["mean"].is_null()) continue;
      const double mean = h["mean"].get<double>();
      if (!std::isfinite(row.hit5) || mean > row.hit5) {
        row.hit5 = mean;
        row.hit5_lo = h["lo"].is_null() ? NAN : h["lo"].get<double>();
        row.hit5_hi = h["hi"].is_null() ? NAN : h["hi"].get<double>();
        row.pai5 = summary["models"][m]["pai"]["5"]["mean"].get<double>();
        row.best_model = m;
      }
    }
    rows.push_back(row);
  }
  progress.Finish();
  if (rows.empty()) {
    return Status::InvalidInput("predictability: no offence group has " +
                                std::to_string(f.min_events) + " events in the period (got \"" +
                                f.from + " .. " + f.to + "\")");
  }
  // Most predictable first: by the best model's hit rate at 5%, ties by name.
  std::stable_sort(rows.begin(), rows.end(), [](const GroupRow& a, const GroupRow& b) {
    const double ha = std::isfinite(a.hit5) ? a.hit5 : -1, hb = std::isfinite(b.hit5) ? b.hit5 : -1;
    return ha != hb ? ha > hb : a.group < b.group;
  });
  for (size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int64_t>(i) + 1;
  nlohmann::ordered_json privacy;
  if (f.public_release) {
    PLACECAST_ASSIGN_OR_RETURN(privacy, MakeRowsPublic(f, &rows));
  }
  // Counts a public release does not publish: empty in the CSV, null in the JSON.
  auto count_text = [&](int64_t v) { return f.public_release ? std::string() : std::to_string(v); };
  auto count_json = [&](int64_t v) {
    return f.public_release ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
  };
  auto real_json = [&](double v) {
    return f.public_release ? nlohmann::ordered_json(nullptr) : JsonNum(v);
  };

  std::string csv =
      "rank,group,ucr_part,events,knox_ratio,knox_p,knox_observed,knox_expected,top5_share,gini,"
      "generalized_gini,cells_with_events_share,best_model,hit_rate_5,hit_rate_5_lo,hit_rate_5_hi,"
      "pai_5,events_scored\n";
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.predictability";
  j["from"] = f.from;
  j["to"] = f.to;
  j["settings"] = {{"min_events", f.min_events},       {"cell_size_m", f.cell_size_m},
                   {"knox_space_m", f.knox_space_m},   {"knox_days", f.knox_days},
                   {"permutations", f.permutations},   {"models", models},
                   {"backtest_days", f.backtest_days}, {"train_days", f.train_days},
                   {"bootstrap", f.bootstrap},         {"seed", f.seed}};
  j["groups"] = nlohmann::ordered_json::array();
  std::vector<io::BarItem> bars;
  for (size_t i = 0; i < rows.size(); ++i) {
    const GroupRow& r = rows[i];
    csv += std::to_string(r.rank) + "," + r.group + "," + std::to_string(r.ucr_part) + "," +
           std::to_string(r.events) + "," + Num(r.knox_ratio) + "," + Num(r.knox_p) + "," +
           count_text(r.knox_observed) + "," +
           (f.public_release ? std::string() : Num(r.knox_expected)) + "," + Num(r.conc.top_share) +
           "," + Num(r.conc.gini) + "," + Num(r.conc.generalized_gini) + "," +
           Num(r.conc.cells_with_events_share) + "," + r.best_model + "," + Num(r.hit5) + "," +
           Num(r.hit5_lo) + "," + Num(r.hit5_hi) + "," + Num(r.pai5) + "," + count_text(r.scored) +
           "\n";
    j["groups"].push_back(
        {{"rank", r.rank},
         {"group", r.group},
         {"ucr_part", r.ucr_part},
         {"events", r.events},
         {"knox",
          {{"ratio", JsonNum(r.knox_ratio)},
           {"p", JsonNum(r.knox_p)},
           {"observed", count_json(r.knox_observed)},
           {"expected", real_json(r.knox_expected)}}},
         {"concentration",
          {{"top5_share", r.conc.top_share},
           {"gini", r.conc.gini},
           {"generalized_gini", r.conc.generalized_gini},
           {"cells_with_events_share", r.conc.cells_with_events_share}}},
         {"backtest",
          {{"best_model", r.best_model},
           {"hit_rate_5",
            {{"mean", JsonNum(r.hit5)}, {"lo", JsonNum(r.hit5_lo)}, {"hi", JsonNum(r.hit5_hi)}}},
           {"pai_5", JsonNum(r.pai5)},
           {"events_scored", count_json(r.scored)}}}});
    if (std::isfinite(r.hit5)) {
      bars.push_back({r.group, r.hit5, r.hit5_lo, r.hit5_hi,
                      "Knox " + Num(r.knox_ratio, "%.2f") +
                          ", top 5%: " + Num(100 * r.conc.top_share, "%.0f") + "%"});
    }
  }
  j["skipped"] = skipped;
  if (f.public_release) j["privacy"] = privacy;
  // Products are staged inside --out and moved into place only after their ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(io::WriteFileAtomic(sdir + "predictability.csv", csv));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "predictability.json", SafeDump(j, 2) + "\n"));
  if (!bars.empty()) {
    PLACECAST_RETURN_IF_ERROR(io::RenderBarChartPng(
        sdir + "predictability.png",
        "Predictability: next-day hit rate at 5% of cells, " + f.from + " .. " + f.to,
        "hit rate of the best model (share of next-day events in the top 5% of cells)", bars, 0.05,
        "chance (5%)"));
  }
  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["from"] = f.from;
  lp["to"] = f.to;
  lp["boundary"] = f.boundary;
  lp["models"] = models;
  nlohmann::ordered_json mp = nlohmann::ordered_json::object();
  for (const auto& m : models) {  // the backtests run every model at its defaults
    PLACECAST_ASSIGN_OR_RETURN(auto model, models::CreateModel(m, {}));
    mp[m] = nlohmann::ordered_json::parse(model->params().ToJson());
  }
  lp["model_params"] = mp;
  lp["min_events"] = f.min_events;
  lp["cell_size_m"] = f.cell_size_m;
  lp["knox_space_m"] = f.knox_space_m;
  lp["knox_days"] = f.knox_days;
  lp["permutations"] = f.permutations;
  lp["backtest_days"] = f.backtest_days;
  lp["train_days"] = f.train_days;
  lp["bootstrap"] = f.bootstrap;
  lp["seed"] = f.seed;
  lp["allow_enforcement_types"] = f.allow_enforcement;
  lp["out"] = f.out;
  AddPublicReleaseParams(f, &lp);
  // The chart is absent when no group was backtested.
  PLACECAST_RETURN_IF_ERROR(
      RecordAndPublish(f.store, "predictability", SafeDump(lp), {f.store, f.boundary}, *stage));

  std::printf("%-4s %-26s %7s %7s %7s %6s %6s %-12s %18s %6s\n", "rank", "group", "events", "knox",
              "top5%", "gini", "gini'", "best model", "hit@5% [95% CI]", "PAI@5");
  for (size_t i = 0; i < rows.size(); ++i) {
    const GroupRow& r = rows[i];
    std::printf("%-4lld %-26s %7lld %7s %7s %6s %6s %-12s %18s %6s\n",
                static_cast<long long>(r.rank), r.group.c_str(), static_cast<long long>(r.events),
                Num(r.knox_ratio, "%.2f").c_str(), Num(100 * r.conc.top_share, "%.1f").c_str(),
                Num(r.conc.gini, "%.2f").c_str(), Num(r.conc.generalized_gini, "%.2f").c_str(),
                r.best_model.c_str(),
                (Num(100 * r.hit5, "%.1f") + " [" + Num(100 * r.hit5_lo, "%.1f") + ", " +
                 Num(100 * r.hit5_hi, "%.1f") + "]")
                    .c_str(),
                Num(r.pai5, "%.2f").c_str());
  }
  for (const auto& s : skipped) std::printf("skipped: %s\n", s.c_str());
  std::printf("wrote %spredictability.{csv,json,png}\n", dir.c_str());
  if (f.public_release) {
    PrintPublicRelease(f, "", privacy["withheld_groups"].get<int64_t>(),
                       privacy["groups"].get<int64_t>(), "offence groups withheld", 1);
  }
  return Status::Ok();
}

}  // namespace

void RegisterPredictability(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<PredictabilityFlags>();
  auto* cmd =
      app.add_subcommand("predictability",
                         "Rank offence groups by how predictable they are (Knox, concentration, "
                         "backtest hit rate)");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--from", f->from, "start of the period YYYY-MM-DD")->required();
  cmd->add_option("--to", f->to, "end of the period YYYY-MM-DD (exclusive)")->required();
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->add_option("--boundary", f->boundary, "study-area polygons; default: the store's");
  cmd->add_option("--models", f->models, "models to backtest; the best one counts")
      ->capture_default_str();
  cmd->add_option("--min-events", f->min_events,
                  "groups with fewer events in the period are skipped")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{100000000}));
  cmd->add_option("--cell-size-m", f->cell_size_m, "grid cell size in metres")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--knox-space-m", f->knox_space_m, "close range in space for the Knox ratio")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_option("--knox-days", f->knox_days, "close range in time (days) for the Knox ratio")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3650}));
  cmd->add_option("--permutations", f->permutations, "Knox Monte Carlo permutations")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--backtest-days", f->backtest_days,
                  "daily origins scored: the last N days before --to")
      ->capture_default_str();
  cmd->add_option("--train-days", f->train_days, "training window of the backtest")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--bootstrap", f->bootstrap, "bootstrap replications of the intervals")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--seed", f->seed, "seed of the permutations and the bootstrap")
      ->capture_default_str();
  cmd->add_flag("--allow-enforcement-types", f->allow_enforcement,
                "include enforcement-driven offence types (narcotics, weapons, …)");
  AddPublicReleaseFlags(
      cmd, f.get(),
      {"public release: leave out offence groups with fewer than --min-incidents events, publish "
       "no pair or scored-event counts",
       "public release: least events a published offence group rests on",
       "public release: privacy budget ε of Laplace noise (sensitivity 1) on each published event "
       "count; default: no noise"});
  cmd->callback([f, exit_code] {
    if ((*exit_code = CheckPublicReleaseFlags(*f)) != 0) return;
    Status s = RunPredictability(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
