// SPDX-License-Identifier: Apache-2.0
// One Register function per subcommand; each adds its CLI11 subcommand to `app` and, when that
// subcommand runs, stores the process exit code in *exit_code.
#pragma once

namespace CLI {
class App;
}

namespace placecast::cli {

void RegisterOffences(CLI::App& app, int* exit_code);
void RegisterModels(CLI::App& app, int* exit_code);

}  // namespace placecast::cli
