// lrtsim inspect FILE: validates a data set file fully and prints what it holds.
// Later issues add checkpoints; configs are validated by `lrtsim config check`.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "core/idx.h"

namespace lrt::cli {

namespace {

int inspect_idx(const std::string& path) {
  const IdxArray a = read_idx(path);
  std::cout << "file: " << path << "\n"
            << "kind: idx" << (a.gzipped ? " (gzip)" : " (raw)") << "\n"
            << "type: " << to_string(a.type) << "\n"
            << "shape: [";
  for (std::size_t d = 0; d < a.dims.size(); ++d) std::cout << (d ? ", " : "") << a.dims[d];
  std::cout << "]\n"
            << "elements: " << a.count() << "\n";
  double lo = a.value(0), hi = lo;
  for (uint64_t i = 1; i < a.count(); ++i) {
    const double v = a.value(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  std::cout << "value_range: [" << lo << ", " << hi << "]\n";
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("inspect", "Validate a data set file (IDX, raw or gzip) and print what it holds");
  auto path = std::make_shared<std::string>();
  cmd->add_option("FILE", *path, "file to inspect")->required();
  cmd->callback([&action, path] { action = [path] { return inspect_idx(*path); }; });
}

}  // namespace lrt::cli
