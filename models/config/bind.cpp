#include "config/bind.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include "config/network_key.h"
#include "core/error.h"
#include "device/cell_mapping.h"
#include "device/spec_error.h"
#include "golden/precision/precision_costs.h"
#include "golden/training/schemes.h"

namespace lrt::config {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

// A device Specs member and the configuration key it comes from.
struct MemberKey {
  const char* member;
  const char* key;
};

constexpr MemberKey kRramKeys[] = {
    {"bits_per_cell", "accel.rram.bits_per_cell"},
    {"weight_bits", "train.quant.weight.bits"},
    {"weight_range", "train.quant.weight.range"},
    {"levels_per_pulse", "accel.rram.levels_per_pulse"},
    {"max_pulses", "accel.rram.max_pulses"},
    {"read_energy_pj_per_bit", "accel.rram.read_energy_pj_per_bit"},
    {"write_energy_pj_per_bit", "accel.rram.write_energy_pj_per_bit"},
    {"read_latency_cycles", "accel.rram.read_latency_cycles"},
    {"pulse_cycles", "accel.rram.pulse_cycles"},
    {"verify_cycles", "accel.rram.verify_cycles"},
    {"cell_area_um2", "accel.rram.cell_area_um2"},
    {"endurance.writes", "accel.rram.endurance_writes"},
    {"endurance.spread", "accel.rram.endurance_spread"},
    {"stuck_at_fault_rate", "accel.rram.stuck_at_fault_rate"},
    {"stuck_at_high_fraction", "accel.rram.stuck_at_high_fraction"},
    {"drift.interval_samples", "accel.rram.drift.interval_samples"},
    {"drift.horizon_samples", "accel.rram.drift.horizon_samples"},
    {"drift.analog_sigma0", "accel.rram.drift.analog_sigma0"},
    {"drift.flip_p0", "accel.rram.drift.flip_p0"},
    {"drift.flip_model", "accel.rram.drift.flip_model"},
    {"read_effects.noise_sigma_levels", "accel.rram.read_noise_sigma_levels"},
    {"read_effects.power_law_nu", "accel.rram.power_law_nu"},
    {"read_effects.power_law_t0_samples", "accel.rram.power_law_t0_samples"},
    {"program.verify_pass_probability", "accel.rram.program.verify_pass_probability"},
    {"program.wear_growth", "accel.rram.program.wear_growth"},
    {"program.reset_energy_ratio", "accel.rram.program.reset_energy_ratio"},
    {"program.reset_pulse_cycles", "accel.rram.program.reset_pulse_cycles"},
};

constexpr MemberKey kSramKeys[] = {
    {"capacity_bits", "accel.sram.capacity_bits"},
    {"word_bits", "accel.sram.word_bits"},
    {"read_energy_pj_per_bit", "accel.sram.read_energy_pj_per_bit"},
    {"write_energy_pj_per_bit", "accel.sram.write_energy_pj_per_bit"},
    {"read_latency_cycles", "accel.sram.read_latency_cycles"},
    {"write_latency_cycles", "accel.sram.write_latency_cycles"},
    {"cell_area_um2", "accel.sram.cell_area_um2"},
    {"array_efficiency", "accel.sram.array_efficiency"},
    {"leakage_pw_per_bit", "accel.sram.leakage_pw_per_bit"},
};

// Runs the module's validate() and turns its SpecError ("member: problem") into an
// InputError at the member's key; a member without a key (e.g. the network-given `cells`)
// keeps its name in the message.
template <std::size_t N, class Validate>
void validate_as_config(const MemberKey (&keys)[N], const char* module, Validate&& validate) {
  try {
    validate();
  } catch (const device::SpecError& e) {
    const std::string prefix = e.member() + ": ";
    const std::string what = e.what();
    const std::string problem = what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
    for (const MemberKey& k : keys) {
      if (e.member() == k.member) fail(k.key, problem);
    }
    throw InputError({}, std::string(module) + ": " + what);
  }
}

// The analog sigma and flip probability the selected drift model turns on (0 = off).
device::DriftSpecs drift_specs(const RramDriftSpecs& d) {
  device::DriftSpecs out;
  out.interval_samples = d.interval_samples;
  out.horizon_samples = static_cast<double>(d.horizon_samples);  // exact: the key allows <= 1e15 < 2^53
  bool analog = false, digital = false;
  switch (d.model) {
    case DriftModel::kNone:
      break;
    case DriftModel::kAnalog:
      analog = true;
      break;
    case DriftModel::kDigital:
      digital = true;
      break;
    case DriftModel::kBoth:
      analog = digital = true;
      break;
    default:
      fail("accel.rram.drift.model", "holds no known drift model");
  }
  // A model that is on needs its strength; 0 would silently run the control environment.
  if (analog && !(d.analog_sigma0 > 0.0))
    fail("accel.rram.drift.analog_sigma0",
         "is " + std::to_string(d.analog_sigma0) +
             " but accel.rram.drift.model turns analog drift on; expected > 0");
  if (digital && !(d.flip_p0 > 0.0))
    fail("accel.rram.drift.flip_p0",
         "is " + std::to_string(d.flip_p0) + " but accel.rram.drift.model turns bit flips on; expected > 0");
  out.analog_sigma0 = analog ? d.analog_sigma0 : 0.0;
  out.flip_p0 = digital ? d.flip_p0 : 0.0;
  out.flip_model = d.flip_model;
  return out;
}

std::string in_dir(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();  // an absolute name replaces dir
}

// golden::validate() says "train.<member>: why", and the members are named like the keys,
// except the check of all formats' LSBs together, which is reported at the weight range.
[[noreturn]] void fail_golden(const std::invalid_argument& e) {
  const std::string what = e.what();
  const std::size_t colon = what.find(": ");
  if (colon == std::string::npos || what.rfind("train.", 0) != 0) throw InputError({}, "training: " + what);
  const std::string member = what.substr(0, colon);
  fail(member == "train.quant" ? "train.quant.weight.range" : member, what.substr(colon + 2));
}

// train.precision.*: one entry per conv3x3/fc layer, or empty. B_G(W) and B_acc have no
// quantizer in this datapath: a value other than the datapath's is refused.
std::vector<golden::LayerPrecisionSpec> layer_precision(const Specs& specs) {
  const PrecisionSpecs& p = specs.train.precision;
  std::vector<golden::LayerShape> trainable;
  for (const golden::LayerShape& s : golden::derive_shapes(network_spec(specs)))
    if (s.trainable()) trainable.push_back(s);
  const size_t n = trainable.size();
  auto check = [&](const char* key, size_t size) {
    if (size != 0 && size != n)
      fail(key, std::to_string(size) + " entries for " + std::to_string(n) +
                    " conv3x3/fc layers; expected one per layer (in network order) or none");
  };
  check("train.precision.weight_bits", p.weight_bits.size());
  check("train.precision.weight_range", p.weight_range.size());
  check("train.precision.activation_bits", p.activation_bits.size());
  check("train.precision.gradient_bits", p.gradient_bits.size());
  check("train.precision.gradient_range", p.gradient_range.size());
  check("train.precision.weight_gradient_bits", p.weight_gradient_bits.size());
  check("train.precision.accumulator_bits", p.accumulator_bits.size());
  for (size_t j = 0; j < p.weight_gradient_bits.size(); ++j) {
    const golden::Scheme s = trainable[j].spec.kind == golden::LayerKind::kConv3x3 ? specs.train.conv.scheme
                                                                                    : specs.train.fc.scheme;
    const int gw = golden::trains_weights(s) ? golden::kWeightGradientBits : 0;
    if (p.weight_gradient_bits[j] != gw)
      fail("train.precision.weight_gradient_bits",
           "item " + std::to_string(j + 1) + " is " + std::to_string(p.weight_gradient_bits[j]) +
               "; this datapath forms the weight gradient of a " + golden::to_string(s) + " layer in " +
               std::to_string(gw) + "-bit words and cannot honour another width; expected " + std::to_string(gw));
  }
  for (size_t j = 0; j < p.accumulator_bits.size(); ++j) {
    const golden::Scheme s = trainable[j].spec.kind == golden::LayerKind::kConv3x3 ? specs.train.conv.scheme
                                                                                    : specs.train.fc.scheme;
    const int acc = s == golden::Scheme::kNaiveBatch ? 64 : 0;
    if (p.accumulator_bits[j] != acc)
      fail("train.precision.accumulator_bits",
           "item " + std::to_string(j + 1) + " is " + std::to_string(p.accumulator_bits[j]) +
               "; a " + golden::to_string(s) + " layer keeps " +
               (acc ? "an int64 accumulator" : "no weight accumulator (updates round to the weight LSB)") +
               "; expected " + std::to_string(acc));
  }
  const bool any = !p.weight_bits.empty() || !p.weight_range.empty() || !p.activation_bits.empty() ||
                   !p.gradient_bits.empty() || !p.gradient_range.empty();
  std::vector<golden::LayerPrecisionSpec> out;
  if (!any) return out;
  const QuantSpecs& q = specs.train.quant;
  for (size_t j = 0; j < n; ++j) {
    golden::LayerPrecisionSpec l;
    l.weight.bits = p.weight_bits.empty() ? q.weight.bits : p.weight_bits[j];
    l.weight.range = p.weight_range.empty() ? q.weight.range : p.weight_range[j];
    l.gradient.bits = p.gradient_bits.empty() ? q.gradient.bits : p.gradient_bits[j];
    l.gradient.range = p.gradient_range.empty() ? q.gradient.range : p.gradient_range[j];
    l.activation_bits = p.activation_bits.empty() ? 0 : p.activation_bits[j];
    out.push_back(l);
  }
  return out;
}

golden::KindTrainSpec kind_spec(const KindSpecs& k) {
  golden::KindTrainSpec out;
  out.scheme = k.scheme;
  out.max_norm = k.max_norm;
  out.batch = k.batch;
  out.rank = k.rank;
  out.mode = k.mode;
  out.kappa_th = k.kappa_th;
  out.max_batch_multiple = k.max_batch_multiple;
  return out;
}

golden::QuantSpec quant_spec(const QuantizerSpecs& q) { return golden::QuantSpec{q.bits, q.range}; }

// Checks golden::validate() and the parameters the golden engine does not take from
// TrainSpecs (the width of the fixed-point rank reducer's factors).
void validate_training(const Specs& specs, const golden::TrainSpecs& out) {
  try {
    golden::validate(out);
  } catch (const std::invalid_argument& e) {
    fail_golden(e);
  }
  // The bit-accurate rank reducer stores L and R as 16-bit codes (golden/rank_reduce/rank_reduce_fixed.h);
  // another width would silently be ignored, so it is refused.
  const bool lrt = out.conv.scheme == golden::Scheme::kLrt || out.fc.scheme == golden::Scheme::kLrt;
  if (lrt && out.rank_reduce_arith == golden::RankReduceArith::kFixed && specs.accel.rank_reduce.lr_bits != 16)
    fail("accel.rank_reduce.lr_bits",
         "is " + std::to_string(specs.accel.rank_reduce.lr_bits) +
             " but the fixed-point rank reducer implements 16-bit L/R factors only; expected 16");
}

// derive_shapes says "network layer <0-based index>: why"; the configuration counts list items
// from 1, so the message is re-worded as "item <index + 1> (<layer>): why".
std::string network_problem(const std::string& what, const std::vector<golden::LayerSpec>& layers) {
  const std::string prefix = "network layer ";
  if (what.rfind(prefix, 0) != 0) return what;
  const std::size_t colon = what.find(": ", prefix.size());
  if (colon == std::string::npos) return what;
  const std::size_t index = std::stoul(what.substr(prefix.size(), colon - prefix.size()));
  if (index >= layers.size()) return what;
  return "item " + std::to_string(index + 1) + " (" + layer_text(layers[index]) + "): " + what.substr(colon + 2);
}

}  // namespace

golden::NetworkSpec network_spec(const Specs& specs) {
  golden::NetworkSpec net;
  net.in_h = specs.network.input.h;
  net.in_w = specs.network.input.w;
  net.in_c = specs.network.input.c;
  net.layers = specs.network.layers;
  try {
    (void)golden::derive_shapes(net);
  } catch (const std::invalid_argument& e) {
    fail(std::string(e.what()).rfind("network input", 0) == 0 ? "network.input" : "network.layers",
         network_problem(e.what(), net.layers));
  }
  const int classes = golden::num_classes(net);
  if (classes != specs.data.num_classes)
    fail("network.layers", "the last layer (item " + std::to_string(net.layers.size()) + ") has " +
                               std::to_string(classes) + " outputs but data.num_classes is " +
                               std::to_string(specs.data.num_classes) + "; expected them equal");
  return net;
}

golden::TrainSpecs train_specs(const Specs& specs) {
  const TrainSpecs& t = specs.train;
  golden::TrainSpecs out;
  out.quant.weight = quant_spec(t.quant.weight);
  out.quant.bias = quant_spec(t.quant.bias);
  out.quant.activation = quant_spec(t.quant.activation);
  out.quant.activation_signed = quant_spec(t.quant.activation_signed);
  out.quant.gradient = quant_spec(t.quant.gradient);
  out.quant.input = golden::QuantSpec{8, t.quant.input.range};
  out.learning_rate = t.learning_rate;
  out.conv = kind_spec(t.conv);
  out.fc = kind_spec(t.fc);
  out.max_norm.beta = t.max_norm.beta;
  out.max_norm.eps = t.max_norm.eps;
  out.dither.enabled = t.dither.enabled;
  out.dither.rule = t.dither.step;
  out.dither.scale = t.dither.scale;
  out.pfq.enabled = t.pfq.enabled;
  out.pfq.forward_bits = t.pfq.forward_bits;
  out.pfq.backward_bits = t.pfq.backward_bits;
  out.pfq.mode = t.pfq.mode;
  out.pfq.switch_samples = t.pfq.switch_samples;
  out.pfq.window = t.pfq.window;
  out.pfq.min_improvement = t.pfq.min_improvement;
  out.layer_precision = layer_precision(specs);
  out.bn.streaming = t.bn.streaming;
  out.bn.batch = t.bn.batch;
  out.bn.eps = t.bn.eps;
  out.bn.bias_correction = t.bn.bias_correction;
  out.bn.backward_scale_only = t.bn.backward_scale_only;
  out.max_norm_placement = t.max_norm.placement;
  out.batched_update = t.batched_update;
  out.alpha_rule = t.alpha_rule;
  out.weight_gradient_alpha = t.weight_gradient_alpha;
  out.train_biases = t.biases;
  out.rho_min = t.rho_min;
  out.batch_scale_power = t.batch_scale_power;
  out.rank_reduce_arith = specs.accel.rank_reduce.arith;
  out.seed = specs.run.seed;
  validate_training(specs, out);
  return out;
}

golden::TrainSpecs pretrain_specs(const Specs& specs) {
  golden::TrainSpecs out = train_specs(specs);
  const PretrainSpecs& p = specs.pretrain;
  out.learning_rate = p.learning_rate;
  out.dither.enabled = false;  // pre-training is offline, quantization-aware training: nearest Qg
  out.pfq.enabled = false;     // and at the formats' full precision
  for (golden::KindTrainSpec* k : {&out.conv, &out.fc}) {
    k->scheme = p.scheme;
    k->batch = p.batch;
  }
  validate_training(specs, out);
  return out;
}

device::RramArraySpecs rram_specs(const Specs& specs, uint64_t cells, int weight_bits, double weight_range) {
  if (weight_bits < 1)
    fail("train.quant.weight.bits", std::to_string(weight_bits) + " is not a positive width");
  const RramSpecs& r = specs.accel.rram;
  device::RramArraySpecs out;
  out.cells = cells;
  out.bits_per_cell = r.bits_per_cell;
  out.weight_bits = static_cast<uint32_t>(weight_bits);
  out.weight_range = weight_range;
  out.levels_per_pulse = r.levels_per_pulse;
  out.max_pulses = r.max_pulses;
  out.read_before_write = r.read_before_write;
  out.read_energy_pj_per_bit = r.read_energy_pj_per_bit;
  out.write_energy_pj_per_bit = r.write_energy_pj_per_bit;
  out.read_latency_cycles = r.read_latency_cycles;
  out.pulse_cycles = r.pulse_cycles;
  out.verify_cycles = r.verify_cycles;
  out.cell_area_um2 = r.cell_area_um2;
  out.endurance.writes = r.endurance_writes;
  out.endurance.distribution = r.endurance_distribution;
  out.endurance.spread = r.endurance_spread;
  out.stuck_at_fault_rate = r.stuck_at_fault_rate;
  out.stuck_at_high_fraction = r.stuck_at_high_fraction;
  out.drift = drift_specs(r.drift);
  out.read_effects.noise_sigma_levels = r.read_noise_sigma_levels;
  out.read_effects.power_law_nu = r.power_law_nu;
  out.read_effects.power_law_t0_samples = r.power_law_t0_samples;
  out.program.model = r.program.model;
  out.program.verify_pass_probability = r.program.verify_pass_probability;
  out.program.wear_growth = r.program.wear_growth;
  out.program.reset_energy_ratio = r.program.reset_energy_ratio;
  out.program.reset_pulse_cycles = r.program.reset_pulse_cycles;
  validate_as_config(kRramKeys, "RRAM array", [&] { device::validate(out); });
  return out;
}

device::RramArraySpecs rram_specs(const Specs& specs, uint64_t cells) {
  return rram_specs(specs, cells, specs.train.quant.weight.bits, specs.train.quant.weight.range);
}

device::SramSpecs sram_specs(const Specs& specs) {
  const SramSpecs& s = specs.accel.sram;
  device::SramSpecs out;
  out.capacity_bits = s.capacity_bits;
  out.word_bits = s.word_bits;
  out.read_energy_pj_per_bit = s.read_energy_pj_per_bit;
  out.write_energy_pj_per_bit = s.write_energy_pj_per_bit;
  out.read_latency_cycles = s.read_latency_cycles;
  out.write_latency_cycles = s.write_latency_cycles;
  out.cell_area_um2 = s.cell_area_um2;
  out.energy_model = s.energy_model;
  out.array_efficiency = s.array_efficiency;
  out.leakage_pw_per_bit = s.leakage_pw_per_bit;
  validate_as_config(kSramKeys, "SRAM buffer", [&] { device::validate(out); });
  return out;
}

data::DataSpecs data_specs(const Specs& specs) {
  const DataSpecs& d = specs.data;
  data::DataSpecs out;
  out.source.train_images = in_dir(d.dir, d.train_images);
  out.source.train_labels = in_dir(d.dir, d.train_labels);
  out.source.test_images = in_dir(d.dir, d.test_images);
  out.source.test_labels = in_dir(d.dir, d.test_labels);
  out.source.num_classes = d.num_classes;

  out.split.offline_train_sources = d.split.offline_train_sources;
  out.split.validation_sources = d.split.validation_sources;
  out.split.online_sources = d.split.online_sources;
  out.split.offline_train_samples = d.split.offline_train_samples;
  out.split.validation_samples = d.split.validation_samples;
  out.split.online_samples = d.split.online_samples;

  out.elastic.alpha = d.elastic.alpha;
  out.elastic.sigma = d.elastic.sigma;
  out.elastic.truncate = d.elastic.truncate;
  out.elastic.mode = d.elastic.mode;

  const ShiftSpecs& sh = d.shift;
  out.shift.period = sh.period;
  out.shift.augmentations = 0;
  for (const data::Augmentation a : sh.augmentations) out.shift.augmentations |= a;
  out.shift.schedule = sh.schedule;
  out.shift.cluster.block = sh.cluster.block;
  out.shift.cluster.classes_per_block = sh.cluster.classes_per_block;
  out.shift.cluster.favour_probability = sh.cluster.favour_probability;
  out.shift.spatial.max_rotation_deg = sh.spatial.max_rotation_deg;
  out.shift.spatial.min_scale = sh.spatial.min_scale;
  out.shift.spatial.max_scale = sh.spatial.max_scale;
  out.shift.spatial.max_shift_px = sh.spatial.max_shift_px;
  out.shift.background.min_contrast = sh.background.min_contrast;
  out.shift.background.max_contrast = sh.background.max_contrast;
  out.shift.noise.sigma = sh.noise.sigma;

  data::validate(out);  // its InputErrors already carry the configuration keys
  return out;
}

std::unique_ptr<golden::Engine> make_engine(const golden::NetworkSpec& net, const golden::TrainSpecs& train) {
  try {
    return std::make_unique<golden::Engine>(net, train);
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    // The engine names a train.* key at the start of its message; anything else is the network's.
    const std::string key = what.rfind("train.", 0) == 0 ? what.substr(0, what.find(':')) : "network.layers";
    throw InputError(InputLocation({}, -1, -1, key), what);
  }
}

void check_input_shape(const golden::NetworkSpec& net, uint64_t image_rows, uint64_t image_cols) {
  if (static_cast<uint64_t>(net.in_h) == image_rows && static_cast<uint64_t>(net.in_w) == image_cols && net.in_c == 1)
    return;
  throw InputError(InputLocation({}, -1, -1, "network.input"),
                   "is " + std::to_string(net.in_h) + "x" + std::to_string(net.in_w) + "x" + std::to_string(net.in_c) +
                       " but the images are " + std::to_string(image_rows) + "x" + std::to_string(image_cols) + "x1");
}

void check_consistency(const Specs& specs) {
  // The widest code the cell mapping takes, in one word: no bits_per_cell is too wide for
  // it, so only the configuration's own keys can fail here.
  constexpr uint32_t kWidest = device::CellMapping::kMaxWeightBits;
  (void)rram_specs(specs, kWidest, static_cast<int>(kWidest), 1.0);
  (void)sram_specs(specs);
  (void)data_specs(specs);
  (void)network_spec(specs);
  (void)train_specs(specs);
  (void)pretrain_specs(specs);
}

}  // namespace lrt::config
