// lrtsim explore SWEEP --out DIR [--force]: evaluates the closed-form design-space model
// (explore/closed_form.h) over the axes a small YAML sweep file lists and writes
// DIR/points.csv (one row per point), DIR/summary.json and DIR/sweep.yaml (the input, as
// given). The sweep file has its own schema (docs/exploration.md): sweep lists do not
// belong in the main configuration. Measured runs (`simulate: true`) are not implemented
// yet and are refused with exit 2, never skipped.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/run_directory.h"
#include "explore/closed_form.h"

namespace lrt::cli {

namespace {

using explore::Algorithm;
using explore::DesignPoint;

struct Sweep {
  std::string path, text;
  std::string layer_name;
  std::vector<Algorithm> algorithms;
  std::vector<uint64_t> batches;
  std::vector<uint32_t> ranks{4}, weight_bits{8}, lr_bits{16};
  DesignPoint base;  // shape, sample word widths, technology
};

// ---- YAML helpers: every problem is an InputError at file:line: key -------------------

class SweepReader {
 public:
  explicit SweepReader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& problem) const {
    const int64_t line = node.Mark().line >= 0 ? node.Mark().line + 1 : -1;
    throw InputError(InputLocation(path_, line, -1, key), problem);
  }

  void only_keys(const YAML::Node& map, const std::string& prefix, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, prefix, "expected a map");
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (!allowed.count(k)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, prefix.empty() ? k : prefix + "." + k, "unknown key; expected one of " + list);
      }
    }
  }

  uint64_t integer(const YAML::Node& node, const std::string& key, uint64_t lo, uint64_t hi) const {
    if (!node.IsScalar()) fail(node, key, "expected an integer");
    const std::string s = node.Scalar();
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi)
      fail(node, key, "'" + s + "'; expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
  }

  double real(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a number");
    const std::string s = node.Scalar();
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
      fail(node, key, "'" + s + "'; expected a finite number");
    return v;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string s = node.IsScalar() ? node.Scalar() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    fail(node, key, "'" + s + "'; expected true or false");
  }

  template <typename T>
  std::vector<T> integer_list(const YAML::Node& node, const std::string& key, uint64_t lo, uint64_t hi) const {
    if (!node.IsSequence() || node.size() == 0) fail(node, key, "expected a non-empty list of integers");
    std::vector<T> out;
    for (const auto& item : node) out.push_back(static_cast<T>(integer(item, key, lo, hi)));
    return out;
  }

 private:
  std::string path_;
};

// B from..to, per_decade points per decade, log-spaced and rounded; ends included.
std::vector<uint64_t> log_spaced(const SweepReader& in, const YAML::Node& node) {
  in.only_keys(node, "batches", {"from", "to", "per_decade"});
  for (const char* k : {"from", "to", "per_decade"})
    if (!node[k]) in.fail(node, std::string("batches.") + k, "missing");
  const uint64_t from = in.integer(node["from"], "batches.from", 1, 100000000);
  const uint64_t to = in.integer(node["to"], "batches.to", from, 100000000);
  const uint64_t per_decade = in.integer(node["per_decade"], "batches.per_decade", 1, 100);
  const double lo = std::log10(static_cast<double>(from)), hi = std::log10(static_cast<double>(to));
  const auto steps = static_cast<uint64_t>(std::floor((hi - lo) * static_cast<double>(per_decade) + 1e-9));
  std::set<uint64_t> batches{from, to};
  for (uint64_t k = 0; k <= steps; ++k)
    batches.insert(static_cast<uint64_t>(
        std::llround(std::pow(10.0, lo + static_cast<double>(k) / static_cast<double>(per_decade)))));
  return {batches.begin(), batches.end()};
}

void read_technology(const SweepReader& in, const YAML::Node& node, explore::Technology& t) {
  struct Field {
    const char* key;
    double* value;
  };
  const Field fields[] = {
      {"rram_cell_area_um2", &t.rram_cell_area_um2},     {"sram_cell_area_um2", &t.sram_cell_area_um2},
      {"rram_read_pj_per_bit", &t.rram_read_pj_per_bit}, {"rram_write_pj_per_cell", &t.rram_write_pj_per_cell},
      {"sram_read_pj_per_bit", &t.sram_read_pj_per_bit}, {"sram_write_pj_per_bit", &t.sram_write_pj_per_bit},
      {"mac_pj", &t.mac_pj},                             {"endurance_writes", &t.endurance_writes},
      {"rank_reduce_logic_area_um2", &t.rank_reduce_logic_area_um2}};
  std::set<std::string> allowed{"rram_bits_per_cell"};
  for (const auto& f : fields) allowed.insert(f.key);
  in.only_keys(node, "technology", allowed);
  for (const auto& f : fields)
    if (node[f.key]) *f.value = in.real(node[f.key], std::string("technology.") + f.key);
  if (node["rram_bits_per_cell"])
    t.rram_bits_per_cell = static_cast<uint32_t>(in.integer(node["rram_bits_per_cell"], "technology.rram_bits_per_cell", 1, 8));
}

Sweep read_sweep(const std::string& path) {
  Sweep s;
  s.path = path;
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(InputLocation(path), "cannot open the sweep file");
  std::stringstream buffer;
  buffer << file.rdbuf();
  s.text = buffer.str();
  YAML::Node root;
  try {
    root = YAML::Load(s.text);
  } catch (const YAML::ParserException& e) {
    throw InputError(InputLocation(path, e.mark.line >= 0 ? e.mark.line + 1 : -1), "YAML syntax: " + e.msg);
  }
  const SweepReader in(path);
  in.only_keys(root, "", {"layer", "algorithms", "batches", "ranks", "weight_bits", "lr_bits", "act_bits",
                          "grad_bits", "acc_bits", "technology", "simulate"});
  for (const char* k : {"layer", "algorithms", "batches"})
    if (!root[k]) in.fail(root, k, "missing");

  if (root["simulate"] && in.boolean(root["simulate"], "simulate"))
    in.fail(root["simulate"], "simulate",
            "true: measured (simulated) points are not implemented yet; only the closed-form model is");

  const YAML::Node layer = root["layer"];
  in.only_keys(layer, "layer", {"name", "n_o", "n_i"});
  if (!layer["n_o"] || !layer["n_i"]) in.fail(layer, "layer", "expected n_o and n_i");
  s.layer_name = layer["name"] ? layer["name"].as<std::string>() : "layer";
  for (char c : s.layer_name)  // it becomes a CSV field
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      in.fail(layer["name"], "layer.name", "'" + s.layer_name + "'; expected letters, digits, _ - .");
  s.base.n_o = in.integer(layer["n_o"], "layer.n_o", 1, uint64_t{1} << 24);
  s.base.n_i = in.integer(layer["n_i"], "layer.n_i", 1, uint64_t{1} << 24);

  const YAML::Node algorithms = root["algorithms"];
  if (!algorithms.IsSequence() || algorithms.size() == 0)
    in.fail(algorithms, "algorithms", "expected a non-empty list");
  for (const auto& a : algorithms) {
    try {
      s.algorithms.push_back(explore::algorithm_from_string(a.IsScalar() ? a.Scalar() : ""));
    } catch (const std::invalid_argument& e) {
      in.fail(a, "algorithms", e.what());
    }
  }

  const YAML::Node batches = root["batches"];
  s.batches = batches.IsMap() ? log_spaced(in, batches)
                              : in.integer_list<uint64_t>(batches, "batches", 1, 100000000);
  if (root["ranks"]) s.ranks = in.integer_list<uint32_t>(root["ranks"], "ranks", 1, 1024);
  if (root["weight_bits"]) s.weight_bits = in.integer_list<uint32_t>(root["weight_bits"], "weight_bits", 1, 64);
  if (root["lr_bits"]) s.lr_bits = in.integer_list<uint32_t>(root["lr_bits"], "lr_bits", 1, 64);
  if (root["act_bits"]) s.base.act_bits = static_cast<uint32_t>(in.integer(root["act_bits"], "act_bits", 1, 64));
  if (root["grad_bits"]) s.base.grad_bits = static_cast<uint32_t>(in.integer(root["grad_bits"], "grad_bits", 1, 64));
  if (root["acc_bits"]) s.base.acc_bits = static_cast<uint32_t>(in.integer(root["acc_bits"], "acc_bits", 1, 64));
  if (root["technology"]) read_technology(in, root["technology"], s.base.tech);
  return s;
}

// ---- points ---------------------------------------------------------------------------

std::vector<DesignPoint> expand(const Sweep& s) {
  std::vector<DesignPoint> points;
  for (Algorithm a : s.algorithms)
    for (uint32_t wb : s.weight_bits) {
      DesignPoint p = s.base;
      p.algorithm = a;
      p.weight_bits = wb;
      // Online is batch 1 by definition; rank and L/R bits only mean something for LRT.
      const std::vector<uint64_t> batches = a == Algorithm::kOnline ? std::vector<uint64_t>{1} : s.batches;
      const std::vector<uint32_t> ranks = a == Algorithm::kLrt ? s.ranks : std::vector<uint32_t>{0};
      const std::vector<uint32_t> lr_bits = a == Algorithm::kLrt ? s.lr_bits : std::vector<uint32_t>{0};
      for (uint64_t b : batches)
        for (uint32_t r : ranks)
          for (uint32_t lb : lr_bits) {
            p.batch = b;
            p.rank = r;
            p.lr_bits = a == Algorithm::kLrt ? lb : s.base.lr_bits;
            points.push_back(p);
          }
    }
  return points;
}

std::string num(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
  return ec == std::errc() ? std::string(buf, end) : "nan";
}

const char* aux_memory(const explore::PointResult& q) {
  if (q.aux_sram_bits > 0 && q.aux_rram_bits > 0) return "sram+rram";
  if (q.aux_sram_bits > 0) return "sram";
  if (q.aux_rram_bits > 0) return "rram";
  return "none";
}

constexpr const char* kColumns =
    "point,source,layer,algorithm,n_o,n_i,batch,rank,weight_bits,lr_bits,aux_memory,aux_bits,aux_sram_bits,"
    "aux_rram_bits,aux_area_um2,aux_sram_area_um2,aux_rram_area_um2,logic_area_um2,rram_area_um2,"
    "inv_write_density,worst_cell_inv_write_density,energy_read_pj,energy_write_pj,energy_compute_pj,"
    "energy_per_sample_pj,lifetime_samples";

int run_explore(const std::string& sweep_path, const std::string& out, bool force) {
  const Sweep sweep = read_sweep(sweep_path);
  const std::vector<DesignPoint> points = expand(sweep);
  std::vector<explore::PointResult> results;
  for (const auto& p : points) {
    try {
      results.push_back(explore::evaluate(p));
    } catch (const std::invalid_argument& e) {
      throw InputError(InputLocation(sweep_path), std::string(explore::to_string(p.algorithm)) + " B=" +
                                                      std::to_string(p.batch) + ": " + e.what());
    }
  }
  const RunDirectory dir(out, force, {"points.csv", "summary.json", "sweep.yaml"});

  std::string csv = std::string(kColumns) + "\n";
  for (std::size_t k = 0; k < points.size(); ++k) {
    const DesignPoint& p = points[k];
    const explore::PointResult& q = results[k];
    const bool lrt = p.algorithm == Algorithm::kLrt;
    csv += std::to_string(k) + ",closed_form," + sweep.layer_name + "," + explore::to_string(p.algorithm) + "," +
           std::to_string(p.n_o) + "," + std::to_string(p.n_i) + "," + std::to_string(p.batch) + "," +
           (lrt ? std::to_string(p.rank) : "") + "," + std::to_string(p.weight_bits) + "," +
           (lrt ? std::to_string(p.lr_bits) : "") + "," + aux_memory(q) + "," + num(q.aux_bits) + "," +
           num(q.aux_sram_bits) + "," + num(q.aux_rram_bits) + "," + num(q.aux_area_um2) + "," +
           num(q.aux_sram_area_um2) + "," + num(q.aux_rram_area_um2) + "," + num(q.logic_area_um2) + "," +
           num(q.rram_area_um2) + "," + num(q.inv_write_density) + "," + num(q.worst_cell_inv_write_density) + "," +
           num(q.energy_read_pj) + "," + num(q.energy_write_pj) + "," + num(q.energy_compute_pj) + "," +
           num(q.energy_per_sample_pj) + "," + num(q.lifetime_samples) + "\n";
  }

  nlohmann::ordered_json j;
  j["sweep"] = sweep_path;
  j["source"] = "closed_form";
  j["layer"] = {{"name", sweep.layer_name}, {"n_o", sweep.base.n_o}, {"n_i", sweep.base.n_i}};
  j["points"] = points.size();
  std::vector<std::string> names;
  for (Algorithm a : sweep.algorithms) names.emplace_back(explore::to_string(a));
  j["algorithms"] = names;
  j["batches"] = sweep.batches;
  // The chip-area line: the RRAM holding the layer's weights, per weight width swept.
  nlohmann::ordered_json chip = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < points.size(); ++k)
    chip[std::to_string(points[k].weight_bits)] = results[k].rram_area_um2;
  j["chip_area_um2_by_weight_bits"] = chip;
  j["formulas"] = "docs/exploration.md";

  dir.write("sweep.yaml", sweep.text);
  dir.write("points.csv", csv);
  dir.write("summary.json", j.dump(2) + "\n");
  std::cout << "explore: " << points.size() << " points -> " << dir.file("points.csv") << "\n";
  return kExitOk;
}

}  // namespace

void add_explore_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("explore", "Evaluate the closed-form design-space model (Figure 3) over a sweep file");
  auto sweep = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("SWEEP", *sweep, "sweep file (YAML; see docs/exploration.md)")->required();
  cmd->add_option("--out", *out, "result directory")->required();
  cmd->add_flag("--force", *force, "overwrite results already in --out");
  cmd->callback([&action, sweep, out, force] {
    action = [sweep, out, force] { return run_explore(*sweep, *out, *force); };
  });
}

}  // namespace lrt::cli
