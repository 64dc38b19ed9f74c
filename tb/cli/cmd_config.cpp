// lrtsim config check|dump|doc: validate a configuration file, print the effective
// configuration, or print the key reference (docs/configuration.md is its output).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"

namespace lrt::cli {

namespace {

struct ConfigArgs {
  std::string file;
  std::vector<std::string> sets;
};

// FILE and --set k=v for one sub-command; --set takes one value per occurrence so that
// it never swallows FILE.
void add_file_and_overrides(CLI::App& cmd, ConfigArgs& args) {
  cmd.add_option("FILE", args.file, "YAML configuration file")->required();
  cmd.add_option("--set", args.sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
}

}  // namespace

void add_config_command(CLI::App& app, Action& action) {
  auto* config = app.add_subcommand("config", "Validate, print or document configuration files");
  config->require_subcommand(1);
  auto args = std::make_shared<ConfigArgs>();

  auto* check = config->add_subcommand("check", "Validate FILE (with overrides) and print its config hash");
  add_file_and_overrides(*check, *args);
  check->callback([&action, args] {
    action = [args] {
      const config::Specs specs = config::load_specs(args->file, args->sets);
      std::cout << "ok " << args->file << " hash=" << config::hash_hex(config::config_hash(specs)) << "\n";
      return 0;
    };
  });

  auto* dump = config->add_subcommand(
      "dump", "Print the effective configuration of FILE (every key, defaults filled)");
  add_file_and_overrides(*dump, *args);
  dump->callback([&action, args] {
    action = [args] {
      std::cout << config::effective_yaml(config::load_specs(args->file, args->sets));
      return 0;
    };
  });

  auto* doc = config->add_subcommand("doc", "Print the Markdown reference of every configuration key");
  doc->callback([&action] {
    action = [] {
      std::cout << config::reference_markdown();
      return 0;
    };
  });
}

}  // namespace lrt::cli
