// SPDX-License-Identifier: Apache-2.0
// The list of operations, and running one from its JSON request (operation.h).
#include <iostream>
#include <iterator>
#include <memory>
#include <vector>

#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/ops/allocate.h"
#include "placecast/ops/audit.h"
#include "placecast/ops/backtest.h"
#include "placecast/ops/displacement.h"
#include "placecast/ops/explain.h"
#include "placecast/ops/export_incidents.h"
#include "placecast/ops/forecast.h"
#include "placecast/ops/hotspots.h"
#include "placecast/ops/ingest.h"
#include "placecast/ops/layers.h"
#include "placecast/ops/ledger.h"
#include "placecast/ops/nearrepeat.h"
#include "placecast/ops/operation.h"
#include "placecast/ops/predictability.h"
#include "placecast/ops/retention.h"
#include "placecast/ops/scan.h"
#include "placecast/ops/simulate_feedback.h"

namespace placecast::ops {

std::span<const OpInfo> ListOps() {
  // One line per operation, in the order of docs/cli.md (clang-format would pack them).
  // clang-format off
  static const std::vector<OpInfo> ops = {
      IngestOp(),
      ForecastOp(),
      BacktestOp(),
      AuditOp(),
      ExplainOp(),
      HotspotsOp(),
      AllocateOp(),
      NearRepeatOp(),
      ScanOp(),
      PredictabilityOp(),
      DisplacementOp(),
      SimulateFeedbackOp(),
      ExportIncidentsOp(),
      RetentionOp(),
      LayersAddOp(),
      LayersListOp(),
      LedgerListOp(),
      LedgerVerifyOp(),
      LedgerReplayOp(),
  };
  // clang-format on
  return ops;
}

const OpInfo* FindOp(std::string_view name) {
  for (const OpInfo& op : ListOps()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

Result<nlohmann::json> ParseRequest(std::string_view text, const std::string& what) {
  if (!io::JsonDepthWithin(text, io::kMaxJsonDepth)) {
    return Status::InvalidInput(what + ": JSON nested too deeply");
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidInput(what + ": not a JSON object (got \"" +
                                io::ToHexIfBinary(text.substr(0, 40)) + "\")");
  }
  return j;
}

Result<Product> RunRequestFile(const std::string& path, Context& ctx,
                               const std::string& store_override) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    PLACECAST_ASSIGN_OR_RETURN(text, io::ReadFile(path));
  }
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::json j, ParseRequest(text, path == "-" ? "stdin" : path));
  auto product = RunJson(j, ctx, store_override);
  if (!product.ok()) return product.status().Wrap(path == "-" ? "stdin" : path);
  return product;
}

std::string StoreOf(const nlohmann::json& j) {
  auto it = j.find("store");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<Product> RunJson(const nlohmann::json& j, Context& ctx, const std::string& store_override) {
  if (!j.is_object()) {
    return Status::InvalidInput(std::string("request: expected a JSON object (got ") +
                                j.type_name() + ")");
  }
  auto it = j.find("op");
  if (it == j.end() || !it->is_string()) {
    return Status::InvalidInput("request: \"op\": expected the name of an operation");
  }
  const OpInfo* op = FindOp(it->get<std::string>());
  if (op == nullptr) {
    std::string known;
    for (const OpInfo& o : ListOps()) known += (known.empty() ? "" : ", ") + std::string(o.name);
    return Status::InvalidInput("request: \"op\": no operation \"" + it->get<std::string>() +
                                "\" (known: " + known + ")");
  }
  nlohmann::json req = j;
  if (!store_override.empty()) req["store"] = store_override;
  // Checked before the store is opened: a bad request creates nothing.
  PLACECAST_RETURN_IF_ERROR(op->canonical(req).status());
  Progress silent;
  if (ctx.progress == nullptr) ctx.progress = &silent;
  const std::string path = StoreOf(req);
  std::unique_ptr<io::Store> store;
  if (op->store_use != StoreUse::kNone && !path.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(store,
                               io::Store::OpenGeoPackage(path, op->store_use == StoreUse::kCreate));
  }
  auto result = op->run(store.get(), req, ctx);
  if (ctx.progress == &silent) ctx.progress = nullptr;
  return result;
}

}  // namespace placecast::ops
