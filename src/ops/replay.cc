// SPDX-License-Identifier: Apache-2.0
// Replaying a ledger record (operation.h, ReplayRecord).
#include <cstdio>
#include <filesystem>
#include <string>

#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/ops/operation.h"

namespace placecast::ops {

Result<Product> ReplayRecord(const std::string& store_path, const io::LedgerRecord& rec,
                             const std::string& out_dir, Context& ctx) {
  const std::string what = "ledger seq " + std::to_string(rec.seq);
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::json req, ParseRequest(rec.params_json, what + " params"));
  auto op_name = req.find("op");
  const OpInfo* op =
      op_name != req.end() && op_name->is_string() ? FindOp(op_name->get<std::string>()) : nullptr;
  if (op == nullptr) {
    return Status::Unsupported(what + " records `" + rec.command +
                               "` without a request this placecast can run (recorded by an "
                               "older version, or an operation that cannot be replayed)");
  }
  // A record whose hash holds but whose request does not check (forged with the format known, or
  // written by a placecast with other fields) is reported as such, not run.
  if (Status s = op->canonical(req).status(); !s.ok()) {
    return Status::Corrupt(what + ": a recorded setting has the wrong type or value (" +
                           s.message() + ")");
  }
  // The products go into `out_dir`: a folder field is the folder, a file field keeps its name.
  for (const FieldSpec& f : op->fields) {
    const std::string name(f.name);
    if (f.type == FieldType::kOutputPath) {
      req[name] = out_dir;
    } else if (f.type == FieldType::kOutputFile && req.contains(name) && req[name].is_string()) {
      req[name] =
          out_dir + "/" + std::filesystem::path(req[name].get<std::string>()).filename().string();
    }
  }
  Context replay = ctx;
  replay.record = false;
  // The store replayed against is the one the user names, not whatever sits at the recorded path:
  // a replay checks that store's data.
  PLACECAST_RETURN_IF_ERROR(
      RunJson(req, replay, store_path).status().Wrap("replaying seq " + std::to_string(rec.seq)));
  Product out;
  int same = 0, differ = 0;
  char line[512];
  for (const auto& o : rec.outputs) {
    const std::string name = std::filesystem::path(o.path).filename().string();
    if (name == "run.json") {
      std::snprintf(line, sizeof(line),
                    "skipped  %-18s (records the store's path, which a replay may change)",
                    name.c_str());
      out.lines.push_back(line);
      continue;
    }
    auto now = io::Sha256File(out_dir + "/" + name);
    if (now.ok() && *now == o.sha256) {
      ++same;
      std::snprintf(line, sizeof(line), "same     %-18s %s", name.c_str(), o.sha256.c_str());
    } else {
      ++differ;
      std::snprintf(line, sizeof(line), "DIFFERS  %-18s recorded %s, replay %s", name.c_str(),
                    o.sha256.c_str(), now.ok() ? now->c_str() : "(not written)");
    }
    out.lines.push_back(line);
  }
  std::snprintf(line, sizeof(line), "replay of seq %lld: %d output(s) identical, %d different",
                static_cast<long long>(rec.seq), same, differ);
  out.lines.push_back(line);
  out.summary["identical"] = same;
  out.summary["different"] = differ;
  if (differ > 0 || same == 0) {
    out.finding =
        Status::Corrupt("replay of seq " + std::to_string(rec.seq) + ": " + std::to_string(differ) +
                        " output(s) differ from the record (products edited, or the "
                        "store gained incidents before the origin since)");
  }
  return out;
}

}  // namespace placecast::ops
