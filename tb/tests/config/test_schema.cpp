// The key table itself: defaults are the cited figures, every key binds its own member,
// the committed docs and default config agree with the table, and table mistakes are caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/bind.h"
#include "config/key_builder.h"
#include "config/loader.h"
#include "config/reference.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(LRTSIM_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.is_open()) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Expected values typed from /work/shared/DESIGN.md "Facts" and the papers, not from the table.
TEST(ConfigSchema, DefaultsAreTheCitedFigures) {
  const Specs d = default_specs();
  EXPECT_EQ(d.run.seed, 1u);
  EXPECT_EQ(d.run.samples, 10000u);
  EXPECT_EQ(d.data.dir, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(d.data.source.train_images, "train-images-idx3-ubyte.gz");
  EXPECT_EQ(d.data.source.train_labels, "train-labels-idx1-ubyte.gz");
  EXPECT_EQ(d.data.source.test_images, "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(d.data.source.test_labels, "t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(d.data.source.num_classes, 10);
  EXPECT_EQ(d.data.split.offline_train_sources, 9000u);  // LRT App. F: 60k split 9k / 1k / 50k
  EXPECT_EQ(d.data.split.validation_sources, 1000u);
  EXPECT_EQ(d.data.split.online_sources, 50000u);
  EXPECT_EQ(d.data.split.offline_train_samples, 50000u);  // App. F: 50k / 10k / 100k samples
  EXPECT_EQ(d.data.split.validation_samples, 10000u);
  EXPECT_EQ(d.data.split.online_samples, 100000u);
  EXPECT_EQ(d.data.elastic.alpha, 34.0);  // Simard et al. 2003
  EXPECT_EQ(d.data.elastic.sigma, 4.0);
  EXPECT_EQ(d.data.elastic.mode, data::ElasticMode::kMixture);  // the authors' 11 settings (notebook)
  EXPECT_EQ(d.data.shift.period, 10000u);  // App. F: every contiguous 10k samples
  EXPECT_EQ(d.data.shift.schedule, data::ShiftScheduleRule::kAuthors);  // the notebook's ten segments
  EXPECT_EQ(d.data.shift_augmentations,
            (std::vector<data::Augmentation>{data::kClassClustering, data::kSpatial, data::kBackground,
                                             data::kWhiteNoise}));  // App. F: four types
  EXPECT_EQ(d.train.learning_rate, 0.01);
  for (const golden::KindTrainSpec* k : {&d.train.conv, &d.train.fc}) {
    EXPECT_EQ(k->scheme, golden::Scheme::kLrt);  // §4: LRT trains every layer
    EXPECT_TRUE(k->max_norm);                     // Table 1: all runs with max-norm
    EXPECT_EQ(k->rank, 4);                        // App. G: rank 4
    EXPECT_EQ(k->mode, RankReduceMode::kUnbiased);  // the authors' zerovar: False (lr/experiments.py)
    EXPECT_EQ(k->max_batch_multiple, 0);            // the authors' discount 1.0: no restart
    EXPECT_EQ(k->kappa_th, 100.0);  // Table 3
  }
  EXPECT_EQ(d.train.conv.batch, 10);  // App. G: 10 for conv, 100 for fc
  EXPECT_EQ(d.train.fc.batch, 100);
  EXPECT_EQ(d.train.max_norm.beta, 0.999);  // App. D
  EXPECT_EQ(d.train.max_norm.eps, 1e-4);
  EXPECT_TRUE(d.train.bn.streaming);  // App. E
  EXPECT_EQ(d.train.rho_min, 0.01);   // App. C
  EXPECT_EQ(d.train.batch_scale_power, 0.5);
  EXPECT_EQ(d.train.batched_update, golden::BatchedUpdate::kSum);  // docs/fidelity.md, rules 1-5, 13-16
  EXPECT_EQ(d.train.max_norm_placement, golden::MaxNormPlacement::kUpdate);
  EXPECT_EQ(d.train.alpha_rule, golden::AlphaRule::kAuthors);
  EXPECT_TRUE(d.train.weight_gradient_alpha);
  EXPECT_EQ(d.train.bn.batch, 10);  // lr/net.py: update_every_ba=10
  EXPECT_TRUE(d.train.bn.bias_correction);
  EXPECT_TRUE(d.train.bn.backward_scale_only);
  EXPECT_EQ(d.train.quant.activation_signed.bits, 8);
  EXPECT_EQ(d.train.quant.activation_signed.range, 2.0);
  EXPECT_EQ(d.train.quant.input.range, 1.0);  // gray level / 256
  EXPECT_EQ(d.network.in_h, 28);           // 28x28x1 MNIST-format images
  EXPECT_EQ(d.network.in_w, 28);
  EXPECT_EQ(d.network.in_c, 1);
  EXPECT_EQ(d.run.stream, RunStream::kOnline);
  EXPECT_EQ(d.train.quant.weight.bits, 8);
  EXPECT_EQ(d.train.quant.weight.range, 1.0);
  EXPECT_EQ(d.train.quant.bias.bits, 16);
  EXPECT_EQ(d.train.quant.bias.range, 8.0);
  EXPECT_EQ(d.train.quant.activation.bits, 8);
  EXPECT_EQ(d.train.quant.activation.range, 2.0);
  EXPECT_EQ(d.train.quant.gradient.bits, 8);
  EXPECT_EQ(d.train.quant.gradient.range, 1.0);
  EXPECT_EQ(d.accel.rank_reduce.arith, Arithmetic::kFixed);
  EXPECT_EQ(d.accel.controller.lr_bits, 16u);
  EXPECT_EQ(d.accel.rram.cell_area_um2, 0.085);
  EXPECT_EQ(d.accel.rram.read_energy_pj_per_bit, 1.76);
  EXPECT_EQ(d.accel.rram.write_energy_pj_per_bit, 10.9);  // Wu et al., ISSCC 2019: per bit written
  EXPECT_EQ(d.accel.rram.program.model, device::ProgramModel::kStochastic);  // issue 21: as measured
  EXPECT_EQ(d.accel.rram.endurance.writes, 1000000u);
  EXPECT_EQ(d.accel.rram.bits_per_cell, 1u);
  // App. F: the control environment has no drift; d = 10, H = 1M, sigma0 = p0 = 10 when selected.
  EXPECT_EQ(d.accel.rram.drift_model, DriftModel::kNone);
  EXPECT_EQ(d.accel.rram.drift.interval_samples, 10u);
  EXPECT_EQ(d.accel.rram.drift.horizon_samples, 1000000u);
  EXPECT_EQ(d.accel.rram.drift.analog_sigma0, 10.0);
  EXPECT_EQ(d.accel.rram.drift.flip_p0, 10.0);
  EXPECT_EQ(d.accel.rram.drift.flip_model, device::FlipModel::kBinomial2);  // lr/layers.py: binomial(2, p)
  EXPECT_EQ(d.accel.sram.cell_area_um2, 0.242);
  EXPECT_EQ(d.accel.sram.read_energy_pj_per_bit, 20.0 / 64.0);  // Horowitz: 20 pJ per 64-bit access, 32 KB
  EXPECT_EQ(d.accel.sram.write_energy_pj_per_bit, 20.0 / 64.0);
  EXPECT_EQ(d.accel.sram.energy_model, device::SramCostModel::kCapacity);  // Horowitz's table by capacity
  EXPECT_EQ(d.accel.mac_energy.add8_pj, 0.03);
  EXPECT_EQ(d.accel.mac_energy.mult8_pj, 0.2);
  EXPECT_EQ(d.accel.mac_energy.add32_pj, 0.1);
  EXPECT_EQ(d.accel.mac_energy.mult32_pj, 3.1);
}

TEST(ConfigSchema, EveryKeyBindsItsOwnMemberInsideSpecs) {
  const Specs s = default_specs();
  const auto* begin = reinterpret_cast<const char*>(&s);
  std::set<const void*> seen;
  for (const KeySpec& k : schema()) {
    const auto* m = static_cast<const char*>(k.member(s));
    EXPECT_TRUE(m >= begin && m < begin + sizeof s) << k.path;
    EXPECT_TRUE(seen.insert(m).second) << k.path << " binds a member another key already binds";
  }
}

// A module's SpecError names a member of its own specs; key_of_member finds the key bound to it.
TEST(ConfigSchema, EveryKeyIsFoundByItsMember) {
  for (const KeySpec& k : schema()) EXPECT_EQ(key_of_member(k.member_path), &k) << k.path;
  // Where a module spells a member differently, the key table says so...
  EXPECT_EQ(key_of_member("accel.rram.endurance.writes")->path, "accel.rram.endurance_writes");
  EXPECT_EQ(key_of_member("accel.rram.read_effects.noise_sigma_levels")->path, "accel.rram.read_noise_sigma_levels");
  EXPECT_EQ(key_of_member("data.source.num_classes")->path, "data.num_classes");
  EXPECT_EQ(key_of_member("train.dither.rule")->path, "train.dither.step");
  // ...a member the config layer derives from a key of its path finds that key...
  EXPECT_EQ(key_of_member("data.shift.augmentations")->path, "data.shift.augmentations");
  EXPECT_EQ(key_of_member("accel.controller.quantum_cycles")->path, "accel.quantum_cycles");
  EXPECT_EQ(key_of_member("accel.controller.rank_reduce_units")->path, "accel.rank_reduce.units");
  // ...and a member no key fills has none.
  EXPECT_EQ(key_of_member("accel.rram.cells"), nullptr);
  EXPECT_EQ(key_of_member("accel.mac.full_adder_energy_pj"), nullptr);  // derived from accel.mac.mult8_pj
  EXPECT_EQ(key_of_member("train.seed"), nullptr);
}

// A new parameter is one key and one member: the member's default in its module struct and the
// key's default must not drift apart. For every key whose member lies inside a module's own
// specs (device, data, network, train, accel), what the module receives from the default
// configuration (through bind.h's rules: data.dir joined to the file names, the drift model
// switching strengths off, ...) equals the module struct's own default. Members the config
// layer adds (run.*, data.dir, accel.rram.drift.model, ...) have no module default.
TEST(ConfigSchema, ModuleDefaultsAreTheKeyDefaults) {
  Specs modules;  // module structs default-constructed: their own defaults
  modules.network = golden::default_network();  // the golden area's default (NetworkSpec{} has no layers)
  const Specs defaults = default_specs();
  Specs bound = defaults;  // what the modules receive from the defaults
  static_cast<data::DataSpecs&>(bound.data) = data_specs(defaults);
  bound.network = network_spec(defaults);
  static_cast<golden::TrainSpecs&>(bound.train) = train_specs(defaults);
  static_cast<hw::AccelSpecs&>(bound.accel) = accel_specs(defaults);
  const uint64_t cells = device::RramArraySpecs{}.cells;
  static_cast<device::RramArraySpecs&>(bound.accel.rram) = rram_specs(defaults, cells);
  bound.accel.sram = sram_specs(defaults);

  const auto span = [](const auto& module) {
    const auto begin = reinterpret_cast<std::uintptr_t>(&module);
    return std::pair{begin, begin + sizeof module};
  };
  const std::pair<std::uintptr_t, std::uintptr_t> module_specs[] = {
      span(static_cast<const data::DataSpecs&>(modules.data)),
      span(modules.network),
      span(static_cast<const golden::TrainSpecs&>(modules.train)),
      span(static_cast<const hw::AccelSpecs&>(modules.accel)),
      span(static_cast<const device::RramArraySpecs&>(modules.accel.rram)),
      span(modules.accel.sram),
  };
  size_t compared = 0;
  for (const KeySpec& k : schema()) {
    const auto m = reinterpret_cast<std::uintptr_t>(k.member(modules));
    const bool in_module = std::any_of(std::begin(module_specs), std::end(module_specs),
                                       [m](const auto& r) { return m >= r.first && m < r.second; });
    if (!in_module) continue;
    ++compared;
    EXPECT_EQ(k.format(modules), k.format(bound)) << k.path << " (member " << k.member_path << ")";
  }
  EXPECT_GT(compared, schema().size() / 2) << "the module spans miss most keys";
}

// train.conv.* and train.fc.* come from one definition: the same members, each with the same
// type, unit, range and source, and only the layer kind (and the default batch) told apart.
TEST(ConfigSchema, ConvAndFcKeysAreOneDefinition) {
  std::map<std::string, const KeySpec*> conv, fc;
  for (const KeySpec& k : schema()) {
    if (k.path.rfind("train.conv.", 0) == 0) conv[k.path.substr(11)] = &k;
    if (k.path.rfind("train.fc.", 0) == 0) fc[k.path.substr(9)] = &k;
  }
  ASSERT_EQ(conv.size(), 7u);
  ASSERT_EQ(conv.size(), fc.size());
  for (const auto& [name, c] : conv) {
    SCOPED_TRACE(name);
    ASSERT_EQ(fc.count(name), 1u);
    const KeySpec* f = fc.at(name);
    EXPECT_EQ(c->member_path, "train.conv." + name);
    EXPECT_EQ(f->member_path, "train.fc." + name);
    EXPECT_EQ(c->type, f->type);
    EXPECT_EQ(c->unit, f->unit);
    EXPECT_EQ(c->allowed, f->allowed);
    std::string doc = c->description;
    doc.replace(doc.find("convolution layers"), 18, "fully-connected layers");
    EXPECT_EQ(doc, f->description);
    if (name != "batch") {
      EXPECT_EQ(c->default_text, f->default_text);
      EXPECT_EQ(c->source, f->source);
    }
  }
  EXPECT_EQ(conv.at("batch")->default_text, "10");  // App. G
  EXPECT_EQ(fc.at("batch")->default_text, "100");
}

TEST(ConfigSchema, AssumptionsAreMarked) {
  // Defaults that are our choices, not published figures, say so in their source.
  for (const char* path : {"run.seed",
                           "accel.clock_mhz",
                           "accel.sram.capacity_bits",
                           "accel.mac.lanes",
                           "run.model",
                           "accel.rram.levels_per_pulse",
                           "accel.rram.max_pulses",
                           "accel.rram.read_before_write",
                           "accel.rram.read_latency_cycles",
                           "accel.rram.pulse_cycles",
                           "accel.rram.verify_cycles",
                           "accel.rram.endurance_distribution",
                           "accel.rram.endurance_spread",
                           "accel.rram.stuck_at_fault_rate",
                           "accel.rram.stuck_at_high_fraction",
                           "accel.rram.read_noise_sigma_levels",
                           "accel.rram.power_law_nu",
                           "accel.rram.power_law_t0_samples",
                           "accel.rram.program.wear_growth",
                           "accel.rram.program.reset_energy_ratio",
                           "accel.sram.array_efficiency",
                           "accel.sram.leakage_pw_per_bit",
                           "accel.sram.word_bits",
                           "accel.sram.read_latency_cycles",
                           "accel.sram.write_latency_cycles",
                           "data.elastic.truncate",
                           "data.shift.cluster.favour_probability",
                           "data.shift.spatial.max_rotation_deg",
                           "data.shift.background.min_contrast",
                           "data.shift.noise.sigma"}) {
    bool found = false;
    for (const KeySpec& k : schema()) {
      if (k.path != path) continue;
      found = true;
      EXPECT_TRUE(contains(k.source, "assumption:")) << path << ": " << k.source;
    }
    EXPECT_TRUE(found) << path;
  }
}

TEST(ConfigSchema, CommittedReferenceIsGenerated) {
  const std::string committed = read_source_file("docs/configuration.md");
  EXPECT_TRUE(committed == reference_markdown())
      << "docs/configuration.md is stale: regenerate it with `lrtsim config doc > docs/configuration.md`";
}

TEST(ConfigSchema, ReferenceHasARowPerKey) {
  const std::string doc = reference_markdown();
  for (const KeySpec& k : schema()) {
    EXPECT_TRUE(contains(doc, "\n| `" + k.path + "` | " + k.type + " | ")) << k.path;
  }
}

TEST(ConfigSchema, DefaultConfigFileLoadsToTheDefaults) {
  // configs/default.yaml restates the defaults with comments; it must stay valid and in step.
  const Specs loaded = load_specs(std::string(LRTSIM_SOURCE_DIR) + "/configs/default.yaml");
  const Specs defaults = default_specs();
  for (const KeySpec& k : schema())
    EXPECT_TRUE(k.same(loaded, defaults)) << k.path << " = " << k.format(loaded);
}

TEST(ConfigSchema, TableMistakesAreCaught) {
  const auto seed = [] { return LRT_CONFIG_KEY(run.seed).unit("1").defaults_to("1").source("s").doc("d"); };
  EXPECT_NO_THROW(validate_schema({seed()}));
  EXPECT_THROW(validate_schema({seed(), seed()}), std::logic_error);  // listed twice
  EXPECT_THROW(validate_schema({LRT_CONFIG_KEY(run.seed).defaults_to("1").source("s").doc("d")}),
               std::logic_error);  // a number without a unit
  EXPECT_THROW(validate_schema({LRT_CONFIG_KEY(run.seed).unit("1").defaults_to("1").doc("d")}),
               std::logic_error);  // no source
  EXPECT_THROW(validate_schema({LRT_CONFIG_KEY(run.seed).unit("1").defaults_to("1").source("s")}),
               std::logic_error);  // no description
  // A default that its own range refuses is refused when the entry is built.
  EXPECT_THROW(
      KeySpec k = LRT_CONFIG_KEY(run.samples).unit("1").defaults_to("0").at_least(1).source("s").doc("d"),
      std::logic_error);
  EXPECT_THROW(KeySpec k = LRT_CONFIG_KEY(train.quant.weight.range)
                               .unit("1")
                               .defaults_to("3")
                               .power_of_two()
                               .source("s")
                               .doc("d"),
               std::logic_error);
}

TEST(ConfigSchema, KeyThatIsAlsoASectionIsCaught) {
  // Specs has no such pair of members; path strings are enough for this structural check.
  KeySpec a = LRT_CONFIG_KEY(run.seed).unit("1").defaults_to("1").source("s").doc("d");
  KeySpec b = LRT_CONFIG_KEY(run.samples).unit("1").defaults_to("1").source("s").doc("d");
  b.path = "run.seed.inner";
  EXPECT_THROW(validate_schema({a, b}), std::logic_error);
}

}  // namespace
}  // namespace lrt::config
