// SPDX-License-Identifier: Apache-2.0
// Explanations: why one cell of a forecast has the risk it has. The cell's value is split into the
// model's own parts (for retro and prospective: the contributions of past events by distance and
// age band; for sepp_grid and sepp: background versus triggered; for boost: its features'
// per-prediction contributions, TreeSHAP values, named in words) and the past events that
// contribute most are listed by time, offence and distance only — never by record id or coordinates
// (places, not people). Pure functions of their inputs; safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/models/model.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::models {

// One additive part of a cell's risk. `share` = value / risk (0 when risk is 0).
struct ExplainPart {
  std::string name;  // "0-50 m", "background", "triggered", "events in cell"
  double value = 0;
  double share = 0;
};

// The events of one distance band × age band and what they add to the risk.
struct ExplainBand {
  double distance_from_m = 0, distance_to_m = 0;  // [from, to) from the cell centre
  double age_from_days = 0, age_to_days = 0;      // [from, to) before the origin
  int64_t events = 0;
  double value = 0;
  double share = 0;
};

// One past event as it may be shown: no id, no coordinates.
struct ExplainEvent {
  int64_t t_s = 0;          // UTC seconds
  std::string offence;      // offence as published
  std::string group;        // standard offence group name
  double distance_m = 0;    // event to cell centre, rounded to 10 m
  double age_days = 0;      // (origin - t) in days
  double contribution = 0;  // what it adds to `risk`
};

// One feature of a learned model (boost) and what it adds to the cell's margin.
struct ExplainFeature {
  std::string name;         // the column name, "count_7d_3x3"
  std::string words;        // "events within the 3×3 neighbourhood in the last 7 days"
  double value = 0;         // the feature's value for the cell at the origin
  double contribution = 0;  // its TreeSHAP value, on the margin (log) scale
};

struct CellExplanation {
  std::string model;
  grid::CellId cell = grid::kNoCell;
  // The value explained; the parts and the band values sum to it (up to rounding). naive: events
  // in the cell over the window; retro: the sum of kernel weights (the forecast is this ×
  // horizon_days / window_days); prospective: the forecast itself; sepp_grid: the expected events
  // in a horizon of one day, μ_c + θ(1 − e^(−ω)) × excitation; boost: the forecast itself (whose
  // logarithm, not the risk, the features' contributions split; `parts` is empty).
  double risk = 0;
  std::string note;  // one line saying what `risk` is, as above
  std::vector<ExplainPart> parts;
  std::vector<ExplainBand> bands;        // non-empty bands only, distance-major order
  std::vector<ExplainEvent> top_events;  // by contribution descending, then time descending
  int64_t events_contributing = 0;
  // boost only (num_features == 0 for the other models): the booster's margin for the cell, split
  // into bias + the contributions of all num_features features (XGBoost's per-prediction
  // contributions, TreeSHAP). For poisson, risk = exp(margin) × horizon_days / label_days; for
  // pairwise, risk = exp(margin − the largest margin of the forecast). `features` lists the top_n
  // by absolute contribution (ties: column order), `other_features` sums the rest.
  double margin = 0, bias = 0, other_features = 0;
  int64_t num_features = 0;
  std::vector<ExplainFeature> features;
  // Whether each top event's `contribution` is its additive part of `risk`. False for boost: its
  // trees see past events only through the count features, so no single event's share exists;
  // its top events are those of the cell's 3×3 neighbourhood in the last 28 days, newest first,
  // with contribution 0 (JSON: null).
  bool events_additive = true;
};

// Explains cell `cell` of the forecast `model` with resolved or partial `params` (its parameters
// as name -> value; missing ones take their defaults) made at `origin_s` from `events` on `grid`
// for a horizon of `horizon_days`. Reads only events before `origin_s`. The contributions are
// computed by the model's own formula with the same rounding, so for retro the parts sum exactly
// to the value Fit() accumulates. sepp_grid and sepp are fitted here, as a forecast would fit
// them; the horizon matters only to them (the other models' `risk` is on their own scale, as the
// note says). boost is fitted here too; its features are split by TreeSHAP on the log scale (see
// CellExplanation). top_n is the most events (and boost features) listed (0 lists none).
// Errors: kInvalidInput for an unknown model, for a cell
// that is not an active cell of `grid` (naming it and the range), a negative top_n, a horizon that
// is not a positive number, parameters that are not the model's, or any error of the model's Fit().
Result<CellExplanation> ExplainCell(std::string_view model, const ParamValues& params,
                                    const EventSet& events, const grid::Grid& grid,
                                    int64_t origin_s, grid::CellId cell, int top_n,
                                    double horizon_days = 1);

// True when ExplainCell supports `model`: every registered model (a test checks each of
// ListModels()); a model registered later without an explanation is refused (kInvalidInput,
// "has no explanation yet").
bool IsExplainable(std::string_view model);

// ExplainCell for each of `cells` in order, with the checks and errors of ExplainCell (the first
// bad cell is named). sepp_grid, sepp and boost are fitted once for all of them.
Result<std::vector<CellExplanation>> ExplainCells(std::string_view model, const ParamValues& params,
                                                  const EventSet& events, const grid::Grid& grid,
                                                  int64_t origin_s,
                                                  const std::vector<grid::CellId>& cells, int top_n,
                                                  double horizon_days = 1);

// ExplainCells for a model already fitted — by Fit() at `origin_s` on `events` and `grid`, or by
// LoadFitted() of such a fit — without fitting it again: a forecast explains its own fit, and a
// reloaded fit gives the explanations of the run that saved it. Models without fitted state
// (naive, retro, prospective) are explained from model.params() as ExplainCells does.
// REQUIRES: `model` outlives the call and is not used by another thread during it.
// Errors: those of ExplainCells, and kInvalidInput when sepp_grid, sepp or boost has not been
// fitted, when `origin_s` is not the origin of its fit, when (sepp) `events` do not hold the
// events the fit can still be triggered by (naming the first difference), or when (boost) the
// features computed from `events` do not reproduce the fit's prediction of every cell.
Result<std::vector<CellExplanation>> ExplainFittedCells(const Model& model, const EventSet& events,
                                                        const grid::Grid& grid, int64_t origin_s,
                                                        const std::vector<grid::CellId>& cells,
                                                        int top_n, double horizon_days);

// The explanation as a JSON object {model, cell, risk, note, parts:[{name, value, share}],
// bands:[{distance_from_m, distance_to_m, age_from_days, age_to_days, events, value, share}],
// top_events:[{time_utc, offence, group, distance_m, age_days, contribution}]}; contribution is
// null when !events_additive. boost adds margin, bias, other_features_contribution, num_features
// and features:[{name, words, value, contribution}] after events_contributing.
std::string CellExplanationToJson(const CellExplanation& e);

}  // namespace placecast::models
