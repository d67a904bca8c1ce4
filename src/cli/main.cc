// SPDX-License-Identifier: Apache-2.0
// placecast: the command-line tool. The exit code is the ErrorCode of the failure (0 ok, 1 internal
// error, 2 bad input or usage, 3 data problem, 4 i/o, 5 replay mismatch; docs/cli.md has the
// table). Every argument is checked for UTF-8 before parsing (they reach JSON products and the
// ledger), and no exception leaves main: one that escapes a subcommand is reported as an internal
// error. Every error is one stderr line starting "placecast: ", CLI11's own included; an unknown
// command names the nearest one.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/op_command.h"
#include "placecast/common/utf8.h"
#include "placecast/ops/operation.h"
#include "placecast/status.h"
#include "placecast/version.h"

namespace {

// The subcommand of `app` named `name`, or nullptr.
CLI::App* FindSubcommand(CLI::App& app, std::string_view name) {
  auto found = app.get_subcommands([&](CLI::App* s) { return s->check_name(std::string(name)); });
  return found.empty() ? nullptr : found.front();
}

// Finds the first word of argv that should name a command and does not ("placecast forecst",
// "placecast ledger verfy"), prints `placecast: unknown command "…"` with the nearest name when
// one is close, and returns true. CLI11 alone would say "A subcommand is required" (the word is
// taken for an extra argument). Options and everything after the last command are CLI11's.
bool ReportUnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path;  // the commands so far, "ledger "
  for (int i = 1; i < argc; ++i) {
    const std::string_view word(argv[i]);
    if (word.starts_with("-")) return false;
    if (CLI::App* sub = FindSubcommand(*level, word)) {
      if (sub->get_subcommands({}).empty()) return false;
      level = sub;
      path += std::string(word) + " ";
      continue;
    }
    if (level->get_require_subcommand_min() == 0) return false;
    std::vector<std::string> names;  // the visible ones: hidden commands are never suggested
    for (const CLI::App* s : level->get_subcommands({})) {
      if (!s->get_group().empty()) names.push_back(s->get_name());
    }
    const std::string nearest = placecast::cli::NearestName(word, names);
    const std::string typed = placecast::EscapeInvalidUtf8(path + std::string(word));
    if (nearest.empty()) {
      std::fprintf(stderr, "placecast: unknown command \"%s\" (placecast %s--help lists them)\n",
                   typed.c_str(), path.c_str());
    } else {
      std::fprintf(stderr, "placecast: unknown command \"%s\"; did you mean \"%s%s\"?\n",
                   typed.c_str(), path.c_str(), nearest.c_str());
    }
    return true;
  }
  return false;
}

// "placecast ledger verify": the commands of `app` the parse had entered when it failed.
std::string CommandPath(const CLI::App& app) {
  std::string path = "placecast";
  const CLI::App* level = &app;
  while (true) {
    const auto parsed = level->get_subcommands();
    if (parsed.empty()) return path;
    level = parsed.front();
    path += " " + level->get_name();
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "placecast: place-based crime forecasts, measured honestly and accountable.\n"
      "Forecasts places, never people."};
  app.set_version_flag("--version", std::string("placecast ") + placecast::kVersion + " (git " +
                                        placecast::kGitCommit + ")");
  app.require_subcommand(1);
  int exit_code = 0;
  // The operations (include/placecast/ops/), flags generated from their field tables.
  for (const placecast::ops::OpInfo& op : placecast::ops::ListOps()) {
    placecast::cli::AddOpCommand(app, op, &exit_code);
  }
  placecast::cli::AddRunCommand(app, &exit_code);
  placecast::cli::AddReferenceCommand(app, &exit_code);
  placecast::cli::RegisterOffences(app, &exit_code);
  placecast::cli::RegisterModels(app, &exit_code);
  // Test hook (as git's GIT_TEST_* variables): PLACECAST_TEST_THROW=TEXT makes the run throw
  // std::runtime_error(TEXT) after the subcommand, inside parse() like a subcommand's own
  // exception; "non-std" throws an int. tests/cli/main_internal_error*.case use it.
  app.final_callback([] {
    const char* what = std::getenv("PLACECAST_TEST_THROW");
    if (what == nullptr || *what == '\0') return;
    if (std::string_view(what) == "non-std") throw 7;
    throw std::runtime_error(what);
  });
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (!placecast::IsValidUtf8(arg)) {
      // Named by its flag too: the value after `--flag`, or the value of `--flag=value`.
      std::string flag;
      if (arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
        flag = std::string(arg.substr(0, arg.find('=')));
      } else if (i > 1 && std::string_view(argv[i - 1]).starts_with("-")) {
        flag = argv[i - 1];
      }
      if (!placecast::IsValidUtf8(flag)) flag.clear();
      std::fprintf(stderr, "placecast: argument %d%s is not valid UTF-8 (%s) (got \"%s\")\n", i,
                   flag.empty() ? "" : (" (" + flag + ")").c_str(),
                   placecast::DescribeInvalidUtf8(arg).c_str(),
                   placecast::EscapeInvalidUtf8(arg).c_str());
      return static_cast<int>(placecast::ErrorCode::kInvalidInput);
    }
  }
  const int internal = static_cast<int>(placecast::ErrorCode::kInternal);
  const int usage = static_cast<int>(placecast::ErrorCode::kInvalidInput);
  if (ReportUnknownCommand(app, argc, argv)) return usage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A value CLI11 checks itself (a range, a number) is bad input like any other: one
    // `placecast:` line, exit 2. --help and --version exit 0. docs/cli.md has the table.
    if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr ||
        dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
      std::fprintf(stderr, "placecast: %s\n", placecast::EscapeInvalidUtf8(e.what()).c_str());
      return usage;
    }
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Any other (a missing or unknown flag, no command) is a usage error, exit 2 like bad input:
    // CLI11's text as one `placecast:` line (not its own two lines), pointing at the help of the
    // command being parsed.
    std::fprintf(stderr, "placecast: %s (see %s --help)\n",
                 placecast::EscapeInvalidUtf8(e.what()).c_str(), CommandPath(app).c_str());
    return usage;
  } catch (const std::exception& e) {
    // A bug: subcommands report expected failures as Status values. Never `terminate called`.
    std::fprintf(stderr, "placecast: internal error: %s\n",
                 placecast::EscapeInvalidUtf8(e.what()).c_str());
    return internal;
  } catch (...) {
    std::fprintf(stderr, "placecast: internal error: unknown exception\n");
    return internal;
  }
  return exit_code;
}
