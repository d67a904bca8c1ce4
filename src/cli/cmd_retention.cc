// SPDX-License-Identifier: Apache-2.0
// `placecast retention`: purges the store's incidents older than a retention period
// (io/retention.h, Store::PurgeIncidentsBefore), leaving no purged row recoverable from the file,
// and records the purge in the ledger. --dry-run only counts. Not thread-safe (opens the store).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/json_util.h"
#include "cli/ledger_util.h"
#include "placecast/common/event_set.h"
#include "placecast/io/ledger.h"
#include "placecast/io/retention.h"
#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::cli {
namespace {

struct RetentionFlags {
  std::string store;
  std::string older_than;
  std::string as_of;  // "" = today's UTC date
  bool dry_run = false;
};

// "1234 kept, the oldest at 2024-01-02T03:04:05Z" or "none kept".
std::string KeptText(const io::IncidentAges& a) {
  if (a.at_or_after == 0) return "none kept";
  return std::to_string(a.at_or_after) + " kept, the oldest at " + FormatDateTime(*a.oldest_kept_s);
}

Status RunRetention(const RetentionFlags& f) {
  PLACECAST_ASSIGN_OR_RETURN(io::RetentionPeriod period,
                             io::ParseRetentionPeriod(f.older_than, "--older-than"));
  int64_t as_of_s = 0;
  if (f.as_of.empty()) {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    as_of_s = now / kSecondsPerDay * kSecondsPerDay;
  } else {
    PLACECAST_ASSIGN_OR_RETURN(as_of_s, ParseDate(f.as_of, "--as-of"));
  }
  const int64_t cutoff_s = io::RetentionCutoffS(as_of_s, period);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f.store, ec)) {
    return Status::InvalidInput("--store: no such store (got \"" + f.store + "\")");
  }
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, false));
  PLACECAST_ASSIGN_OR_RETURN(io::IncidentAges ages, store->CountIncidentsBefore(cutoff_s));
  std::printf("retention: %s, as of %s, older than %s: cutoff %s\n", f.store.c_str(),
              FormatDate(as_of_s).c_str(), period.ToString().c_str(),
              FormatDateTime(cutoff_s).c_str());
  if (f.dry_run) {
    std::printf(
        "dry run: %lld of %lld incident(s) occur before the cutoff and would be purged; "
        "%s; the store is unchanged (no ledger record)\n",
        static_cast<long long>(ages.before), static_cast<long long>(ages.before + ages.at_or_after),
        KeptText(ages).c_str());
    return Status::Ok();
  }
  // The purge and its ledger record are one transaction (the VACUUM that clears the freed pages
  // runs after the commit): a failed or killed retention leaves the store and its ledger as they
  // were.
  io::WriteTransaction txn(*store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin());
  PLACECAST_ASSIGN_OR_RETURN(int64_t purged, store->PurgeIncidentsBefore(cutoff_s));
  PLACECAST_ASSIGN_OR_RETURN(io::IncidentAges after, store->CountIncidentsBefore(cutoff_s));
  nlohmann::ordered_json lp;
  lp["store"] = f.store;
  lp["older_than"] = period.ToString();
  lp["as_of"] = FormatDate(as_of_s);
  lp["cutoff"] = FormatDateTime(cutoff_s);
  lp["purged"] = purged;
  lp["kept"] = after.at_or_after;
  lp["oldest_kept"] = after.oldest_kept_s ? FormatDateTime(*after.oldest_kept_s) : "";
  lp["dry_run"] = false;
  io::LedgerRecord record;
  record.command = "retention";
  record.params_json = SafeDump(lp);
  record.code_version = std::string("placecast ") + kVersion;
  PLACECAST_RETURN_IF_ERROR(store->AppendLedger(std::move(record)).status().Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(txn.Commit());
  std::printf("purged %lld of %lld incident(s) occurring before the cutoff%s; %s\n",
              static_cast<long long>(purged), static_cast<long long>(purged + after.at_or_after),
              purged > 0 ? " (secure delete, file vacuumed)" : "", KeptText(after).c_str());
  std::printf(
      "not purged: the ingest history (counts and date ranges per ingest), rejects "
      "files and products written outside the store (docs/privacy.md, \"Retention\")\n");
  return Status::Ok();
}

}  // namespace

void RegisterRetention(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<RetentionFlags>();
  auto* cmd = app.add_subcommand(
      "retention", "Purge incidents older than a retention period from the store (recorded)");
  cmd->add_option("--store", f->store, "GeoPackage store written by `placecast ingest`")
      ->required();
  cmd->add_option("--older-than", f->older_than,
                  "retention period: N followed by d (days), w (weeks), m (calendar months) or "
                  "y (calendar years), e.g. 365d, 52w, 24m, 3y")
      ->required();
  cmd->add_option("--as-of", f->as_of,
                  "date YYYY-MM-DD the period counts back from (default: today, UTC)");
  cmd->add_flag("--dry-run", f->dry_run,
                "count what would be purged and change nothing (no ledger record)");
  cmd->callback([f, exit_code] {
    Status s = RunRetention(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
