// SPDX-License-Identifier: Apache-2.0
// Ingest: raw incident exports (CSV, plain or gzip) → canonical incidents in a Store, with every
// rejected row written to a rejects file and counted by reason. Schema presets cover the real
// exports placecast is tested on; a generic mapping (JSON file and/or key=value flags) covers the
// rest. Also the vector-file readers (study areas, named areas) and lon/lat projection helpers.
// docs/ingest.md describes presets, the mapping format, reject reasons, time zones and projection.
//
// Thread-safety: every function here is safe to call from several threads at once (PROJ contexts
// are per thread); a Store passed in must not be used by another thread meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/status.h"

namespace placecast::io {

struct IngestOptions {
  // CSV files (plain or gzip, detected by magic bytes), read in order.
  std::vector<std::string> inputs;
  // Schema preset: philadelphia, chicago, nyc, memphis, vancouver, nearrepeat or generic.
  // Empty means "generic" (then a mapping file or flags must name the columns).
  std::string preset;
  // Optional JSON mapping (docs/ingest.md). With a named preset it overrides the preset's keys.
  std::string mapping_path;
  // Mapping keys given as flags (same names as the JSON keys, values as text); they override both
  // the preset and the mapping file. Unknown keys are kInvalidInput.
  std::map<std::string, std::string> mapping_flags;
  // Optional study-area polygon file (GeoJSON, Shapefile, GeoPackage). Points outside are rejected
  // `out_of_study_area`; the polygon is saved in the store as layer `study_area`.
  std::string boundary_path;
  // The CRS of the boundary file's coordinates ("EPSG:NNNN"), overriding the file's; required for
  // a file without one (ReadBoundary).
  std::string boundary_crs;
  // Rejects CSV; default "<store path>.rejects.csv" for a store with a path (Store::GetPath),
  // none for an in-memory store.
  std::string rejects_path;
  // Store CRS override ("EPSG:NNNN", projected, metres). Default: the store's CRS if it has one,
  // else the source CRS when it is projected, else the UTM zone of the median longitude.
  std::string crs;
  // When true, the first row that would be rejected (earliest line) fails the whole ingest with
  // its message ("path:line: field: problem (got \"value\")", kInvalidInput) and nothing is
  // written. Default false: such rows go to the rejects file.
  bool fail_on_reject = false;
  // Called with the file being read, the rows and the bytes read so far, at most every ~0.2 s
  // (io prints nothing: the caller shows it). Empty = no progress.
  using ProgressFn = std::function<void(const std::string& file, int64_t rows, int64_t bytes)>;
  ProgressFn on_progress;
  // When set, called once the rows are written to make the ledger record (command, params,
  // inputs, code version; e.g. with input hashes taken meanwhile on another thread); the record
  // is appended with the rejects file and summary as its outputs in the same transaction as the
  // incidents: the rows and the record that vouches for them commit together, or neither does.
  std::function<Result<LedgerRecord>()> make_ledger_record;
};

struct IngestSummary {
  int64_t rows_read = 0;         // data rows (header excluded)
  int64_t ingested = 0;          // new incidents written
  int64_t already_in_store = 0;  // rows whose id the store already held (not rejects)
  int64_t rejected = 0;
  std::map<std::string, int64_t> rejected_by_reason;  // reason -> count
  std::vector<std::string> columns_kept;              // source columns mapped onto the allowlist
  std::vector<std::string> columns_dropped;           // every other source column (names only)
  std::map<std::string, int64_t> by_group;            // standard group name -> rows ingested
  std::map<std::string, int64_t> unmapped_offences;   // offence text -> rows put in `other`
  std::string crs;
  int64_t t_min_s = 0, t_max_s = 0;  // over the rows ingested (0, 0 when none)
  std::string preset;
  std::vector<std::string> inputs;
  std::string rejects_path;  // "" when no rejects file was written

  // Stable JSON: keys in fixed order, one object, no trailing newline.
  std::string ToJson() const;
  // Several lines for a terminal.
  std::string ToText() const;
};

// Stable reject reasons, as written to the rejects file and the summary.
inline constexpr const char* kRejectReasons[] = {
    "missing_coordinates", "invalid_coordinates", "out_of_study_area",    "unparsable_time",
    "missing_time",        "duplicate_id",        "missing_id",           "unknown_offence",
    "date_out_of_range",   "invalid_utf8",        "unterminated_last_row"};

// Reads `options.inputs`, maps them with the preset/mapping, projects, checks, and writes the new
// incidents (plus study area and the run summary) to `store` in one atomic Store::Write. Then
// writes the rejects file and, for a store with a path, "<path>.ingest.json" (temporary name +
// rename). Errors: kInvalidInput for a bad option or mapping, or a structurally broken file
// ("path:line: problem (got \"...\")"), kIo for a missing input and I/O failures,
// kInvalidInput for an unknown CRS and for a store CRS in another unit than the metre
// (CheckCrsInMetres: --crs, the store's, or the source CRS the store would keep). On error nothing
// is written: store, rejects and summary files stay as they were.
Result<IngestSummary> Ingest(const IngestOptions& options, Store& store);

// Names of the schema presets, for --help and `placecast presets`.
std::vector<std::string> PresetNames();

// Reads the first polygon layer of a GeoJSON/Shapefile/GeoPackage, reprojected to `crs`, all
// polygons unioned as rings (even-odd). The coordinates are in `boundary_crs` when it is given
// (--boundary-crs, overriding the file's), else in the file's CRS; a file without one is refused
// with kInvalidInput asking for --boundary-crs, except GeoJSON (WGS 84 by RFC 7946): reading a
// shapefile in feet as lon/lat fails on every point. kIo for a missing file, kInvalidInput
// when it has no polygon layer or no polygon, `boundary_crs` is not a CRS or PROJ does not know
// `crs`. GDAL and PROJ print nothing: every failure is the returned Status.
Result<grid::Boundary> ReadBoundary(const std::string& path, const std::string& crs,
                                    const std::string& boundary_crs = "");

// Reads every polygon feature of a vector file's first polygon layer as a named Boundary (name
// from the attribute `name_field`), reprojected to `crs`. kInvalidInput when the field is missing
// or the file has no CRS (except GeoJSON, WGS 84), as ReadBoundary.
Result<std::vector<grid::Boundary>> ReadAreas(const std::string& path,
                                              const std::string& name_field,
                                              const std::string& crs);

// A point of a vector file, in `crs` metres, with its name.
struct NamedPoint {
  std::string name;
  double x_m = 0, y_m = 0;
};

// Every feature of the first layer of a vector file (GeoJSON, GeoPackage, Shapefile), each a point,
// reprojected from the layer's CRS (WGS 84 when it has none) to `crs`. The name is the attribute
// `name_field` when the layer has it, else the feature id. kIo for a missing file,
// kInvalidInput when it is not a vector file, has no layer or no point, or holds a feature that is
// not a point ("path: feature NAME: not a point").
Result<std::vector<NamedPoint>> ReadPoints(const std::string& path, const std::string& name_field,
                                           const std::string& crs);

// OK when `crs` is geographic or projected in metres. kInvalidInput when it is projected in another
// unit, naming it, its unit and its metre twin from PROJ's database when there is one (the EPSG
// CRS of the same name without " (ft)" / " (ftUS)": EPSG:2913 -> EPSG:2838, EPSG:2272 ->
// EPSG:32129): "EPSG:2272 (NAD83 / Pennsylvania South (ftUS)) is in US survey foot, not metres:
// …; use its metre twin EPSG:32129 (NAD83 / Pennsylvania South)". kInvalidInput for a CRS PROJ
// does not know.
Status CheckCrsInMetres(const std::string& crs);

// In place: x/y in `crs` → lon/lat degrees (WGS 84). REQUIRES: x.size() == y.size().
// kInvalidInput for an unknown CRS and when a point cannot be transformed.
Status ProjectToLonLat(const std::string& crs, std::vector<double>& x, std::vector<double>& y);
// In place: lon/lat degrees (WGS 84) → x/y in `crs`. Same errors.
Status ProjectFromLonLat(const std::string& crs, std::vector<double>& x, std::vector<double>& y);

// "EPSG:326zz"/"EPSG:327zz": the UTM zone holding `lon_deg` (north or south by `lat_deg`).
std::string UtmCrsForLonLat(double lon_deg, double lat_deg);

}  // namespace placecast::io
