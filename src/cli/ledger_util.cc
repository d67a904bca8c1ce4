// SPDX-License-Identifier: Apache-2.0
// RecordAndPublish of the commands not yet converted to operations (ledger_util.h); operations
// record through src/ops/record.h. Delete with the last caller.
#include "cli/ledger_util.h"

#include <utility>

#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::cli {

Status RecordAndPublish(const std::string& store_path, const std::string& command,
                        const std::string& params_json, const std::vector<std::string>& input_paths,
                        io::OutputStage& stage) {
  std::vector<std::string> hashed_inputs;
  for (const auto& p : input_paths) {
    if (p != store_path) hashed_inputs.push_back(p);
  }
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> inputs,
                             io::HashLedgerFiles(hashed_inputs));
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::LedgerFile> outputs, stage.Outputs());
  io::LedgerRecord r;
  r.command = command;
  r.params_json = params_json;
  r.code_version = std::string("placecast ") + kVersion;
  r.inputs = std::move(inputs);
  r.outputs = std::move(outputs);
  auto store = io::Store::OpenGeoPackage(store_path, false);
  if (!store.ok()) return store.status().Wrap("ledger");
  // The record and the renames that publish its products commit together: a process killed
  // after the commit has its renames finished by the next command that opens the store.
  io::WriteTransaction txn(**store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin().Wrap("ledger"));
  auto appended = (*store)->AppendLedger(std::move(r));
  if (!appended.ok()) return appended.status().Wrap("ledger");
  PLACECAST_RETURN_IF_ERROR((*store)->RecordPendingMoves(stage.Moves()).Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(txn.Commit().Wrap("ledger"));
  PLACECAST_RETURN_IF_ERROR(stage.Publish());
  (void)(*store)->ClearPendingMoves();
  return Status::Ok();
}

}  // namespace placecast::cli
