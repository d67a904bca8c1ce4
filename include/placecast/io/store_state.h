// SPDX-License-Identifier: Apache-2.0
// What the ledger vouches for: a digest of a store's state (its incidents, study area, metadata,
// ingest history and schema), kept in every ledger record so that `ledger verify` detects an edit,
// insertion or deletion of stored data, not only of the ledger itself (docs/ledger.md, "State").
//
// The incidents are digested as a multiset with an additive hash (Bellare and Micciancio 1997,
// "AdHash"): each canonical row is hashed with SHA-256, expanded to 4096 bits with ChaCha20, and
// the row digests are summed modulo 2^4096. The sum can be updated in O(rows changed) on every
// write (add the new rows, subtract the purged ones), so a record costs O(1) to vouch for 553k
// rows; `verify` recomputes it from every row. With a 4096-bit modulus, Wagner's
// generalised-birthday attack (2002) needs about 2^128 work to find another multiset with the same
// sum. The small parts (study area, metadata, ingest runs, schema) are plain SHA-256 over their
// canonical rows.
//
// Plain values and pure functions: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "placecast/status.h"

namespace placecast::io {

struct Incident;

// The additive multiset digest of a set of rows (sum of row digests modulo 2^4096).
class RowSetDigest {
 public:
  static constexpr size_t kLimbs = 64;  // 64 x 64 bits = 4096 bits

  // Adds / removes one row given by its canonical bytes.
  void Add(std::string_view row_bytes);
  void Remove(std::string_view row_bytes);
  // Adds / removes every row of another digest.
  void Add(const RowSetDigest& other);
  void Remove(const RowSetDigest& other);

  // 1024 lower-case hex digits (most significant limb first); FromHex is its inverse
  // (kData naming `what` for anything else).
  std::string ToHex() const;
  static Result<RowSetDigest> FromHex(std::string_view hex, std::string_view what);

  bool operator==(const RowSetDigest&) const = default;

 private:
  std::array<uint64_t, kLimbs> limbs_{};
};

// The canonical bytes of one stored incident: every persisted field but the row number, each
// length-prefixed (text) or fixed-width little-endian (integers, IEEE doubles).
std::string IncidentRowBytes(const Incident& incident);

// The state one ledger record vouches for. `incidents_sum` is RowSetDigest::ToHex of the rows;
// the other parts are lower-case hex SHA-256 of their canonical content ("" when the store has
// none of that part, e.g. no study area).
struct StoreState {
  int64_t incidents = 0;
  std::string incidents_sum;
  std::string study_area;
  std::string metadata;  // CRS, schema version and the CRS definitions
  std::string ingest_runs;
  std::string schema;  // table and index definitions of the data tables

  bool operator==(const StoreState&) const = default;
};

// What one write transaction changed in the incidents: the rows it added and removed.
struct StateChange {
  int64_t added = 0, removed = 0;
  RowSetDigest added_sum, removed_sum;
  // The other parts the transaction wrote (only they may differ from the previous record's).
  bool study_area = false, metadata = false, ingest_runs = false, schema = false;
  bool empty() const {
    return added == 0 && removed == 0 && !study_area && !metadata && !ingest_runs && !schema;
  }
};

// The state (and, when not empty, the change that led to it) as the canonical JSON object stored
// in a ledger record: {"change":{"added":N,"added_sum":…,"removed":M,"removed_sum":…},
// "incidents":N,"incidents_sum":…,"ingest_runs":…,"metadata":…,"schema":…,"study_area":…}.
std::string StateToJson(const StoreState& state, const StateChange& change);
// Parses StateToJson's output. kData naming `what` when a field is missing or malformed.
Status StateFromJson(std::string_view json, std::string_view what, StoreState* state,
                     StateChange* change);

// Names the parts of `a` that differ from `b` ("incidents (count 12 vs 13)", "study_area", …);
// "" when equal.
std::string DescribeStateDifference(const StoreState& a, const StoreState& b);

}  // namespace placecast::io
