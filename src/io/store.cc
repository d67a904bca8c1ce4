// SPDX-License-Identifier: Apache-2.0
// Store base class and the in-memory Store used by tests. The in-memory store is not thread-safe.
#include "placecast/io/store.h"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <utility>

#include "placecast/io/file_util.h"

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
    out.crs = data_.crs;
    for (const Incident& inc : data_.incidents) {
      if (!want[static_cast<uint8_t>(inc.group)] || inc.t_utc_s < t_from_s ||
          inc.t_utc_s >= t_to_s) {
        continue;
      }
      out.Add(inc.t_utc_s, inc.x_m, inc.y_m, inc.group, inc.offence, inc.id);
    }
    out.SortByTime();
    return out;
  }
  Result<std::optional<std::string>> GetCrs() override {
    if (data_.crs.empty()) return std::optional<std::string>();
    return std::optional<std::string>(data_.crs);
  }
  Result<std::string> GetTimeZone() override {
    std::string tz;
    for (const Incident& inc : data_.incidents) {
      if (tz.empty()) tz = inc.tz;
      if (inc.tz != tz) return MixedTimeZones("store", tz, inc.tz);
    }
    return tz;
  }
  Result<std::optional<grid::Boundary>> GetStudyArea() override { return data_.study_area; }
  Result<int64_t> CountIncidents() override { return static_cast<int64_t>(data_.incidents.size()); }
  Result<std::vector<Incident>> LoadIncidents() override {
    std::vector<Incident> out = data_.incidents;
    std::stable_sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) {
      return a.t_utc_s != b.t_utc_s ? a.t_utc_s < b.t_utc_s : a.id < b.id;
    });
    return out;
  }
  Result<std::vector<std::string>> GetIds() override {
    return std::vector<std::string>(data_.ids.begin(), data_.ids.end());
  }
  Result<std::vector<IngestRun>> GetIngestRuns() override { return data_.runs; }
  std::string GetPath() const override { return ""; }

  Status Write(const StoreWrite& w) override {
    if (!data_.crs.empty() && w.crs != data_.crs) {
      return Status::InvalidInput("store: CRS " + w.crs + " differs from the store's (got \"" +
                                  w.crs + "\", store has \"" + data_.crs + "\")");
    }
    std::unordered_set<std::string> fresh;
    for (const Incident& inc : w.incidents) {
      if (data_.ids.count(inc.id) || !fresh.insert(inc.id).second) {
        return Status::InvalidInput("store: id already stored (got \"" + inc.id + "\")");
      }
    }
    const bool first = data_.crs.empty();
    data_.crs = w.crs;
    RowSetDigest added;
    for (const Incident& inc : w.incidents) added.Add(IncidentRowBytes(inc));
    data_.sum.Add(added);
    change_.added += static_cast<int64_t>(w.incidents.size());
    change_.added_sum.Add(added);
    data_.incidents.insert(data_.incidents.end(), w.incidents.begin(), w.incidents.end());
    if (first) change_.metadata = change_.schema = true;
    if (w.study_area) change_.study_area = true;
    if (w.run) change_.ingest_runs = true;
    data_.ids.insert(fresh.begin(), fresh.end());
    if (w.study_area) data_.study_area = *w.study_area;
    if (w.run) data_.runs.push_back(*w.run);
    if (!snapshot_) change_ = StateChange{};  // a write outside a transaction has no record
    return Status::Ok();
  }

  Result<IncidentAges> CountIncidentsBefore(int64_t cutoff_s) override {
    IncidentAges a;
    for (const Incident& inc : data_.incidents) {
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
    const auto old =
        std::partition(data_.incidents.begin(), data_.incidents.end(),
                       [cutoff_s](const Incident& i) { return i.t_utc_s >= cutoff_s; });
    const int64_t n = data_.incidents.end() - old;
    RowSetDigest removed;
    for (auto it = old; it != data_.incidents.end(); ++it) {
      data_.ids.erase(it->id);
      removed.Add(IncidentRowBytes(*it));
    }
    data_.sum.Remove(removed);
    change_.removed += n;
    change_.removed_sum.Add(removed);
    if (!snapshot_) change_ = StateChange{};
    data_.incidents.erase(old, data_.incidents.end());
    return n;
  }

  Result<LedgerRecord> AppendLedger(LedgerRecord r) override {
    PLACECAST_ASSIGN_OR_RETURN(r.params_json, CanonicalJson(r.params_json, "ledger params"));
    r.seq = data_.ledger.empty() ? 1 : data_.ledger.back().seq + 1;
    r.prev_hash = data_.ledger.empty() ? std::string(kLedgerGenesisHash) : data_.ledger.back().hash;
    if (r.time_utc.empty()) r.time_utc = "1970-01-01T00:00:00Z";  // tests set their own
    r.state_json = StateToJson(State(data_.sum), change_);
    change_ = StateChange{};
    PLACECAST_ASSIGN_OR_RETURN(r.hash, LedgerRecordHash(r));
    data_.ledger.push_back(r);
    return r;
  }
  Result<std::vector<LedgerRecord>> ReadLedger() override { return data_.ledger; }

  Result<std::vector<EnvLayer>> LoadEnvLayers(bool with_geometry) override {
    std::vector<EnvLayer> out;
    for (const auto& [name, layer] : data_.env_layers) {
      out.push_back(layer);
      if (!with_geometry) out.back().features.clear();
    }
    return out;
  }
  Status WriteEnvLayer(const EnvLayer& layer, bool replace) override {
    PLACECAST_RETURN_IF_ERROR(CheckEnvLayer(layer, data_.crs, "store"));
    if (!replace && data_.env_layers.count(layer.name)) {
      return Status::InvalidInput("store: name: layer already stored (got \"" + layer.name +
                                  "\"); add --replace to replace it");
    }
    data_.env_layers[layer.name] = layer;
    return Status::Ok();
  }

  Status BeginWrite() override {
    if (snapshot_) return Status::InvalidInput("store: a write transaction is already open");
    snapshot_ = std::make_unique<Data>(data_);
    change_ = StateChange{};
    return Status::Ok();
  }
  Status CommitWrite() override {
    if (!snapshot_) return Status::InvalidInput("store: no write transaction is open");
    snapshot_.reset();
    change_ = StateChange{};
    return Status::Ok();
  }
  void RollbackWrite() override {
    if (!snapshot_) return;
    data_ = std::move(*snapshot_);
    snapshot_.reset();
    change_ = StateChange{};
  }
  Result<StoreState> GetState() override { return State(data_.sum); }
  Result<StoreState> RecomputeState(std::vector<std::string>* problems) override {
    RowSetDigest d;
    for (const Incident& inc : data_.incidents) d.Add(IncidentRowBytes(inc));
    return State(d);
  }
  Status CheckIntegrity(bool full) override { return Status::Ok(); }
  Status RecordPendingMoves(const std::vector<std::pair<std::string, std::string>>&) override {
    return Status::Ok();  // nothing survives the process to roll forward
  }
  Status ClearPendingMoves() override { return Status::Ok(); }
  Result<std::string> GetReleaseKey() override {
    if (key_.empty()) {
      PLACECAST_ASSIGN_OR_RETURN(key_, RandomBytes(32));
    }
    return key_;
  }

 private:
  struct Data {
    std::string crs;
    std::vector<Incident> incidents;
    std::unordered_set<std::string> ids;
    std::optional<grid::Boundary> study_area;
    std::vector<IngestRun> runs;
    std::vector<LedgerRecord> ledger;
    std::map<std::string, EnvLayer> env_layers;
    RowSetDigest sum;  // of `incidents`, maintained by every write
  };

  // The in-memory analogue of the GeoPackage state: the same incidents digest; the other parts
  // digest this store's own representation.
  StoreState State(const RowSetDigest& sum) const {
    StoreState st;
    st.incidents = static_cast<int64_t>(data_.incidents.size());
    st.incidents_sum = sum.ToHex();
    std::string area;
    if (data_.study_area) {
      area = data_.study_area->name;
      for (const auto& r : data_.study_area->rings) {
        area.append(reinterpret_cast<const char*>(r.x_m.data()), r.x_m.size() * sizeof(double));
        area.append(reinterpret_cast<const char*>(r.y_m.data()), r.y_m.size() * sizeof(double));
      }
    }
    st.study_area = Sha256Hex(area);
    st.metadata = Sha256Hex(data_.crs);
    std::string runs;
    for (const auto& r : data_.runs) runs += r.time_utc + "\n" + r.summary_json + "\n";
    st.ingest_runs = Sha256Hex(runs);
    st.schema = Sha256Hex("memory store");
    return st;
  }

  Data data_;
  std::unique_ptr<Data> snapshot_;  // the data at BeginWrite, restored by RollbackWrite
  StateChange change_;
  std::string key_;
};

}  // namespace

std::unique_ptr<Store> Store::InMemory() { return std::make_unique<MemoryStore>(); }

Status CheckEnvLayer(const EnvLayer& layer, const std::string& store_crs,
                     const std::string& where) {
  if (store_crs.empty()) {
    return Status::InvalidInput(where +
                                ": no CRS yet (ingest incidents first: layers are kept in the "
                                "store's CRS)");
  }
  PLACECAST_RETURN_IF_ERROR(CheckEnvLayerName(layer.name, "name"));
  if (layer.snapshot_date.empty()) {
    return Status::InvalidInput(where + ": snapshot_date: required (got \"\")");
  }
  if (layer.feature_count != static_cast<int64_t>(layer.features.size())) {
    return Status::InvalidInput(where + ": feature_count: " + std::to_string(layer.feature_count) +
                                " is not the number of features (" +
                                std::to_string(layer.features.size()) + ")");
  }
  return Status::Ok();
}

Status MixedTimeZones(const std::string& where, const std::string& a, const std::string& b) {
  return Status::Data(where + ": the incidents were recorded in two time zones, " + a + " and " +
                      b + ", so their local days are ambiguous: keep each city in its own store");
}

}  // namespace placecast::io
