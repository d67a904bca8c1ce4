// SPDX-License-Identifier: Apache-2.0
// Store base class and the in-memory Store used by tests. The in-memory store is not thread-safe.
#include "placecast/io/store.h"

#include <algorithm>
#include <unordered_set>

namespace placecast::io {

Store::~Store() = default;

namespace {

class MemoryStore final : public Store {
 public:
  Result<EventSet> LoadEvents(const std::vector<OffenceGroup>& groups, int64_t t_from_s,
                              int64_t t_to_s) override {
    bool want[256] = {};
    for (auto g : groups) want[static_cast<uint8_t>(g)] = true;
    EventSet out;
    out.crs = crs_;
    for (const Incident& inc : incidents_) {
      if (!want[static_cast<uint8_t>(inc.group)] || inc.t_utc_s < t_from_s ||
          inc.t_utc_s >= t_to_s) {
        continue;
      }
      out.Add(inc.t_utc_s, inc.x_m, inc.y_m, inc.group, inc.offence, inc.id);
    }
    out.SortByTime();
    return out;
  }
  Result<std::string> GetCrs() override {
    if (crs_.empty()) return Status::NotFound("store: empty store has no CRS");
    return crs_;
  }
  Result<grid::Boundary> GetStudyArea() override {
    if (!study_area_) return Status::NotFound("store: no study area saved");
    return *study_area_;
  }
  Result<int64_t> CountIncidents() override { return static_cast<int64_t>(incidents_.size()); }
  Result<std::vector<Incident>> LoadIncidents() override {
    std::vector<Incident> out = incidents_;
    std::stable_sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) {
      return a.t_utc_s != b.t_utc_s ? a.t_utc_s < b.t_utc_s : a.id < b.id;
    });
    return out;
  }
  Result<std::vector<std::string>> GetIds() override {
    return std::vector<std::string>(ids_.begin(), ids_.end());
  }
  Result<std::vector<IngestRun>> GetIngestRuns() override { return runs_; }
  std::string GetPath() const override { return ""; }

  Status Write(const StoreWrite& w) override {
    if (!crs_.empty() && w.crs != crs_) {
      return Status::InvalidInput("store: CRS " + w.crs + " differs from the store's (got \"" +
                                  w.crs + "\", store has \"" + crs_ + "\")");
    }
    std::unordered_set<std::string> fresh;
    for (const Incident& inc : w.incidents) {
      if (ids_.count(inc.id) || !fresh.insert(inc.id).second) {
        return Status::InvalidInput("store: id already stored (got \"" + inc.id + "\")");
      }
    }
    crs_ = w.crs;
    incidents_.insert(incidents_.end(), w.incidents.begin(), w.incidents.end());
    ids_.insert(fresh.begin(), fresh.end());
    if (w.study_area) study_area_ = *w.study_area;
    if (w.run) runs_.push_back(*w.run);
    return Status::Ok();
  }

  Result<IncidentAges> CountIncidentsBefore(int64_t cutoff_s) override {
    IncidentAges a;
    for (const Incident& inc : incidents_) {
      if (inc.t_utc_s < cutoff_s) {
        ++a.before;
      } else {
        ++a.at_or_after;
        if (!a.oldest_kept_s || inc.t_utc_s < *a.oldest_kept_s) a.oldest_kept_s = inc.t_utc_s;
      }
    }
    return a;
  }
  Result<int64_t> PurgeIncidentsBefore(int64_t cutoff_s) override {
    const auto old = std::partition(incidents_.begin(), incidents_.end(),
                                    [cutoff_s](const Incident& i) { return i.t_utc_s >= cutoff_s; });
    const int64_t n = incidents_.end() - old;
    for (auto it = old; it != incidents_.end(); ++it) ids_.erase(it->id);
    incidents_.erase(old, incidents_.end());
    return n;
  }

  Result<LedgerRecord> AppendLedger(LedgerRecord r) override {
    PLACECAST_ASSIGN_OR_RETURN(r.params_json, CanonicalJson(r.params_json, "ledger params"));
    r.seq = ledger_.empty() ? 1 : ledger_.back().seq + 1;
    r.prev_hash = ledger_.empty() ? std::string(kLedgerGenesisHash) : ledger_.back().hash;
    if (r.time_utc.empty()) r.time_utc = "1970-01-01T00:00:00Z";  // tests set their own
    PLACECAST_ASSIGN_OR_RETURN(r.hash, LedgerRecordHash(r));
    ledger_.push_back(r);
    return r;
  }
  Result<std::vector<LedgerRecord>> ReadLedger() override { return ledger_; }

 private:
  std::string crs_;
  std::vector<Incident> incidents_;
  std::unordered_set<std::string> ids_;
  std::optional<grid::Boundary> study_area_;
  std::vector<IngestRun> runs_;
  std::vector<LedgerRecord> ledger_;
};

}  // namespace

std::unique_ptr<Store> Store::InMemory() { return std::make_unique<MemoryStore>(); }

}  // namespace placecast::io
