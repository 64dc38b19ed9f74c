// lrtsim inspect FILE: validates a data set file (IDX, raw or gzip) or a checkpoint fully
// and prints what it holds. The kind is recognized from the content, not the name.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "core/checkpoint.h"
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

int inspect_checkpoint(const std::string& path) {
  const Checkpoint ck = Checkpoint::read(path);
  char hash[19];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(ck.config_hash()));
  std::cout << "file: " << path << "\n"
            << "kind: checkpoint (format version " << ck.format_version() << ")\n"
            << "config_hash: " << hash << "\n"
            << "sections:\n";
  for (const auto& name : ck.section_names()) std::cout << "  " << name << ": " << ck.bytes(name).size() << " bytes\n";
  return 0;
}

bool starts_with_checkpoint_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::string(magic, 8) == "LRTSIMCK";
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("inspect", "Validate a data set file (IDX, raw or gzip) or a checkpoint and print what it holds");
  auto path = std::make_shared<std::string>();
  cmd->add_option("FILE", *path, "file to inspect")->required();
  cmd->callback([&action, path] { action = [path] { return starts_with_checkpoint_magic(*path) ? inspect_checkpoint(*path) : inspect_idx(*path); }; });
}

}  // namespace lrt::cli
