// SPDX-License-Identifier: Apache-2.0
// retention: purges the store's incidents older than a retention period (io/retention.h,
// Store::PurgeIncidentsBefore), leaving no purged row recoverable from the file, and records the
// purge in the ledger in the same transaction. --dry-run only counts and records nothing.
#pragma once

#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct RetentionRequest {
  static constexpr std::string_view kOp = "retention";
  static constexpr std::string_view kSummary =
      "Purge incidents older than a retention period from the store (recorded)";
  std::string store;
  std::string older_than;  // "365d", "52w", "24m", "3y"
  std::string as_of;       // the date the period counts back from; "" = today (local)
  bool dry_run = false;

  static std::span<const Field<RetentionRequest>> Fields();
  // --older-than is a retention period. kInvalidInput naming the field.
  Status Validate() const;
};

// Purges (or with r.dry_run counts) the incidents before the cutoff. The ledger record holds the
// request with --older-than canonical and --as-of resolved (today's date when not given), so it
// names the cutoff it applied; its state holds how many rows were removed. With ctx.record false
// (a ledger replay) nothing is purged: the store is checked to hold no incident before the
// recorded cutoff (Product.finding kReplayMismatch when it does). Errors of the store.
Result<Product> Run(io::Store& store, const RetentionRequest& r, Context& ctx);

OpInfo RetentionOp();

}  // namespace placecast::ops
