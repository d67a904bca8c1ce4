// SPDX-License-Identifier: Apache-2.0
// The backtest's output formats: summary.json (nlohmann::ordered_json, fixed key order, numbers
// rounded to 9 significant digits), per_origin.csv, hit_rate_curves.csv and calibration.csv. Pure
// functions of a BacktestResult; thread-safe.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "placecast/eval/backtest.h"

namespace placecast::eval {
namespace {

using Json = nlohmann::ordered_json;

// Coverage as a key or column suffix: "%g" ("0.5", "1", "5").
std::string Key(double c) { return fmt::format("{:g}", c); }

// 9 significant digits, text that does not depend on the locale; "" for NaN.
std::string Text(double v) {
  if (std::isnan(v)) return "";
  if (v == 0) return "0";  // no "-0"
  return fmt::format("{:.9g}", v);
}

// A JSON number rounded to 9 significant digits (null for NaN), so that equal results dump to
// equal bytes whatever the last bits of the arithmetic.
Json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == 0) return 0.0;
  const std::string text = fmt::format("{:.9g}", v);
  double rounded = v;
  std::from_chars(text.data(), text.data() + text.size(), rounded);
  return rounded;
}

Json Intervals(const std::vector<Interval>& v, const std::vector<double>& cov) {
  Json j = Json::object();
  for (size_t c = 0; c < cov.size(); ++c) {
    j[Key(cov[c])] = {{"mean", Num(v[c].mean)}, {"lo", Num(v[c].lo)}, {"hi", Num(v[c].hi)}};
  }
  return j;
}

Json Diffs(const std::vector<PairedDiff>& v, const std::vector<double>& cov) {
  Json j = Json::object();
  for (size_t c = 0; c < cov.size(); ++c) {
    j[Key(cov[c])] = {
        {"diff", Num(v[c].diff)}, {"lo", Num(v[c].lo)}, {"hi", Num(v[c].hi)}, {"p", Num(v[c].p)}};
  }
  return j;
}

Json CalibrationJson(const Calibration& c) {
  Json j;
  j["value_kind"] = std::string(models::OutputKindName(c.value_kind));
  j["predicted"] = Num(c.predicted);
  j["observed"] = Num(c.observed);
  j["observed_over_predicted"] = Num(c.observed_over_predicted);
  j["calibration_error"] = Num(c.calibration_error);
  Json rows = Json::array();
  for (const CalibrationDecile& d : c.deciles) {
    rows.push_back({{"decile", d.decile},
                    {"cells", d.cells},
                    {"predicted", Num(d.predicted)},
                    {"observed", Num(d.observed)},
                    {"predicted_share", Num(d.predicted_share)},
                    {"observed_share", Num(d.observed_share)}});
  }
  j["deciles"] = rows;
  return j;
}

}  // namespace

std::string BacktestSummaryJson(const BacktestResult& r) {
  Json j;
  j["schema_version"] = 1;
  j["kind"] = "placecast.backtest";
  j["from"] = r.calendar.FormatDate(r.from_s);
  j["to"] = r.calendar.FormatDate(r.to_s);
  j["days"] = r.calendar.Describe();
  j["time_zone"] = r.calendar.zone();
  j["train_days"] = r.train_days;
  j["horizon_days"] = Num(r.horizon_days);
  j["origins"] = static_cast<int64_t>(r.origins_s.size());
  j["origins_with_events"] = r.origins_with_events;
  j["events"] = r.events;
  Json cov = Json::array();
  for (double c : r.coverages_pct) cov.push_back(Num(c));
  j["coverages_pct"] = cov;
  j["ties"] =
      "risk, then 5-year cell history, then its 3x3 sum; expected value within blocks still tied";
  j["means"] =
      "over origins with at least one event in the horizon; origins without events count in "
      "\"origins\" only";
  j["bootstrap"] = {
      {"reps", r.bootstrap_reps}, {"seed", r.seed}, {"method", "percentile, resampling origins"}};
  j["reference"] = r.reference;
  j["calibration"] =
      "every origin; cells ranked by forecast with the tie rule, 10 groups of equal numbers of "
      "cells (decile 1 riskiest), events of blocks still tied shared by position; expected_count: "
      "observed vs predicted counts, relative_score: shares of the totals";
  Json models = Json::object();
  for (const ModelBacktest& m : r.models) {
    Json mj;
    mj["params"] = Json::parse(m.params.ToJson());
    mj["warnings"] = m.warnings;
    if (std::any_of(m.choices.begin(), m.choices.end(),
                    [](const std::string& c) { return !c.empty(); })) {
      Json choices = Json::object();  // by origin date: what the model chose there
      for (size_t o = 0; o < m.choices.size() && o < r.origins_s.size(); ++o) {
        choices[r.calendar.FormatDate(r.origins_s[o])] = m.choices[o];
      }
      mj["choices"] = choices;
    }
    mj["hit_rate"] = Intervals(m.hit_rate_summary, r.coverages_pct);
    mj["pai"] = Intervals(m.pai_summary, r.coverages_pct);
    mj["pei"] = Intervals(m.pei_summary, r.coverages_pct);
    Json pooled = Json::object();
    for (size_t c = 0; c < r.coverages_pct.size(); ++c) {
      pooled[Key(r.coverages_pct[c])] = Num(m.pooled_hit_rate[c]);
    }
    mj["pooled_hit_rate"] = pooled;
    if (!m.hit_rate_vs_reference.empty()) {
      mj["vs_reference"] = {
          {"reference", r.reference},
          {"test", "paired sign-flip permutation, two-sided"},
          {"hit_rate", Diffs(m.hit_rate_vs_reference, r.coverages_pct)},
          {"pai", Diffs(m.pai_vs_reference, r.coverages_pct)},
      };
    }
    mj["calibration"] = CalibrationJson(m.calibration);
    models[m.name] = mj;
  }
  j["models"] = models;
  return j.dump(2) + "\n";
}

std::string BacktestPerOriginCsv(const BacktestResult& r) {
  std::string out = "model,origin,events";
  for (const char* metric : {"hit_rate", "pai", "pei"}) {
    for (double c : r.coverages_pct) out += fmt::format(",{}_{}", metric, Key(c));
  }
  out += '\n';
  const size_t nc = r.coverages_pct.size();
  for (const ModelBacktest& m : r.models) {
    for (size_t o = 0; o < r.origins_s.size(); ++o) {
      out += m.name + ',' + r.calendar.FormatDate(r.origins_s[o]) + ',' +
             std::to_string(r.events_per_origin[o]);
      for (const std::vector<double>* v : {&m.hit_rate, &m.pai, &m.pei}) {
        for (size_t c = 0; c < nc; ++c) {
          out += ',';
          out += Text((*v)[o * nc + c]);
        }
      }
      out += '\n';
    }
  }
  return out;
}

std::string HitRateCurvesCsv(const BacktestResult& r) {
  std::string out = "model,coverage_pct,hit_rate\n";
  const auto curve = CurveCoveragesPct();
  for (const ModelBacktest& m : r.models) {
    for (size_t j = 0; j < curve.size() && j < m.curve_hit_rate.size(); ++j) {
      out += m.name + ',' + Key(curve[j]) + ',' + Text(m.curve_hit_rate[j]) + '\n';
    }
  }
  return out;
}

std::string CalibrationCsv(const BacktestResult& r) {
  std::string out = "model,decile,cells,predicted,observed,predicted_share,observed_share\n";
  for (const ModelBacktest& m : r.models) {
    for (const CalibrationDecile& d : m.calibration.deciles) {
      out += m.name + ',' + std::to_string(d.decile) + ',' + std::to_string(d.cells) + ',' +
             Text(d.predicted) + ',' + Text(d.observed) + ',' + Text(d.predicted_share) + ',' +
             Text(d.observed_share) + '\n';
    }
  }
  return out;
}

}  // namespace placecast::eval
