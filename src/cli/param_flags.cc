// SPDX-License-Identifier: Apache-2.0
// The --param key check (param_flags.h), against the models' registered ParamSpec tables.
#include "cli/param_flags.h"

#include <algorithm>

#include "cli/cli_util.h"
#include "placecast/models/model.h"

namespace placecast::cli {
namespace {

const models::ModelInfo* FindModel(const std::string& name) {
  for (const models::ModelInfo& m : models::ListModels()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool Declares(const models::ModelInfo& m, const std::string& key) {
  return std::any_of(m.params.begin(), m.params.end(),
                     [&](const ParamSpec& p) { return p.name == key; });
}

std::string Keys(const models::ModelInfo& m) {
  std::string out;
  for (const ParamSpec& p : m.params) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out.empty() ? "none" : out;
}

}  // namespace

bool ModelHasParam(const std::string& model, const std::string& key) {
  const models::ModelInfo* m = FindModel(model);
  return m == nullptr || Declares(*m, key);
}

Status CheckParamKeys(const std::map<std::string, std::map<std::string, std::string>>& params,
                      const std::vector<std::string>& models) {
  std::string run_models;
  for (const auto& m : models) run_models += (run_models.empty() ? "" : ", ") + m;
  std::vector<std::string> problems;
  std::string first;
  for (const auto& [qualifier, keys] : params) {
    for (const auto& [key, value] : keys) {
      const std::string shown = qualifier.empty() ? key : qualifier + "." + key;
      std::string why;
      if (qualifier.empty()) {
        const bool any = std::any_of(models.begin(), models.end(),
                                     [&](const std::string& m) { return ModelHasParam(m, key); });
        if (!any) why = "no model of this run (" + run_models + ") has it";
      } else if (std::find(models.begin(), models.end(), qualifier) == models.end()) {
        why = "\"" + qualifier + "\" is not a model of this run (" + run_models + ")";
      } else if (!ModelHasParam(qualifier, key)) {
        why = "not a parameter of " + qualifier;
      }
      if (why.empty()) continue;
      problems.push_back(shown + " (" + why + ")");
      if (first.empty()) first = shown + "=" + value;
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string msg = "--param: unknown parameter(s): ";
  for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
  std::string takes;
  for (const auto& name : models) {
    if (const models::ModelInfo* m = FindModel(name)) {
      takes += (takes.empty() ? "" : "; ") + name + ": " + Keys(*m);
    }
  }
  if (!takes.empty()) msg += ". Parameters: " + takes;
  return Status::InvalidInput(msg + " (got \"" + first + "\")");
}

Result<std::map<std::string, std::map<std::string, std::string>>> ParamsForModels(
    const std::vector<std::string>& flags, const std::vector<std::string>& models) {
  PLACECAST_ASSIGN_OR_RETURN(auto all, ParseParamFlags(flags));
  PLACECAST_RETURN_IF_ERROR(CheckParamKeys(all, models));
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& model : models) {
    std::map<std::string, std::string>& p = out[model];
    if (auto it = all.find(""); it != all.end()) {
      for (const auto& [k, v] : it->second) {
        if (ModelHasParam(model, k)) p[k] = v;
      }
    }
    if (auto it = all.find(model); it != all.end()) {
      for (const auto& [k, v] : it->second) p[k] = v;
    }
  }
  return out;
}

}  // namespace placecast::cli
