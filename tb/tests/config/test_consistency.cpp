// Rules between keys, checked when a configuration is loaded: each error names one key and
// is reported where that key was given (file line or --set), or says it has its default.
#include <gtest/gtest.h>

#include "config/bind.h"
#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;
using test::write_temp;

// Loads `yaml` (from a file) with `sets`, expecting an InputError at `line` naming `key`.
void expect_rule_error(const std::string& yaml, const std::vector<std::string>& sets, int64_t line,
                       const std::string& key, std::initializer_list<std::string> parts) {
  const std::string path = write_temp("rule", yaml);
  const auto e = input_error([&] { load_specs(path, sets); });
  ASSERT_TRUE(e.has_value()) << yaml;
  EXPECT_EQ(e->where().file, path) << e->what();
  EXPECT_EQ(e->where().line, line) << e->what();
  EXPECT_EQ(e->where().key, key) << e->what();
  for (const auto& p : parts)
    EXPECT_TRUE(contains(e->what(), p)) << "missing '" << p << "' in: " << e->what();
}

TEST(ConfigRules, MaxPulsesMustCoverAFullSwingAtTheGivenLine) {
  // 4-bit cells swing 15 levels: 15 pulses at one level per pulse, 8 at two.
  expect_rule_error("accel:\n  rram:\n    bits_per_cell: 4\n    max_pulses: 14\n", {}, 4,
                    "accel.rram.max_pulses", {"14 is outside [15, 4096]", "needs 15 pulses"});
  EXPECT_EQ(
      parse_specs("accel:\n  rram:\n    bits_per_cell: 4\n    max_pulses: 15\n", "x").accel.rram.max_pulses,
      15u);
  EXPECT_EQ(parse_specs("accel:\n  rram: {bits_per_cell: 4, max_pulses: 8, levels_per_pulse: 2}\n", "x")
                .accel.rram.max_pulses,
            8u);
}

TEST(ConfigRules, AKeyAtItsDefaultIsNamedWithoutALine) {
  // 8-bit cells need 255 pulses; max_pulses keeps its default 16.
  expect_rule_error("accel:\n  rram:\n    bits_per_cell: 8\n", {}, -1, "accel.rram.max_pulses",
                    {"16 is outside [255, 4096]", "(accel.rram.max_pulses has its default value)"});
}

TEST(ConfigRules, AKeySetOnTheCommandLineIsNamedAsTheOverride) {
  const std::string path = write_temp("rule_set", "run:\n  seed: 3\n");
  const auto e = input_error([&] {
    load_specs(path, {"accel.rram.bits_per_cell=2", "accel.rram.max_pulses=2"});
  });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, "--set accel.rram.max_pulses");
  EXPECT_EQ(e->where().key, "accel.rram.max_pulses");
  EXPECT_TRUE(contains(e->what(), "2 is outside [3, 4096]")) << e->what();

  // Without a file the source is --set too.
  const auto f = input_error([] { specs_from_overrides({"accel.rram.bits_per_cell=8"}); });
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->where().file, "--set");
  EXPECT_EQ(f->where().key, "accel.rram.max_pulses");
}

TEST(ConfigRules, DriftHorizonNotBelowInterval) {
  expect_rule_error("accel:\n  rram:\n    drift:\n      interval_samples: 100\n      horizon_samples: 99\n",
                    {}, 5, "accel.rram.drift.horizon_samples", {"outside [interval_samples, 1e15]"});
}

TEST(ConfigRules, FlipProbabilityAtMostOneOnlyWhenFlipsAreOn) {
  // p = p0 / (H / d) = 20 / (100 / 10) = 2.
  const std::string yaml =
      "accel:\n  rram:\n    drift:\n      interval_samples: 10\n      horizon_samples: 100\n      flip_p0: "
      "20\n";
  EXPECT_EQ(parse_specs(yaml, "x").accel.rram.drift.flip_p0, 20.0);  // model none: the strength is unused
  expect_rule_error(yaml, {"accel.rram.drift.model=digital"}, 6, "accel.rram.drift.flip_p0",
                    {"per-event probability p0 / (H / d) <= 1"});
  // p = 10 / (100 / 10) = 1 exactly is allowed.
  EXPECT_EQ(parse_specs(yaml, "x", {"accel.rram.drift.flip_p0=10", "accel.rram.drift.model=both"})
                .accel.rram.drift.flip_p0,
            10.0);
}

TEST(ConfigRules, ScaleAndContrastRangesAreOrdered) {
  expect_rule_error("data:\n  shift:\n    spatial:\n      min_scale: 1.5\n", {}, -1,
                    "data.shift.spatial.max_scale",
                    {"value 1.2 is not in [1.5, 10]", "has its default value"});
  expect_rule_error("data:\n  shift:\n    background:\n      min_contrast: 0.5\n      max_contrast: 0.4\n",
                    {}, 5, "data.shift.background.max_contrast", {"value 0.4 is not in [0.5, 1]"});
  // Equal ends are an allowed (degenerate) range.
  EXPECT_EQ(parse_specs("data:\n  shift:\n    spatial: {min_scale: 1.2}\n", "x").data.shift.spatial.min_scale,
            1.2);
}

TEST(ConfigRules, ClusterBlockDividesThePeriodOnlyWhenClusteringIsEligible) {
  const std::string yaml = "data:\n  shift:\n    period: 1000\n    cluster:\n      block: 300\n";
  expect_rule_error(yaml, {}, 5, "data.shift.cluster.block",
                    {"300 does not divide shift.period = 1000"});
  EXPECT_EQ(parse_specs(yaml, "x", {"data.shift.augmentations=[spatial, noise]"}).data.shift.cluster.block,
            300u);
}

TEST(ConfigRules, ClassesPerBlockAtMostTheClasses) {
  expect_rule_error("data:\n  num_classes: 4\n  shift:\n    cluster:\n      classes_per_block: 5\n", {}, 5,
                    "data.shift.cluster.classes_per_block", {"value 5 is not in [1, 4]"});
}

TEST(ConfigRules, SamplesNeedSources) {
  expect_rule_error("data:\n  split:\n    online_sources: 0\n", {}, 3, "data.split.online_sources",
                    {"is 0, but split.online_samples asks for 100000 samples"});
  EXPECT_EQ(
      parse_specs("data:\n  split: {online_sources: 0, online_samples: 0}\n", "x").data.split.online_samples,
      0u);
}

TEST(ConfigRules, AnExplicitKeyTableSkipsTheRules) {
  // The rules are about lrtsim's own keys; a caller with its own table gets only key checks.
  const std::string yaml = "accel:\n  rram:\n    bits_per_cell: 8\n";
  EXPECT_EQ(parse_specs(yaml, "x", {}, schema()).accel.rram.bits_per_cell, 8u);
  EXPECT_THROW(parse_specs(yaml, "x"), InputError);
}

}  // namespace
}  // namespace lrt::config
