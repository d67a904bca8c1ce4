// SPDX-License-Identifier: Apache-2.0
// retention (retention.h).
#include "placecast/ops/retention.h"

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/common/safe_json.h"
#include "placecast/io/calendar.h"
#include "placecast/io/ledger.h"
#include "placecast/io/retention.h"
#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<RetentionRequest>> RetentionRequest::Fields() {
  using R = RetentionRequest;
  static const std::vector<Field<R>> fields = {
      {{.name = "store",
        .doc = "GeoPackage store written by `placecast ingest`",
        .flags = kRequired | kNotInQuery},
       &R::store},
      {{.name = "older_than",
        .doc = "retention period: N followed by d (days), w (weeks), m (calendar months) or y "
               "(calendar years), e.g. 365d, 52w, 24m, 3y",
        .flags = kRequired},
       &R::older_than},
      {{.name = "as_of",
        .type = FieldType::kDate,
        .doc = "date YYYY-MM-DD the period counts back from (default: today in the store's time "
               "zone)"},
       &R::as_of},
      {{.name = "dry_run",
        .type = FieldType::kBool,
        .doc = "count what would be purged and change nothing (no ledger record)"},
       &R::dry_run},
  };
  return fields;
}

Status RetentionRequest::Validate() const {
  return io::ParseRetentionPeriod(older_than, "--older-than").status();
}

namespace {

// "1234 kept, the oldest at 2024-01-02T03:04:05Z" or "none kept".
std::string KeptText(const io::IncidentAges& a, const Calendar& cal) {
  if (a.at_or_after == 0) return "none kept";
  return std::to_string(a.at_or_after) + " kept, the oldest at " +
         cal.FormatDateTime(*a.oldest_kept_s);
}

}  // namespace

Result<Product> Run(io::Store& store, const RetentionRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(io::RetentionPeriod period,
                             io::ParseRetentionPeriod(r.older_than, "--older-than"));
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  int64_t as_of_s = 0;
  if (r.as_of.empty()) {
    as_of_s = cal.AddDays(static_cast<int64_t>(std::time(nullptr)), 0);  // today, local
  } else {
    PLACECAST_ASSIGN_OR_RETURN(as_of_s, cal.ParseDate(r.as_of, "--as-of"));
  }
  const int64_t cutoff_s = io::RetentionCutoffS(as_of_s, period, cal);
  PLACECAST_ASSIGN_OR_RETURN(io::IncidentAges ages, store.CountIncidentsBefore(cutoff_s));
  Product out;
  out.lines.push_back("retention: " + r.store + ", as of " + cal.FormatDate(as_of_s) +
                      ", older than " + period.ToString() + ": cutoff " +
                      cal.FormatDateTime(cutoff_s));
  out.summary["cutoff"] = cal.FormatDateTime(cutoff_s);
  if (!ctx.record && !r.dry_run) {
    // A replay never purges: a purge without its record would break the ledger's state chain.
    // It checks that the recorded purge still holds.
    out.lines.push_back("replay: " + std::to_string(ages.before) +
                        " incident(s) occur before the cutoff; " + KeptText(ages, cal) +
                        "; the store is unchanged");
    out.summary["before_cutoff"] = ages.before;
    if (ages.before > 0) {
      out.finding = Status::ReplayMismatch(
          "retention: " + std::to_string(ages.before) + " incident(s) before the cutoff " +
          cal.FormatDateTime(cutoff_s) + " are in the store, which the recorded purge removed");
    }
    return out;
  }
  if (r.dry_run) {
    out.lines.push_back("dry run: " + std::to_string(ages.before) + " of " +
                        std::to_string(ages.before + ages.at_or_after) +
                        " incident(s) occur before the cutoff and would be purged; " +
                        KeptText(ages, cal) + "; the store is unchanged (no ledger record)");
    out.summary["would_purge"] = ages.before;
    out.summary["kept"] = ages.at_or_after;
    return out;
  }
  // The record holds the request as applied: the canonical period and the date it counted back
  // from, so the record names its cutoff even when --as-of was left to today.
  RetentionRequest applied = r;
  applied.older_than = period.ToString();
  applied.as_of = cal.FormatDate(as_of_s);
  // The purge and its ledger record are one transaction (the VACUUM that clears the freed pages
  // runs after the commit): a failed or killed retention leaves the store and its ledger as they
  // were.
  io::WriteTransaction txn(store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin());
  PLACECAST_ASSIGN_OR_RETURN(int64_t purged, store.PurgeIncidentsBefore(cutoff_s));
  PLACECAST_ASSIGN_OR_RETURN(io::IncidentAges after, store.CountIncidentsBefore(cutoff_s));
  io::LedgerRecord record;
  record.command = std::string(RetentionRequest::kOp);
  record.params_json = SafeDump(RequestToJson(applied));
  record.code_version = std::string("placecast ") + kVersion;
  io::MakeLedgerPathsStoreRelative(&record, store.GetPath());
  auto appended = store.AppendLedger(std::move(record));
  if (!appended.ok()) return appended.status().Wrap("ledger");
  PLACECAST_RETURN_IF_ERROR(txn.Commit());
  out.ledger_seq = appended->seq;
  out.lines.push_back(
      "purged " + std::to_string(purged) + " of " + std::to_string(purged + after.at_or_after) +
      " incident(s) occurring before the cutoff" +
      (purged > 0 ? " (secure delete, file vacuumed)" : "") + "; " + KeptText(after, cal));
  out.lines.push_back(
      "not purged: the ingest history (counts and date ranges per ingest), rejects files and "
      "products written outside the store (docs/privacy.md, \"Retention\")");
  out.summary["purged"] = purged;
  out.summary["kept"] = after.at_or_after;
  out.summary["ledger_seq"] = out.ledger_seq;
  return out;
}

OpInfo RetentionOp() {
  return MakeOpInfo<RetentionRequest>(StoreUse::kRead, [](io::Store* s, const RetentionRequest& r,
                                                          Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
