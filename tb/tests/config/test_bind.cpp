// Binding the configuration to the device and data modules: the defaults are exactly the
// modules' defaults, every key reaches its member, and a module's validation error names the
// configuration key.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "config/bind.h"
#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;

// ---- member-by-member equality, so a failure names the member ----------------------------

void expect_same(const device::RramArraySpecs& a, const device::RramArraySpecs& b) {
  EXPECT_EQ(a.cells, b.cells);
  EXPECT_EQ(a.bits_per_cell, b.bits_per_cell);
  EXPECT_EQ(a.weight_bits, b.weight_bits);
  EXPECT_EQ(a.weight_range, b.weight_range);
  EXPECT_EQ(a.levels_per_pulse, b.levels_per_pulse);
  EXPECT_EQ(a.max_pulses, b.max_pulses);
  EXPECT_EQ(a.read_before_write, b.read_before_write);
  EXPECT_EQ(a.read_energy_pj_per_bit, b.read_energy_pj_per_bit);
  EXPECT_EQ(a.write_energy_pj_per_bit, b.write_energy_pj_per_bit);
  EXPECT_EQ(a.read_latency_cycles, b.read_latency_cycles);
  EXPECT_EQ(a.pulse_cycles, b.pulse_cycles);
  EXPECT_EQ(a.verify_cycles, b.verify_cycles);
  EXPECT_EQ(a.cell_area_um2, b.cell_area_um2);
  EXPECT_EQ(a.endurance.writes, b.endurance.writes);
  EXPECT_EQ(a.endurance.distribution, b.endurance.distribution);
  EXPECT_EQ(a.endurance.spread, b.endurance.spread);
  EXPECT_EQ(a.stuck_at_fault_rate, b.stuck_at_fault_rate);
  EXPECT_EQ(a.stuck_at_high_fraction, b.stuck_at_high_fraction);
  EXPECT_EQ(a.drift.interval_samples, b.drift.interval_samples);
  EXPECT_EQ(a.drift.horizon_samples, b.drift.horizon_samples);
  EXPECT_EQ(a.drift.analog_sigma0, b.drift.analog_sigma0);
  EXPECT_EQ(a.drift.flip_p0, b.drift.flip_p0);
  EXPECT_EQ(a.drift.flip_model, b.drift.flip_model);
  EXPECT_EQ(a.read_effects.noise_sigma_levels, b.read_effects.noise_sigma_levels);
  EXPECT_EQ(a.read_effects.power_law_nu, b.read_effects.power_law_nu);
  EXPECT_EQ(a.read_effects.power_law_t0_samples, b.read_effects.power_law_t0_samples);
  EXPECT_EQ(a.program.model, b.program.model);
  EXPECT_EQ(a.program.set_pass_probability, b.program.set_pass_probability);
  EXPECT_EQ(a.program.reset_pass_probability, b.program.reset_pass_probability);
  EXPECT_EQ(a.program.wear_growth, b.program.wear_growth);
  EXPECT_EQ(a.program.reset_energy_ratio, b.program.reset_energy_ratio);
  EXPECT_EQ(a.program.reset_pulse_cycles, b.program.reset_pulse_cycles);
}

void expect_same(const device::SramSpecs& a, const device::SramSpecs& b) {
  EXPECT_EQ(a.capacity_bits, b.capacity_bits);
  EXPECT_EQ(a.word_bits, b.word_bits);
  EXPECT_EQ(a.read_energy_pj_per_bit, b.read_energy_pj_per_bit);
  EXPECT_EQ(a.write_energy_pj_per_bit, b.write_energy_pj_per_bit);
  EXPECT_EQ(a.read_latency_cycles, b.read_latency_cycles);
  EXPECT_EQ(a.write_latency_cycles, b.write_latency_cycles);
  EXPECT_EQ(a.cell_area_um2, b.cell_area_um2);
  EXPECT_EQ(a.energy_model, b.energy_model);
  EXPECT_EQ(a.area_model, b.area_model);
  EXPECT_EQ(a.array_efficiency, b.array_efficiency);
  EXPECT_EQ(a.leakage_model, b.leakage_model);
  EXPECT_EQ(a.leakage_pw_per_bit, b.leakage_pw_per_bit);
}

void expect_same(const data::DataSpecs& a, const data::DataSpecs& b) {
  EXPECT_EQ(a.source.train_images, b.source.train_images);
  EXPECT_EQ(a.source.train_labels, b.source.train_labels);
  EXPECT_EQ(a.source.test_images, b.source.test_images);
  EXPECT_EQ(a.source.test_labels, b.source.test_labels);
  EXPECT_EQ(a.source.num_classes, b.source.num_classes);
  EXPECT_EQ(a.split.offline_train_sources, b.split.offline_train_sources);
  EXPECT_EQ(a.split.validation_sources, b.split.validation_sources);
  EXPECT_EQ(a.split.online_sources, b.split.online_sources);
  EXPECT_EQ(a.split.offline_train_samples, b.split.offline_train_samples);
  EXPECT_EQ(a.split.validation_samples, b.split.validation_samples);
  EXPECT_EQ(a.split.online_samples, b.split.online_samples);
  EXPECT_EQ(a.elastic.alpha, b.elastic.alpha);
  EXPECT_EQ(a.elastic.sigma, b.elastic.sigma);
  EXPECT_EQ(a.elastic.truncate, b.elastic.truncate);
  EXPECT_EQ(a.elastic.mode, b.elastic.mode);
  EXPECT_EQ(a.shift.period, b.shift.period);
  EXPECT_EQ(a.shift.augmentations, b.shift.augmentations);
  EXPECT_EQ(a.shift.schedule, b.shift.schedule);
  EXPECT_EQ(a.shift.cluster.block, b.shift.cluster.block);
  EXPECT_EQ(a.shift.cluster.classes_per_block, b.shift.cluster.classes_per_block);
  EXPECT_EQ(a.shift.cluster.favour_probability, b.shift.cluster.favour_probability);
  EXPECT_EQ(a.shift.spatial.max_rotation_deg, b.shift.spatial.max_rotation_deg);
  EXPECT_EQ(a.shift.spatial.min_scale, b.shift.spatial.min_scale);
  EXPECT_EQ(a.shift.spatial.max_scale, b.shift.spatial.max_scale);
  EXPECT_EQ(a.shift.spatial.max_shift_px, b.shift.spatial.max_shift_px);
  EXPECT_EQ(a.shift.background.min_contrast, b.shift.background.min_contrast);
  EXPECT_EQ(a.shift.background.max_contrast, b.shift.background.max_contrast);
  EXPECT_EQ(a.shift.noise.sigma, b.shift.noise.sigma);
}

// ---- defaults ------------------------------------------------------------------------------

TEST(ConfigBind, MakeEngineNamesTheKeyOfWhatTheEngineRefuses) {
  golden::TrainSpecs train;
  EXPECT_NE(make_engine(golden::default_network(), train), nullptr);
  train.layer_precision.resize(1);  // the default network has 3 conv/fc layers
  try {
    make_engine(golden::default_network(), train);
    ADD_FAILURE() << "a precision list of the wrong length was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().key, "train.precision") << e.what();
  }
}

TEST(ConfigBind, TheNetworkInputMustBeTheImageShape) {
  golden::NetworkSpec net;  // 28 x 28 x 1
  EXPECT_NO_THROW(check_input_shape(net, 28, 28));
  for (const auto& [rows, cols, channels] : {std::tuple{14u, 28u, 1}, std::tuple{28u, 27u, 1}, std::tuple{28u, 28u, 3}}) {
    net.in_c = channels;
    try {
      check_input_shape(net, rows, cols);
      ADD_FAILURE() << rows << "x" << cols << " images accepted by a 28x28x" << channels << " network";
    } catch (const InputError& e) {
      EXPECT_EQ(e.where().key, "network.input");
      EXPECT_NE(std::string(e.what()).find("but the images are " + std::to_string(rows) + "x" + std::to_string(cols) + "x1"),
                std::string::npos)
          << e.what();
    }
    net.in_c = 1;
  }
}

TEST(ConfigBind, DefaultsGiveTheDefaultRramSpecs) {
  const device::RramArraySpecs module_default;
  expect_same(rram_specs(default_specs(), module_default.cells), module_default);
}

TEST(ConfigBind, DefaultsGiveTheDefaultSramSpecs) {
  expect_same(sram_specs(default_specs()), device::SramSpecs{});
}

TEST(ConfigBind, DefaultsGiveTheDefaultDataSpecs) {
  expect_same(data_specs(default_specs()), data::DataSpecs{});
}

TEST(ConfigBind, DefaultsAreConsistent) { EXPECT_NO_THROW(check_consistency(default_specs())); }

// ---- every key reaches its member ------------------------------------------------------------

// Each value differs from the module default and, within a type, from the other values, so
// a key bound to the wrong member or not bound at all fails below.
constexpr const char* kDeviceYaml = R"(
train:
  quant:
    weight: {bits: 6, range: 0.5}
accel:
  rram:
    cell_area_um2: 0.125
    bits_per_cell: 2
    read_energy_pj_per_bit: 2.5
    write_energy_pj_per_bit: 7.25
    read_latency_cycles: 3
    pulse_cycles: 11
    verify_cycles: 4
    levels_per_pulse: 2
    max_pulses: 9
    read_before_write: false
    endurance_writes: 5000
    endurance_distribution: normal
    endurance_spread: 0.05
    stuck_at_fault_rate: 0.001
    stuck_at_high_fraction: 0.25
    read_noise_sigma_levels: 0.4
    power_law_nu: 0.06
    power_law_t0_samples: 30
    drift:
      model: both
      interval_samples: 20
      horizon_samples: 2e6
      analog_sigma0: 12
      flip_p0: 8
      flip_model: bernoulli
    program:
      model: deterministic
      set_pass_probability: 0.875
      reset_pass_probability: 0.625
      wear_growth: 2.5
      reset_energy_ratio: 1.25
      reset_pulse_cycles: 13
  sram:
    cell_area_um2: 0.5
    capacity_bits: 65536
    word_bits: 128
    read_energy_pj_per_bit: 0.75
    write_energy_pj_per_bit: 0.875
    read_latency_cycles: 5
    write_latency_cycles: 6
    energy_model: fixed
    area_model: fixed
    array_efficiency: 0.625
    leakage_model: fixed
    leakage_pw_per_bit: 3.5
)";

TEST(ConfigBind, EveryRramKeyReachesItsMember) {
  const Specs s = parse_specs(kDeviceYaml, "device.yaml");
  const device::RramArraySpecs r = rram_specs(s, 3000);
  device::RramArraySpecs expected;
  expected.cells = 3000;
  expected.bits_per_cell = 2;
  expected.weight_bits = 6;  // train.quant.weight
  expected.weight_range = 0.5;
  expected.levels_per_pulse = 2;
  expected.max_pulses = 9;
  expected.read_before_write = false;
  expected.read_energy_pj_per_bit = 2.5;
  expected.write_energy_pj_per_bit = 7.25;
  expected.read_latency_cycles = 3;
  expected.pulse_cycles = 11;
  expected.verify_cycles = 4;
  expected.cell_area_um2 = 0.125;
  expected.endurance = {5000, device::EnduranceDistribution::kNormal, 0.05};
  expected.stuck_at_fault_rate = 0.001;
  expected.stuck_at_high_fraction = 0.25;
  expected.drift = {20, 2'000'000, 12.0, 8.0, device::FlipModel::kBernoulli};
  expected.read_effects = {0.4, 0.06, 30.0};
  expected.program = {device::ProgramModel::kDeterministic, 0.875, 0.625, 2.5, 1.25, 13};
  expect_same(r, expected);
}

TEST(ConfigBind, ExplicitWeightFormatOverridesTrainQuantWeight) {
  const Specs s = parse_specs(kDeviceYaml, "device.yaml");
  const device::RramArraySpecs r = rram_specs(s, 64, 4, 2.0);
  EXPECT_EQ(r.cells, 64u);
  EXPECT_EQ(r.weight_bits, 4u);
  EXPECT_EQ(r.weight_range, 2.0);
  EXPECT_EQ(r.bits_per_cell, 2u);  // the technology still comes from accel.rram
}

TEST(ConfigBind, EverySramKeyReachesItsMember) {
  const device::SramSpecs r = sram_specs(parse_specs(kDeviceYaml, "device.yaml"));
  device::SramSpecs expected;
  expected.capacity_bits = 65536;
  expected.word_bits = 128;
  expected.read_energy_pj_per_bit = 0.75;
  expected.write_energy_pj_per_bit = 0.875;
  expected.read_latency_cycles = 5;
  expected.write_latency_cycles = 6;
  expected.cell_area_um2 = 0.5;
  expected.energy_model = device::SramCostModel::kFixed;
  expected.area_model = device::SramCostModel::kFixed;
  expected.array_efficiency = 0.625;
  expected.leakage_model = device::SramCostModel::kFixed;
  expected.leakage_pw_per_bit = 3.5;
  expect_same(r, expected);
}

TEST(ConfigBind, DriftModelSelectsTheEnvironment) {
  struct Case {
    const char* model;
    double sigma0, p0;  // what the device must receive
  };
  // The configured strengths are 12 and 8; the model decides which of them is switched on.
  for (const Case& c : {Case{"none", 0.0, 0.0}, Case{"analog", 12.0, 0.0}, Case{"digital", 0.0, 8.0},
                        Case{"both", 12.0, 8.0}}) {
    const Specs s =
        parse_specs(kDeviceYaml, "device.yaml", {std::string("accel.rram.drift.model=") + c.model});
    const device::DriftSpecs d = rram_specs(s, 64).drift;
    EXPECT_EQ(d.analog_sigma0, c.sigma0) << c.model;
    EXPECT_EQ(d.flip_p0, c.p0) << c.model;
    EXPECT_EQ(d.interval_samples, 20u) << c.model;
    EXPECT_EQ(d.horizon_samples, 2'000'000u) << c.model;
  }
  // The paper's environments from the defaults: sigma = 10 / sqrt(1e6 / 10) and p = 10 / (1e6 / 10).
  const device::DriftSpecs analog =
      rram_specs(specs_from_overrides({"accel.rram.drift.model=analog"}), 64).drift;
  EXPECT_EQ(device::analog_sigma_per_event(analog), 10.0 / std::sqrt(1e5));
  EXPECT_EQ(device::flip_probability_per_event(analog), 0.0);
  const device::DriftSpecs digital =
      rram_specs(specs_from_overrides({"accel.rram.drift.model=digital"}), 64).drift;
  EXPECT_EQ(device::flip_probability_per_event(digital), 10.0 / 1e5);
  EXPECT_EQ(device::analog_sigma_per_event(digital), 0.0);
}

constexpr const char* kDataYaml = R"(
network:
  layers: [conv3x3 4, fc 12]   # 12 classes, as data.num_classes
data:
  dir: /data/mnist
  train_images: train-img
  train_labels: /abs/train-lbl
  test_images: sub/test-img
  test_labels: test-lbl
  num_classes: 12
  split:
    offline_train_sources: 100
    validation_sources: 20
    online_sources: 300
    offline_train_samples: 400
    validation_samples: 50
    online_samples: 600
  elastic: {alpha: 8.5, sigma: 1.5, truncate: 3, mode: fixed}
  shift:
    period: 900
    schedule: random_combinations
    augmentations: [noise, class_clustering]
    cluster: {block: 90, classes_per_block: 3, favour_probability: 0.6}
    spatial: {max_rotation_deg: 15, min_scale: 0.9, max_scale: 1.1, max_shift_px: 2}
    background: {min_contrast: 0.2, max_contrast: 0.4}
    noise: {sigma: 0.05}
)";

TEST(ConfigBind, EveryDataKeyReachesItsMember) {
  const data::DataSpecs d = data_specs(parse_specs(kDataYaml, "data.yaml"));
  data::DataSpecs expected;
  expected.source.train_images = "/data/mnist/train-img";  // joined to data.dir...
  expected.source.train_labels = "/abs/train-lbl";         // ...unless absolute
  expected.source.test_images = "/data/mnist/sub/test-img";
  expected.source.test_labels = "/data/mnist/test-lbl";
  expected.source.num_classes = 12;
  expected.split = {100, 20, 300, 400, 50, 600};
  expected.elastic = {8.5, 1.5, 3.0, data::ElasticMode::kFixed};
  expected.shift.period = 900;
  expected.shift.schedule = data::ShiftScheduleRule::kRandomCombinations;
  expected.shift.augmentations = data::kWhiteNoise | data::kClassClustering;
  expected.shift.cluster = {90, 3, 0.6};
  expected.shift.spatial = {15.0, 0.9, 1.1, 2.0};
  expected.shift.background = {0.2, 0.4};
  expected.shift.noise.sigma = 0.05;
  expect_same(d, expected);
}

TEST(ConfigBind, DataDirWithTrailingSlashOrRelative) {
  EXPECT_EQ(data_specs(specs_from_overrides({"data.dir=/d/"})).source.test_labels,
            "/d/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(data_specs(specs_from_overrides({"data.dir=rel/dir"})).source.train_images,
            "rel/dir/train-images-idx3-ubyte.gz");
}

TEST(ConfigBind, EachAugmentationNameSetsItsOwnBit) {
  const std::pair<const char*, uint32_t> names[] = {{"class_clustering", data::kClassClustering},
                                                    {"spatial", data::kSpatial},
                                                    {"background", data::kBackground},
                                                    {"noise", data::kWhiteNoise}};
  for (const auto& [name, bit] : names) {
    const Specs s = specs_from_overrides({std::string("data.shift.augmentations=[") + name + "]"});
    EXPECT_EQ(data_specs(s).shift.augmentations, bit) << name;
  }
}

// ---- module errors name the key ---------------------------------------------------------------

// Expects bind(specs) to throw an InputError whose key is `key` and whose message has `part`.
void expect_bind_error(const std::function<void()>& bind, const std::string& key, const std::string& part) {
  const auto e = input_error(bind);
  ASSERT_TRUE(e.has_value()) << key;
  EXPECT_EQ(e->where().key, key) << e->what();
  EXPECT_EQ(e->where().line, -1) << e->what();
  EXPECT_TRUE(contains(e->what(), part)) << "missing '" << part << "' in: " << e->what();
}

// One default Specs broken by `spoil`; binding it must fail at `key` with `part` in the message.
struct SpoilCase {
  const char* key;
  std::function<void(Specs&)> spoil;
  const char* part;  // from the module's message
};

template <std::size_t N>
void expect_case_errors(const SpoilCase (&cases)[N], const std::function<void(const Specs&)>& bind) {
  for (const SpoilCase& c : cases) {
    Specs s = default_specs();
    c.spoil(s);
    SCOPED_TRACE(c.key);
    expect_bind_error([&] { bind(s); }, c.key, c.part);
  }
}

// One hand-made Specs per device member the device validates, each breaking only that
// member; the error must name the key the member comes from (not the device's member name).
TEST(ConfigBind, RramValidationErrorsNameTheKey) {
  const SpoilCase cases[] = {
      {"accel.rram.bits_per_cell", [](Specs& s) { s.accel.rram.bits_per_cell = 9; },
       "9 is outside [1, min(8"},
      {"accel.rram.levels_per_pulse", [](Specs& s) { s.accel.rram.levels_per_pulse = 0; },
       "outside [1, 255]"},
      {"accel.rram.max_pulses", [](Specs& s) { s.accel.rram.max_pulses = 5000; },
       "5000 is outside [1, 4096]"},
      {"accel.rram.read_energy_pj_per_bit", [](Specs& s) { s.accel.rram.read_energy_pj_per_bit = -1; },
       "outside [0, 1e6] pJ"},
      {"accel.rram.write_energy_pj_per_bit", [](Specs& s) { s.accel.rram.write_energy_pj_per_bit = 2e6; },
       "outside [0, 1e6] pJ"},
      {"accel.rram.read_latency_cycles", [](Specs& s) { s.accel.rram.read_latency_cycles = 1000001; }, "1e6"},
      {"accel.rram.pulse_cycles", [](Specs& s) { s.accel.rram.pulse_cycles = 1000001; }, "1e6"},
      {"accel.rram.verify_cycles", [](Specs& s) { s.accel.rram.verify_cycles = 1000001; }, "1e6"},
      {"accel.rram.cell_area_um2", [](Specs& s) { s.accel.rram.cell_area_um2 = -1; }, "outside [0, 1e6]"},
      {"accel.rram.endurance_writes", [](Specs& s) { s.accel.rram.endurance.writes = 0; },
       "outside [1, 2^32"},
      {"accel.rram.endurance_spread", [](Specs& s) { s.accel.rram.endurance.spread = 11; },
       "outside [0, 10]"},
      {"accel.rram.stuck_at_fault_rate", [](Specs& s) { s.accel.rram.stuck_at_fault_rate = 1.5; },
       "outside [0, 1]"},
      {"accel.rram.stuck_at_high_fraction", [](Specs& s) { s.accel.rram.stuck_at_high_fraction = -0.5; },
       "outside [0, 1]"},
      {"accel.rram.read_noise_sigma_levels",
       [](Specs& s) { s.accel.rram.read_effects.noise_sigma_levels = 2000; }, "outside [0, 1000]"},
      {"accel.rram.power_law_nu", [](Specs& s) { s.accel.rram.read_effects.power_law_nu = 11; },
       "outside [0, 10]"},
      {"accel.rram.program.set_pass_probability",
       [](Specs& s) { s.accel.rram.program.set_pass_probability = 0; }, "outside (0, 1]"},
      {"accel.rram.program.reset_pass_probability",
       [](Specs& s) { s.accel.rram.program.reset_pass_probability = 2; }, "outside (0, 1]"},
      {"accel.rram.program.wear_growth", [](Specs& s) { s.accel.rram.program.wear_growth = -1; },
       "outside [0, 1e6]"},
      {"accel.rram.program.reset_energy_ratio", [](Specs& s) { s.accel.rram.program.reset_energy_ratio = 0; },
       "outside (0, 1000]"},
      {"accel.rram.program.reset_pulse_cycles",
       [](Specs& s) { s.accel.rram.program.reset_pulse_cycles = 1000001; }, "1e6"},
      {"accel.rram.power_law_t0_samples",
       [](Specs& s) { s.accel.rram.read_effects.power_law_t0_samples = 0; }, "outside [1e-3, 1e12]"},
      {"accel.rram.drift.interval_samples", [](Specs& s) { s.accel.rram.drift.interval_samples = 0; },
       "outside [1, 2^32 - 1]"},
      {"accel.rram.drift.horizon_samples", [](Specs& s) { s.accel.rram.drift.horizon_samples = 9; },
       "outside [interval_samples, 1e15]"},
      {"accel.rram.drift.analog_sigma0",
       [](Specs& s) {
         s.accel.rram.drift_model = DriftModel::kAnalog;
         s.accel.rram.drift.analog_sigma0 = 2e6;
       },
       "outside [0, 1e6]"},
      {"accel.rram.drift.flip_p0",
       [](Specs& s) {
         s.accel.rram.drift_model = DriftModel::kDigital;
         s.accel.rram.drift.flip_p0 = 1e5 + 1;  // p = p0 / (1e6 / 10) > 1
       },
       "per-event probability"},
      // A model that is on but has no strength would silently be the control environment.
      {"accel.rram.drift.analog_sigma0",
       [](Specs& s) {
         s.accel.rram.drift_model = DriftModel::kBoth;
         s.accel.rram.drift.analog_sigma0 = 0;
       },
       "turns analog drift on; expected > 0"},
      {"accel.rram.drift.flip_p0",
       [](Specs& s) {
         s.accel.rram.drift_model = DriftModel::kDigital;
         s.accel.rram.drift.flip_p0 = 0;
       },
       "turns bit flips on; expected > 0"},
      {"accel.rram.drift.model", [](Specs& s) { s.accel.rram.drift_model = static_cast<DriftModel>(7); },
       "no known drift model"},
      {"accel.rram.drift.flip_model",
       [](Specs& s) { s.accel.rram.drift.flip_model = static_cast<device::FlipModel>(7); },
       "not a flip model"},
      // The weight format comes from train.quant.weight.
      {"train.quant.weight.bits", [](Specs& s) { s.train.quant.weight.bits = 17; }, "17 is outside [1, 16]"},
      {"train.quant.weight.bits", [](Specs& s) { s.train.quant.weight.bits = -3; },
       "-3 is not a positive width"},
      {"train.quant.weight.range", [](Specs& s) { s.train.quant.weight.range = 3.0; }, "not a power of two"},
      // A cross-key rule: 4-bit cells cannot hold a 2-bit weight.
      {"accel.rram.bits_per_cell",
       [](Specs& s) {
         s.accel.rram.bits_per_cell = 4;
         s.train.quant.weight.bits = 2;
       },
       "weight_bits = 2"},
  };
  expect_case_errors(cases, [](const Specs& s) { rram_specs(s, 1024); });
}

TEST(ConfigBind, NetworkSizedCellsNameNoKey) {
  const auto e = input_error([] { rram_specs(default_specs(), 7); });  // one 8-bit word needs 8 binary cells
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().key, "");
  EXPECT_TRUE(contains(e->what(), "RRAM array: cells: 7 cannot hold one word of 8 cells")) << e->what();
}

TEST(ConfigBind, SramValidationErrorsNameTheKey) {
  const SpoilCase cases[] = {
      {"accel.sram.capacity_bits", [](Specs& s) { s.accel.sram.capacity_bits = 0; }, "outside [1, 2^40]"},
      {"accel.sram.word_bits", [](Specs& s) { s.accel.sram.word_bits = 12; }, "not a multiple of 8"},
      {"accel.sram.read_energy_pj_per_bit", [](Specs& s) { s.accel.sram.read_energy_pj_per_bit = -1; },
       "outside [0, 1e6] pJ"},
      {"accel.sram.write_energy_pj_per_bit", [](Specs& s) { s.accel.sram.write_energy_pj_per_bit = 2e6; },
       "outside [0, 1e6] pJ"},
      {"accel.sram.read_latency_cycles", [](Specs& s) { s.accel.sram.read_latency_cycles = 1000001; }, "1e6"},
      {"accel.sram.write_latency_cycles", [](Specs& s) { s.accel.sram.write_latency_cycles = 1000001; },
       "1e6"},
      {"accel.sram.cell_area_um2", [](Specs& s) { s.accel.sram.cell_area_um2 = 2e6; }, "outside [0, 1e6]"},
      {"accel.sram.array_efficiency", [](Specs& s) { s.accel.sram.array_efficiency = 0; }, "outside (0, 1]"},
      {"accel.sram.leakage_pw_per_bit", [](Specs& s) { s.accel.sram.leakage_pw_per_bit = -1; },
       "outside [0, 1e6]"},
  };
  expect_case_errors(cases, [](const Specs& s) { sram_specs(s); });
}

// hw::validate() names a member of hw::AccelSpecs, which Specs holds at accel; the key is the
// one bound to it, also where the key's name differs (accel.quantum_cycles is the controller's).
TEST(ConfigBind, AccelValidationErrorsNameTheKey) {
  const SpoilCase cases[] = {
      {"accel.clock_mhz", [](Specs& s) { s.accel.clock_mhz = 2e6; }, "is outside [1e-3, 1e6] MHz"},
      {"accel.quantum_cycles", [](Specs& s) { s.accel.controller.quantum_cycles = 0; },
       "0 is outside [1, 1e9]"},
      {"accel.bus.width_bits", [](Specs& s) { s.accel.bus.width_bits = 70000; }, "70000 exceeds 65536"},
      {"accel.bus.latency_cycles", [](Specs& s) { s.accel.bus.latency_cycles = 2000000; }, "exceeds 1e6"},
      {"accel.rank_reduce.impl",
       [](Specs& s) { s.accel.rank_reduce_impl = static_cast<hw::RankReduceImplKind>(7); },
       "no known rank-reduce implementation"},
      {"accel.rank_reduce.units",
       [](Specs& s) { s.accel.controller.rank_reduce_units = static_cast<hw::RankReduceUnits>(7); },
       "no known sharing"},
      {"accel.rank_reduce.lr_bits", [](Specs& s) { s.accel.controller.lr_bits = 33; },
       "33 is outside [2, 32]"},
      {"accel.mac.lanes", [](Specs& s) { s.accel.mac.lanes = 0; }, "must be in 1..2^20"},
      // The MAC array's full-adder energy comes from accel.mac.mult8_pj (64 full adders).
      {"accel.mac.mult8_pj", [](Specs& s) { s.accel.mac_energy.mult8_pj = 6400.5; },
       "full-adder energy (mult8_pj / 64) of 100.0078"},
  };
  expect_case_errors(cases, [](const Specs& s) { accel_specs(s); });
  EXPECT_NO_THROW(check_consistency(default_specs()));
}

TEST(ConfigBind, AccelSpecsAreTheAccelMembersWithTheFullAdderRule) {
  Specs s = default_specs();
  s.accel.mac.lanes = 7;
  s.accel.mac_energy.mult8_pj = 0.64;
  s.accel.controller.quantum_cycles = 99;
  s.accel.bus.width_bits = 48;
  s.accel.clock_mhz = 250.0;
  const hw::AccelSpecs a = accel_specs(s);
  EXPECT_EQ(a.mac.lanes, 7u);
  EXPECT_EQ(a.mac.full_adder_energy_pj, 0.01);
  EXPECT_EQ(a.controller.quantum_cycles, 99u);
  EXPECT_EQ(a.bus.width_bits, 48u);
  EXPECT_EQ(a.clock_mhz, 250.0);
  // The default 0.2 pJ multiply is the MAC array's own default full adder.
  EXPECT_EQ(accel_specs(default_specs()).mac.full_adder_energy_pj, hw::MacArraySpecs{}.full_adder_energy_pj);
}

TEST(ConfigBind, DataValidationErrorsNameTheKey) {
  Specs s = default_specs();
  s.data.shift_augmentations.clear();
  expect_bind_error([&] { data_specs(s); }, "data.shift.augmentations", "is empty");
  s = default_specs();
  s.data.elastic.sigma = 0.0;
  expect_bind_error([&] { data_specs(s); }, "data.elastic.sigma", "must be > 0");
  s = default_specs();
  s.data.elastic.mode = static_cast<data::ElasticMode>(7);
  expect_bind_error([&] { data_specs(s); }, "data.elastic.mode", "no known mode");
  s = default_specs();
  s.data.shift.schedule = static_cast<data::ShiftScheduleRule>(7);
  expect_bind_error([&] { data_specs(s); }, "data.shift.schedule", "no known schedule");
  // The module's member source.num_classes is the key data.num_classes.
  s = default_specs();
  s.data.source.num_classes = 0;
  expect_bind_error([&] { data_specs(s); }, "data.num_classes", "labels are uint8");
  s = default_specs();
  s.data.split.online_sources = 0;
  expect_bind_error([&] { data_specs(s); }, "data.split.online_sources", "online_samples asks for");
}

// golden::validate() names a member of golden::TrainSpecs; the key is the train.* key bound to it.
TEST(ConfigBind, TrainingValidationErrorsNameTheKey) {
  const SpoilCase cases[] = {
      {"train.conv.batch", [](Specs& s) { s.train.conv.batch = 0; }, "must be in [1, 1e6]"},
      {"train.fc.rank", [](Specs& s) { s.train.fc.rank = 32; }, "must be in [1, 31]"},
      {"train.learning_rate", [](Specs& s) { s.train.learning_rate = 3.0; }, "must be in [0, 2]"},
      {"train.max_norm.beta", [](Specs& s) { s.train.max_norm.beta = 1.0; }, "must be in [0, 1)"},
      {"train.dither.scale", [](Specs& s) { s.train.dither.scale = 0.0; }, "must be in (0, 1e6]"},
      {"train.bn.eps", [](Specs& s) { s.train.bn.eps = 0.0; }, "must be in [1e-6, 1]"},
      {"train.quant.bias.bits", [](Specs& s) { s.train.quant.bias.bits = 17; }, "must be in [3, 16]"},
      {"train.quant.gradient.range", [](Specs& s) { s.train.quant.gradient.range = 3.0; }, "power of two"},
      // Every format's LSB together: reported at the weight range.
      {"train.quant.weight.range", [](Specs& s) { s.train.quant.bias.range = 0x1p-10; }, "outside [2^-24, 2^8]"},
      // PfqSpec's own validate() names its member; TrainSpecs' puts it under pfq.
      {"train.pfq.switch_samples",
       [](Specs& s) {
         s.train.pfq.enabled = true;
         s.train.pfq.switch_samples = {5};
       },
       "expected stages - 1"},
      {"train.pfq.backward_bits",
       [](Specs& s) {
         s.train.pfq.enabled = true;
         s.train.quant.gradient.bits = 6;
       },
       "above train.quant.gradient.bits = 6"},
  };
  expect_case_errors(cases, [](const Specs& s) { train_specs(s); });
}

}  // namespace
}  // namespace lrt::config
