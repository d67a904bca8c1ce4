// SPDX-License-Identifier: Apache-2.0
// The command line of the operations: one subcommand per ops::OpInfo, its flags generated from
// the operation's field table (so --help, docs/cli.md and the checks cannot drift), and
// `placecast run REQUEST.json`. Flags become the JSON request; the operation does the rest.
// Not thread-safe (prints).
#pragma once

#include <string>

#include "placecast/ops/operation.h"

namespace CLI {
class App;
}

namespace placecast::cli {

// Adds the subcommand of `op` ("ledger verify" nests under "ledger") to `app`; when it runs, the
// exit code goes to *exit_code.
void AddOpCommand(CLI::App& app, const ops::OpInfo& op, int* exit_code);

// `placecast run REQUEST.json [--store STORE]`.
void AddRunCommand(CLI::App& app, int* exit_code);

// `placecast cli-reference` (hidden): prints OpsMarkdown(), the generated part of docs/cli.md
// (tests/docs/cli_reference.sh compares them; scripts/update_cli_reference.sh rewrites it).
void AddReferenceCommand(CLI::App& app, int* exit_code);

// Prints what an operation handed back (its lines on stdout) and returns the exit code: 0, or the
// code of its finding.
int PrintProduct(const ops::Product& p);

// docs/cli.md's section on the operations, generated from their tables.
std::string OpsMarkdown();

}  // namespace placecast::cli
