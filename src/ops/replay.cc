// SPDX-License-Identifier: Apache-2.0
// Replaying a ledger record (operation.h, ReplayRecord).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/io/store_state.h"
#include "placecast/ops/operation.h"

namespace placecast::ops {
namespace {

// Counts of a replay's comparisons and their lines.
struct Tally {
  int same = 0, differ = 0;
  std::vector<std::string> lines;

  void Same(const std::string& name, const std::string& what) {
    ++same;
    char line[512];
    std::snprintf(line, sizeof(line), "same     %-18s %s", name.c_str(), what.c_str());
    lines.push_back(line);
  }
  void Differs(const std::string& name, const std::string& what) {
    ++differ;
    char line[1024];
    std::snprintf(line, sizeof(line), "DIFFERS  %-18s %s", name.c_str(), what.c_str());
    lines.push_back(line);
  }
};

// The files the record read must still hold the bytes it recorded: a replay from other inputs
// would compare nothing. One DIFFERS line per input that changed or is gone.
void CheckInputs(const io::LedgerRecord& rec, const std::string& store_dir, Tally* t) {
  for (const auto& in : rec.inputs) {
    const std::string path = io::ResolveLedgerPath(rec, in.path, store_dir, "");
    auto now = io::Sha256File(path);
    if (!now.ok() || *now != in.sha256) {
      t->Differs("input " + path, "recorded " + in.sha256 + ", now " +
                                      (now.ok() ? *now : std::string("(cannot be read)")));
    }
  }
}

// An ingest summary (STORE.ingest.json) names the rejects file it wrote: the replay's names the
// replay's. It is compared with that one field set back to the recorded path.
bool SameIngestSummary(const std::string& replayed_path, const std::string& recorded_rejects,
                       const std::string& recorded_sha256) {
  auto text = io::ReadFile(replayed_path);
  if (!text.ok() || !io::JsonDepthWithin(*text, io::kMaxJsonDepth)) return false;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("rejects_path")) return false;
  if (!j["rejects_path"].get_ref<const std::string&>().empty()) {
    j["rejects_path"] = recorded_rejects;
  }
  const std::string bytes =
      j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return io::Sha256Hex(bytes) == recorded_sha256;
}

// An operation that creates its store (ingest) is replayed into a fresh store: its incidents
// must be the rows the record says its transaction added.
void CompareCreatedStore(const io::LedgerRecord& rec, const std::string& fresh_path, Tally* t) {
  io::StoreState recorded;
  io::StateChange change;
  if (rec.state_json.empty() ||
      !io::StateFromJson(rec.state_json, "ledger seq " + std::to_string(rec.seq) + " state",
                         &recorded, &change)
           .ok()) {
    t->Differs("incidents", "the record holds no state to compare with");
    return;
  }
  auto fresh = io::Store::OpenGeoPackage(fresh_path, false);
  Result<io::StoreState> now =
      fresh.ok() ? (*fresh)->GetState() : Result<io::StoreState>(fresh.status());
  if (!now.ok()) {
    t->Differs("incidents", "the replayed store cannot be read (" + now.status().message() + ")");
    return;
  }
  const std::string added_sum = change.added_sum.ToHex();
  char what[512];
  if (change.removed == 0 && change.added == now->incidents && added_sum == now->incidents_sum) {
    std::snprintf(what, sizeof(what), "%lld row(s) added, digest %.16s…",
                  static_cast<long long>(change.added), added_sum.c_str());
    t->Same("incidents", what);
  } else {
    std::snprintf(what, sizeof(what),
                  "recorded %lld row(s) added (digest %.16s…), replay %lld row(s) (digest "
                  "%.16s…)%s",
                  static_cast<long long>(change.added), added_sum.c_str(),
                  static_cast<long long>(now->incidents), now->incidents_sum.c_str(),
                  now->incidents > change.added
                      ? "; rows the recorded ingest found already in the store are added again "
                        "to a fresh one"
                      : "");
    t->Differs("incidents", what);
  }
}

// Where the replay reads an input path field whose value is `given` (as the recording command had
// it): unchanged when it is absolute or exists from here (the replay runs where the record was
// made); otherwise, in a store-relative record, the one recorded input with the same file name,
// resolved against the store's folder (the replay runs from another directory).
std::string RecordedInputPath(const io::LedgerRecord& rec, const std::string& given,
                              const std::string& store_dir) {
  std::error_code ec;
  if (given.empty() || std::filesystem::path(given).is_absolute() ||
      std::filesystem::exists(given, ec) || rec.paths != io::kLedgerPathsStoreRelative) {
    return given;
  }
  const auto name = std::filesystem::path(given).filename();
  std::string found;
  int matches = 0;
  for (const auto& in : rec.inputs) {
    if (std::filesystem::path(in.path).filename() != name) continue;
    found = io::ResolveLedgerPath(rec, in.path, store_dir, "");
    ++matches;
  }
  return matches == 1 ? found : given;
}

}  // namespace

Result<Product> ReplayRecord(const std::string& store_path, const io::LedgerRecord& rec,
                             const std::string& out_dir, Context& ctx) {
  const std::string what = "ledger seq " + std::to_string(rec.seq);
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::json req, ParseRequest(rec.params_json, what + " params"));
  auto op_name = req.find("op");
  const OpInfo* op =
      op_name != req.end() && op_name->is_string() ? FindOp(op_name->get<std::string>()) : nullptr;
  if (op == nullptr) {
    return Status::InvalidInput(what + " records `" + rec.command +
                                "` without a request this placecast can run (recorded by an "
                                "older version, or an operation that cannot be replayed)");
  }
  // A record whose hash holds but whose request does not check (forged with the format known, or
  // written by a placecast with other fields) is reported as such, not run.
  if (Status s = op->canonical(req).status(); !s.ok()) {
    return Status::Data(what + ": a recorded setting has the wrong type or value (" + s.message() +
                        ")");
  }
  const nlohmann::json recorded = req;
  Product out;
  Tally t;
  // Inputs first: a replay from files other than those recorded compares nothing.
  const std::string store_dir = io::LedgerStoreDir(store_path);
  CheckInputs(rec, store_dir, &t);
  if (t.differ > 0) {
    out.lines = std::move(t.lines);
    out.lines.push_back("replay of seq " + std::to_string(rec.seq) + ": not run, " +
                        std::to_string(t.differ) + " input(s) changed since the record");
    out.finding =
        Status::Data("replay of seq " + std::to_string(rec.seq) + ": " + std::to_string(t.differ) +
                     " input file(s) differ from the record; not replayed");
    return out;
  }
  // The products go into `out_dir`: a folder field is the folder, a file field keeps its name.
  // An input given relative to the recording command's directory is found through the record.
  for (const FieldSpec& f : op->fields) {
    const std::string name(f.name);
    if (f.type == FieldType::kInputPath && req.contains(name) && req[name].is_string()) {
      req[name] = RecordedInputPath(rec, req[name].get<std::string>(), store_dir);
    } else if (f.type == FieldType::kOutputPath) {
      req[name] = out_dir;
    } else if (f.type == FieldType::kOutputFile && req.contains(name) && req[name].is_string() &&
               !req[name].get<std::string>().empty()) {
      req[name] =
          out_dir + "/" + std::filesystem::path(req[name].get<std::string>()).filename().string();
    }
  }
  // An operation that creates its store (ingest) is replayed into a fresh store of the same name
  // in `out_dir`; any other runs against the store the user names, not whatever sits at the
  // recorded path: a replay checks that store's data.
  std::string override_store = store_path;
  std::string fresh_store;
  if (op->store_use == StoreUse::kCreate) {
    const std::string name = std::filesystem::path(StoreOf(recorded)).filename().string();
    fresh_store = out_dir + "/" + (name.empty() ? std::string("replay.gpkg") : name);
    std::error_code ec;
    if (std::filesystem::exists(fresh_store, ec)) {
      return Status::InvalidInput("--out: " + fresh_store + " exists; " + what +
                                  " creates a store and is replayed into a fresh one");
    }
    req["store"] = fresh_store;
    override_store.clear();
  }
  // Output files are written into `out_dir`, which may not exist yet.
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Status::Io("--out: cannot create " + out_dir + ": " + ec.message());
  Context replay = ctx;
  replay.record = false;
  auto run = RunJson(req, replay, override_store);
  if (!run.ok()) return run.status().Wrap("replaying seq " + std::to_string(rec.seq));
  Product replayed = std::move(*run);
  // A record without products (retention) is checked by the operation itself.
  if (rec.outputs.empty() && fresh_store.empty()) {
    for (auto& line : replayed.lines) t.lines.push_back(std::move(line));
    if (replayed.finding.ok()) {
      ++t.same;
    } else {
      ++t.differ;
    }
  }
  const std::string recorded_rejects = [&] {
    auto it = recorded.find("rejects");
    if (it != recorded.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
    return StoreOf(recorded) + ".rejects.csv";
  }();
  const std::string summary_name =
      std::filesystem::path(fresh_store).filename().string() + ".ingest.json";
  for (const auto& o : rec.outputs) {
    const std::string name = std::filesystem::path(o.path).filename().string();
    if (name == "run.json") {
      char line[512];
      std::snprintf(line, sizeof(line),
                    "skipped  %-18s (records the store's path, which a replay may change)",
                    name.c_str());
      t.lines.push_back(line);
      continue;
    }
    const std::string path = out_dir + "/" + name;
    auto now = io::Sha256File(path);
    if (now.ok() && *now == o.sha256) {
      t.Same(name, o.sha256);
    } else if (!fresh_store.empty() && name == summary_name &&
               SameIngestSummary(path, recorded_rejects, o.sha256)) {
      t.Same(name, o.sha256 + " (with the recorded rejects_path)");
    } else {
      t.Differs(name, "recorded " + o.sha256 + ", replay " +
                          (now.ok() ? *now : std::string("(not written)")));
    }
  }
  if (!fresh_store.empty()) CompareCreatedStore(rec, fresh_store, &t);
  out.lines = std::move(t.lines);
  char line[512];
  std::snprintf(line, sizeof(line), "replay of seq %lld: %d output(s) identical, %d different",
                static_cast<long long>(rec.seq), t.same, t.differ);
  out.lines.push_back(line);
  out.summary["identical"] = t.same;
  out.summary["different"] = t.differ;
  if (t.differ > 0 || t.same == 0) {
    out.finding =
        !replayed.finding.ok() && rec.outputs.empty()
            ? replayed.finding
            : Status::ReplayMismatch("replay of seq " + std::to_string(rec.seq) + ": " +
                                     std::to_string(t.differ) +
                                     " output(s) differ from the record (products edited, or "
                                     "the store gained incidents before the origin since)");
  }
  return out;
}

}  // namespace placecast::ops
