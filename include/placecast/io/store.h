// SPDX-License-Identifier: Apache-2.0
// Store: where ingested incidents, the study area and the ingest history live. The default
// implementation is a GeoPackage file (SQLite underneath, opened by QGIS as a point layer
// `incidents` in the projected CRS); an in-memory implementation serves tests. The schema is in
// docs/formats.md and carries a version checked on open.
//
// Thread-safety: a Store object is not thread-safe; use one per thread. Several processes may read
// the same GeoPackage; a write (Write) is one SQLite transaction, or, for a file that does not
// exist yet, a temporary file renamed into place, so readers never see a half-written store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/common/offence.h"
#include "placecast/grid/geometry.h"
#include "placecast/io/ledger.h"
#include "placecast/status.h"

namespace placecast::io {

// Version of the persisted store layout (tables and columns, docs/formats.md). Bumped on any
// incompatible change; a store with another version fails to open with kCorrupt.
inline constexpr int kStoreSchemaVersion = 1;

// The canonical incident: the only fields that survive ingest (the allowlist). Everything else in
// a source row is dropped before it reaches a Store.
struct Incident {
  std::string id;           // record id as published, or "<file>:<line>" when the source has none
  int64_t t_utc_s = 0;      // UTC seconds since 1970-01-01
  std::string tz;           // IANA name of the source's local time zone ("America/New_York")
  double lon = 0, lat = 0;  // WGS 84 degrees
  double x_m = 0, y_m = 0;  // projected metres in the store CRS
  std::string offence;      // offence text as published
  OffenceGroup group = OffenceGroup::kUnknown;
  std::string district;     // published area code ("" when none)
  std::string beat;         // published sub-area code ("" when none)
  std::string source;       // input file name (no directory)

  bool operator==(const Incident&) const = default;
};

// One ingest, kept in the store's `ingest_runs` table.
struct IngestRun {
  std::string time_utc;             // "2025-01-02T03:04:05Z", when the ingest ran
  std::vector<std::string> inputs;  // input paths as given
  std::string summary_json;         // IngestSummary::ToJson()
};

// Everything one ingest adds, applied atomically by Store::Write.
struct StoreWrite {
  std::string crs;                          // REQUIRES: equal to GetCrs() when the store has one
  std::vector<Incident> incidents;          // ids not yet in the store
  std::optional<grid::Boundary> study_area;  // replaces a saved study area when set
  std::optional<IngestRun> run;
};

// What a retention purge finds for a cutoff (Store::CountIncidentsBefore).
struct IncidentAges {
  int64_t before = 0;    // incidents with t_utc_s < cutoff (what a purge removes)
  int64_t at_or_after = 0;  // incidents kept
  std::optional<int64_t> oldest_kept_s;  // earliest t_utc_s at or after the cutoff; none if none
};

class Store {
 public:
  virtual ~Store();

  // Opens the GeoPackage at `path`. When the file does not exist: kNotFound unless
  // `create_if_missing`, in which case the store starts empty and the file is first created by
  // Write (built under a temporary name and renamed, so a failed ingest leaves no file).
  // kCorrupt when the file is not a placecast GeoPackage or has another schema version;
  // kIo when SQLite cannot open it.
  static Result<std::unique_ptr<Store>> OpenGeoPackage(const std::string& path,
                                                       bool create_if_missing);
  // An empty store held in memory, for tests.
  static std::unique_ptr<Store> InMemory();

  // Events of the given groups with t in [t_from_s, t_to_s), time-sorted (ties by id), x/y in the
  // store CRS; `crs` set to the store CRS. An empty store gives an empty set.
  virtual Result<EventSet> LoadEvents(const std::vector<OffenceGroup>& groups, int64_t t_from_s,
                                      int64_t t_to_s) = 0;
  // The store CRS ("EPSG:32618"); kNotFound when the store is empty.
  virtual Result<std::string> GetCrs() = 0;
  // The saved study area in the store CRS; kNotFound when none was saved.
  virtual Result<grid::Boundary> GetStudyArea() = 0;
  virtual Result<int64_t> CountIncidents() = 0;
  // Every stored incident, ordered by time then id (for audits, exports and tests).
  virtual Result<std::vector<Incident>> LoadIncidents() = 0;
  // Every stored id (any order), used by ingest to recognise rows already in the store.
  virtual Result<std::vector<std::string>> GetIds() = 0;
  // Every ingest run, oldest first.
  virtual Result<std::vector<IngestRun>> GetIngestRuns() = 0;

  // The file behind the store ("" for an in-memory store).
  virtual std::string GetPath() const = 0;

  // Adds the incidents, sets the study area and records the run, all or nothing.
  // kInvalidInput when `write.crs` differs from the store CRS or an id is already stored;
  // kIo when the file cannot be written (the store is then unchanged).
  virtual Status Write(const StoreWrite& write) = 0;

  // Counts the incidents occurring before `cutoff_s` (UTC seconds) and those kept, and finds the
  // earliest kept time. Changes nothing (retention --dry-run).
  virtual Result<IncidentAges> CountIncidentsBefore(int64_t cutoff_s) = 0;
  // Deletes every incident with t_utc_s < cutoff_s (an incident exactly at the cutoff is kept) in
  // one transaction and returns how many were deleted; a second call with the same cutoff deletes
  // none. The GeoPackage store keeps itself valid (the `incidents` extent in gpkg_contents is
  // recomputed, NULL when none remain; the ingest history, study area and ledger are untouched)
  // and leaves no purged row recoverable from the file: the delete runs with SQLite's
  // secure_delete on (freed content overwritten with zeros) and the file is then VACUUMed (free
  // pages dropped, the file rebuilt). kNotFound when a GeoPackage store has no file yet; kIo when
  // the file cannot be written (the store is then unchanged).
  virtual Result<int64_t> PurgeIncidentsBefore(int64_t cutoff_s) = 0;

  // Appends `record` to the ledger (io/ledger.h) as one transaction: sets seq to the last seq + 1,
  // prev_hash to the last record's hash (kLedgerGenesisHash for the first), time_utc to now when
  // empty, and hash to LedgerRecordHash(); returns the record as stored. The `ledger` table is
  // created on the first append (stores written before the ledger existed keep schema version 1
  // and simply have none). kNotFound when a GeoPackage store has not been written yet (no file);
  // kInvalidInput when params_json is not JSON; kIo when the file cannot be written.
  virtual Result<LedgerRecord> AppendLedger(LedgerRecord record) = 0;
  // Every ledger record as stored, ordered by seq (empty when the store has no ledger). No check
  // is made here: VerifyLedger() does that. kCorrupt when a row cannot be decoded.
  virtual Result<std::vector<LedgerRecord>> ReadLedger() = 0;
};

}  // namespace placecast::io
