// One test per class of bad configuration input: each asserts the file, line and full key
// path of the InputError, and that the message shows the bad value and what is allowed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <string>

#include "config/key_builder.h"
#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;
using test::write_temp;

struct Loaded {
  std::string path;
  std::optional<InputError> error;
};

// Writes `yaml` to a temporary file and loads it, expecting an InputError.
Loaded load_bad(const std::string& name, const std::string& yaml) {
  Loaded out;
  out.path = write_temp(name, yaml);
  out.error = input_error([&] { load_specs(out.path); });
  return out;
}

// Checks the location of the error and that every `parts` appears in the message.
void expect_error(const Loaded& l, int64_t line, const std::string& key,
                  std::initializer_list<std::string> parts) {
  ASSERT_TRUE(l.error.has_value());
  const InputError& e = *l.error;
  EXPECT_EQ(e.where().file, l.path);
  EXPECT_EQ(e.where().line, line) << e.what();
  EXPECT_EQ(e.where().key, key) << e.what();
  for (const auto& p : parts) EXPECT_TRUE(contains(e.what(), p)) << "missing '" << p << "' in: " << e.what();
}

// ---- unknown keys ----------------------------------------------------------------------

TEST(ConfigErrors, UnknownKeySuggestsClosestAndListsAllowed) {
  const auto l = load_bad("unknown", "run:\n  seed: 3\naccel:\n  rram:\n    endurance: 5\n");
  expect_error(
      l, 5, "accel.rram.endurance",
      {"unknown key", "did you mean accel.rram.endurance_writes?", "Allowed in accel.rram: cell_area_um2, "});
}

TEST(ConfigErrors, UnknownSectionIsCaughtAtItsOwnLine) {
  const auto l = load_bad("unknown_section", "run:\n  seed: 3\nacel:\n  clock_mhz: 5\n");
  expect_error(l, 3, "acel",
               {"unknown key", "did you mean accel?", "Allowed at the top level: run, data, network, train, pretrain, accel"});
}

TEST(ConfigErrors, UnknownKeyWithoutCloseMatchHasNoGuess) {
  const auto l = load_bad("unknown_far", "train:\n  zzzzzzzzzzzz: 1\n");
  expect_error(l, 2, "train.zzzzzzzzzzzz", {"unknown key", "Allowed in train: learning_rate, conv, fc, max_norm,"});
  EXPECT_FALSE(contains(l.error->what(), "did you mean"));
}

// ---- wrong types -------------------------------------------------------------------------

TEST(ConfigErrors, TextWhereNumberExpected) {
  const auto l = load_bad("text_for_number", "train:\n  learning_rate: fast\n");
  expect_error(l, 2, "train.learning_rate", {"value fast is not a number", "expected a number in (0, 2]"});
}

TEST(ConfigErrors, MapWhereValueExpected) {
  const auto l = load_bad("map_for_value", "accel:\n  clock_mhz:\n    value: 5\n");
  expect_error(l, 3, "accel.clock_mhz", {"found a map", "expected a number in [0.001, 1e+06]"});
}

TEST(ConfigErrors, SequenceWhereValueExpected) {
  const auto l = load_bad("seq_for_value", "run:\n  seed: [1, 2]\n");
  expect_error(l, 2, "run.seed", {"found a sequence", "expected an integer >= 0"});
}

TEST(ConfigErrors, ValueWhereSectionExpected) {
  const auto l = load_bad("value_for_section", "train:\n  bn: 5\n");
  expect_error(l, 2, "train.bn", {"found a single value", "expected a map with the keys streaming, batch, eps"});
}

TEST(ConfigErrors, QuotedNumberIsAString) {
  const auto l = load_bad("quoted_number", "run:\n  seed: \"5\"\n");
  expect_error(l, 2, "run.seed", {"value \"5\" is a quoted string", "expected an integer >= 0"});
}

TEST(ConfigErrors, BooleanMustBeTrueOrFalse) {
  const auto l = load_bad("yes_bool", "run:\n  progress: yes\n");
  expect_error(l, 2, "run.progress", {"value yes is not a boolean", "expected true or false"});
}

TEST(ConfigErrors, FractionForInteger) {
  const auto l = load_bad("fraction", "train:\n  conv:\n    rank: 2.5\n");
  expect_error(l, 3, "train.conv.rank",
               {"value 2.5 is not an integer", "expected an integer in [1, 8]"});
}

TEST(ConfigErrors, EnumValueNotAllowed) {
  const auto l = load_bad("enum", "train:\n  fc:\n    mode: biassed\n");
  expect_error(l, 3, "train.fc.mode",
               {"value biassed is not allowed", "expected one of: biased, unbiased"});
}

TEST(ConfigErrors, MissingValue) {
  const auto l = load_bad("null_value", "run:\n  seed:\n  samples: 5\n");
  expect_error(l, 2, "run.seed", {"no value given", "expected an integer >= 0"});
}

TEST(ConfigErrors, EmptyPath) {
  const auto l = load_bad("empty_path", "data:\n  dir: \"\"\n");
  expect_error(l, 2, "data.dir", {"value \"\" is empty", "expected a non-empty path"});
}

TEST(ConfigErrors, NonScalarMapKey) {
  const auto l = load_bad("seq_key", "run:\n  ? [a, b]\n  : 1\n");
  expect_error(l, 2, "run", {"found a sequence as a key", "one of seed, samples, progress"});
}

// ---- ranges ---------------------------------------------------------------------------------

TEST(ConfigErrors, OutOfRangeMessageIsComplete) {
  const auto l = load_bad("out_of_range", "accel:\n  rram:\n    endurance_writes: -5\n");
  ASSERT_TRUE(l.error.has_value());
  EXPECT_EQ(std::string(l.error->what()),
            l.path +
                ":3: accel.rram.endurance_writes: value -5 is out of range; expected an integer in "
                "[1, 4294967295]");
}

TEST(ConfigErrors, IntegerBoundsAreInclusive) {
  EXPECT_EQ(parse_specs("train:\n  quant:\n    weight:\n      bits: 8\n", "x").train.quant.weight.bits, 8);
  EXPECT_EQ(parse_specs("train:\n  quant:\n    weight:\n      bits: 1\n", "x").train.quant.weight.bits, 1);
  for (const char* bad : {"0", "9", "-1"}) {
    const auto l = load_bad("bits", std::string("train:\n  quant:\n    weight:\n      bits: ") + bad + "\n");
    expect_error(l, 4, "train.quant.weight.bits",
                 {std::string("value ") + bad + " is out of range", "expected an integer in [1, 8]"});
  }
}

TEST(ConfigErrors, DoubleBoundsOpenAndClosed) {
  // rho_min in [0, 1]: both ends allowed, the next double beyond 1 is not.
  EXPECT_EQ(parse_specs("train:\n  rho_min: 1\n", "x").train.rho_min, 1.0);
  EXPECT_EQ(parse_specs("train:\n  rho_min: 0\n", "x").train.rho_min, 0.0);
  const auto over = load_bad("rho", "train:\n  rho_min: 1.0000000000000002\n");
  expect_error(over, 2, "train.rho_min",
               {"value 1.0000000000000002 is out of range", "expected a number in [0, 1]"});
  // beta in [0, 1): 1 itself is refused, the largest double below 1 is accepted.
  EXPECT_EQ(parse_specs("train:\n  max_norm:\n    beta: 0.9999999999999999\n", "x").train.max_norm.beta,
            std::nextafter(1.0, 0.0));
  const auto one = load_bad("beta", "train:\n  max_norm:\n    beta: 1\n");
  expect_error(one, 3, "train.max_norm.beta", {"value 1 is out of range", "expected a number in [0, 1)"});
  // learning_rate > 0: zero is refused.
  const auto zero = load_bad("lr0", "train:\n  learning_rate: 0\n");
  expect_error(zero, 2, "train.learning_rate", {"value 0 is out of range", "expected a number in (0, 2]"});
}

TEST(ConfigErrors, RangeMustBePowerOfTwo) {
  for (const char* bad : {"3", "0.75", "0", "-2"}) {
    const auto l = load_bad("pow2", std::string("train:\n  quant:\n    weight:\n      range: ") + bad + "\n");
    expect_error(l, 4, "train.quant.weight.range",
                 {std::string("value ") + bad + " is not a power of two", "expected a power of two"});
  }
  EXPECT_EQ(parse_specs("train:\n  quant:\n    bias:\n      range: 0.25\n", "x").train.quant.bias.range,
            0.25);
  EXPECT_EQ(parse_specs("train:\n  quant:\n    bias:\n      range: 1024\n", "x").train.quant.bias.range,
            1024.0);
}

// Every accel.* key of the accelerator's hardware (not its memories, accel.rram / accel.sram)
// refuses a bad value at its file, line and key; the key ranges hold the limits the TLM modules
// accept (hw/accel_specs.cpp), so no bad value reaches them.
TEST(ConfigErrors, EachAcceleratorKeyRefusesABadValueAtItsLine) {
  struct Case {
    const char* key;
    const char* yaml;
    int64_t line;
    const char* part;
  };
  const Case cases[] = {
      {"accel.clock_mhz", "accel:\n  clock_mhz: 2e6\n", 2, "value 2e6 is out of range"},
      {"accel.quantum_cycles", "accel:\n  quantum_cycles: 0\n", 2, "value 0 is out of range"},
      {"accel.bus.width_bits", "accel:\n  bus:\n    width_bits: 5000\n", 3, "value 5000 is out of range"},
      {"accel.bus.latency_cycles", "accel:\n  bus:\n    latency_cycles: -1\n", 3, "value -1"},
      {"accel.rank_reduce.arith", "accel:\n  rank_reduce:\n    arith: double\n", 3, "double"},
      {"accel.rank_reduce.impl", "accel:\n  rank_reduce:\n    impl: verilog\n", 3, "verilog"},
      {"accel.rank_reduce.units", "accel:\n  rank_reduce:\n    units: two\n", 3, "two"},
      {"accel.rank_reduce.lr_bits", "accel:\n  rank_reduce:\n    lr_bits: 1\n", 3, "value 1 is out of range"},
      {"accel.mac.lanes", "accel:\n  mac:\n    lanes: 0\n", 3, "value 0 is out of range"},
      {"accel.mac.zero_skip", "accel:\n  mac:\n    zero_skip: maybe\n", 3, "maybe"},
      {"accel.mac.add8_pj", "accel:\n  mac:\n    add8_pj: -1\n", 3, "value -1 is out of range"},
      {"accel.mac.mult8_pj", "accel:\n  mac:\n    mult8_pj: 7000\n", 3, "value 7000 is out of range"},
      {"accel.mac.add32_pj", "accel:\n  mac:\n    add32_pj: -1\n", 3, "value -1 is out of range"},
      {"accel.mac.mult32_pj", "accel:\n  mac:\n    mult32_pj: .nan\n", 3, "not a finite number"},
  };
  std::set<std::string> covered;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    expect_error(load_bad("accel", c.yaml), c.line, c.key, {c.part});
    covered.insert(c.key);
  }
  for (const KeySpec& k : schema()) {
    const bool hardware = k.path.rfind("accel.", 0) == 0 && k.path.rfind("accel.rram.", 0) != 0 &&
                          k.path.rfind("accel.sram.", 0) != 0;
    if (hardware) {
      EXPECT_EQ(covered.count(k.path), 1u) << k.path << " has no bad-value case";
    }
  }
}

TEST(ConfigErrors, IntegersThatOverflowTheirType) {
  // uint64: 2^64 - 1 fits, 2^64 does not.
  EXPECT_EQ(parse_specs("run:\n  seed: 18446744073709551615\n", "x").run.seed,
            std::numeric_limits<uint64_t>::max());
  expect_error(load_bad("u64", "run:\n  seed: 18446744073709551616\n"), 2, "run.seed",
               {"value 18446744073709551616 does not fit in uint64", "18446744073709551615]"});
  // Scientific notation is exact: 1e19 fits in uint64, 1e20 does not.
  EXPECT_EQ(parse_specs("run:\n  seed: 1e19\n", "x").run.seed, 10000000000000000000ULL);
  expect_error(load_bad("u64e", "run:\n  seed: 1e20\n"), 2, "run.seed",
               {"value 1e20 does not fit in uint64"});
  // int (32 bit): 2^32 does not fit, whatever the key's own range.
  expect_error(load_bad("int", "train:\n  conv:\n    batch: 4294967296\n"), 3, "train.conv.batch",
               {"value 4294967296 does not fit in int", "[-2147483648, 2147483647]",
                "expected an integer in [1, 1000000]"});
  expect_error(load_bad("intneg", "train:\n  conv:\n    batch: -2147483649\n"), 3, "train.conv.batch",
               {"value -2147483649 does not fit in int"});
}

TEST(ConfigErrors, DoublesThatOverflowOrAreNotFinite) {
  expect_error(load_bad("dbl_big", "train:\n  learning_rate: 1e999\n"), 2, "train.learning_rate",
               {"value 1e999 cannot be represented as a double", "expected a number in (0, 2]"});
  for (const char* nf : {".inf", ".nan", "-.inf"}) {
    expect_error(load_bad("dbl_nf", std::string("train:\n  learning_rate: ") + nf + "\n"), 2,
                 "train.learning_rate", {std::string("value ") + nf + " is not a finite number"});
  }
}

// ---- structure -------------------------------------------------------------------------

TEST(ConfigErrors, DuplicateKey) {
  expect_error(load_bad("dup", "run:\n  seed: 1\n  samples: 5\n  seed: 2\n"), 4, "run.seed",
               {"duplicate key (first given on line 2)"});
}

TEST(ConfigErrors, DuplicateSection) {
  expect_error(load_bad("dup_section", "run:\n  seed: 1\ntrain:\n  learning_rate: 0.1\nrun:\n  samples: 5\n"),
               5, "run", {"duplicate key (first given on line 1)"});
}

TEST(ConfigErrors, YamlSyntaxErrorHasLine) {
  // The stray sequence entry on line 3 ends the map: yaml-cpp reports that line.
  expect_error(load_bad("syntax", "run:\n  seed: 1\n  - 5\n"), 3, "", {"YAML syntax error"});
  // A tab used for indentation (line 2).
  expect_error(load_bad("tab", "run:\n\tseed: 1\n"), 2, "", {"YAML syntax error"});
}

TEST(ConfigErrors, TopLevelMustBeAMap) {
  expect_error(load_bad("top_seq", "- 1\n- 2\n"), 1, "",
               {"found a sequence at the top level", "run, data, network, train, pretrain, accel"});
}

TEST(ConfigErrors, OnlyOneDocument) {
  expect_error(load_bad("two_docs", "run:\n  seed: 1\n---\nrun:\n  seed: 2\n"), 4, "",
               {"holds more than one YAML document"});
}

TEST(ConfigErrors, StrayTopLevelCommaIsASyntaxErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll loops forever on these (upstream #1040; found by our fuzzer).
  const std::pair<const char*, int64_t> cases[] = {
      {",", 1}, {",a: b\n", 1}, {" ,a\n", 1}, {"\"x\",\n", 1}, {"[a],\n", 1}, {"# c\n,\n", 2}};
  for (const auto& [text, line] : cases) {
    const auto l = load_bad("stray_comma", text);
    ASSERT_TRUE(l.error.has_value()) << text;
    EXPECT_EQ(l.error->where().line, line) << text << ": " << l.error->what();
    EXPECT_TRUE(contains(l.error->what(), "YAML syntax error")) << l.error->what();
  }
}

// ---- files ---------------------------------------------------------------------------------

TEST(ConfigErrors, EmptyFile) {
  for (const char* text : {"", "# nothing but a comment\n", "---\n"}) {
    expect_error(load_bad("empty", text), -1, "", {"file is empty", "run, data, network, train, pretrain, accel"});
  }
}

TEST(ConfigErrors, EmptyMapMeansAllDefaults) {
  // Not an error: "{}" says "no changes", unlike an empty file.
  const Specs s = parse_specs("{}\n", "x");
  EXPECT_EQ(s.accel.rram.endurance.writes, default_specs().accel.rram.endurance.writes);
}

TEST(ConfigErrors, MissingFile) {
  const std::string path = ::testing::TempDir() + "lrtsim_config_does_not_exist.yaml";
  const auto e = input_error([&] { load_specs(path); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, path);
  EXPECT_EQ(e->where().line, -1);
  EXPECT_TRUE(contains(e->what(), "No such file or directory")) << e->what();
}

TEST(ConfigErrors, DirectoryIsNotAFile) {
  const std::string dir = ::testing::TempDir();
  const auto e = input_error([&] { load_specs(dir); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, dir);
  EXPECT_TRUE(contains(e->what(), "is a directory")) << e->what();
}

TEST(ConfigErrors, UnreadableFile) {
  const std::string path = write_temp("unreadable", "run:\n  seed: 1\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  if (std::ifstream(path).is_open()) GTEST_SKIP() << "running with privileges that read any file (root)";
  const auto e = input_error([&] { load_specs(path); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, path);
  EXPECT_TRUE(contains(e->what(), "Permission denied")) << e->what();
}

// ---- required keys (the lrtsim table has none yet, so a small table stands in) --------------

Schema table_with_required_seed() {
  return {
      LRT_CONFIG_KEY(run.seed).unit("1").required().source("test").doc("seed"),
      LRT_CONFIG_KEY(run.samples).unit("samples").defaults_to("7").at_least(1).source("test").doc("samples")};
}

TEST(ConfigErrors, MissingRequiredKeyPointsAtItsSection) {
  const Schema keys = table_with_required_seed();
  const std::string path = write_temp("required", "# the seed is missing\nrun:\n  samples: 5\n");
  const auto e = input_error([&] { load_specs(path, {}, keys); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, path);
  EXPECT_EQ(e->where().line, 2);  // the `run:` section that lacks it
  EXPECT_EQ(e->where().key, "run.seed");
  EXPECT_TRUE(contains(e->what(), "required key is missing; expected an integer >= 0")) << e->what();
}

TEST(ConfigErrors, MissingRequiredKeyWithoutItsSection) {
  const auto e = input_error([&] { parse_specs("{}\n", "cfg.yaml", {}, table_with_required_seed()); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().file, "cfg.yaml");
  EXPECT_EQ(e->where().line, -1);
  EXPECT_EQ(e->where().key, "run.seed");
}

TEST(ConfigErrors, RequiredKeyMayComeFromFileOrSet) {
  const Schema keys = table_with_required_seed();
  EXPECT_EQ(parse_specs("run:\n  seed: 9\n", "x", {}, keys).run.seed, 9u);
  EXPECT_EQ(parse_specs("{}\n", "x", {"run.seed=11"}, keys).run.seed, 11u);
  EXPECT_EQ(parse_specs("{}\n", "x", {"run.seed=11"}, keys).run.samples, 7u);
}

}  // namespace
}  // namespace lrt::config
