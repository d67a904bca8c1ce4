// SPDX-License-Identifier: Apache-2.0
// `placecast simulate-feedback`: the feedback-loop simulation of audit/feedback.h. Flags come from
// audit::FeedbackParams() (--window-days for window_days …) plus --rates equal|FILE.csv and --out.
// Writes feedback.json, feedback.csv (favoured share per mitigation and day) and feedback.png (that
// share as one line per mitigation) to --out and prints one line per mitigation. Not thread-safe
// (one run per process).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "placecast/audit/feedback.h"
#include "placecast/io/file_util.h"
#include "placecast/io/products.h"
#include "placecast/io/staging.h"

namespace placecast::cli {
namespace {

struct SimulateFeedbackFlags {
  std::map<std::string, std::string> values;  // parameter name -> text, only those given
  std::string rates = "equal";
  std::string out;
};

std::string FlagName(std::string_view param) {
  std::string s(param);
  for (char& c : s) c = c == '_' ? '-' : c;
  return "--" + s;
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

Status RunSimulateFeedback(const SimulateFeedbackFlags& f) {
  audit::FeedbackRequest req;
  if (f.rates == "equal") {
    PLACECAST_ASSIGN_OR_RETURN(
        ParamValues values,
        ParamValues::Resolve(audit::FeedbackParams(), f.values, "simulate-feedback"));
    PLACECAST_ASSIGN_OR_RETURN(req, audit::FeedbackRequestFromParams(values));
  } else {
    // Build with a placeholder area count (--areas is ignored), then take the file's rates.
    std::map<std::string, std::string> probe = f.values;
    probe["areas"] = "100000";
    PLACECAST_ASSIGN_OR_RETURN(
        ParamValues v3, ParamValues::Resolve(audit::FeedbackParams(), probe, "simulate-feedback"));
    PLACECAST_ASSIGN_OR_RETURN(req, audit::FeedbackRequestFromParams(v3));
    PLACECAST_RETURN_IF_ERROR(ReadRates(f.rates, &req));
    PLACECAST_RETURN_IF_ERROR(req.Validate().Wrap(f.rates));
  }
  PLACECAST_ASSIGN_OR_RETURN(audit::FeedbackResult result, audit::SimulateFeedback(req));
  // Products are staged inside --out and moved into place together once all are written
  // (io/staging.h); this command has no store, so no ledger record.
  PLACECAST_ASSIGN_OR_RETURN(auto stage, io::OutputStage::ForDir(f.out));
  const std::string dir = f.out + "/";  // messages name the final paths
  const std::string sdir = stage->dir() + "/";
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "feedback.json", audit::FeedbackResultJson(req, result)));
  PLACECAST_RETURN_IF_ERROR(
      io::WriteFileAtomic(sdir + "feedback.csv", audit::FeedbackCurvesCsv(result)));
  std::vector<io::LineSeries> lines;
  for (const auto& p : result.policies) {
    io::LineSeries line;
    line.name = std::string(audit::FeedbackMitigationName(p.mitigation));
    for (size_t t = 0; t < p.favoured_share.size(); ++t) {
      line.x.push_back(static_cast<double>(t));
      line.y.push_back(p.favoured_share[t].mean);
      line.lo.push_back(p.favoured_share[t].lo);
      line.hi.push_back(p.favoured_share[t].hi);
    }
    lines.push_back(std::move(line));
  }
  PLACECAST_RETURN_IF_ERROR(io::RenderLineChartPng(
      sdir + "feedback.png", "Patrol share of the first-favoured area(s) over time",
      "day of the simulation", "favoured share of patrol presence (mean, shaded: 95% band)", lines,
      0, 1, result.true_favoured_share, "their true share of offences"));
  PLACECAST_RETURN_IF_ERROR(stage->Publish());
  std::printf("favoured areas: %d of %zu; their true share %.3f; %d replications of %d days\n",
              req.favoured_areas, req.victim_rate_per_day.size(), result.true_favoured_share,
              req.replications, req.days);
  std::printf("%-12s %26s %24s %26s\n", "mitigation", "final favoured share [95%]",
              "disparity [95%]", "hit rate lost [95%]");
  for (const auto& p : result.policies) {
    char a[64], b[64], c[64];
    std::snprintf(a, sizeof(a), "%.3f [%.3f, %.3f]", p.final_favoured_share.mean,
                  p.final_favoured_share.lo, p.final_favoured_share.hi);
    std::snprintf(b, sizeof(b), "%.2f [%.2f, %.2f]", p.disparity.mean, p.disparity.lo,
                  p.disparity.hi);
    std::snprintf(c, sizeof(c), "%.4f [%.4f, %.4f]", p.hit_rate_lost.mean, p.hit_rate_lost.lo,
                  p.hit_rate_lost.hi);
    std::printf("%-12s %26s %24s %26s\n",
                std::string(audit::FeedbackMitigationName(p.mitigation)).c_str(), a, b, c);
  }
  std::printf("wrote %sfeedback.{json,csv,png}\n", dir.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterSimulateFeedback(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<SimulateFeedbackFlags>();
  auto* cmd = app.add_subcommand(
      "simulate-feedback",
      "Simulate patrols trained on recorded offences: runaway feedback and its mitigations");
  for (const ParamSpec& s : audit::FeedbackParams()) {
    const std::string name(s.name);
    cmd->add_option_function<std::string>(
           FlagName(s.name), [f, name](const std::string& v) { f->values[name] = v; },
           std::string(s.description) + " (default " + std::string(s.default_value) + ")")
        ->type_name(s.type == ParamType::kEnum ? std::string(s.choices) : "VALUE");
  }
  cmd->add_option("--rates", f->rates,
                  "equal, or a CSV area,victim_rate_per_day,discretionary_rate_per_day")
      ->capture_default_str();
  cmd->add_option("--out", f->out, "output directory")->required();
  cmd->callback([f, exit_code] {
    Status s = RunSimulateFeedback(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
