#include "config/bind.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include "config/network_key.h"
#include "config/schema.h"
#include "core/error.h"
#include "device/cell_mapping.h"
#include "golden/precision/precision_costs.h"
#include "golden/training/schemes.h"

namespace lrt::config {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

// Runs a module's validate() and turns its SpecError into an InputError at the key of the
// member it names (throw_at_key).
template <class Validate>
auto validate_as_config(const std::string& at, const char* module, Validate&& validate) {
  try {
    return validate();
  } catch (const SpecError& e) {
    throw_at_key(at, module, e);
  }
}

// The analog sigma and flip probability the selected drift model turns on (0 = off).
void apply_drift_model(DriftModel model, device::DriftSpecs& d) {
  bool analog = false, digital = false;
  switch (model) {
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
  if (!analog) d.analog_sigma0 = 0.0;
  if (!digital) d.flip_p0 = 0.0;
}

std::string in_dir(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();  // an absolute name replaces dir
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
  const golden::QuantSpecs& q = specs.train.quant;
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

// Checks golden::validate() and the parameters the golden engine does not take from
// TrainSpecs (the width of the fixed-point rank reducer's factors).
void validate_training(const Specs& specs, const golden::TrainSpecs& out) {
  // The check of all formats' LSBs together ("quant") is reported at the weight range.
  validate_as_config("train", "training", [&] {
    try {
      golden::validate(out);
    } catch (const SpecError& e) {
      if (e.member() == "quant") fail("train.quant.weight.range", e.problem());
      throw;
    }
  });
  // The bit-accurate rank reducer stores L and R as 16-bit codes (golden/rank_reduce/rank_reduce_fixed.h);
  // another width would silently be ignored, so it is refused.
  const bool lrt = out.conv.scheme == golden::Scheme::kLrt || out.fc.scheme == golden::Scheme::kLrt;
  if (lrt && out.rank_reduce_arith == golden::RankReduceArith::kFixed && specs.accel.controller.lr_bits != 16)
    fail("accel.rank_reduce.lr_bits",
         "is " + std::to_string(specs.accel.controller.lr_bits) +
             " but the fixed-point rank reducer implements 16-bit L/R factors only; expected 16");
}

// derive_shapes names a layer as member "layers[<0-based index>]"; the configuration counts list
// items from 1, so the problem is reported as "item <index + 1> (<layer>): why" at network.layers.
[[noreturn]] void fail_network(const SpecError& e, const std::vector<golden::LayerSpec>& layers) {
  const std::string& m = e.member();
  const std::string prefix = "layers[";
  if (m.rfind(prefix, 0) == 0 && m.back() == ']') {
    const std::size_t index = std::stoul(m.substr(prefix.size(), m.size() - prefix.size() - 1));
    if (index < layers.size())
      fail("network.layers", "item " + std::to_string(index + 1) + " (" + layer_text(layers[index]) + "): " + e.problem());
  }
  throw_at_key("network", "network", e);
}

}  // namespace

void throw_at_key(const std::string& at, const char* module, const SpecError& e) {
  if (const KeySpec* k = key_of_member(at + "." + e.member())) fail(k->path, e.problem());
  throw InputError({}, std::string(module) + ": " + e.what());
}

golden::NetworkSpec network_spec(const Specs& specs) {
  const golden::NetworkSpec& net = specs.network;
  try {
    (void)golden::derive_shapes(net);
  } catch (const SpecError& e) {
    fail_network(e, net.layers);
  }
  const int classes = golden::num_classes(net);
  if (classes != specs.data.source.num_classes)
    fail("network.layers", "the last layer (item " + std::to_string(net.layers.size()) + ") has " +
                               std::to_string(classes) + " outputs but data.num_classes is " +
                               std::to_string(specs.data.source.num_classes) + "; expected them equal");
  return net;
}

golden::TrainSpecs train_specs(const Specs& specs) {
  golden::TrainSpecs out = specs.train;  // the train.* keys fill these members directly
  out.quant.input.bits = 8;              // the only input width the engine implements
  out.layer_precision = layer_precision(specs);
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
  device::RramArraySpecs out = specs.accel.rram;  // the accel.rram.* keys fill these members directly
  out.cells = cells;
  out.weight_bits = static_cast<uint32_t>(weight_bits);
  out.weight_range = weight_range;
  apply_drift_model(specs.accel.rram.drift_model, out.drift);
  // The weight format is train.quant.weight's (or a layer's precision, given by the caller).
  validate_as_config("accel.rram", "RRAM array", [&] {
    try {
      device::validate(out);
    } catch (const SpecError& e) {
      if (e.member() == "weight_bits") fail("train.quant.weight.bits", e.problem());
      if (e.member() == "weight_range") fail("train.quant.weight.range", e.problem());
      throw;
    }
  });
  return out;
}

device::RramArraySpecs rram_specs(const Specs& specs, uint64_t cells) {
  return rram_specs(specs, cells, specs.train.quant.weight.bits, specs.train.quant.weight.range);
}

hw::AccelSpecs accel_specs(const Specs& specs) {
  hw::AccelSpecs out = specs.accel;  // the accel.* keys fill these members directly
  // An 8 x 8 b array multiplier is 64 full adders (docs/tlm.md, "mac_array").
  out.mac.full_adder_energy_pj = specs.accel.mac_energy.mult8_pj / 64.0;
  validate_as_config("accel", "accelerator", [&] {
    try {
      hw::validate(out);
    } catch (const SpecError& e) {
      if (e.member() == "mac.full_adder_energy_pj")
        fail("accel.mac.mult8_pj", "gives a full-adder energy (mult8_pj / 64) of " +
                                       std::to_string(out.mac.full_adder_energy_pj) + " pJ, which " +
                                       e.problem());
      throw;
    }
  });
  return out;
}

device::SramSpecs sram_specs(const Specs& specs) {
  validate_as_config("accel.sram", "SRAM buffer", [&] { device::validate(specs.accel.sram); });
  return specs.accel.sram;
}

data::DataSpecs data_specs(const Specs& specs) {
  const DataSpecs& d = specs.data;
  data::DataSpecs out = d;  // the data.* keys fill these members directly
  for (std::string* file : {&out.source.train_images, &out.source.train_labels, &out.source.test_images,
                            &out.source.test_labels})
    *file = in_dir(d.dir, *file);
  out.shift.augmentations = 0;
  for (const data::Augmentation a : d.shift_augmentations) out.shift.augmentations |= a;
  validate_as_config("data", "data", [&] { data::validate(out); });
  return out;
}

data::Dataset load_dataset(const Specs& specs,
                           const std::function<data::Dataset(const data::DataSpecs&, uint64_t)>& source) {
  const data::DataSpecs d = data_specs(specs);
  return validate_as_config("data", "data set", [&] {
    return source ? source(d, specs.run.seed) : data::Dataset::load(d, specs.run.seed);
  });
}

std::unique_ptr<golden::Engine> make_engine(const golden::NetworkSpec& net, const golden::TrainSpecs& train) {
  try {
    return std::make_unique<golden::Engine>(net, train);
  } catch (const SpecError& e) {
    // A member of golden::TrainSpecs; its per-layer formats come from train.precision.*.
    std::string member = "train." + e.member();
    const std::string per_layer = "train.layer_precision";
    if (member.rfind(per_layer, 0) == 0) member = "train.precision" + member.substr(per_layer.size());
    const KeySpec* k = key_of_member(member);
    throw InputError(InputLocation({}, -1, -1, k ? k->path : member), e.problem());
  } catch (const std::invalid_argument& e) {
    throw InputError(InputLocation({}, -1, -1, "network.layers"), e.what());  // the network's
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
  (void)accel_specs(specs);
  (void)data_specs(specs);
  (void)network_spec(specs);
  (void)train_specs(specs);
  (void)pretrain_specs(specs);
}

}  // namespace lrt::config
