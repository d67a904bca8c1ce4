// SPDX-License-Identifier: Apache-2.0
// --param handling, the study and the forecast selection (common.h).
#include "ops/common.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

#include "placecast/common/offence.h"
#include "placecast/io/calendar.h"
#include "placecast/io/ingest.h"

namespace placecast::ops {
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

Result<std::map<std::string, std::map<std::string, std::string>>> ParseParamFlags(
    const std::vector<std::string>& flags) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& f : flags) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidInput("--param: expected key=value or model.key=value (got \"" + f +
                                  "\")");
    }
    std::string key = f.substr(0, eq);
    std::string model;
    const auto dot = key.find('.');
    if (dot != std::string::npos) {
      model = key.substr(0, dot);
      key = key.substr(dot + 1);
    }
    out[model][key] = f.substr(eq + 1);
  }
  return out;
}

Status CheckModelNames(const std::vector<std::string>& names, std::string_view flag) {
  for (const std::string& name : names) {
    if (FindModel(name) != nullptr) continue;
    std::string known;
    for (const models::ModelInfo& m : models::ListModels()) {
      known += (known.empty() ? "" : ", ") + std::string(m.name);
    }
    return Status::InvalidInput(std::string(flag) + ": unknown model (got \"" + name +
                                "\"; known: " + known + ")");
  }
  return Status::Ok();
}

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

Result<std::string> CheckEnforcementTypes(const std::string& selection_name, bool allowed,
                                          Progress& progress) {
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(selection_name));
  const auto enforced = sel.EnforcementDriven();
  if (enforced.empty()) return std::string();
  std::string names;
  for (auto g : enforced) {
    names += (names.empty() ? "" : ", ") + std::string(GetOffenceGroupInfo(g).name);
  }
  if (!allowed) {
    return Status::InvalidInput(
        "--offence " + selection_name + ": includes enforcement-driven offence types (" + names +
        "), which measure where police look more than where crime happens; pass "
        "--allow-enforcement-types to use them anyway");
  }
  std::string w = "training on enforcement-driven offence types (" + names +
                  "): recorded counts follow patrol presence, so the forecast may send patrols "
                  "back where they already were (a feedback loop)";
  progress.Warn(w);
  return w;
}

Result<std::string> GetMetreCrs(io::Store& store) {
  PLACECAST_ASSIGN_OR_RETURN(std::optional<std::string> crs, store.GetCrs());
  if (!crs) return Status::Data(store.GetPath() + ": empty store has no CRS");
  PLACECAST_RETURN_IF_ERROR(io::CheckCrsInMetres(*crs).Wrap(store.GetPath()));
  return *crs;
}

std::string NoBoundaryWarning(const std::string& what, double area_km2) {
  char area[64];
  std::snprintf(area, sizeof(area), "%.4g km2", area_km2);
  std::string w(kNoBoundaryWarning);
  w += "the grid covers the bounding box of " + what + ", " + area +
       ", water and land outside the study area included (every PAI divides by it); "
       "--boundary FILE restricts the grid to the study area";
  return w;
}

Result<Study> LoadStudy(io::Store& store, const std::string& offence,
                        const std::string& boundary_path, const std::string& boundary_crs,
                        double cell_size_m, int64_t t_from_s, int64_t t_to_s,
                        bool allow_enforcement_types, Progress& progress) {
  Study s;
  s.offence = offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(offence));
  PLACECAST_ASSIGN_OR_RETURN(s.enforcement_warning,
                             CheckEnforcementTypes(offence, allow_enforcement_types, progress));
  PLACECAST_ASSIGN_OR_RETURN(s.crs, GetMetreCrs(store));
  const std::string& crs = s.crs;
  PLACECAST_ASSIGN_OR_RETURN(s.calendar, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(s.events, store.LoadEvents(sel.groups, t_from_s, t_to_s));
  if (cell_size_m <= 0) return s;  // events only
  if (!boundary_path.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(s.study_area, io::ReadBoundary(boundary_path, crs, boundary_crs));
    s.grid_source = "boundary " + boundary_path;
  } else {
    PLACECAST_ASSIGN_OR_RETURN(std::optional<grid::Boundary> area, store.GetStudyArea());
    if (area) {
      s.study_area = std::move(*area);
      s.grid_source = "study area saved in the store";
    }
  }
  if (!s.study_area.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(s.grid, grid::GridFromBoundary(s.study_area, cell_size_m, crs));
  } else {
    // The extent of every event of the selection, so the grid does not move with the dates asked.
    PLACECAST_ASSIGN_OR_RETURN(EventSet all,
                               store.LoadEvents(sel.groups, std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max()));
    if (all.empty()) {
      // A data problem, as an empty training window is (CheckTrainingData).
      return Status::Data(store.GetPath() + ": no " + offence +
                          " incident in the store to lay a grid over");
    }
    double xmin = all.x_m[0], xmax = xmin, ymin = all.y_m[0], ymax = ymin;
    for (size_t i = 0; i < all.size(); ++i) {
      xmin = std::min(xmin, all.x_m[i]);
      xmax = std::max(xmax, all.x_m[i]);
      ymin = std::min(ymin, all.y_m[i]);
      ymax = std::max(ymax, all.y_m[i]);
    }
    PLACECAST_ASSIGN_OR_RETURN(s.grid,
                               grid::Grid::FromExtent(xmin, ymin, xmax, ymax, cell_size_m, crs));
    s.grid_source = "extent of the " + offence + " incidents in the store";
    s.bbox_area_km2 = (xmax - xmin) * (ymax - ymin) / 1e6;
    s.boundary_warning = NoBoundaryWarning("the " + offence + " incidents", s.bbox_area_km2);
    progress.Warn(s.boundary_warning);
  }
  return s;
}

Result<std::string> StoreHoldings(io::Store& store, const std::string& offence) {
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(offence));
  PLACECAST_ASSIGN_OR_RETURN(EventSet all,
                             store.LoadEvents(sel.groups, std::numeric_limits<int64_t>::min(),
                                              std::numeric_limits<int64_t>::max()));
  if (all.empty()) return "the store holds no " + offence + " event";
  PLACECAST_ASSIGN_OR_RETURN(const Calendar calendar, io::StoreCalendar(store));
  std::string out = "the store holds " + std::to_string(all.size()) + " " + offence +
                    (all.size() == 1 ? " event, " : " events, ");
  out += calendar.FormatDate(all.t_s.front());
  out += " .. ";
  out += calendar.FormatDate(all.t_s.back());
  return out;
}

Status WithStoreHoldings(io::Store& store, const std::string& offence, const Status& s) {
  if (s.code() != ErrorCode::kData) return s;
  PLACECAST_ASSIGN_OR_RETURN(std::string holdings, StoreHoldings(store, offence));
  std::string context = "--offence ";
  context += offence;
  return Status(s.code(), s.message() + "; " + holdings).Wrap(context);
}

Result<std::string> CheckTrainingData(io::Store& store, const Study& study, int64_t train_from_s,
                                      int64_t origin_s, double horizon_days, bool strict,
                                      Progress& progress) {
  const auto [b, e] = study.events.TimeRange(train_from_s, origin_s);
  if (b == e) {
    return WithStoreHoldings(store, study.offence,
                             models::NoTrainingEvents(train_from_s, origin_s, study.calendar));
  }
  // Staleness is the store's, not the selection's: a rare offence has long gaps between events,
  // but an export that ends weeks before the origin misses every recent event.
  const int64_t horizon_s = static_cast<int64_t>(horizon_days * kSecondsPerDay);
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection every, ParseOffenceSelection("all"));
  PLACECAST_ASSIGN_OR_RETURN(EventSet recent,
                             store.LoadEvents(every.groups, origin_s - horizon_s, origin_s));
  if (!recent.empty()) return std::string();
  PLACECAST_ASSIGN_OR_RETURN(
      EventSet before,
      store.LoadEvents(every.groups, std::numeric_limits<int64_t>::min(), origin_s));
  const int64_t last_s = before.empty() ? study.events.t_s[e - 1] : before.t_s.back();
  const Calendar& cal = study.calendar;
  const int64_t gap_days = cal.DaysBetween(last_s, origin_s);
  char gap[160];
  std::snprintf(gap, sizeof(gap), ", %lld days before the origin %s (more than the %g-day horizon)",
                static_cast<long long>(gap_days), cal.FormatDate(origin_s).c_str(), horizon_days);
  std::string w = "stale data: the store's last event is on " + cal.FormatDate(last_s);
  w += gap;
  if (strict) return Status::Data("--strict: " + w);
  w += ": the forecast rests on old events (--strict makes this an error)";
  progress.Warn(w);
  return w;
}

Status FitContexts::Provide(models::Model& model) {
  if (!model.ReadsContext()) return Status::Ok();
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(study_.offence));
  auto groups = model.IndicatorGroups(sel.groups, allow_);
  if (!groups.ok()) return groups.status();
  auto it = made_.find(*groups);
  if (it == made_.end()) {
    auto context = std::make_shared<models::FitContext>();
    context->calendar = study_.calendar;
    // The store's environment layers (static, in the store CRS: the grid's).
    PLACECAST_ASSIGN_OR_RETURN(std::vector<io::EnvLayer> layers, store_.LoadEnvLayers(true));
    for (io::EnvLayer& l : layers) {
      models::FitContext::Layer out;
      out.name = l.name;
      out.snapshot_date = l.snapshot_date;
      PLACECAST_ASSIGN_OR_RETURN(out.snapshot_s,
                                 study_.calendar.ParseDate(l.snapshot_date, "layer " + l.name));
      out.kind = l.kind == io::EnvLayerKind::kPoint  ? models::FitContext::Layer::Kind::kPoint
                 : l.kind == io::EnvLayerKind::kLine ? models::FitContext::Layer::Kind::kLine
                                                     : models::FitContext::Layer::Kind::kPolygon;
      for (io::EnvFeature& f : l.features) out.features.push_back(std::move(f.parts));
      context->layers.push_back(std::move(out));
    }
    for (OffenceGroup g : *groups) {
      models::FitContext::Indicator ind;
      ind.group = g;
      PLACECAST_ASSIGN_OR_RETURN(
          ind.events, store_.LoadEvents({g}, std::numeric_limits<int64_t>::min(), t_to_s_));
      context->indicators.push_back(std::move(ind));
    }
    it = made_.emplace(*groups, std::move(context)).first;
  }
  return model.SetContext(it->second);
}

eval::ModelFactory FitContexts::Factory() {
  return [this](std::string_view name, const std::map<std::string, std::string>& params)
             -> Result<std::unique_ptr<models::Model>> {
    PLACECAST_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> m, models::CreateModel(name, params));
    PLACECAST_RETURN_IF_ERROR(Provide(*m));
    return m;
  };
}

Result<SelectedForecast> RunSelectedForecast(io::Store& store, const Selection& s,
                                             Progress& progress, const std::string& fitted_json,
                                             const std::string& fitted_what) {
  SelectedForecast out;
  PLACECAST_ASSIGN_OR_RETURN(Calendar calendar, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(out.origin_s, calendar.ParseDate(s.origin, "--origin"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(s.params, {s.model}));
  PLACECAST_ASSIGN_OR_RETURN(out.model, models::CreateModel(s.model, given[s.model]));
  // Only events before the origin are ever loaded: the model cannot see the future.
  PLACECAST_ASSIGN_OR_RETURN(*out.study_ptr,
                             LoadStudy(store, s.offence, s.boundary, s.boundary_crs, s.cell_size_m,
                                       std::numeric_limits<int64_t>::min(), out.origin_s,
                                       s.allow_enforcement_types, progress));
  FitContexts contexts(store, out.study, s.allow_enforcement_types, out.origin_s);
  PLACECAST_RETURN_IF_ERROR(contexts.Provide(*out.model));
  out.train_from_s = out.model->TrainFromS(out.origin_s);
  PLACECAST_ASSIGN_OR_RETURN(std::string stale,
                             CheckTrainingData(store, out.study, out.train_from_s, out.origin_s,
                                               s.horizon_days, s.strict, progress));
  if (!stale.empty()) out.warnings.push_back(stale);
  if (fitted_json.empty()) {
    PLACECAST_RETURN_IF_ERROR(
        out.model->Fit(out.study.events, out.study.grid, out.origin_s).Wrap("fitting " + s.model));
  } else {
    PLACECAST_RETURN_IF_ERROR(out.model->LoadFitted(fitted_json, out.study.grid).Wrap(fitted_what));
  }
  PLACECAST_ASSIGN_OR_RETURN(out.surface, out.model->Predict(s.horizon_days));
  out.support_m = out.model->SupportRadiusM();
  out.ties = grid::TieBreakFromEvents(out.study.events, out.study.grid, out.origin_s);
  for (const auto& w : out.model->Warnings()) {
    progress.Warn(w);
    out.warnings.push_back(w);
  }
  if (!out.study.boundary_warning.empty()) out.warnings.push_back(out.study.boundary_warning);
  if (!out.study.enforcement_warning.empty()) {
    out.warnings.push_back(out.study.enforcement_warning);
  }
  return out;
}

std::string SelectionTitle(const Selection& s, const Calendar& calendar, int64_t origin_s) {
  return s.model + " forecast of " + s.offence + " for " + calendar.FormatDate(origin_s);
}

}  // namespace placecast::ops
