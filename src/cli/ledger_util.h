// SPDX-License-Identifier: Apache-2.0
// How the subcommands not yet converted to operations record themselves in the store's ledger
// (io/ledger.h); operations record through src/ops/record.h. Not thread-safe (opens the store).
#pragma once

#include <string>
#include <vector>

#include "placecast/io/ledger.h"
#include "placecast/io/staging.h"
#include "placecast/status.h"

namespace placecast::cli {

// The products of `stage` are recorded (with the SHA-256 of the staged bytes under their final
// paths), the record commits, and only then are the products moved into place: a failure to
// record (busy, read-only or full store) leaves no product behind. Errors from
// Store::OpenGeoPackage / AppendLedger (prefixed "ledger: "), or kIo when a product cannot be moved
// after the record committed.
Status RecordAndPublish(const std::string& store_path, const std::string& command,
                        const std::string& params_json, const std::vector<std::string>& input_paths,
                        io::OutputStage& stage);

}  // namespace placecast::cli
