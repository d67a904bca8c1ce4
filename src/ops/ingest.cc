// SPDX-License-Identifier: Apache-2.0
// ingest (ingest.h).
#include "placecast/ops/ingest.h"

#include <future>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/safe_json.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/ops/selection.h"
#include "placecast/version.h"

namespace placecast::ops {

std::span<const Field<IngestRequest>> IngestRequest::Fields() {
  using R = IngestRequest;
  static const std::vector<Field<R>> fields = {
      {{.name = "input",
        .type = FieldType::kStringList,
        .doc = "CSV or CSV.gz exports",
        .flags = kRequired | kPositional},
       &R::input},
      {{.name = "preset",
        .doc = "schema preset: philadelphia, chicago, nyc, memphis, vancouver, nearrepeat, or "
               "generic (with --mapping or --map)",
        .flags = kRequired},
       &R::preset},
      {{.name = "store",
        .doc = "GeoPackage store to create or add to",
        .flags = kRequired | kNotInQuery},
       &R::store},
      {{.name = "boundary",
        .type = FieldType::kInputPath,
        .doc = "study-area polygons: points outside are rejected; saved in the store"},
       &R::boundary},
      {kBoundaryCrsField, &R::boundary_crs},
      {{.name = "rejects",
        .type = FieldType::kOutputFile,
        .doc = "rejects CSV (default: STORE.rejects.csv)",
        .flags = kNotInQuery},
       &R::rejects},
      {{.name = "mapping",
        .type = FieldType::kInputPath,
        .doc = "generic mapping JSON file (see docs/ingest.md)"},
       &R::mapping},
      {{.name = "map",
        .type = FieldType::kStringList,
        .doc = "generic mapping entry key=value, e.g. time=occurred (repeatable)"},
       &R::map},
      {{.name = "crs",
        .doc = "projected CRS of the store in metres, e.g. EPSG:32618 (default: the source CRS "
               "when projected, else local UTM); a CRS in feet is refused"},
       &R::crs},
      {{.name = "fail_on_reject",
        .type = FieldType::kBool,
        .doc = "fail on the first (earliest) row that would be rejected, writing nothing"},
       &R::fail_on_reject},
  };
  return fields;
}

Status IngestRequest::Validate() const {
  for (const auto& c : map) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidInput("--map: expected key=value (got \"" + c + "\")");
    }
  }
  return Status::Ok();
}

Result<Product> Run(io::Store& store, const IngestRequest& r, Context& ctx) {
  io::IngestOptions o;
  o.inputs = r.input;
  o.preset = r.preset;
  o.mapping_path = r.mapping;
  o.boundary_path = r.boundary;
  o.boundary_crs = r.boundary_crs;
  o.rejects_path = r.rejects;
  o.crs = r.crs;
  // Rows read so far, shown by the front end (a meter on a terminal, nothing in a pipe).
  o.on_progress = [&ctx](const std::string& /*file*/, int64_t rows, int64_t /*bytes*/) {
    ctx.progress->Update(rows, 0);
  };
  o.fail_on_reject = r.fail_on_reject;
  for (const auto& c : r.map) {
    const auto eq = c.find('=');
    o.mapping_flags[c.substr(0, eq)] = c.substr(eq + 1);
  }
  // Outputs are checked before any work: a rejects path that is a folder or a device fails here,
  // not after the store was written.
  PLACECAST_RETURN_IF_ERROR(
      io::CheckOutputPath(r.rejects.empty() ? r.store + ".rejects.csv" : r.rejects));
  PLACECAST_RETURN_IF_ERROR(io::CheckOutputPath(r.store + ".ingest.json"));
  ctx.progress->Stage("ingest: rows read");
  std::future<Result<std::vector<io::LedgerFile>>> input_hashes;
  const std::string params = SafeDump(RequestToJson(r));
  if (ctx.record) {
    // The ledger's input hashes (a full read of each input) are taken on a second core meanwhile.
    std::vector<std::string> inputs = r.input;
    inputs.push_back(r.boundary);
    inputs.push_back(r.mapping);
    input_hashes = std::async(std::launch::async,
                              [inputs = std::move(inputs)] { return io::HashLedgerFiles(inputs); });
    // The record commits with the rows (io::Ingest appends it inside the store's transaction).
    o.make_ledger_record = [&input_hashes, &params]() -> Result<io::LedgerRecord> {
      io::LedgerRecord record;
      record.command = std::string(IngestRequest::kOp);
      record.params_json = params;
      record.code_version = std::string("placecast ") + kVersion;
      PLACECAST_ASSIGN_OR_RETURN(record.inputs, input_hashes.get());
      return record;
    };
  }
  PLACECAST_ASSIGN_OR_RETURN(io::IngestSummary summary, io::Ingest(o, store));
  Product out;
  const std::string text = summary.ToText();
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  out.summary["rows_read"] = summary.rows_read;
  out.summary["ingested"] = summary.ingested;
  out.summary["already_in_store"] = summary.already_in_store;
  out.summary["rejected"] = summary.rejected;
  out.summary["crs"] = summary.crs;
  if (!summary.rejects_path.empty()) out.files.push_back(summary.rejects_path);
  out.files.push_back(r.store + ".ingest.json");
  return out;
}

OpInfo IngestOp() {
  return MakeOpInfo<IngestRequest>(StoreUse::kCreate, [](io::Store* s, const IngestRequest& r,
                                                         Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
