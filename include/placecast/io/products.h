// SPDX-License-Identifier: Apache-2.0
// Forecast products: one forecast surface ranked into cells and written as a CSV table, a GeoJSON
// FeatureCollection (WGS 84) and a GeoPackage layer (grid CRS); the PNG map and the HTML report of
// the same product are drawn by placecast/render (map.h, report.h). Every writer is atomic (it
// writes "<path>.tmp" and renames it) and byte-reproducible: the same product gives the same
// bytes, with no wall-clock time anywhere.
// The functions keep no shared state of their own and may run on several threads at once as long
// as no two write the same path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/grid/geometry.h"
#include "placecast/grid/grid.h"
#include "placecast/grid/ranking.h"
#include "placecast/status.h"

namespace placecast::io {

// Everything a product needs to describe one forecast. Pointers are borrowed: the grid, surface
// and study area must outlive the call.
struct ForecastProduct {
  const grid::Grid* grid = nullptr;        // required; its crs() is a projected CRS in metres
  const grid::Surface* surface = nullptr;  // required; one finite value >= 0 per active cell
  std::string model;                       // registered model name ("kde")
  std::string params_json;                 // resolved parameters, a JSON object ("" = none)
  std::string offence;                     // offence group forecast ("burglary")
  int64_t origin_s = 0;                    // forecast origin, UTC seconds since 1970
  Calendar calendar;            // the study's local days: every date a product shows is one of them
  double horizon_days = 1;      // forecast horizon after the origin
  int64_t train_from_s = 0;     // start of the training window (0 = all history)
  int64_t training_events = 0;  // events in [train_from_s, origin_s)
  std::vector<std::string> warnings;           // model and data warnings, shown in the report
  const grid::Boundary* study_area = nullptr;  // may be null: no outline is drawn
  // Share of active cells (in %) flagged in_top and outlined on the map: the top
  // ceil(top_share_pct/100 × cells) cells by rank. Range (0, 100]; default 5.
  double top_share_pct = 5;
  // When > 0, in_top flags the top cells by area instead: the largest number of top cells whose
  // total area does not exceed top_area_km2 (grid::TopCellsForArea, the NIJ challenge's cap). Cells
  // count whole (the grid keeps no clipped areas). It must hold at least one cell. 0 = by share.
  double top_area_km2 = 0;
  // Also state the area in square miles (the user asked in sq mi: --top-area-sqmi).
  bool top_area_in_sqmi = false;
  // The tie rule's keys at the origin (grid::TieBreakFromEvents over the training events), by
  // which cells of equal risk are ranked. Empty: ties by cell id alone.
  grid::TieBreak ties;
  std::string title;           // map and report title; "" = "<model> forecast of <offence>"
  std::string code_version;    // placecast version shown in the footer ("0.1.0")
  std::string generated_note;  // free text shown at the end of the report (may be "")
  // Optional model card, a JSON object (model, parameters, training window, offence types,
  // backtest metrics, known limitations, intended use): shown as a "Model card" section of the
  // report, one row per key. "" = no section.
  std::string model_card_json;
  // Public-release suppression (see placecast/privacy/privacy.h): empty = none, else one entry per
  // active cell, non-zero = the cell's risk is withheld. Suppressed cells rank after every
  // published cell (by ascending cell id, never by their tie keys), are never in_top, are left out
  // of the shares, publish risk and shares as empty (CSV) or null (GeoJSON, GeoPackage), and are
  // left unshaded on the map.
  std::vector<uint8_t> suppressed;
  // Public-release statement (mode, k, ε, Δ, method), shown in the report and as "privacy" in the
  // GeoJSON metadata. "" = not a public release.
  std::string privacy_note;
  // Optional explanations of the top cells, a JSON object {model, explained_cells, note,
  // cells:[{rank, cell, risk, note, parts:[{name, value, share}], bands:[{distance_from_m,
  // distance_to_m, age_from_days, age_to_days, events, value, share}], top_events:[{time_utc,
  // offence, distance_m, ...}]}]} as `placecast forecast` writes to explanations.json: shown as a
  // "Why these cells" section, one block per cell; with no cells the note alone says why.
  // "" = no section.
  std::string explanations_json;
};

// One row of every product: a cell with its rank and shares.
struct ProductCell {
  grid::CellId cell = grid::kNoCell;
  int32_t col = 0, row = 0;
  double risk = 0;
  int32_t rank = 0;             // 1 = highest risk; ties by grid::RankCells' rule
  double risk_share = 0;        // risk / total risk (0 when the total is 0)
  double cumulative_share = 0;  // sum of risk_share over ranks 1 .. rank
  bool in_top = false;          // rank <= TopCellCount()
  bool suppressed = false;      // risk withheld (public release); risk and shares are then 0
  double x_m = 0, y_m = 0;      // cell centre in the grid CRS
  double lon = 0, lat = 0;      // cell centre in WGS 84 degrees
};

// Square kilometres in one square mile (international mile: 1,609.344 m squared).
inline constexpr double kKm2PerSqMi = 2.589988110336;

// Number of cells flagged in_top: grid::TopCellsForArea(top_area_km2, …) when top_area_km2 > 0,
// else grid::TopCellsForShare(top_share_pct, cells of p.grid).
// REQUIRES: p.grid is set; 0 < top_share_pct <= 100.
int32_t TopCellCount(const ForecastProduct& p);

// How the top cells were chosen, for legends and reports: "top 5 % of cells (41)", or by area
// "top 44 cells, 0.99 km² (of 1 km² asked)", or with square miles when top_area_in_sqmi
// ("top 86 cells, 1.94 km² = 0.747 sq mi (of 0.75 sq mi asked)").
// REQUIRES: p.grid is set.
std::string TopCellsText(const ForecastProduct& p);

// The product's cells sorted by rank (grid::RankCells with p.ties). kInvalidInput when the grid or
// surface is null, the surface or a tie key's size differs from the grid's cell count, a value is
// negative or not finite (naming the cell), or top_share_pct is outside (0, 100], or top_area_km2
// is negative, not finite or smaller than one cell, or `suppressed` is neither empty nor one entry
// per cell, or PROJ does not know the grid CRS.
Result<std::vector<ProductCell>> RankProductCells(const ForecastProduct& p);

// CSV, header then one row per cell by rank:
//   rank,cell_id,col,row,risk,risk_share,cumulative_share,in_top,x_m,y_m,lon,lat
// risk and shares as %.9g, x/y as %.3f, lon/lat as %.7f. Errors as RankProductCells, and kIo
// naming `path` when it cannot be written (no partial file is left).
Status WriteForecastCsv(const std::string& path, const ForecastProduct& p);

// GeoJSON FeatureCollection (RFC 7946: WGS 84, lon/lat, coordinates rounded to 7 decimals), one
// Polygon feature per cell by rank, and a top-level "placecast" member with the model, parameters,
// offence, origin and horizon. Errors as WriteForecastCsv, plus kInvalidInput for bad params_json.
Status WriteForecastGeoJson(const std::string& path, const ForecastProduct& p);

// GeoPackage written through GDAL's GPKG driver: layer "forecast" of polygons in the grid CRS
// with the CSV's fields, features by rank. gpkg_contents.last_change is pinned to the origin so
// the file is byte-reproducible. Errors as WriteForecastCsv; kInvalidInput for an unknown CRS.
Status WriteForecastGeoPackage(const std::string& path, const ForecastProduct& p);

}  // namespace placecast::io
