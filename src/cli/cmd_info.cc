// SPDX-License-Identifier: Apache-2.0
// `placecast offences` and `placecast models`: what --offence and --model accept.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "placecast/common/offence.h"
#include "placecast/models/model.h"

namespace placecast::cli {

void RegisterOffences(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("offences", "List the offence groups that --offence accepts");
  cmd->callback([exit_code] {
    std::printf("%-26s %-5s %-12s %s\n", "group", "part", "kind", "description");
    for (const auto& g : OffenceGroups()) {
      if (g.group == OffenceGroup::kUnknown) continue;
      std::printf("%-26s %-5d %-12s %s\n", std::string(g.name).c_str(), g.ucr_part,
                  g.enforcement_driven ? "enforcement" : "victim",
                  std::string(g.description).c_str());
    }
    std::printf("\ncomposite selections:\n");
    for (const auto& c : OffenceComposites()) {
      std::printf("%-26s %s\n", std::string(c.name).c_str(), std::string(c.description).c_str());
    }
    std::printf(
        "\n'enforcement' groups are recorded mostly where police look for them; training on them "
        "needs --allow-enforcement-types.\n");
    *exit_code = 0;
  });
}

void RegisterModels(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("models", "List the forecasting models and their parameters");
  cmd->callback([exit_code] {
    for (const auto& m : models::ListModels()) {
      std::printf("%s: %s\n  reference: %s\n", std::string(m.name).c_str(),
                  std::string(m.summary).c_str(), std::string(m.reference).c_str());
      for (const auto& p : m.params) {
        std::printf("  --param %s=%s  [%s] %s\n", std::string(p.name).c_str(),
                    std::string(p.default_value).c_str(), std::string(p.units).c_str(),
                    std::string(p.description).c_str());
      }
      std::printf("\n");
    }
    *exit_code = 0;
  });
}

}  // namespace placecast::cli
