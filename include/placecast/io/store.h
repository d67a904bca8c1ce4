// SPDX-License-Identifier: Apache-2.0
// Store: where ingested incidents, the study area and the ingest history live. The default
// implementation is a GeoPackage file (SQLite underneath, opened by QGIS as a point layer
// `incidents` in the projected CRS); an in-memory implementation serves tests. The schema is in
// docs/formats.md and carries a version checked on open.
//
// Thread-safety: a Store object is not thread-safe; use one per thread. Several processes may use
// the same GeoPackage at once: it is created and written in place under SQLite's own locking, in
// WAL mode, so readers proceed during a write and see either the state before a write transaction
// or the state after it, and writers take turns (a writer waits for the write lock up to the busy
// timeout, then fails with kIo "store is busy"). An operation's data change and its ledger record
// are one transaction (BeginWrite ... AppendLedger ... CommitWrite); the guarantees and their
// limits are in docs/reliability.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/common/offence.h"
#include "placecast/grid/geometry.h"
#include "placecast/io/env_layer.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store_state.h"
#include "placecast/status.h"

namespace placecast::io {

// Version of the persisted store layout (tables and columns, docs/formats.md). Bumped on any
// incompatible change; a store with another version fails to open with kData.
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
  std::string district;  // published area code ("" when none)
  std::string beat;      // published sub-area code ("" when none)
  std::string source;    // input file name (no directory)

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
  std::string crs;                           // REQUIRES: equal to GetCrs() when the store has one
  std::vector<Incident> incidents;           // ids not yet in the store
  std::optional<grid::Boundary> study_area;  // replaces a saved study area when set
  std::optional<IngestRun> run;
};

// What a retention purge finds for a cutoff (Store::CountIncidentsBefore).
struct IncidentAges {
  int64_t before = 0;                    // incidents with t_utc_s < cutoff (what a purge removes)
  int64_t at_or_after = 0;               // incidents kept
  std::optional<int64_t> oldest_kept_s;  // earliest t_utc_s at or after the cutoff; none if none
};

class Store {
 public:
  virtual ~Store();

  // Opens the GeoPackage at `path` and runs SQLite's quick_check on it. When the file does not
  // exist (or is an empty file left by an interrupted creating ingest): kIo (kData for the empty
  // file) unless `create_if_missing`, in which case the store starts empty and the file is created
  // in place by the first write transaction (a failed or rolled-back first write removes it again).
  // kData when the file is not a placecast GeoPackage, has another schema version or fails
  // quick_check; kIo when SQLite cannot open it or the store stays busy past the busy timeout.
  // The busy timeout is 60 s, or PLACECAST_BUSY_TIMEOUT_MS from the environment.
  static Result<std::unique_ptr<Store>> OpenGeoPackage(const std::string& path,
                                                       bool create_if_missing);
  // An empty store held in memory, for tests.
  static std::unique_ptr<Store> InMemory();

  // Events of the given groups with t in [t_from_s, t_to_s), time-sorted (ties by id), x/y in the
  // store CRS; `crs` set to the store CRS. An empty store gives an empty set.
  virtual Result<EventSet> LoadEvents(const std::vector<OffenceGroup>& groups, int64_t t_from_s,
                                      int64_t t_to_s) = 0;
  // The store CRS ("EPSG:32618"); nullopt when the store is empty (has no incident yet).
  virtual Result<std::optional<std::string>> GetCrs() = 0;
  // The IANA time zone the incidents were recorded in ("America/New_York"): every command counts
  // days as local days of this zone. "" for a store without incidents. kData when the incidents
  // carry two zones (ingest refuses to mix them; a store written before it did may).
  virtual Result<std::string> GetTimeZone() = 0;
  // The saved study area in the store CRS; nullopt when none was saved. kData when the saved
  // geometry cannot be read.
  virtual Result<std::optional<grid::Boundary>> GetStudyArea() = 0;
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
  // pages dropped, the file rebuilt). kIo when a GeoPackage store has no file yet or when
  // the file cannot be written (the store is then unchanged).
  virtual Result<int64_t> PurgeIncidentsBefore(int64_t cutoff_s) = 0;

  // Appends `record` to the ledger (io/ledger.h), joining the open write transaction (so the record
  // commits with the data it vouches for) or as a transaction of its own: sets state_json to the
  // store's state (GetState) and the change the open transaction made to the incidents, sets seq to
  // the last seq + 1, prev_hash to the last record's hash (kLedgerGenesisHash for the first),
  // time_utc to now when empty, and hash to LedgerRecordHash(); returns the record as stored. The
  // `ledger` table is created on the first append (stores written before the ledger existed keep
  // schema version 1 and simply have none). kIo when a GeoPackage store has not been written
  // yet (no file); kInvalidInput when params_json is not JSON; kIo when the file cannot be written.
  virtual Result<LedgerRecord> AppendLedger(LedgerRecord record) = 0;
  // Every ledger record as stored, ordered by seq (empty when the store has no ledger). No check
  // is made here: VerifyLedger() does that. kData when a row cannot be decoded.
  virtual Result<std::vector<LedgerRecord>> ReadLedger() = 0;

  // ---- Environment layers (io/env_layer.h) ---------------------------------------------------
  // Every stored environment layer, ordered by name; with `with_geometry` false the features are
  // left empty (feature_count still set). Empty for a store without layers. kData when a stored
  // geometry cannot be read (naming the layer).
  virtual Result<std::vector<EnvLayer>> LoadEnvLayers(bool with_geometry) = 0;
  // Stores `layer` (coordinates in the store CRS), replacing a layer of the same name when
  // `replace`, joining the open write transaction or as one of its own. The layer tables are
  // created on first use. kInvalidInput when the store has no CRS yet (no incidents), the name is
  // not valid (CheckEnvLayerName), the name is already stored and not `replace`, the snapshot
  // date is empty or feature_count is not features.size(); kIo as Write.
  virtual Status WriteEnvLayer(const EnvLayer& layer, bool replace) = 0;

  // ---- Transactions ----------------------------------------------------------------------------
  // Takes the store's write lock (SQLite BEGIN IMMEDIATE; creating the file in place for a new
  // store), waiting up to the busy timeout. Until CommitWrite or RollbackWrite, Write,
  // PurgeIncidentsBefore, AppendLedger and GetReleaseKey join this transaction, and reads see its
  // changes. kIo "store is busy" when another writer holds the lock past the timeout;
  // kInvalidInput when a transaction is already open.
  virtual Status BeginWrite() = 0;
  // Commits the open transaction durably (then runs the VACUUM a purge asked for). kIo when the
  // commit fails (disk full, read-only file): the transaction is then rolled back. kInvalidInput
  // when no transaction is open.
  virtual Status CommitWrite() = 0;
  // Abandons the open transaction (no-op when none is open): the store is as before BeginWrite.
  virtual void RollbackWrite() = 0;

  // ---- What the ledger vouches for ----------------------------------------------------------
  // The store's current state as maintained by its writes (O(1) for the incidents: their digest
  // is updated by every write). AppendLedger stores it in each record.
  virtual Result<StoreState> GetState() = 0;
  // The state recomputed from every stored row (O(rows)), for `ledger verify`. Rows whose derived
  // columns (geometry, time text, group name) disagree with their canonical fields are listed in
  // `problems` (at most 20, then a count). kData when a data table is missing or unreadable.
  virtual Result<StoreState> RecomputeState(std::vector<std::string>* problems) = 0;
  // SQLite's quick_check (`full` = false) or integrity_check (`full` = true). kData with the
  // first problems SQLite reports.
  virtual Status CheckIntegrity(bool full) = 0;

  // The store's secret key for public releases: 32 bytes from the OS CSPRNG, created with the
  // store (or on first use for a store made before keys existed, which needs write access) and
  // kept only in the store: never in a release, a message or the ledger. kIo when it must be
  // created and the store cannot be written; kIo when a GeoPackage store has no file yet.
  virtual Result<std::string> GetReleaseKey() = 0;

  // ---- Products published after a commit ------------------------------------------------------
  // Notes, in the open write transaction (or one of its own), the renames (temporary file, final
  // path; absolute) that publish the products its ledger record names, so that a process killed
  // between the commit and the renames has them finished by the next one to open the store
  // (OpenGeoPackage rolls forward the moves of processes that no longer run). kIo as Write.
  virtual Status RecordPendingMoves(
      const std::vector<std::pair<std::string, std::string>>& moves) = 0;
  // Forgets this process's pending moves once they are done (its own transaction). Best effort:
  // a failure leaves moves whose temporary files no longer exist, which recovery skips.
  virtual Status ClearPendingMoves() = 0;
};

// A write transaction that rolls back unless committed (RAII over Store::BeginWrite/CommitWrite).
class WriteTransaction {
 public:
  explicit WriteTransaction(Store& store) : store_(store) {}
  ~WriteTransaction() {
    if (active_) store_.RollbackWrite();
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  // As Store::BeginWrite.
  Status Begin() {
    Status s = store_.BeginWrite();
    active_ = s.ok();
    return s;
  }
  // As Store::CommitWrite; after it the transaction is closed either way.
  Status Commit() {
    active_ = false;
    return store_.CommitWrite();
  }
  bool active() const { return active_; }

 private:
  Store& store_;
  bool active_ = false;
};

// The error GetTimeZone() returns when a store's incidents carry two time zones: `where` names the
// store, `a` and `b` two of the zones.
Status MixedTimeZones(const std::string& where, const std::string& a, const std::string& b);

// The checks every Store::WriteEnvLayer makes before writing (see there); `where` names the store.
Status CheckEnvLayer(const EnvLayer& layer, const std::string& store_crs, const std::string& where);

}  // namespace placecast::io
