// lrtsim inspect FILE: validates a data set file (IDX, raw or gzip), a checkpoint or a
// configuration fully and prints what it holds. The kind is recognized from the content:
// the checkpoint magic, then the two leading bytes of IDX (00 00) or gzip (1F 8B); any
// other file is read as a YAML configuration.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "config/effective.h"
#include "config/loader.h"
#include "config/network_key.h"
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

int inspect_config(const std::string& path) {
  const config::Specs specs = config::load_specs(path);
  std::cout << "file: " << path << "\n"
            << "kind: config\n"
            << "config_hash: " << config::hash_hex(config::config_hash(specs)) << "\n"
            << "network_input: [" << specs.network.in_h << ", " << specs.network.in_w << ", "
            << specs.network.in_c << "]\n"
            << "network_layers:";
  for (const auto& layer : specs.network.layers) std::cout << " [" << config::layer_text(layer) << "]";
  std::cout << "\n"
            << "run_samples: " << specs.run.samples << "\n";
  return 0;
}

enum class FileKind { kCheckpoint, kIdx, kConfig };

FileKind sniff(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  const auto n = in.gcount();
  if (n == 8 && std::string(head, 8) == "LRTSIMCK") return FileKind::kCheckpoint;
  const auto b0 = static_cast<unsigned char>(head[0]), b1 = static_cast<unsigned char>(head[1]);
  if (n >= 2 && ((b0 == 0x00 && b1 == 0x00) || (b0 == 0x1F && b1 == 0x8B))) return FileKind::kIdx;
  return n == 0 && !in.eof() ? FileKind::kIdx : FileKind::kConfig;  // unreadable: let the IDX reader say why
}

int inspect(const std::string& path) {
  if (!std::ifstream(path)) return inspect_idx(path);  // reports "cannot open file"
  switch (sniff(path)) {
    case FileKind::kCheckpoint: return inspect_checkpoint(path);
    case FileKind::kIdx: return inspect_idx(path);
    case FileKind::kConfig: return inspect_config(path);
  }
  return inspect_idx(path);
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("inspect", "Validate a data set file (IDX, raw or gzip), a checkpoint or a configuration and print what it holds");
  auto path = std::make_shared<std::string>();
  cmd->add_option("FILE", *path, "file to inspect")->required();
  cmd->callback([&action, path] { action = [path] { return inspect(*path); }; });
}

}  // namespace lrt::cli
