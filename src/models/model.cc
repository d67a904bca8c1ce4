// SPDX-License-Identifier: Apache-2.0
// The model registry: name -> ModelInfo and factory, in a fixed order. The tables are constant;
// ListModels() and CreateModel() are thread-safe.
#include "placecast/models/model.h"

#include <vector>

#include "models/boost.h"
#include "models/ensemble.h"
#include "models/naive.h"
#include "models/prospective.h"
#include "models/retro.h"
#include "placecast/common/event_set.h"
#include "placecast/models/sepp.h"
#include "placecast/models/sepp_grid.h"

namespace placecast::models {
namespace {

struct Registration {
  const ModelInfo& (*info)();
  Result<std::unique_ptr<Model>> (*make)(ParamValues params);
};

// Adding a model is one line here (plus its source in CMakeLists.txt). The order is the order of
// ListModels(), `placecast models` and docs/params.md.
constexpr Registration kRegistry[] = {
    {NaiveModelInfo, MakeNaiveModel},
    {RetroModelInfo, MakeRetroModel},
    {ProspectiveModelInfo, MakeProspectiveModel},
    {SeppGridModelInfo, MakeSeppGridModel},
    {SeppModelInfo, MakeSeppModel},
    {BoostModelInfo, MakeBoostModel},
    {EnsembleModelInfo, MakeEnsembleModel},
};

const Registration* Find(std::string_view name) {
  for (const auto& r : kRegistry) {
    if (r.info().name == name) return &r;
  }
  return nullptr;
}

Status UnknownModel(std::string_view name) {
  std::string known;
  for (const auto& r : kRegistry) known += (known.empty() ? "" : ", ") + std::string(r.info().name);
  return Status::InvalidInput("unknown model \"" + std::string(name) + "\" (known: " + known + ")");
}

}  // namespace

std::string_view OutputKindName(Model::OutputKind kind) {
  switch (kind) {
    case Model::OutputKind::kExpectedCount:
      return "expected_count";
    case Model::OutputKind::kRelativeScore:
      return "relative_score";
  }
  return "relative_score";
}

std::span<const ModelInfo> ListModels() {
  static const std::vector<ModelInfo> kInfos = [] {
    std::vector<ModelInfo> v;
    for (const auto& r : kRegistry) v.push_back(r.info());
    return v;
  }();
  return kInfos;
}

Result<std::unique_ptr<Model>> CreateModel(std::string_view name,
                                           const std::map<std::string, std::string>& params) {
  const Registration* r = Find(name);
  if (r == nullptr) return UnknownModel(name);
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::Resolve(r->info().params, params, r->info().name));
  return r->make(std::move(values));
}

Result<std::unique_ptr<Model>> CreateModelFromJson(std::string_view name,
                                                   std::string_view params_json) {
  const Registration* r = Find(name);
  if (r == nullptr) return UnknownModel(name);
  PLACECAST_ASSIGN_OR_RETURN(ParamValues values,
                             ParamValues::FromJson(r->info().params, params_json, r->info().name));
  return r->make(std::move(values));
}

std::string TrainingWindowText(int64_t train_from_s, int64_t origin_s, const Calendar& calendar) {
  if (train_from_s <= 0) return "before " + calendar.FormatDate(origin_s);
  std::string out = calendar.FormatDate(train_from_s);
  out += " .. ";
  out += calendar.FormatDate(origin_s - 1);
  return out;
}

Status NoTrainingEvents(int64_t train_from_s, int64_t origin_s, const Calendar& calendar) {
  return Status::Data("no event in the training window " +
                      TrainingWindowText(train_from_s, origin_s, calendar));
}

}  // namespace placecast::models
