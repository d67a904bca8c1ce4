// SPDX-License-Identifier: Apache-2.0
// simulate-feedback (simulate_feedback.h).
#include "placecast/ops/simulate_feedback.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ops/param_fields.h"
#include "placecast/audit/feedback.h"
#include "placecast/io/file_util.h"
#include "placecast/io/staging.h"
#include "placecast/ops/selection.h"
#include "placecast/render/map.h"

namespace placecast::ops {

std::span<const Field<SimulateFeedbackRequest>> SimulateFeedbackRequest::Fields() {
  using R = SimulateFeedbackRequest;
  static const std::vector<Field<R>> fields = [] {
    const auto p = audit::FeedbackParams();
    std::vector<Field<R>> v;
    v.push_back({FieldOfParam(p, "areas"), &R::areas});
    v.push_back({FieldOfParam(p, "days"), &R::days});
    v.push_back({FieldOfParam(p, "replications"), &R::replications});
    v.push_back({FieldOfParam(p, "seed"), &R::seed});
    v.push_back({FieldOfParam(p, "victim_rate_per_day"), &R::victim_rate_per_day});
    v.push_back({FieldOfParam(p, "discretionary_rate_per_day"), &R::discretionary_rate_per_day});
    v.push_back({FieldOfParam(p, "favoured_areas"), &R::favoured_areas});
    v.push_back({FieldOfParam(p, "initial_bias"), &R::initial_bias});
    v.push_back({FieldOfParam(p, "patrolled_areas"), &R::patrolled_areas});
    v.push_back({FieldOfParam(p, "allocation"), &R::allocation});
    v.push_back({FieldOfParam(p, "forecaster"), &R::forecaster});
    v.push_back({FieldOfParam(p, "window_days"), &R::window_days});
    v.push_back({FieldOfParam(p, "record_victim"), &R::record_victim});
    v.push_back({FieldOfParam(p, "record_disc_low"), &R::record_disc_low});
    v.push_back({FieldOfParam(p, "record_disc_high"), &R::record_disc_high});
    v.push_back({FieldOfParam(p, "epsilon"), &R::epsilon});
    v.push_back({{.name = "rates",
                  .type = FieldType::kInputPath,
                  .default_json = "\"equal\"",
                  .doc = "equal, or a CSV area,victim_rate_per_day,discretionary_rate_per_day"},
                 &R::rates});
    v.push_back({kOutField, &R::out});
    return v;
  }();
  return fields;
}

namespace {

// The simulation's request from the table's fields, with `areas` areas of equal rates.
Result<audit::FeedbackRequest> FromFields(const SimulateFeedbackRequest& r, int64_t areas) {
  const std::map<std::string, std::string> given = {
      {"areas", ParamText(areas)},
      {"days", ParamText(r.days)},
      {"replications", ParamText(r.replications)},
      {"seed", ParamText(r.seed)},
      {"victim_rate_per_day", ParamText(r.victim_rate_per_day)},
      {"discretionary_rate_per_day", ParamText(r.discretionary_rate_per_day)},
      {"favoured_areas", ParamText(r.favoured_areas)},
      {"initial_bias", ParamText(r.initial_bias)},
      {"patrolled_areas", ParamText(r.patrolled_areas)},
      {"allocation", r.allocation},
      {"forecaster", r.forecaster},
      {"window_days", ParamText(r.window_days)},
      {"record_victim", ParamText(r.record_victim)},
      {"record_disc_low", ParamText(r.record_disc_low)},
      {"record_disc_high", ParamText(r.record_disc_high)},
      {"epsilon", ParamText(r.epsilon)},
  };
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values, ParamValues::Resolve(audit::FeedbackParams(),
                                                                      given, "simulate-feedback"));
  return audit::FeedbackRequestFromParams(values);
}

// "area,victim_rate_per_day,discretionary_rate_per_day", one row per area, in order; the first
// favoured_areas rows are the favoured ones.
Status ReadRates(const std::string& path, audit::FeedbackRequest* req) {
  PLACECAST_ASSIGN_OR_RETURN(std::string text, io::ReadFile(path));
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  req->victim_rate_per_day.clear();
  req->discretionary_rate_per_day.clear();
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line != "area,victim_rate_per_day,discretionary_rate_per_day") {
        return Status::InvalidInput(
            path +
            ":1: header: expected \"area,victim_rate_per_day,discretionary_rate_per_day\" "
            "(got \"" +
            line + "\")");
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string item;
    while (std::getline(ss, item, ',')) f.push_back(item);
    if (f.size() != 3) {
      return Status::InvalidInput(path + ":" + std::to_string(line_no) +
                                  ": expected 3 fields (got \"" + line + "\")");
    }
    const char* names[2] = {"victim_rate_per_day", "discretionary_rate_per_day"};
    double v[2];
    for (int i = 0; i < 2; ++i) {
      char* end = nullptr;
      v[i] = std::strtod(f[i + 1].c_str(), &end);
      if (f[i + 1].empty() || *end != '\0' || !std::isfinite(v[i]) || v[i] < 0) {
        return Status::InvalidInput(path + ":" + std::to_string(line_no) + ": " + names[i] +
                                    ": expected a rate >= 0 (got \"" + f[i + 1] + "\")");
      }
    }
    req->victim_rate_per_day.push_back(v[0]);
    req->discretionary_rate_per_day.push_back(v[1]);
  }
  return Status::Ok();
}

}  // namespace

Status SimulateFeedbackRequest::Validate() const {
  // With a rates file the area count comes from the file: checked when it is read.
  if (rates != "equal") return Status::Ok();
  return FromFields(*this, areas).status();
}

Result<Product> Run(io::Store* /*store*/, const SimulateFeedbackRequest& r, Context& /*ctx*/) {
  audit::FeedbackRequest req;
  if (r.rates == "equal") {
    PLACECAST_ASSIGN_OR_RETURN(req, FromFields(r, r.areas));
  } else {
    // Built with a placeholder area count (areas is ignored), then the file's rates are taken.
    PLACECAST_ASSIGN_OR_RETURN(req, FromFields(r, 100000));
    PLACECAST_RETURN_IF_ERROR(ReadRates(r.rates, &req));
    PLACECAST_RETURN_IF_ERROR(req.Validate().Wrap(r.rates));
  }
  PLACECAST_ASSIGN_OR_RETURN(audit::FeedbackResult result, audit::SimulateFeedback(req));
  // Products are staged inside the output folder and moved into place together once all are
  // written (io/staging.h); this operation has no store, so no ledger record.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(r.out));
  const std::string dir = r.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "feedback.json", audit::FeedbackResultJson(req, result)));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "feedback.csv", audit::FeedbackCurvesCsv(result)));
  std::vector<render::LineSeries> lines;
  for (const auto& p : result.policies) {
    render::LineSeries line;
    line.name = std::string(audit::FeedbackMitigationName(p.mitigation));
    for (size_t t = 0; t < p.favoured_share.size(); ++t) {
      line.x.push_back(static_cast<double>(t));
      line.y.push_back(p.favoured_share[t].mean);
      line.lo.push_back(p.favoured_share[t].lo);
      line.hi.push_back(p.favoured_share[t].hi);
    }
    lines.push_back(std::move(line));
  }
  PLACECAST_RETURN_IF_ERROR(render::RenderLineChartPng(
      sdir + "feedback.png", "Patrol share of the first-favoured area(s) over time",
      "day of the simulation", "favoured share of patrol presence (mean, shaded: 95% band)", lines,
      0, 1, result.true_favoured_share, "their true share of offences"));
  PLACECAST_RETURN_IF_ERROR(stage->Publish());

  Product out;
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "favoured areas: %d of %zu; their true share %.3f; %d replications of %d days",
                req.favoured_areas, req.victim_rate_per_day.size(), result.true_favoured_share,
                req.replications, req.days);
  out.lines.push_back(buf);
  std::snprintf(buf, sizeof(buf), "%-12s %26s %24s %26s", "mitigation",
                "final favoured share [95%]", "disparity [95%]", "hit rate lost [95%]");
  out.lines.push_back(buf);
  out.summary["favoured_areas"] = req.favoured_areas;
  out.summary["areas"] = req.victim_rate_per_day.size();
  out.summary["true_favoured_share"] = result.true_favoured_share;
  nlohmann::ordered_json policies = nlohmann::ordered_json::array();
  for (const auto& p : result.policies) {
    char a[64], b[64], c[64];
    std::snprintf(a, sizeof(a), "%.3f [%.3f, %.3f]", p.final_favoured_share.mean,
                  p.final_favoured_share.lo, p.final_favoured_share.hi);
    std::snprintf(b, sizeof(b), "%.2f [%.2f, %.2f]", p.disparity.mean, p.disparity.lo,
                  p.disparity.hi);
    std::snprintf(c, sizeof(c), "%.4f [%.4f, %.4f]", p.hit_rate_lost.mean, p.hit_rate_lost.lo,
                  p.hit_rate_lost.hi);
    const std::string name(audit::FeedbackMitigationName(p.mitigation));
    std::snprintf(buf, sizeof(buf), "%-12s %26s %24s %26s", name.c_str(), a, b, c);
    out.lines.push_back(buf);
    auto num = [](double v) {
      return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
    };
    policies.push_back({{"mitigation", name},
                        {"final_favoured_share", num(p.final_favoured_share.mean)},
                        {"disparity", num(p.disparity.mean)},
                        {"hit_rate_lost", num(p.hit_rate_lost.mean)}});
  }
  out.summary["policies"] = std::move(policies);
  out.lines.push_back("wrote " + dir + "feedback.{json,csv,png}");
  out.files = {dir + "feedback.json", dir + "feedback.csv", dir + "feedback.png"};
  return out;
}

OpInfo SimulateFeedbackOp() {
  return MakeOpInfo<SimulateFeedbackRequest>(
      StoreUse::kNone,
      [](io::Store* s, const SimulateFeedbackRequest& r, Context& c) { return Run(s, r, c); });
}

}  // namespace placecast::ops
