// SPDX-License-Identifier: Apache-2.0
// Fairness audit of a forecast sequence: which areas, and through them which groups of residents,
// the flagged cells (the top k% each day) would send patrols to, against the areas' share of
// victim-reported offences (the need the exposure answers to). Method and reading guide in
// docs/audit.md. Pure functions over in-memory grids, areas and tables: protected attributes enter
// only as the residents-by-group table and never reach a model. Everything here is a plain value
// or a pure function; safe to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::audit {

// For each active cell of `grid`, the index in `areas` of the first area containing the cell's
// centre, or -1 when none does. kInvalidInput when `areas` is empty.
Result<std::vector<int32_t>> CellsToAreas(const grid::Grid& grid,
                                          const std::vector<grid::Boundary>& areas);

// How the daily forecasts are made: as in eval::RunBacktest, one origin per local day of
// `calendar` from `from_s`
// to `to_s` (inclusive), each model fitted on the events before the origin, `train_days` setting
// window_days when the model has it and `params` does not.
struct FlagRequest {
  std::string model;                          // registered name (models::ListModels())
  std::map<std::string, std::string> params;  // name -> text
  int64_t from_s = 0, to_s = 0;               // starts of local days of `calendar`
  Calendar calendar;                          // the study's local days (UTC by default)
  int train_days = 365;
  double horizon_days = 1;
  // Share of active cells flagged each day, in (0, 100]. Default 5: the coverage the backtests
  // report and a plausible patrol budget; the audit's ratios can change with it.
  double coverage_pct = 5;
};

struct FlaggedDays {
  std::vector<int64_t> origins_s;  // one per day
  // Per day: the top ceil(coverage_pct/100 × cells) cells by grid::RankCells (the tie rule at
  // that day's origin).
  std::vector<std::vector<grid::CellId>> cells;
  std::vector<std::string> warnings;  // model warnings, each text once
};

// The top cells of each day's forecast. kInvalidInput for a bad request (from/to not starts of
// local days,
// from after to, coverage outside (0, 100], train_days < 1, horizon_days <= 0, empty grid);
// model-creation and fitting errors prefixed with "model NAME" (and the origin date), among them
// kData for a day whose training window holds no event (models::NoTrainingEvents).
Result<FlaggedDays> FlagCellsByDay(const FlagRequest& req, const EventSet& events,
                                   const grid::Grid& grid);

// Per day and area: the events of `events` in [origin, calendar.HorizonEnd(origin, horizon_days))
// whose cell belongs to the area (the need side of the audit). Events outside every area or active
// cell are dropped. Result [day][area]. REQUIRES: cell_area.size() == grid.num_cells().
std::vector<std::vector<int64_t>> NeedByDay(const EventSet& events, const grid::Grid& grid,
                                            const std::vector<int32_t>& cell_area,
                                            int32_t num_areas,
                                            const std::vector<int64_t>& origins_s,
                                            double horizon_days,
                                            const Calendar& calendar = Calendar());

struct AuditInput {
  std::vector<std::string> area_names;             // one per area
  std::vector<std::string> group_names;            // one per group
  std::vector<std::vector<double>> residents;      // [area][group], >= 0
  std::vector<double> area_residents;              // [area] total (>= the sum of its groups)
  std::vector<int32_t> cell_area;                  // per active cell: area index or -1
  std::vector<std::vector<grid::CellId>> flagged;  // per day: flagged cells
  std::vector<std::vector<int64_t>> need;          // [day][area] victim-reported offences
  // Group every other group is compared with; "" = the group with most residents (the first of
  // equals).
  std::string reference_group;
  // Bootstrap replications over days for the 95% intervals (0 = none: intervals equal the
  // estimate). Default 2000, as the backtest.
  int bootstrap_reps = 2000;
  uint64_t seed = 1;
  // Ratios outside [band_lo, band_hi] are flagged. Default 0.8–1.25: the band the Aequitas
  // toolkit uses (the "four-fifths rule" and its reciprocal).
  double band_lo = 0.8, band_hi = 1.25;

  // kInvalidInput naming the field when: no area or group, sizes that do not match, a negative or
  // non-finite count, a group total of zero residents, a cell index out of range, an unknown
  // reference group, bootstrap_reps < 0, or band_lo >= band_hi or band_lo <= 0.
  Status Validate() const;
};

// A point estimate with its percentile bootstrap 95% interval (NaN when undefined).
struct Estimate {
  double value = 0, lo = 0, hi = 0;
};

struct AreaAudit {
  std::string name;
  double residents = 0;
  int32_t cells = 0;                     // active cells whose centre is in the area
  int64_t flagged_cell_days = 0;         // exposure: Σ over days of flagged cells in the area
  double exposure_share = 0;             // of all flagged cell-days in areas
  double exposure_per_1k_residents = 0;  // NaN for an area without residents
  // Victim-reported offences in the period; negative = withheld (a public release), written
  // empty in the CSV and null in the JSON.
  int64_t need_events = 0;
  double need_share = 0;             // of all such offences in areas
  double need_per_1k_residents = 0;  // NaN for an area without residents
};

struct GroupAudit {
  std::string name;
  double residents = 0;
  // Population-weighted mean over areas of the area's value per 1,000 residents: what a resident
  // of this group experiences on average.
  double exposure_per_1k_residents = 0;
  double need_per_1k_residents = 0;
  Estimate exposure_ratio;         // exposure / the reference group's
  Estimate need_ratio;             // need / the reference group's
  Estimate disparity_beyond_need;  // exposure_ratio / need_ratio
  bool exposure_outside_band = false;
  bool disparity_outside_band = false;
  std::string statement;  // one plain sentence
};

struct AuditResult {
  int32_t days = 0;
  int64_t flagged_cell_days = 0;             // in all cells, areas or not
  int64_t unassigned_flagged_cell_days = 0;  // flagged cells in no area
  int64_t need_events = 0;                   // negative = withheld, as AreaAudit::need_events
  std::string reference_group;
  double band_lo = 0.8, band_hi = 1.25;
  int bootstrap_reps = 0;
  uint64_t seed = 0;
  std::vector<AreaAudit> areas;
  std::vector<GroupAudit> groups;
};

// Runs the audit (definitions in docs/audit.md). Errors: Validate()'s; kInvalidInput when the
// reference group's exposure or need is zero (ratios undefined), naming it.
Result<AuditResult> RunAudit(const AuditInput& in);

// audit.json fragment for one model (keys in a fixed order, numbers to 6 significant digits,
// NaN as null), audit.csv rows (area,residents,cells,flagged_cell_days,exposure_share,
// exposure_per_1k_residents,need_events,need_share,need_per_1k_residents) and groups.csv rows
// (group,residents,exposure_per_1k_residents,need_per_1k_residents,exposure_ratio,lo,hi,
// need_ratio,lo,hi,disparity_beyond_need,lo,hi,exposure_flag,disparity_flag), each row prefixed
// with `model`. The *Header() functions give the CSV header lines.
std::string AuditJson(const AuditResult& r);
std::string AuditAreasCsvHeader();
std::string AuditAreasCsv(const AuditResult& r, const std::string& model);
std::string AuditGroupsCsvHeader();
std::string AuditGroupsCsv(const AuditResult& r, const std::string& model);

}  // namespace placecast::audit
