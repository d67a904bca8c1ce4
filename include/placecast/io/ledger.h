// SPDX-License-Identifier: Apache-2.0
// The tamper-evident ledger: an append-only table `ledger` in the store with one record per command
// that changed the store or wrote a product from it (ingest, retention, forecast, backtest, audit,
// scan, …; docs/ledger.md lists them and the few that cannot record). Each record holds
// the SHA-256 of its own canonical serialisation and of the record before it (a hash chain), so an
// edited, deleted or reordered record is detected by VerifyLedger(), as is a product file that no
// longer matches its recorded hash. Format and limits: docs/ledger.md.
//
// Store::AppendLedger / Store::ReadLedger (store.h) persist records; this header holds the record
// type and the pure functions over it. Everything here is a plain value or a pure function (bar
// VerifyLedger, which reads the recorded output files): safe to call from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/io/store_state.h"
#include "placecast/status.h"

namespace placecast::io {

// prev_hash of the first record: 64 zeros.
inline constexpr std::string_view kLedgerGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A file a command read or wrote, with the lower-case hex SHA-256 of its bytes at that time.
struct LedgerFile {
  // Relative to the store's folder in a record whose `paths` is kLedgerPathsStoreRelative (or
  // absolute when the file lies outside that folder); as the command was given it (relative to the
  // command's working directory) in older records.
  std::string path;
  std::string sha256;  // 64 lower-case hex digits

  bool operator==(const LedgerFile&) const = default;
};

// LedgerRecord::paths of records whose file paths are relative to the folder holding the store
// (StoreRelativeLedgerPath). Records without it (written before placecast recorded paths that
// way) keep the paths as the command was given them.
inline constexpr std::string_view kLedgerPathsStoreRelative = "store-relative";

struct LedgerRecord {
  int64_t seq = 0;          // 1, 2, 3, … in append order
  std::string time_utc;     // "2025-01-02T03:04:05Z", when the record was appended
  std::string command;      // "ingest", "forecast", "backtest", "audit", …
  std::string params_json;  // fully resolved parameters: a JSON object in canonical form
  std::vector<LedgerFile> inputs;
  std::vector<LedgerFile> outputs;
  std::string code_version;  // "placecast 0.1.0"
  // The store state the record leaves (io/store_state.h, StateToJson): canonical JSON, "" in
  // records written before states were recorded (they are then not part of the state checks).
  std::string state_json;
  // How `inputs` and `outputs` paths are written: kLedgerPathsStoreRelative, or "" in records
  // written before (paths as given, relative to the command's working directory). Hashed only
  // when not empty, so older records keep their hashes.
  std::string paths;
  std::string prev_hash;  // `hash` of record seq - 1; kLedgerGenesisHash for seq 1
  std::string hash;       // LedgerRecordHash(*this)

  bool operator==(const LedgerRecord&) const = default;
};

// `json` rewritten canonically: no insignificant whitespace, object keys sorted by their UTF-8
// bytes, numbers in nlohmann::json's shortest round-trip form, strings with only the escapes JSON
// requires. Parsing and re-canonicalising gives the same bytes. kInvalidInput when `json` is not
// JSON (naming `what`).
Result<std::string> CanonicalJson(std::string_view json, std::string_view what = "params");

// The bytes that are hashed: a canonical JSON object of every field but `hash`:
// {"code_version":…,"command":…,"inputs":[{"path":…,"sha256":…}…],"outputs":[…],
//  "params":<params_json parsed>,"paths":…,"prev_hash":…,"seq":N,"state":…,"time_utc":…}
// ("paths" and "state" only when not empty).
// kInvalidInput when params_json is not JSON.
Result<std::string> LedgerRecordCanonical(const LedgerRecord& record);

// Lower-case hex SHA-256 of LedgerRecordCanonical(record). kInvalidInput as that.
Result<std::string> LedgerRecordHash(const LedgerRecord& record);

// `inputs` / `outputs` encoded as the canonical JSON array stored in the table, and back.
// LedgerFilesFromJson: kData (naming `what`) when the text is not such an array.
std::string LedgerFilesToJson(const std::vector<LedgerFile>& files);
Result<std::vector<LedgerFile>> LedgerFilesFromJson(std::string_view json, std::string_view what);

// Hashes each existing file of `paths` (in order) into a LedgerFile; paths that do not exist are
// skipped (a command lists the files it may have written). kIo when one cannot be read.
Result<std::vector<LedgerFile>> HashLedgerFiles(const std::vector<std::string>& paths);

// `path` as a store-relative record holds it: relative to `store_dir` (the folder holding the
// store) when the file lies in that folder or below it, absolute otherwise (a file elsewhere keeps
// working from any directory, and a relative path climbing out with "../" would break when the
// store's folder moves without it). Lexical: symbolic links are not followed; a relative `path`
// is taken from the current directory.
std::string StoreRelativeLedgerPath(const std::string& path, const std::string& store_dir);

// Marks `record` kLedgerPathsStoreRelative and rewrites its inputs' and outputs' paths with
// StoreRelativeLedgerPath. `store_path` is the store file ("" = an in-memory store: the paths are
// then made absolute).
void MakeLedgerPathsStoreRelative(LedgerRecord* record, const std::string& store_path);

// Where a path of `record` is now: absolute paths as they are; in a store-relative record,
// relative paths under `store_dir` (the folder holding the store, wherever it has moved); in an
// older record, relative paths under `root_dir` ("" = the current directory).
std::string ResolveLedgerPath(const LedgerRecord& record, const std::string& path,
                              const std::string& store_dir, const std::string& root_dir);

// The folder holding the store file `store_path` ("" for an in-memory store).
std::string LedgerStoreDir(const std::string& store_path);

// Records, params and states nested deeper than this are refused (kInvalidInput / kData), so a
// hostile record cannot exhaust the stack.
inline constexpr size_t kMaxJsonDepth = 256;
// Whether the brackets of `json` (outside strings) nest at most `max_depth` deep.
bool JsonDepthWithin(std::string_view json, size_t max_depth);
// `s` with control bytes and bytes >= 0x7f written as \xHH (for messages quoting raw bytes).
std::string ToHexIfBinary(std::string_view s);

// What the store holds now, for the state checks of VerifyLedger (Store::RecomputeState).
struct LedgerStateCheck {
  StoreState current;
  std::vector<std::string> row_problems;  // derived columns that disagree with their row
  std::string error;                      // why the state could not be computed ("" when it was)
};

// What verification found. Chain, state and file problems are listed apart; each entry is one
// line naming the record ("seq 3: …").
struct LedgerVerification {
  int64_t records = 0;
  int64_t states_checked = 0;  // records whose state was checked against the one before
  std::vector<std::string> state_problems;  // data edited outside placecast
  int64_t outputs_checked = 0;              // files re-hashed (the latest record naming each path)
  int64_t outputs_superseded = 0;  // older records' outputs later rewritten by another record
  std::vector<std::string> chain_problems;      // edited, deleted, inserted or reordered records
  std::vector<std::string> mismatched_outputs;  // file exists, different bytes
  std::vector<std::string> missing_outputs;     // file no longer exists
  std::string head_hash;  // hash of the last record (kLedgerGenesisHash when empty)

  bool ok() const {
    return chain_problems.empty() && state_problems.empty() && mismatched_outputs.empty() &&
           missing_outputs.empty();
  }
};

// Checks `records` (as read, in seq order): seq runs 1, 2, 3 … without gaps; each hash equals
// LedgerRecordHash of the record; each prev_hash equals the previous record's hash (genesis for
// the first). Then re-hashes each recorded output file: only the latest record naming a path is
// checked (a path written again by a later command is "superseded", not a problem); paths are
// resolved by ResolveLedgerPath (store-relative records against `store_dir`, older records'
// relative paths against `root_dir`, "" = the current directory). With `store`, also checks the
// states (docs/ledger.md, "State"): each record's state must be the previous record's plus the
// change the record itself made (the first record's, an empty store's plus its change), parts
// other than the incidents may change only where the record wrote them, and the store's data now
// must be the last record's state; a store holding incidents with no record at all is reported.
// Never fails: problems are in the result. A deleted *last* record cannot be detected from the
// table alone; compare head_hash with a copy kept elsewhere (`ledger verify --anchor`).
LedgerVerification VerifyLedger(const std::vector<LedgerRecord>& records,
                                const std::string& root_dir,
                                const LedgerStateCheck* store = nullptr,
                                const std::string& store_dir = "");

}  // namespace placecast::io
