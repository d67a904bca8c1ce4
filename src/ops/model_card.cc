// SPDX-License-Identifier: Apache-2.0
// Model cards for forecast products (after Mitchell et al. 2019, "Model Cards for Model
// Reporting"), filled from the model registry, the resolved run and an optional backtest summary.
#include "ops/model_card.h"

#include <nlohmann/json.hpp>

#include "placecast/common/event_set.h"
#include "placecast/common/offence.h"
#include "placecast/common/safe_json.h"
#include "placecast/io/file_util.h"
#include "placecast/models/model.h"

namespace placecast::ops {

Result<std::string> BuildModelCardJson(const ModelCardInput& in) {
  using J = nlohmann::ordered_json;
  J card;
  card["model"] = in.model;
  for (const auto& info : models::ListModels()) {
    if (info.name == in.model) {
      card["summary"] = std::string(info.summary);
      card["reference"] = std::string(info.reference);
    }
  }
  J params = J::parse(in.params_json.empty() ? "{}" : in.params_json, nullptr, false);
  if (params.is_discarded()) return Status::InvalidInput("model card: params: not valid JSON");
  card["parameters"] = params;
  card["training_window"] = {
      {"from", in.train_from_s > 0 ? in.calendar.FormatDateTime(in.train_from_s) : "all history"},
      {"to", in.calendar.FormatDateTime(in.origin_s)},
      {"events", in.training_events}};
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(in.offence));
  J types = J::array();
  bool enforcement = false;
  for (auto g : sel.groups) {
    types.push_back(std::string(GetOffenceGroupInfo(g).name));
    enforcement = enforcement || GetOffenceGroupInfo(g).enforcement_driven;
  }
  card["offence_selection"] = in.offence;
  card["offence_types"] = types;

  if (in.backtest_summary_path.empty()) {
    card["backtest_metrics"] =
        "not known: no backtest summary was given (run `placecast backtest` over a period before "
        "the origin and pass its summary.json with --backtest-summary)";
  } else {
    const std::string& p = in.backtest_summary_path;
    PLACECAST_ASSIGN_OR_RETURN(std::string text, io::ReadFile(p));
    J s = J::parse(text, nullptr, false);
    if (s.is_discarded() || !s.is_object() || s.value("kind", "") != "placecast.backtest") {
      return Status::InvalidInput(p +
                                  ": not a placecast backtest summary (kind is not "
                                  "\"placecast.backtest\")");
    }
    if (!s.contains("models") || !s["models"].contains(in.model)) {
      return Status::InvalidInput(p + ": models: no backtest of model \"" + in.model + "\"");
    }
    const J& m = s["models"][in.model];
    J metrics;
    metrics["source"] = p;
    for (const char* k : {"offence", "from", "to", "origins", "train_days", "horizon_days"}) {
      if (s.contains(k)) metrics[k] = s[k];
    }
    for (const char* k : {"hit_rate", "pai", "pei"}) {
      if (m.contains(k) && m[k].contains("5")) metrics[std::string(k) + "_at_5pct"] = m[k]["5"];
    }
    if (s.value("offence", in.offence) != in.offence) {
      metrics["note"] = "the backtest was of another offence selection than this forecast";
    }
    card["backtest_metrics"] = metrics;
  }

  J lim = J::array();
  lim.push_back(
      "Learns only from recorded incidents: places where crime is under-reported, or "
      "over-recorded because of patrol presence, are ranked accordingly.");
  lim.push_back(
      "Ranks places against each other for the horizon; a risk value is not the "
      "probability that a crime will happen.");
  lim.push_back("Says nothing about any person; it must not be used to target individuals.");
  lim.push_back(
      "Accuracy is only as good as its backtest on this city and offence; conditions "
      "change (policy, reporting, seasons).");
  if (enforcement) {
    lim.push_back(
        "Trained on enforcement-driven offence types, whose records follow where "
        "police look: a forecast from them can send patrols back where they were "
        "(a feedback loop).");
  }
  for (const auto& w : in.warnings) lim.push_back("This run: " + w);
  card["known_limitations"] = lim;
  card["intended_use"] =
      "Decision support with human review: a person who knows the area checks the forecast "
      "against local knowledge before any resource is moved. Not for automated deployment, and "
      "not for decisions about individuals.";
  return SafeDump(card);
}

}  // namespace placecast::ops
