// --set key.path=value: precedence over the file and over earlier --set, and errors that
// name the override instead of a file line.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;
using test::write_temp;

TEST(ConfigSet, OverridesFileAndEarlierSet) {
  const std::string path = write_temp("set_base", "run:\n  seed: 3\n  samples: 20\n");
  const Specs file_only = load_specs(path);
  EXPECT_EQ(file_only.run.seed, 3u);

  const Specs once = load_specs(path, {"run.seed=5"});
  EXPECT_EQ(once.run.seed, 5u);
  EXPECT_EQ(once.run.samples, 20u);  // untouched keys keep the file's value

  const Specs twice = load_specs(path, {"run.seed=5", "run.seed=6"});
  EXPECT_EQ(twice.run.seed, 6u);  // the later --set wins
}

TEST(ConfigSet, SetsKeysTheFileDoesNotMention) {
  const std::string path = write_temp("set_absent", "run:\n  seed: 3\n");
  const Specs s = load_specs(path, {"train.conv.mode=unbiased", "train.quant.gradient.range=0.5",
                                    "train.fc.max_norm=false", "data.dir=/tmp/a=b c"});
  EXPECT_EQ(s.train.conv.mode, RankReduceMode::kUnbiased);
  EXPECT_EQ(s.train.quant.gradient.range, 0.5);
  EXPECT_FALSE(s.train.fc.max_norm);
  EXPECT_EQ(s.data.dir, "/tmp/a=b c");  // split at the first '='
}

TEST(ConfigSet, WithoutFile) {
  const Specs s = specs_from_overrides({"accel.rram.endurance_writes=2e5", " run.seed = 4"});
  EXPECT_EQ(s.accel.rram.endurance.writes, 200000u);
  EXPECT_EQ(s.run.seed, 4u);  // blanks around the key are ignored; the value is YAML
  EXPECT_EQ(s.train.fc.batch, default_specs().train.fc.batch);
}

// Expects an InputError from load_specs(file, {assignment}) located at the override.
InputError set_error(const std::string& assignment) {
  const std::string path = write_temp("set_err", "run:\n  seed: 3\n");
  const auto e = input_error([&] { load_specs(path, {assignment}); });
  if (!e) return InputError({}, "none");
  return *e;
}

TEST(ConfigSet, BadValueNamesTheOverride) {
  const InputError e = set_error("accel.rram.endurance_writes=-5");
  EXPECT_EQ(e.where().file, "--set accel.rram.endurance_writes");
  EXPECT_EQ(e.where().line, -1);
  EXPECT_EQ(e.where().key, "accel.rram.endurance_writes");
  EXPECT_EQ(e.problem(), "value -5 is out of range; expected an integer in [1, 4294967295]");
}

TEST(ConfigSet, UnknownKeySuggests) {
  const InputError e = set_error("accel.rram.endurance=5");
  EXPECT_EQ(e.where().file, "--set accel.rram.endurance");
  EXPECT_EQ(e.where().key, "accel.rram.endurance");
  EXPECT_TRUE(contains(e.problem(), "unknown key; did you mean accel.rram.endurance_writes?")) << e.what();

  const InputError typo = set_error("acel.clock_mhz=5");
  EXPECT_TRUE(contains(typo.problem(), "did you mean accel.clock_mhz?")) << typo.what();
}

TEST(ConfigSet, SectionIsNotAKey) {
  const InputError e = set_error("train.bn=5");
  EXPECT_EQ(e.where().key, "train.bn");
  EXPECT_TRUE(contains(e.problem(), "is a section, not a key; set one of its keys: streaming, batch, eps"))
      << e.what();
}

TEST(ConfigSet, MalformedAssignments) {
  const InputError no_eq = set_error("run.seed");
  EXPECT_EQ(no_eq.where().file, "--set");
  EXPECT_TRUE(contains(no_eq.problem(), "'run.seed' has no '='; expected key.path=value")) << no_eq.what();

  const InputError no_key = set_error("=5");
  EXPECT_EQ(no_key.where().file, "--set");
  EXPECT_TRUE(contains(no_key.problem(), "'=5' has no key before '='")) << no_key.what();

  const InputError empty = set_error("run.seed=");
  EXPECT_EQ(empty.where().key, "run.seed");
  EXPECT_EQ(empty.problem(), "no value given; expected an integer >= 0");

  const InputError map = set_error("run.seed={a: 1}");
  EXPECT_TRUE(contains(map.problem(), "value '{a: 1}' is a map; expected an integer >= 0")) << map.what();

  const InputError syntax = set_error("run.seed=[1");
  EXPECT_TRUE(contains(syntax.problem(), "value '[1' is not a YAML scalar")) << syntax.what();

  const InputError quoted = set_error("run.seed=\"5\"");
  EXPECT_EQ(quoted.problem(), "value \"5\" is a quoted string; expected an integer >= 0");
}

TEST(ConfigSet, FileErrorsComeBeforeOverrides) {
  // A bad file is reported even when an override would replace the bad value: the file
  // itself is wrong and should be fixed.
  const std::string path = write_temp("set_after_bad", "run:\n  seed: -1\n");
  const auto e = input_error([&] { load_specs(path, {"run.seed=1"}); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, path);
  EXPECT_EQ(e->where().line, 2);
}

}  // namespace
}  // namespace lrt::config
