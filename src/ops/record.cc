// SPDX-License-Identifier: Apache-2.0
// Ledger records of operations (record.h).
#include "ops/record.h"

#include <utility>

#include "placecast/common/safe_json.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store_state.h"
#include "placecast/version.h"

namespace placecast::ops {

std::vector<std::string> InputPaths(const nlohmann::ordered_json& request,
                                    const std::vector<FieldSpec>& specs) {
  std::vector<std::string> out;
  for (const FieldSpec& f : specs) {
    if (f.type != FieldType::kInputPath) continue;
    auto it = request.find(std::string(f.name));
    if (it != request.end() && it->is_string() && !it->get<std::string>().empty()) {
      out.push_back(it->get<std::string>());
    }
  }
  return out;
}

Result<int64_t> RecordAndPublish(io::Store& store, const Context& ctx,
                                 const nlohmann::ordered_json& request,
                                 const std::vector<FieldSpec>& specs, io::OutputStage& stage) {
  if (!ctx.record) {
    PLACECAST_RETURN_IF_ERROR(stage.Publish());
    return int64_t{0};
  }
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> inputs,
                             io::HashLedgerFiles(InputPaths(request, specs)));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> outputs, stage.Outputs());
  io::LedgerRecord r;
  r.command = request.value("op", "");
  r.params_json = SafeDump(request);
  r.code_version = std::string("placecast ") + kVersion;
  r.inputs = std::move(inputs);
  r.outputs = std::move(outputs);
  io::MakeLedgerPathsStoreRelative(&r, store.GetPath());  // verifiable from any directory
  // The record and the renames that publish its products commit together: a process killed
  // after the commit has its renames finished by the next command that opens the store.
  io::WriteTransaction txn(store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin().Wrap("ledger"));
  auto appended = store.AppendLedger(std::move(r));
  if (!appended.ok()) return appended.status().Wrap("ledger");
  PLACECAST_RETURN_IF_ERROR(store.RecordPendingMoves(stage.Moves()).Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(txn.Commit().Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(stage.Publish());
  (void)store.ClearPendingMoves();
  return appended->seq;
}

}  // namespace placecast::ops
