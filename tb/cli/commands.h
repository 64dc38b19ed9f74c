#pragma once
// Each sub-command of lrtsim lives in its own tb/cli/cmd_<name>.cpp and registers
// itself on the top-level CLI::App. A command's action runs after parsing and returns
// the process exit code (0 ok, 1 failed run, 2 bad input; see core/error.h). Errors
// are reported by throwing lrt::InputError / lrt::RunError; run_cli() maps them to
// exit codes and a one-line message on stderr.

#include <functional>

namespace CLI {
class App;
}

namespace lrt::cli {

/// The action a parsed sub-command will run; set by the sub-command's callback.
using Action = std::function<int()>;

void add_config_command(CLI::App& app, Action& action);
void add_rank_reduce_command(CLI::App& app, Action& action);
void add_inspect_command(CLI::App& app, Action& action);
void add_pretrain_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_explore_command(CLI::App& app, Action& action);
void add_cosim_command(CLI::App& app, Action& action);
void add_precision_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);
void add_unit_costs_command(CLI::App& app, Action& action);

/// @brief Parses argv, runs the chosen sub-command, and returns the exit code.
/// Never throws: every error becomes a message on stderr and exit code 1 or 2.
int run_cli(int argc, char** argv);

}  // namespace lrt::cli
