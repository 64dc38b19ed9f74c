// lrtsim precision end to end on the tiny data set: exit codes, the output files and their
// keys, the C+1 / C-1 perturbations, clamping comments, that the emitted keys configure a
// pre-training and a run, and exit code 2 for each class of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;

struct PrecisionSuite : PretrainedSuite<PrecisionSuite> {
  static constexpr const char* kName = "precision";
};

// The integers of the list `key: [a, b, ...]` in the train.precision block.
std::vector<int> ints(const std::string& text, const std::string& key) {
  const std::string tag = "\n    " + key + ": [";
  const std::size_t at = text.find(tag);
  if (at == std::string::npos) return {};
  std::stringstream ss(text.substr(at + tag.size(), text.find(']', at) - at - tag.size()));
  std::vector<int> v;
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::stoi(item));
  return v;
}

bool clamped(const std::string& text, const std::string& key, size_t item) {
  return contains(text, "# clamped: " + key + " item " + std::to_string(item + 1) + ":");
}

// The --set arguments of the file's "# use:" line.
std::vector<std::string> sets_of(const std::string& text) {
  std::vector<std::string> out;
  const std::size_t line = text.find("# use:");
  const std::string use = text.substr(line, text.find('\n', line) - line);
  std::size_t at = 0;
  while ((at = use.find("--set '", at)) != std::string::npos) {
    const std::size_t end = use.find('\'', at + 7);
    out.push_back("--set");
    out.push_back(use.substr(at + 7, end - at - 7));
    at = end;
  }
  return out;
}

const char* const kKeys[] = {"weight_bits", "activation_bits", "gradient_bits", "weight_gradient_bits",
                             "accumulator_bits"};

TEST_F(PrecisionSuite, WritesTheAssignmentAndItsPerturbations) {
  const std::string yaml = out("prec/p.yaml");
  const CliResult r = run({"precision", s().config, "--out", yaml, "--samples", "60", "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "estimation samples: 60")) << r.out;
  const std::string c0 = read_file(yaml), p1 = read_file(out("prec/p.plus1.yaml")),
                    m1 = read_file(out("prec/p.minus1.yaml"));
  ASSERT_FALSE(p1.empty());
  ASSERT_FALSE(m1.empty());
  for (const std::string* t : {&c0, &p1, &m1}) {
    for (const char* k : kKeys) EXPECT_EQ(ints(*t, k).size(), 2u) << k << "\n" << *t;  // conv + fc
    EXPECT_TRUE(contains(*t, "    weight_range: [")) << *t;
    EXPECT_TRUE(contains(*t, "    gradient_range: [")) << *t;
    EXPECT_TRUE(contains(*t, "# layer 2: E_W ")) << *t;
  }
  // Every width moves by exactly one bit unless a clamp (announced in a comment) stops it.
  for (const char* k : kKeys) {
    const std::vector<int> a = ints(c0, k), p = ints(p1, k), m = ints(m1, k);
    for (size_t i = 0; i < a.size(); ++i) {
      if (!clamped(c0, k, i) && !clamped(p1, k, i)) {
        EXPECT_EQ(p[i], a[i] + 1) << k << " " << i;
      }
      if (!clamped(c0, k, i) && !clamped(m1, k, i)) {
        EXPECT_EQ(m[i], a[i] - 1) << k << " " << i;
      }
      EXPECT_GE(p[i], a[i]) << k;
      EXPECT_LE(m[i], a[i]) << k;
    }
  }
  // The first conv reads the 8-bit image: B_A = 8 always, and C+1 / C-1 say why if it differs.
  EXPECT_EQ(ints(c0, "activation_bits")[0], 8);
  EXPECT_EQ(ints(p1, "activation_bits")[0], 8);
  EXPECT_TRUE(clamped(p1, "activation_bits", 0) || clamped(m1, "activation_bits", 0));
  // LRT (the tiny config's scheme) has the int32 weight-gradient word and no accumulator.
  EXPECT_EQ(ints(m1, "weight_gradient_bits"), (std::vector<int>{32, 32}));
  EXPECT_EQ(ints(p1, "accumulator_bits"), (std::vector<int>{0, 0}));
  EXPECT_TRUE(clamped(c0, "weight_gradient_bits", 0));

  // The emitted keys configure a pre-training and a run at those widths.
  std::vector<std::string> pre = {"pretrain", s().config, "--out", out("prec/p.ckpt"), "--force"};
  const std::vector<std::string> sets = sets_of(c0);
  ASSERT_EQ(sets.size(), 14u);
  pre.insert(pre.end(), sets.begin(), sets.end());
  const CliResult rp = run(pre);
  ASSERT_EQ(rp.code, 0) << rp.err;
  std::vector<std::string> go = {"run", s().config, "--out", out("prec/run"), "--samples", "50",
                                 "--set", "run.model=" + out("prec/p.ckpt")};
  go.insert(go.end(), sets.begin(), sets.end());
  const CliResult rr = run(go);
  EXPECT_EQ(rr.code, 0) << rr.err;
  for (const std::string* t : {&p1, &m1}) {
    std::vector<std::string> check = {"config", "check", s().config};
    const std::vector<std::string> ps = sets_of(*t);
    check.insert(check.end(), ps.begin(), ps.end());
    const CliResult rc = run(check);
    EXPECT_EQ(rc.code, 0) << rc.err << *t;
  }
}

TEST_F(PrecisionSuite, GivenBMinShiftsTheFeedforwardWidths) {
  const CliResult a = run({"precision", s().config, "--out", out("b3/p.yaml"), "--samples", "40", "--b-min", "3",
                           "--force"});
  ASSERT_EQ(a.code, 0) << a.err;
  const CliResult b = run({"precision", s().config, "--out", out("b4/p.yaml"), "--samples", "40", "--b-min", "4",
                           "--force"});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_TRUE(contains(a.out, "B_min: 3")) << a.out;
  const std::string ta = read_file(out("b3/p.yaml")), tb = read_file(out("b4/p.yaml"));
  // Every B_W that neither run clamps moves by one bit.
  const std::vector<int> wa = ints(ta, "weight_bits"), wb = ints(tb, "weight_bits");
  ASSERT_EQ(wa.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    if (!clamped(ta, "weight_bits", i) && !clamped(tb, "weight_bits", i)) {
      EXPECT_EQ(wb[i], wa[i] + 1);
    }
  // The gradient widths do not depend on B_min.
  EXPECT_EQ(ints(ta, "gradient_bits"), ints(tb, "gradient_bits"));
}

TEST_F(PrecisionSuite, BadInputsExitWith2) {
  const std::string yaml = out("bad/p.yaml");
  // Missing --out, an unknown option, --samples 0 and --b-min 0 are command-line errors.
  EXPECT_EQ(run({"precision", s().config}).code, 2);
  EXPECT_EQ(run({"precision", s().config, "--out", yaml, "--samples", "0"}).code, 2);
  EXPECT_EQ(run({"precision", s().config, "--out", yaml, "--b-min", "0"}).code, 2);
  // More estimation samples than the validation split holds (200).
  CliResult r = run({"precision", s().config, "--out", yaml, "--samples", "201"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--samples")) << r.err;
  // A bad key names file, line and key.
  r = run({"precision", s().config, "--out", yaml, "--set", "train.quant.weight.bits=99"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "train.quant.weight.bits")) << r.err;
  // A missing model names run.model.
  r = run({"precision", s().config, "--out", yaml, "--set", "run.model=" + out("none.ckpt")});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "run.model")) << r.err;
  // A configuration that already has per-layer widths.
  r = run({"precision", s().config, "--out", yaml, "--set", "train.precision.gradient_bits=[6, 6]"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "train.precision")) << r.err;
  // An existing output without --force names the file; nothing is overwritten.
  ASSERT_EQ(run({"precision", s().config, "--out", yaml, "--samples", "20"}).code, 0);
  const std::string before = read_file(yaml);
  r = run({"precision", s().config, "--out", yaml, "--samples", "30"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, yaml)) << r.err;
  EXPECT_EQ(read_file(yaml), before);
  // A missing configuration file.
  EXPECT_EQ(run({"precision", out("nope.yaml"), "--out", yaml, "--force"}).code, 2);
}

}  // namespace
}  // namespace lrt::cli
