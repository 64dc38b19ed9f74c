#include "explore/sweep.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/bind.h"
#include "config/loader.h"
#include "core/error.h"
#include "core/text_file.h"
#include "golden/training/network.h"
#include "hw/rr_unit_costs.h"

namespace lrt::explore {

namespace {

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

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(node, key, "expected a non-empty string");
    return node.Scalar();
  }

  template <typename T>
  std::vector<T> integer_list(const YAML::Node& node, const std::string& key, uint64_t lo, uint64_t hi) const {
    if (!node.IsSequence() || node.size() == 0) fail(node, key, "expected a non-empty list of integers");
    std::vector<T> out;
    for (const auto& item : node) out.push_back(static_cast<T>(integer(item, key, lo, hi)));
    return out;
  }

  std::vector<Algorithm> algorithm_list(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence() || node.size() == 0) fail(node, key, "expected a non-empty list");
    std::vector<Algorithm> out;
    for (const auto& a : node) {
      try {
        out.push_back(algorithm_from_string(a.IsScalar() ? a.Scalar() : ""));
      } catch (const std::invalid_argument& e) {
        fail(a, key, e.what());
      }
    }
    return out;
  }

  /// A path in the sweep file, resolved against the sweep file's folder when relative.
  std::string path_in(const YAML::Node& node, const std::string& key) const {
    const std::filesystem::path p(text(node, key));
    if (p.is_absolute()) return p.string();
    return (std::filesystem::path(path_).parent_path() / p).lexically_normal().string();
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

// Each technology key is a number or a list of numbers (a sweep axis); the result is the
// product of the lists, in key order, the first key varying slowest.
std::vector<Technology> read_technology(const SweepReader& in, const YAML::Node& node) {
  using Setter = void (*)(Technology&, double);
  struct Field {
    const char* key;
    Setter set;
    bool integer;  // rram_bits_per_cell: 1..8
  };
  static const Field fields[] = {
      {"rram_cell_area_um2", [](Technology& t, double v) { t.rram_cell_area_um2 = v; }, false},
      {"sram_cell_area_um2", [](Technology& t, double v) { t.sram_cell_area_um2 = v; }, false},
      {"rram_bits_per_cell", [](Technology& t, double v) { t.rram_bits_per_cell = static_cast<uint32_t>(v); }, true},
      {"rram_read_pj_per_bit", [](Technology& t, double v) { t.rram_read_pj_per_bit = v; }, false},
      {"rram_write_pj_per_cell", [](Technology& t, double v) { t.rram_write_pj_per_cell = v; }, false},
      {"sram_read_pj_per_bit", [](Technology& t, double v) { t.sram_read_pj_per_bit = v; }, false},
      {"sram_write_pj_per_bit", [](Technology& t, double v) { t.sram_write_pj_per_bit = v; }, false},
      {"mac_pj", [](Technology& t, double v) { t.mac_pj = v; }, false},
      {"endurance_writes", [](Technology& t, double v) { t.endurance_writes = v; }, false},
      {"rank_reduce_logic_area_um2", [](Technology& t, double v) { t.rank_reduce_logic_area_um2 = v; }, false}};
  std::vector<Technology> techs{Technology{}};
  if (!node) return techs;
  std::set<std::string> allowed;
  for (const auto& f : fields) allowed.insert(f.key);
  in.only_keys(node, "technology", allowed);
  for (const auto& f : fields) {
    const YAML::Node v = node[f.key];
    if (!v) continue;
    const std::string key = std::string("technology.") + f.key;
    std::vector<double> values;
    auto one = [&](const YAML::Node& item) {
      return f.integer ? static_cast<double>(in.integer(item, key, 1, 8)) : in.real(item, key);
    };
    if (v.IsSequence()) {
      if (v.size() == 0) in.fail(v, key, "expected a number or a non-empty list of numbers");
      for (const auto& item : v) values.push_back(one(item));
    } else {
      values.push_back(one(v));
    }
    std::vector<Technology> next;
    for (const auto& t : techs)
      for (double x : values) {
        Technology u = t;
        f.set(u, x);
        next.push_back(u);
      }
    techs = std::move(next);
  }
  return techs;
}

void check_name(const SweepReader& in, const YAML::Node& node, const std::string& key, const std::string& name) {
  for (char c : name)  // it becomes a CSV field
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      in.fail(node, key, "'" + name + "'; expected letters, digits, _ - .");
}

SweepLayer read_layer(const SweepReader& in, const YAML::Node& layer, const std::string& key) {
  in.only_keys(layer, key, {"name", "n_o", "n_i"});
  if (!layer["n_o"] || !layer["n_i"]) in.fail(layer, key, "expected n_o and n_i");
  SweepLayer l;
  l.name = layer["name"] ? in.text(layer["name"], key + ".name") : "layer";
  check_name(in, layer["name"] ? layer["name"] : layer, key + ".name", l.name);
  l.n_o = in.integer(layer["n_o"], key + ".n_o", 1, uint64_t{1} << 24);
  l.n_i = in.integer(layer["n_i"], key + ".n_i", 1, uint64_t{1} << 24);
  return l;
}

// The weight layers of a network configuration: conv layers as n_o = output channels,
// n_i = 9 input channels, one pair per output pixel, storing their input and gradient maps.
std::vector<SweepLayer> network_layers(const config::Specs& specs) {
  const golden::NetworkSpec net = config::network_spec(specs);
  std::vector<SweepLayer> layers;
  const std::vector<golden::LayerShape> shapes = golden::derive_shapes(net);
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    const golden::LayerShape& s = shapes[k];
    if (!s.trainable()) continue;
    SweepLayer l;
    const bool conv = s.spec.kind == golden::LayerKind::kConv3x3;
    l.name = std::string(conv ? "conv" : "fc") + std::to_string(k);
    l.n_o = static_cast<uint64_t>(s.out.c);
    l.n_i = static_cast<uint64_t>(s.fan_in());
    l.pairs_per_sample = conv ? static_cast<uint64_t>(s.out.h) * static_cast<uint64_t>(s.out.w) : 1;
    l.stored_act_words = static_cast<uint64_t>(s.in.size());
    l.stored_grad_words = static_cast<uint64_t>(s.out.size());
    layers.push_back(l);
  }
  return layers;
}

bool same_shapes(const std::vector<SweepLayer>& a, const std::vector<SweepLayer>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].n_o != b[k].n_o || a[k].n_i != b[k].n_i || a[k].pairs_per_sample != b[k].pairs_per_sample)
      return false;
  return true;
}

std::string shape_text(const std::vector<SweepLayer>& layers) {
  std::string s;
  for (const auto& l : layers)
    s += (s.empty() ? "" : ", ") + std::to_string(l.n_o) + "x" + std::to_string(l.n_i) +
         (l.pairs_per_sample > 1 ? " (" + std::to_string(l.pairs_per_sample) + " pairs)" : "");
  return s.empty() ? "no weight layers" : s;
}

bool simulatable(Algorithm a) {
  return a == Algorithm::kOnline || a == Algorithm::kNaiveBatch || a == Algorithm::kLrt;
}

// rank_reduce: {units: shared|per_layer, mode: unbiased|biased}: how the LRT unit is shared
// in a network total, and which variant's cycles and operations it pays.
void read_rank_reduce(const SweepReader& in, const YAML::Node& node, Sweep& s) {
  if (!node.IsMap()) in.fail(node, "rank_reduce", "expected a map {units: shared|per_layer, mode: unbiased|biased}");
  in.only_keys(node, "rank_reduce", {"units", "mode"});
  if (node["units"]) {
    const std::string v = in.text(node["units"], "rank_reduce.units");
    if (v != "shared" && v != "per_layer") in.fail(node["units"], "rank_reduce.units", "'" + v + "'; expected shared or per_layer");
    s.shared_rank_reduce_unit = v == "shared";
  }
  if (node["mode"]) {
    const std::string v = in.text(node["mode"], "rank_reduce.mode");
    if (v != "unbiased" && v != "biased") in.fail(node["mode"], "rank_reduce.mode", "'" + v + "'; expected unbiased or biased");
    s.base.unbiased = v == "unbiased";
  }
}

void read_simulate(const SweepReader& in, const YAML::Node& node, Sweep& s) {
  SimulateSpec& sim = s.simulate;
  if (node.IsScalar()) {
    const std::string v = node.Scalar();
    if (v == "false") return;
    if (v != "true") in.fail(node, "simulate", "'" + v + "'; expected false, true or a map (docs/exploration.md)");
    if (s.network_config.empty())
      in.fail(node, "simulate", "true needs a run configuration: give simulate: {config: FILE} (a network sweep "
                                "uses its network configuration)");
    sim.config_path = s.network_config;
  } else {
    in.only_keys(node, "simulate", {"config", "samples", "engine", "algorithms", "batches"});
    if (node["config"]) {
      sim.config_path = in.path_in(node["config"], "simulate.config");
    } else if (!s.network_config.empty()) {
      sim.config_path = s.network_config;
    } else {
      in.fail(node, "simulate.config", "missing: a measured point runs `lrtsim run` on this configuration");
    }
    if (node["samples"]) sim.samples = in.integer(node["samples"], "simulate.samples", 1, uint64_t{1} << 40);
    if (node["engine"]) {
      sim.engine = in.text(node["engine"], "simulate.engine");
      if (sim.engine != "tlm" && sim.engine != "golden")
        in.fail(node["engine"], "simulate.engine", "'" + sim.engine + "'; expected tlm or golden");
    }
    if (node["algorithms"]) {
      for (Algorithm a : in.algorithm_list(node["algorithms"], "simulate.algorithms")) {
        if (!simulatable(a))
          in.fail(node["algorithms"], "simulate.algorithms",
                  std::string(to_string(a)) +
                      " has no measured counterpart: the accelerator model stores no samples (measured: online, "
                      "naive_batch, lrt)");
        sim.algorithms.insert(a);
      }
    }
    if (node["batches"])
      for (uint64_t b : in.integer_list<uint64_t>(node["batches"], "simulate.batches", 1, 100000000))
        sim.batches.insert(b);
  }
  if (sim.algorithms.empty())
    for (Algorithm a : s.algorithms)
      if (simulatable(a)) sim.algorithms.insert(a);
  if (s.layers.size() > 1 && s.network_config.empty())
    in.fail(node, "simulate", "a measured run trains one network: measure one layer (layer:) or a network (network:), "
                              "not a layers list");
  sim.enabled = true;
  const InputLocation where(s.path, node.Mark().line + 1, -1, "simulate.config");
  sim.config_text = read_text_file(sim.config_path, "the run configuration", where);
  const config::Specs run = config::parse_specs(sim.config_text, sim.config_path);  // = load_specs
  if (sim.samples == 0) sim.samples = run.run.samples;
  // The measured run must train exactly the layers the closed form evaluates.
  const std::vector<SweepLayer> run_layers = network_layers(run);
  if (!same_shapes(run_layers, s.layers))
    throw InputError(where, sim.config_path + " trains " + shape_text(run_layers) + "; the sweep evaluates " +
                                shape_text(s.layers) + " (a measured point must run the same layers)");
  // What the accelerator model can run (checked here, not after hours of sweeping).
  // The deployed checkpoint fixes the weight width (a run refuses another), so the measured
  // points take the configuration's; a width axis needs one pre-trained model per width.
  const int run_bits = run.train.quant.weight.bits;
  for (uint32_t b : s.weight_bits)
    if (static_cast<int>(b) != run_bits)
      in.fail(node, "simulate", "weight_bits " + std::to_string(b) + ": measured runs use the checkpoint of " +
                                    sim.config_path + ", whose weights are " + std::to_string(run_bits) +
                                    " bits (train.quant.weight.bits); sweep other widths without simulate");
  for (uint32_t b : s.lr_bits)
    if (b != 16 && sim.algorithms.count(Algorithm::kLrt))
      in.fail(node, "simulate", "lr_bits " + std::to_string(b) + ": the rank-reduce unit stores 16-bit L/R codes");
  if (s.technologies.size() > 1)
    in.fail(node, "simulate", "a technology axis: measured runs take their technology from " + sim.config_path +
                                  ", so sweep technology without simulate");
}

// ranks: {R: {logic_area_um2: A, cells: C, flip_flops: F}, ...}, as synth_rank_reduce.sh writes.
void read_logic_area(const SweepReader& in, const YAML::Node& node, Sweep& s) {
  s.logic_area_path = in.path_in(node, "logic_area");
  const InputLocation where(s.path, node.Mark().line + 1, -1, "logic_area");
  const std::string text = read_text_file(s.logic_area_path, "the logic area file", where);
  // The synthesis file's format is the cost table's input: one reader for both.
  for (const auto& [rank, area] : hw::parse_rr_unit_areas(text, s.logic_area_path))
    s.logic_area_by_rank[static_cast<uint32_t>(rank)] = area.logic_area_um2;
  if (std::find(s.algorithms.begin(), s.algorithms.end(), Algorithm::kLrt) == s.algorithms.end()) return;
  for (uint32_t r : s.ranks)
    if (!s.logic_area_by_rank.count(r)) {
      std::string have;
      for (const auto& [k, v] : s.logic_area_by_rank) have += (have.empty() ? "" : ", ") + std::to_string(k);
      in.fail(node, "logic_area", s.logic_area_path + " has no synthesis result for rank " + std::to_string(r) +
                                      " (it has ranks " + have + ")");
    }
}

}  // namespace

Sweep read_sweep(const std::string& path) {
  Sweep s;
  s.path = path;
  s.text = read_text_file(path, "the sweep file", InputLocation(path));
  YAML::Node root;
  try {
    root = YAML::Load(s.text);
  } catch (const YAML::ParserException& e) {
    throw InputError(InputLocation(path, e.mark.line >= 0 ? e.mark.line + 1 : -1), "YAML syntax: " + e.msg);
  }
  const SweepReader in(path);
  in.only_keys(root, "", {"layer", "layers", "network", "algorithms", "batches", "ranks", "weight_bits", "lr_bits",
                          "act_bits", "grad_bits", "acc_bits", "technology", "logic_area", "rank_reduce", "simulate"});
  for (const char* k : {"algorithms", "batches"})
    if (!root[k]) in.fail(root, k, "missing");
  const int shapes = (root["layer"] ? 1 : 0) + (root["layers"] ? 1 : 0) + (root["network"] ? 1 : 0);
  if (shapes != 1) in.fail(root, "layer", "give exactly one of layer, layers or network");

  if (root["layer"]) s.layers.push_back(read_layer(in, root["layer"], "layer"));
  if (root["layers"]) {
    const YAML::Node list = root["layers"];
    if (!list.IsSequence() || list.size() == 0) in.fail(list, "layers", "expected a non-empty list of layers");
    std::set<std::string> names;
    for (const auto& l : list) {
      s.layers.push_back(read_layer(in, l, "layers"));
      if (!names.insert(s.layers.back().name).second)
        in.fail(l, "layers.name", "'" + s.layers.back().name + "' appears twice");
    }
  }
  if (root["network"]) {
    s.network_config = in.path_in(root["network"], "network");
    const InputLocation where(path, root["network"].Mark().line + 1, -1, "network");
    s.layers = network_layers(
        config::parse_specs(read_text_file(s.network_config, "the network configuration", where), s.network_config));
    if (s.layers.empty()) in.fail(root["network"], "network", s.network_config + " has no weight layers");
  }

  s.algorithms = in.algorithm_list(root["algorithms"], "algorithms");
  const YAML::Node batches = root["batches"];
  s.batches = batches.IsMap() ? log_spaced(in, batches)
                              : in.integer_list<uint64_t>(batches, "batches", 1, 100000000);
  if (root["ranks"]) s.ranks = in.integer_list<uint32_t>(root["ranks"], "ranks", 1, 1024);
  if (root["weight_bits"]) s.weight_bits = in.integer_list<uint32_t>(root["weight_bits"], "weight_bits", 1, 64);
  if (root["lr_bits"]) s.lr_bits = in.integer_list<uint32_t>(root["lr_bits"], "lr_bits", 1, 64);
  if (root["act_bits"]) s.base.act_bits = static_cast<uint32_t>(in.integer(root["act_bits"], "act_bits", 1, 64));
  if (root["grad_bits"]) s.base.grad_bits = static_cast<uint32_t>(in.integer(root["grad_bits"], "grad_bits", 1, 64));
  if (root["acc_bits"]) s.base.acc_bits = static_cast<uint32_t>(in.integer(root["acc_bits"], "acc_bits", 1, 64));
  s.technologies = read_technology(in, root["technology"]);
  if (root["logic_area"]) {
    if (root["technology"] && root["technology"]["rank_reduce_logic_area_um2"])
      in.fail(root["logic_area"], "logic_area", "give either logic_area or technology.rank_reduce_logic_area_um2");
    read_logic_area(in, root["logic_area"], s);
  }
  if (root["rank_reduce"]) read_rank_reduce(in, root["rank_reduce"], s);
  if (root["simulate"]) read_simulate(in, root["simulate"], s);
  return s;
}

std::vector<PlannedPoint> expand(const Sweep& s) {
  std::vector<PlannedPoint> points;
  const bool network = !s.network_config.empty();
  for (std::size_t t = 0; t < s.technologies.size(); ++t)
    for (Algorithm a : s.algorithms)
      for (uint32_t wb : s.weight_bits) {
        // Online is batch 1 by definition; rank and L/R bits only mean something for LRT.
        const std::vector<uint64_t> batches = a == Algorithm::kOnline ? std::vector<uint64_t>{1} : s.batches;
        const std::vector<uint32_t> ranks = a == Algorithm::kLrt ? s.ranks : std::vector<uint32_t>{0};
        const std::vector<uint32_t> lr_bits = a == Algorithm::kLrt ? s.lr_bits : std::vector<uint32_t>{s.base.lr_bits};
        for (uint64_t b : batches)
          for (uint32_t r : ranks)
            for (uint32_t lb : lr_bits) {
              const bool measured = s.simulate.enabled && s.simulate.algorithms.count(a) &&
                                    (s.simulate.batches.empty() || s.simulate.batches.count(b) ||
                                     a == Algorithm::kOnline);  // B = 1 by definition
              PlannedPoint total{"total", {}, t, measured && network, {}};
              for (const SweepLayer& l : s.layers) {
                PlannedPoint p;
                p.layer = l.name;
                p.point = s.base;
                p.point.algorithm = a;
                p.point.weight_bits = wb;
                p.point.batch = b;
                p.point.rank = r;
                p.point.lr_bits = lb;
                p.point.tech = s.technologies[t];
                if (a == Algorithm::kLrt && !s.logic_area_by_rank.empty())
                  p.point.tech.rank_reduce_logic_area_um2 = s.logic_area_by_rank.at(r);
                p.point.n_o = l.n_o;
                p.point.n_i = l.n_i;
                p.point.pairs_per_sample = l.pairs_per_sample;
                p.point.stored_act_words = l.stored_act_words;
                p.point.stored_grad_words = l.stored_grad_words;
                p.technology = t;
                p.simulate = measured && !network;
                if (total.parts.empty()) total.point = p.point;
                total.parts.push_back(points.size());
                points.push_back(p);
              }
              if (network) points.push_back(total);
            }
      }
  return points;
}

}  // namespace lrt::explore
