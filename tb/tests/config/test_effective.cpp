// The effective configuration: complete, loads back to bit-identical Specs, and its hash
// identifies the configuration.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/effective.h"
#include "config/key_builder.h"
#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::write_temp;

// Keys whose values differ between a and b (compared bit for bit, through the table).
std::vector<std::string> differing_keys(const Specs& a, const Specs& b) {
  std::vector<std::string> out;
  for (const KeySpec& k : schema()) {
    if (!k.same(a, b)) out.push_back(k.path);
  }
  return out;
}

// Every key set away from its default, with values that are hard to print and read back:
// extremes, doubles that need 17 digits, a subnormal, negative zero, awkward strings.
Specs awkward_specs() {
  Specs s = default_specs();
  s.run.seed = std::numeric_limits<uint64_t>::max();
  s.run.samples = 1;
  s.run.progress = true;
  s.data.dir = "/tmp/dir with \"quotes\", a \\ backslash, # hash: colon\tand tab";
  s.data.source.train_images = "µ-images.gz";
  s.data.source.train_labels = "null";  // must stay a string, not become YAML null
  s.data.source.test_images = "123";    // must stay a string, not become a number
  s.data.source.test_labels = "line\nbreak";
  s.data.source.num_classes = 256;
  s.data.split = {4294967295u, 0, 1, uint64_t{1} << 40, 0, 1};  // samples > 0 only where sources > 0
  s.data.elastic = {1000.0, 1e-300, 8.0};
  s.data.elastic.mode = data::ElasticMode::kFixed;
  s.data.shift.period = uint64_t{1} << 40;
  s.data.shift.schedule = data::ShiftScheduleRule::kRandomCombinations;
  s.data.shift_augmentations = {data::kWhiteNoise};  // without class clustering, so block and
  s.data.shift.cluster = {4294967295u, 256, 1.0};    // classes_per_block need not fit the period
  s.data.shift.spatial = {180.0, 1e-300, 10.0, 1000.0};
  s.data.shift.background = {-0.0, 1.0};  // >= 0 holds for negative zero; its sign must survive
  s.data.shift.noise.sigma = 10.0;
  s.run.model = "model: a.ckpt";
  s.run.stream = RunStream::kShift;
  s.run.trace_every = uint64_t{1} << 40;
  s.network.in_h = 7;
  s.network.in_w = 3;
  s.network.in_c = 2;
  s.network.layers = {{golden::LayerKind::kConv3x3, 3}, {golden::LayerKind::kFc, 256}};  // 256 classes
  s.train.learning_rate = 2.0;
  s.train.conv = {golden::Scheme::kInferenceOnly, false, 1000000, 8, RankReduceMode::kBiased, -0.0, 1000000};
  s.train.fc = {golden::Scheme::kUoro, false, 1, 1, RankReduceMode::kBiased, 1e300, 7};
  s.train.max_norm.beta = std::nextafter(1.0, 0.0);
  s.train.max_norm.eps = 1.0;
  s.train.max_norm_placement = golden::MaxNormPlacement::kGradient;
  s.train.bn = {false, 1000000, 0.5, false, false};
  s.train.batched_update = golden::BatchedUpdate::kMean;
  s.train.alpha_rule = golden::AlphaRule::kNearestHe;
  s.train.weight_gradient_alpha = false;
  s.train.train_biases = false;
  s.train.rho_min = 1.0 / 3.0;
  s.train.dither.enabled = true;
  s.train.dither.rule = golden::DitherStepRule::kMaxAbs;
  s.train.dither.scale = 0.1;
  s.train.pfq.enabled = true;
  s.train.pfq.forward_bits = {2, 2};
  s.train.pfq.backward_bits = {3, 2};
  s.train.pfq.mode = golden::PfqSwitch::kAuto;
  s.train.pfq.switch_samples = {17};
  s.train.pfq.window = 3;
  s.train.pfq.min_improvement = 0.25;
  s.train.precision.weight_bits = {2, 5};  // one entry per conv3x3/fc layer of the network below
  s.train.precision.weight_range = {0.5, 4.0};
  s.train.precision.activation_bits = {8, 3};
  s.train.precision.gradient_bits = {3, 7};
  s.train.precision.gradient_range = {0.25, 2.0};
  s.train.precision.weight_gradient_bits = {0, 32};  // inference conv, uoro fc: the datapath's values
  s.train.precision.accumulator_bits = {0, 0};
  s.train.batch_scale_power = 1.0;
  // Unusual but valid for the golden engine: signed >= 3 bits, LSBs within [2^-24, 2^8].
  s.train.quant.weight = {3, 0x1p-10};
  s.train.quant.bias = {4, 0x1p+10};
  s.train.quant.activation = {2, 4.0};  // 2 (not 1) bits: train.pfq needs operands of >= 2 bits
  s.train.quant.activation_signed = {3, 0.5};
  s.train.quant.gradient = {3, 0.5};
  s.train.quant.input.range = 0x1p-3;
  s.pretrain = {uint64_t{1} << 40, golden::Scheme::kUoro, 0.1 + 0.2, 1000000};
  s.accel.clock_mhz = 123.45678901234567;
  s.accel.controller.quantum_cycles = 7;
  s.accel.bus.width_bits = 96;
  s.accel.bus.latency_cycles = 3;
  s.accel.rank_reduce.arith = Arithmetic::kFloat;
  s.accel.controller.lr_bits = 2;
  s.accel.rank_reduce_impl = hw::RankReduceImplKind::kRtl;
  s.accel.controller.rank_reduce_units = hw::RankReduceUnits::kPerLayer;
  s.accel.rram.cell_area_um2 = 1e-300;
  s.accel.rram.bits_per_cell = 8;
  s.accel.rram.read_energy_pj_per_bit = 1e6;
  s.accel.rram.write_energy_pj_per_bit = 0.0;
  s.accel.rram.read_latency_cycles = 1000000;
  s.accel.rram.pulse_cycles = 0;
  s.accel.rram.verify_cycles = 1;
  s.accel.rram.levels_per_pulse = 255;  // one pulse covers the 255 levels of an 8-bit cell...
  s.accel.rram.max_pulses = 1;          // ...so one pulse is enough
  s.accel.rram.read_before_write = false;
  s.accel.rram.endurance.writes = 4294967295u;
  s.accel.rram.endurance.distribution = device::EnduranceDistribution::kFixed;
  s.accel.rram.endurance.spread = 1.0 / 3.0;
  s.accel.rram.stuck_at_fault_rate = 1.0;
  s.accel.rram.stuck_at_high_fraction = 0.1;
  s.accel.rram.read_effects.noise_sigma_levels = 1000.0;
  s.accel.rram.read_effects.power_law_nu = std::nextafter(10.0, 0.0);
  s.accel.rram.read_effects.power_law_t0_samples = 1e-3;
  s.accel.rram.drift_model = DriftModel::kBoth;
  s.accel.rram.drift = {4294967295u, 1000000000000000u, 1e6, 0.1 + 0.7, device::FlipModel::kBernoulli};
  s.accel.rram.program = {device::ProgramModel::kDeterministic, 0.1 + 0.2, 0.7 + 0.1, 1e6, 1e3, 1000000};
  s.accel.sram.cell_area_um2 = 2.0 / 3.0;
  s.accel.sram.capacity_bits = uint64_t{1} << 40;
  s.accel.sram.word_bits = 4096;
  s.accel.sram.read_energy_pj_per_bit = 4.9406564584124654e-324 * 3;
  s.accel.sram.write_energy_pj_per_bit = 1e6;
  s.accel.sram.read_latency_cycles = 0;
  s.accel.sram.write_latency_cycles = 1000000;
  s.accel.sram.energy_model = device::SramCostModel::kFixed;
  s.accel.sram.area_model = device::SramCostModel::kFixed;
  s.accel.sram.array_efficiency = 1.0 / 3.0;
  s.accel.sram.leakage_model = device::SramCostModel::kFixed;
  s.accel.sram.leakage_pw_per_bit = 1e6;
  s.accel.mac.lanes = 4096;
  s.accel.mac.zero_skip = true;
  s.accel.mac_energy.add8_pj = 0.1;
  s.accel.mac_energy.mult8_pj = 0.7;
  s.accel.mac_energy.add32_pj = 1e-5;
  s.accel.mac_energy.mult32_pj = 31.0;
  return s;
}

TEST(Effective, DefaultsRoundTrip) {
  const Specs d = default_specs();
  EXPECT_TRUE(differing_keys(parse_specs(effective_yaml(d), "effective"), d).empty());
}

TEST(Effective, EveryKeyRoundTripsBitExactly) {
  const Specs s = awkward_specs();
  // The test can fail: every key really differs from its default...
  EXPECT_EQ(differing_keys(s, default_specs()).size(), schema().size())
      << "awkward_specs() leaves a key at its default";
  // ...so a key missing from the YAML (filled with its default) or printed lossily shows up here.
  const Specs back = parse_specs(effective_yaml(s), "effective");
  const auto diff = differing_keys(back, s);
  EXPECT_TRUE(diff.empty()) << "first differing key: " << (diff.empty() ? "" : diff[0]) << "\n"
                            << effective_yaml(s);
  EXPECT_EQ(effective_yaml(back), effective_yaml(s));
}

// The node at parts[i..] below `node`; const access never creates nodes in yaml-cpp.
YAML::Node lookup(const YAML::Node& node, const std::vector<std::string>& parts, std::size_t i) {
  if (i == parts.size()) return node;
  const YAML::Node child = node[parts[i]];
  return lookup(child, parts, i + 1);
}

TEST(Effective, NestsEveryKeyOnceWithItsCanonicalValue) {
  const Specs s = awkward_specs();
  const std::string text = effective_yaml(s);
  const YAML::Node root = YAML::Load(text);
  for (const KeySpec& k : schema()) {
    const YAML::Node node = lookup(root, split_path(k.path), 0);
    if (k.list) {
      ASSERT_TRUE(node.IsSequence()) << k.path;
      EXPECT_EQ(YAML::Dump(node), YAML::Dump(YAML::Load(k.format(s)))) << k.path;
    } else {
      ASSERT_TRUE(node.IsScalar()) << k.path;
      EXPECT_EQ(node.Scalar(), YAML::Load(k.format(s)).Scalar()) << k.path;
    }
  }
}

TEST(Effective, CommentsCarryUnits) {
  const std::string text = effective_yaml(default_specs());
  EXPECT_TRUE(contains(text, "\naccel:\n  clock_mhz: 100.0  # [MHz]\n")) << text;
  EXPECT_TRUE(contains(text, "\n    endurance_writes: 1000000  # [writes]\n")) << text;
  EXPECT_TRUE(contains(text, "\n    write_energy_pj_per_bit: 10.9  # [pJ/bit]\n")) << text;
  EXPECT_TRUE(contains(text, "\n    augmentations: [class_clustering, spatial, background, noise]\n"))
      << text;
  EXPECT_TRUE(contains(text, "\n  seed: 1\n")) << text;  // dimensionless: no comment
  EXPECT_TRUE(contains(text, "# config_hash: " + hash_hex(config_hash(default_specs())) + "\n")) << text;
}

TEST(Effective, Fnv1a64MatchesPublishedVectors) {
  // Test vectors of the FNV reference (Fowler/Noll/Vo, isthe.com/chongo/tech/comp/fnv).
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(hash_hex(0xaf63dc4c8601ec8cULL), "af63dc4c8601ec8c");
  EXPECT_EQ(hash_hex(0x1ULL), "0000000000000001");
}

TEST(Effective, HashIsOverCanonicalKeyValueLines) {
  const Schema keys = {
      LRT_CONFIG_KEY(run.seed).unit("1").defaults_to("7").source("test").doc("seed"),
      LRT_CONFIG_KEY(run.progress).defaults_to("false").not_hashed().source("test").doc("progress"),
      LRT_CONFIG_KEY(train.learning_rate).unit("1").defaults_to("0.5").source("test").doc("lr"),
  };
  const Specs s = parse_specs("{}\n", "x", {}, keys);
  EXPECT_EQ(canonical_text(s, keys), "run.seed=7\ntrain.learning_rate=0.5\n");
  EXPECT_EQ(config_hash(s, keys), fnv1a64("run.seed=7\ntrain.learning_rate=0.5\n"));
}

TEST(Effective, HashFollowsResultChangingKeysOnly) {
  const Specs d = default_specs();
  const uint64_t h = config_hash(d);
  EXPECT_EQ(config_hash(parse_specs(effective_yaml(d), "effective")), h);

  Specs lr = d;
  lr.train.learning_rate = std::nextafter(lr.train.learning_rate, 1.0);  // one ulp
  EXPECT_NE(config_hash(lr), h);
  Specs mode = d;
  mode.train.fc.mode = RankReduceMode::kBiased;
  EXPECT_NE(config_hash(mode), h);

  // Where the data lives, how long to run and progress display change no result.
  Specs harmless = d;
  harmless.data.dir = "/elsewhere";
  harmless.run.samples = 123;
  harmless.run.progress = !d.run.progress;
  harmless.run.model = "/elsewhere/model.ckpt";
  harmless.run.trace_every = 1;
  EXPECT_EQ(config_hash(harmless), h);
}

TEST(Effective, WriteEffectiveIsLoadable) {
  const Specs s = awkward_specs();
  const std::string path = ::testing::TempDir() + "lrtsim_config_effective.yaml";
  write_effective(path, s);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), effective_yaml(s));
  EXPECT_TRUE(differing_keys(load_specs(path), s).empty());
}

TEST(Effective, WriteEffectiveIntoMissingDirectoryFails) {
  EXPECT_THROW(write_effective(::testing::TempDir() + "no/such/dir/config.yaml", default_specs()), RunError);
}

}  // namespace
}  // namespace lrt::config
