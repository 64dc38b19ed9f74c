#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"
#include "core/error.h"

namespace lrt::cli {

int run_cli(int argc, char** argv) {
  CLI::App app{"lrtsim: bit-accurate model of an on-chip low-rank-training accelerator", "lrtsim"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  Action action;
  try {
    add_config_command(app, action);
    add_rank_reduce_command(app, action);
    add_inspect_command(app, action);
    add_pretrain_command(app, action);
    add_run_command(app, action);
    add_explore_command(app, action);
    add_cosim_command(app, action);
    add_precision_command(app, action);
    add_report_command(app, action);
    add_unit_costs_command(app, action);
    app.parse(argc, argv);
    return action ? action() : kExitOk;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Command-line mistakes are bad input: exit 2, whatever CLI11's own code is.
    app.exit(e);
    return kExitBadInput;
  } catch (const InputError& e) {
    std::cerr << "lrtsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const RunError& e) {
    std::cerr << "lrtsim: run failed: " << e.what() << "\n";
    return kExitRunFailed;
  } catch (const std::bad_alloc&) {
    std::cerr << "lrtsim: run failed: out of memory\n";
    return kExitRunFailed;
  } catch (const std::exception& e) {
    std::cerr << "lrtsim: internal error: " << e.what() << "\n";
    return kExitRunFailed;
  }
}

}  // namespace lrt::cli
