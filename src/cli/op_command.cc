// SPDX-License-Identifier: Apache-2.0
// Subcommands generated from the operations' field tables (op_command.h).
#include "cli/op_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_util.h"

namespace placecast::cli {
namespace {

// Prints progress as a one-line meter on a terminal, and warnings as "placecast: warning: …".
class TerminalProgress : public ops::Progress {
 public:
  void Stage(std::string_view label) override {
    meter_ = std::make_unique<cli::Progress>(std::string(label), ShowProgress());
  }
  void Update(int64_t done, int64_t total) override {
    if (meter_) meter_->Update(done, total);
  }
  void Warn(std::string_view text) override {
    if (meter_) meter_->Finish();
    std::fprintf(stderr, "placecast: warning: %.*s\n", static_cast<int>(text.size()), text.data());
  }

 private:
  std::unique_ptr<cli::Progress> meter_;
};

// The value a flag was given, held until the request is built.
struct Holder {
  ops::FieldSpec spec;
  std::string text;
  bool flag = false;
  std::vector<std::string> list;
  CLI::Option* option = nullptr;
};

// A number as the request holds it; kInvalidInput naming the flag otherwise.
Result<nlohmann::json> ParseNumber(const ops::FieldSpec& f, const std::string& text) {
  const std::string flag = ops::FlagName(f);
  char* end = nullptr;
  errno = 0;
  if (f.type == ops::FieldType::kInt) {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) {
      return Status::InvalidInput(flag + ": expected an integer (got \"" + text + "\")");
    }
    return nlohmann::json(static_cast<int64_t>(v));
  }
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v)) {
    return Status::InvalidInput(flag + ": expected a number (got \"" + text + "\")");
  }
  return nlohmann::json(v);
}

// The JSON request of the flags given (fields not given take their defaults in the operation).
Result<nlohmann::json> RequestOfFlags(const ops::OpInfo& op, const std::vector<Holder>& holders) {
  nlohmann::json j = nlohmann::json::object();
  j["op"] = std::string(op.name);
  for (const Holder& h : holders) {
    if (h.option->count() == 0) continue;
    const std::string name(h.spec.name);
    switch (h.spec.type) {
      case ops::FieldType::kBool:
        j[name] = h.flag;
        break;
      case ops::FieldType::kInt:
      case ops::FieldType::kDouble: {
        PLACECAST_ASSIGN_OR_RETURN(j[name], ParseNumber(h.spec, h.text));
        break;
      }
      case ops::FieldType::kStringList:
        if (h.spec.flags & ops::kCommaList) {
          nlohmann::json a = nlohmann::json::array();
          for (const auto& s : h.list) {
            for (auto& part : ops::SplitComma(s)) a.push_back(part);
          }
          j[name] = std::move(a);
        } else {
          j[name] = h.list;
        }
        break;
      default:
        j[name] = h.text;
    }
  }
  return j;
}

CLI::App* SubcommandFor(CLI::App& app, std::string_view name, std::string_view summary) {
  const size_t space = name.find(' ');
  if (space == std::string_view::npos) {
    return app.add_subcommand(std::string(name), std::string(summary));
  }
  const std::string parent(name.substr(0, space));
  CLI::App* p = nullptr;
  for (CLI::App* s : app.get_subcommands([&](CLI::App* a) { return a->get_name() == parent; })) {
    p = s;
  }
  if (p == nullptr) {
    // The groups of operations named "GROUP NAME".
    p = app.add_subcommand(
        parent, parent == "ledger"   ? "List, verify or replay the store's tamper-evident ledger"
                : parent == "layers" ? "Add or list the store's static environment layers (boost)"
                                     : "");
    p->require_subcommand(1);
  }
  return SubcommandFor(*p, name.substr(space + 1), summary);
}

std::string Help(const ops::FieldSpec& f) {
  std::string h(f.doc);
  if (!f.default_json.empty() && f.type != ops::FieldType::kBool) {
    h += " [default: " + std::string(f.default_json) + "]";
  }
  return h;
}

}  // namespace

int PrintProduct(const ops::Product& p) {
  for (const auto& line : p.lines) std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  return p.finding.ok() ? 0 : Fail(p.finding);
}

void AddOpCommand(CLI::App& app, const ops::OpInfo& op, int* exit_code) {
  CLI::App* cmd = SubcommandFor(app, op.name, op.summary);
  auto holders = std::make_shared<std::vector<Holder>>();
  holders->reserve(op.fields.size());
  for (const ops::FieldSpec& f : op.fields) {
    if (f.flags & ops::kHidden) continue;
    holders->push_back({.spec = f});
    Holder& h = holders->back();
    const std::string flag = ops::FlagName(f);
    const std::string help = Help(f);
    if (f.type == ops::FieldType::kBool) {
      h.option = cmd->add_flag(flag, h.flag, help);
    } else if (f.type == ops::FieldType::kStringList) {
      h.option = cmd->add_option(flag, h.list, help);
    } else {
      h.option = cmd->add_option(flag, h.text, help);
    }
    if (f.flags & ops::kRequired) h.option->required();
  }
  const ops::OpInfo* info = &op;
  cmd->callback([info, holders, exit_code] {
    auto j = RequestOfFlags(*info, *holders);
    if (!j.ok()) {
      *exit_code = Fail(j.status());
      return;
    }
    TerminalProgress progress;
    ops::Context ctx;
    ctx.progress = &progress;
    auto product = ops::RunJson(*j, ctx);
    *exit_code = product.ok() ? PrintProduct(*product) : Fail(product.status());
  });
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  struct RunFlags {
    std::string request;
    std::string store;
  };
  auto f = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run any operation from its JSON request ({\"op\": NAME, field: value, …}), as the "
      "ledger records it");
  cmd->add_option("REQUEST", f->request, "request file (JSON); - for standard input")->required();
  cmd->add_option("--store", f->store, "run against this store instead of the request's");
  cmd->callback([f, exit_code] {
    TerminalProgress progress;
    ops::Context ctx;
    ctx.progress = &progress;
    auto product = ops::RunRequestFile(f->request, ctx, f->store);
    *exit_code = product.ok() ? PrintProduct(*product) : Fail(product.status());
  });
}

void AddReferenceCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("cli-reference", "print the generated flag tables of docs/cli.md");
  cmd->group("");  // hidden from --help: for the docs test
  cmd->callback([exit_code] {
    std::fputs(OpsMarkdown().c_str(), stdout);
    *exit_code = 0;
  });
}

std::string OpsMarkdown() {
  std::string md;
  for (const ops::OpInfo& op : ops::ListOps()) {
    md += "### `" + std::string(op.name) + "`\n\n" + std::string(op.summary) + ".\n\n";
    md += "| flag | JSON field | type | default | range or choices | description |\n";
    md += "|---|---|---|---|---|---|\n";
    for (const ops::FieldSpec& f : op.fields) {
      if (f.flags & ops::kHidden) continue;
      std::string range;
      if (f.type == ops::FieldType::kChoice) {
        range = std::string(f.choices);
        for (char& c : range) {
          if (c == '|') c = ',';
        }
      } else if (f.min > -1e300 || f.max < 1e300) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%g … %g", f.min, f.max);
        range = buf;
      }
      std::string doc(f.doc);
      for (char& c : doc) {
        if (c == '|') c = '/';
      }
      md += "| `" + ops::FlagName(f) + "` | `" + std::string(f.name) + "` | " +
            std::string(ops::TypeName(f.type)) +
            (f.units.empty() ? "" : " (" + std::string(f.units) + ")") + " | " +
            (f.flags & ops::kRequired ? "required" : std::string(f.default_json)) + " | " + range +
            " | " + doc + " |\n";
    }
    md += "\n";
  }
  return md;
}

}  // namespace placecast::cli
