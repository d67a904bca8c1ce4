// SPDX-License-Identifier: Apache-2.0
// `placecast ingest`: raw exports -> canonical incidents in a GeoPackage store, with every rejected
// row kept in a rejects file and a summary printed and written beside the store.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/ledger_util.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> inputs;
  std::string preset;
  std::string store;
  std::string boundary;
  std::string rejects;
  std::string mapping;
  std::string crs;
  std::vector<std::string> columns;  // generic mapping by flag: key=column
  bool fail_on_reject = false;
};

Status RunIngest(const IngestFlags& f) {
  io::IngestOptions o;
  o.inputs = f.inputs;
  o.preset = f.preset;
  o.mapping_path = f.mapping;
  o.boundary_path = f.boundary;
  o.rejects_path = f.rejects;
  o.crs = f.crs;
  o.progress = ShowProgress();
  o.fail_on_reject = f.fail_on_reject;
  for (const auto& c : f.columns) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidInput("--map: expected key=value (got \"" + c + "\")");
    }
    o.mapping_flags[c.substr(0, eq)] = c.substr(eq + 1);
  }
  // Outputs are checked before any work: a rejects path that is a folder or a device fails here,
  // not after the store was written.
  PLACECAST_RETURN_IF_ERROR(
      io::CheckOutputPath(f.rejects.empty() ? f.store + ".rejects.csv" : f.rejects));
  PLACECAST_RETURN_IF_ERROR(io::CheckOutputPath(f.store + ".ingest.json"));
  // The ledger's input hashes (a full read of each input) are taken on a second core meanwhile.
  std::vector<std::string> inputs = f.inputs;
  inputs.push_back(f.boundary);
  inputs.push_back(f.mapping);
  auto input_hashes =
      std::async(std::launch::async, [&inputs] { return io::HashLedgerFiles(inputs); });
  nlohmann::json lp;
  lp["inputs"] = f.inputs;
  lp["preset"] = f.preset;
  lp["store"] = f.store;
  lp["boundary"] = f.boundary;
  lp["rejects"] = f.rejects;
  lp["mapping"] = f.mapping;
  lp["map"] = o.mapping_flags;
  lp["crs"] = f.crs;
  lp["fail_on_reject"] = f.fail_on_reject;
  // The record commits with the rows (io::Ingest appends it inside the store's transaction).
  const std::string params = lp.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  o.make_ledger_record = [&input_hashes, &params]() -> Result<io::LedgerRecord> {
    io::LedgerRecord record;
    record.command = "ingest";
    record.params_json = params;
    record.code_version = std::string("placecast ") + kVersion;
    PLACECAST_ASSIGN_OR_RETURN(record.inputs, input_hashes.get());
    return record;
  };
  PLACECAST_ASSIGN_OR_RETURN(auto store, io::Store::OpenGeoPackage(f.store, true));
  PLACECAST_ASSIGN_OR_RETURN(io::IngestSummary summary, io::Ingest(o, *store));
  std::fputs(summary.ToText().c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void RegisterIngest(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<IngestFlags>();
  auto* cmd = app.add_subcommand("ingest", "Read incident exports into a GeoPackage store");
  cmd->add_option("INPUT", f->inputs, "CSV or CSV.gz exports")->required();
  cmd->add_option("--preset", f->preset,
                  "schema preset: philadelphia, chicago, nyc, memphis, vancouver, nearrepeat, "
                  "or generic (with --mapping or --map)")
      ->required();
  cmd->add_option("--store", f->store, "GeoPackage store to create or add to")->required();
  cmd->add_option("--boundary", f->boundary,
                  "study-area polygons: points outside are rejected; saved in the store");
  cmd->add_option("--rejects", f->rejects, "rejects CSV (default: STORE.rejects.csv)");
  cmd->add_option("--mapping", f->mapping, "generic mapping JSON file (see docs/ingest.md)");
  cmd->add_option("--map", f->columns,
                  "generic mapping entry key=value, e.g. time=occurred (repeatable)");
  cmd->add_option("--crs", f->crs,
                  "projected CRS of the store, e.g. EPSG:32618 (default: local UTM)");
  cmd->add_flag("--fail-on-reject", f->fail_on_reject,
                "fail on the first (earliest) row that would be rejected, writing nothing");
  cmd->callback([f, exit_code] {
    Status s = RunIngest(*f);
    *exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace placecast::cli
