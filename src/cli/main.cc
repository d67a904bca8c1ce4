// SPDX-License-Identifier: Apache-2.0
// placecast: the command-line tool. Exit codes: 0 success, 1 usage error, otherwise the ErrorCode
// of the failure (2 invalid input, 3 not found, 4 i/o, 5 corrupt, 6 unsupported, 7 internal).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "placecast/version.h"

int main(int argc, char** argv) {
  CLI::App app{"placecast: place-based crime forecasts, measured honestly and accountable.\n"
               "Forecasts places, never people."};
  app.set_version_flag("--version", std::string("placecast ") + placecast::kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  placecast::cli::RegisterIngest(app, &exit_code);
  placecast::cli::RegisterForecast(app, &exit_code);
  placecast::cli::RegisterBacktest(app, &exit_code);
  placecast::cli::RegisterOffences(app, &exit_code);
  placecast::cli::RegisterModels(app, &exit_code);
  placecast::cli::RegisterLedger(app, &exit_code);
  placecast::cli::RegisterAudit(app, &exit_code);
  placecast::cli::RegisterPredictability(app, &exit_code);
  placecast::cli::RegisterNearRepeat(app, &exit_code);
  placecast::cli::RegisterScan(app, &exit_code);
  placecast::cli::RegisterSimulateFeedback(app, &exit_code);
  placecast::cli::RegisterExplain(app, &exit_code);
  placecast::cli::RegisterExportIncidents(app, &exit_code);
  placecast::cli::RegisterAllocate(app, &exit_code);
  placecast::cli::RegisterHotspots(app, &exit_code);
  placecast::cli::RegisterDisplacement(app, &exit_code);
  placecast::cli::RegisterRetention(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  return exit_code;
}
