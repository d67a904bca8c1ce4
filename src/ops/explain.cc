// SPDX-License-Identifier: Apache-2.0
// explain (explain.h).
#include "placecast/ops/explain.h"

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/record.h"
#include "placecast/io/calendar.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/staging.h"
#include "placecast/models/explain.h"
#include "placecast/models/model.h"

namespace placecast::ops {

std::span<const Field<ExplainRequest>> ExplainRequest::Fields() {
  using R = ExplainRequest;
  static const std::vector<Field<R>> fields = [] {
    std::vector<Field<R>> v;
    AddSelectionFields(&v);
    v.push_back({{.name = "cell",
                  .type = FieldType::kInt,
                  .default_json = "-1",
                  .min = 0,
                  .max = 2147483647,
                  .doc = "cell id (as in forecast.csv); -1 = give --lon and --lat instead"},
                 &R::cell});
    v.push_back({{.name = "lon",
                  .type = FieldType::kDouble,
                  .default_json = "-999",
                  .min = -180,
                  .max = 180,
                  .units = "degrees",
                  .doc = "longitude of a point in the cell (WGS 84); -999 = not given"},
                 &R::lon});
    v.push_back({{.name = "lat",
                  .type = FieldType::kDouble,
                  .default_json = "-999",
                  .min = -90,
                  .max = 90,
                  .units = "degrees",
                  .doc = "latitude of a point in the cell (WGS 84); -999 = not given"},
                 &R::lat});
    v.push_back({{.name = "top",
                  .type = FieldType::kInt,
                  .default_json = "10",
                  .min = 0,
                  .max = 100000,
                  .doc = "number of past events listed (boost: and of features)"},
                 &R::top});
    v.push_back({{.name = "out",
                  .type = FieldType::kOutputFile,
                  .doc = "write the explanation as JSON to this file (and record it in the ledger)",
                  .flags = kNotInQuery},
                 &R::out});
    return v;
  }();
  return fields;
}

Status ExplainRequest::Validate() const {
  const bool cell_given = cell != kNoCell;
  const bool lon_given = lon != kNoCoordinate, lat_given = lat != kNoCoordinate;
  if (lon_given != lat_given) {
    return Status::InvalidInput(lon_given ? "--lon needs --lat" : "--lat needs --lon");
  }
  if (cell_given && lon_given) {
    return Status::InvalidInput("--cell excludes --lon/--lat: give the cell one way (got --cell " +
                                std::to_string(cell) + " and a point)");
  }
  if (!cell_given && !lon_given) {
    return Status::InvalidInput("explain: give the cell as --cell ID or as --lon X --lat Y");
  }
  return ValidateSelection(*this);
}

Result<Product> Run(io::Store& store, const ExplainRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t origin_s, cal.ParseDate(r.origin, "--origin"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(r.params, {r.model}));
  PLACECAST_ASSIGN_OR_RETURN(auto model, models::CreateModel(r.model, given[r.model]));
  // Only events before the origin are loaded, as for the forecast being explained.
  PLACECAST_ASSIGN_OR_RETURN(Study study,
                             LoadStudy(store, r.offence, r.boundary, r.boundary_crs, r.cell_size_m,
                                       std::numeric_limits<int64_t>::min(), origin_s,
                                       r.allow_enforcement_types, *ctx.progress));
  // boost reads the calendar and leading indicators, as in the forecast being explained.
  FitContexts contexts(store, study, r.allow_enforcement_types, origin_s);
  PLACECAST_RETURN_IF_ERROR(contexts.Provide(*model));
  PLACECAST_RETURN_IF_ERROR(CheckTrainingData(store, study, model->TrainFromS(origin_s), origin_s,
                                              r.horizon_days, r.strict, *ctx.progress)
                                .status());
  grid::CellId cell = grid::kNoCell;
  if (r.cell == ExplainRequest::kNoCell) {
    std::vector<double> x = {r.lon}, y = {r.lat};
    PLACECAST_RETURN_IF_ERROR(io::ProjectFromLonLat(study.grid.crs(), x, y).Wrap("--lon/--lat"));
    cell = study.grid.PointToCell(x[0], y[0]);
    if (cell == grid::kNoCell) {
      char buf[128];
      std::snprintf(buf, sizeof(buf),
                    "--lon/--lat: %.6f, %.6f is not in an active cell of the grid", r.lon, r.lat);
      return Status::InvalidInput(buf);
    }
  } else {
    if (r.cell >= study.grid.num_cells()) {
      return Status::InvalidInput("--cell: not an active cell of the grid (got " +
                                  std::to_string(r.cell) + ", expected 0.." +
                                  std::to_string(study.grid.num_cells() - 1) + ")");
    }
    cell = static_cast<grid::CellId>(r.cell);
  }
  PLACECAST_RETURN_IF_ERROR(
      model->Fit(study.events, study.grid, origin_s).Wrap("explain " + r.model));
  PLACECAST_ASSIGN_OR_RETURN(
      std::vector<models::CellExplanation> explained,
      models::ExplainFittedCells(*model, study.events, study.grid, origin_s, {cell},
                                 static_cast<int>(r.top), r.horizon_days));
  models::CellExplanation e = std::move(explained.front());

  Product out;
  char line[512];
  std::snprintf(line, sizeof(line),
                "explain: %s, %s, origin %s, cell %d (column %d, row %d of %g m cells)",
                r.model.c_str(), r.offence.c_str(), cal.FormatDate(origin_s).c_str(), cell,
                study.grid.CellCol(cell), study.grid.CellRow(cell), study.grid.cell_size_m());
  out.lines.push_back(line);
  std::snprintf(line, sizeof(line), "risk %.6g: ", e.risk);
  out.lines.push_back(line + e.note);
  if (e.num_features > 0) {
    // A learned model (boost): its margin split by the features' contributions (TreeSHAP).
    std::snprintf(line, sizeof(line),
                  "features: margin %.6g = bias %.6g + the contributions of %lld features:",
                  e.margin, e.bias, static_cast<long long>(e.num_features));
    out.lines.push_back(line);
    for (const auto& f : e.features) {
      std::snprintf(line, sizeof(line), "  %+10.6g  %s = %g (%s)", f.contribution, f.words.c_str(),
                    f.value, f.name.c_str());
      out.lines.push_back(line);
    }
    if (static_cast<int64_t>(e.features.size()) < e.num_features) {
      std::snprintf(
          line, sizeof(line), "  %+10.6g  the other %lld features", e.other_features,
          static_cast<long long>(e.num_features) - static_cast<long long>(e.features.size()));
      out.lines.push_back(line);
    }
  } else {
    out.lines.push_back("parts:");
    for (const auto& p : e.parts) {
      std::snprintf(line, sizeof(line), "  %-16s %12.6g  %5.1f%%", p.name.c_str(), p.value,
                    100 * p.share);
      out.lines.push_back(line);
    }
  }
  if (e.events_additive) {
    std::snprintf(line, sizeof(line), "bands (distance, age): %lld contributing event(s)",
                  static_cast<long long>(e.events_contributing));
  } else {
    std::snprintf(line, sizeof(line),
                  "past events: %lld in the cell's 3x3 neighbourhood in the last 28 days (listed "
                  "as context: no single event has a share of the risk)",
                  static_cast<long long>(e.events_contributing));
  }
  out.lines.push_back(line);
  for (const auto& b : e.bands) {
    std::snprintf(line, sizeof(line), "  %g-%g m, %g-%g days: %lld event(s), %.6g (%.1f%%)",
                  b.distance_from_m, b.distance_to_m, b.age_from_days, b.age_to_days,
                  static_cast<long long>(b.events), b.value, 100 * b.share);
    out.lines.push_back(line);
  }
  out.lines.push_back("top events:");
  for (const auto& t : e.top_events) {
    std::snprintf(line, sizeof(line), "  %s  %-24s %6g m  %7.1f days ago",
                  cal.FormatDateTime(t.t_s).c_str(), t.offence.c_str(), t.distance_m, t.age_days);
    std::string text = line;
    if (e.events_additive) {
      std::snprintf(line, sizeof(line), "  %.6g", t.contribution);
      text += line;
    }
    out.lines.push_back(text);
  }
  out.summary["cell"] = cell;
  out.summary["column"] = study.grid.CellCol(cell);
  out.summary["row"] = study.grid.CellRow(cell);
  out.summary["risk"] = e.risk;
  out.summary["events_contributing"] = e.events_contributing;
  if (r.out.empty()) return out;  // a printout only: no product, no ledger record

  // The file is staged beside --out and moved into place only after its ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  auto stage = io::OutputStage::ForFiles();
  PLACECAST_RETURN_IF_ERROR(stage->StageFile(r.out, models::CellExplanationToJson(e) + "\n"));
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));
  out.lines.push_back("wrote " + r.out);
  out.summary["ledger_seq"] = out.ledger_seq;
  out.files.push_back(r.out);
  return out;
}

OpInfo ExplainOp() {
  return MakeOpInfo<ExplainRequest>(StoreUse::kRead, [](io::Store* s, const ExplainRequest& r,
                                                        Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
