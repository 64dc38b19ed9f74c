// FracTrain PFQ (golden/training/pfq.h): the schedule switches where the manual points or the auto rule
// say, the datapath runs at the stage's operand widths (FW8/BW8 is the plain datapath), and the
// reported bit-operation count equals the MACs each sample performed times the widths it ran at.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/error.h"
#include "golden/training/engine.h"
#include "golden/training/pfq.h"
#include "spec_error_member.h"

namespace lrt::golden {
namespace {

PfqSpec three_stages() {
  PfqSpec s;
  s.enabled = true;
  s.forward_bits = {4, 6, 8};
  s.backward_bits = {6, 8, 8};
  s.switch_samples = {3, 7};
  return s;
}

TEST(Pfq, ManualSwitchesAtTheGivenSampleCounts) {
  PfqSchedule p(three_stages());
  std::vector<int> fw;
  for (uint64_t n = 1; n <= 10; ++n) {
    fw.push_back(p.forward_bits());  // the width sample n trains at
    p.observe(n, 1.0);
  }
  // Samples 1-3 at stage 0, 4-7 at stage 1, 8- at stage 2.
  EXPECT_EQ(fw, (std::vector<int>{4, 4, 4, 6, 6, 6, 6, 8, 8, 8}));
  EXPECT_EQ(p.state().switched_at, (std::vector<uint64_t>{3, 7}));
  EXPECT_EQ(p.backward_bits(), 8);
}

TEST(Pfq, AutoSwitchesWhenAWindowStopsImprovingByHand) {
  // window 2, min_improvement 0.1. Stage 0: windows 4 (best), 3 (< 3.6: best), 2.8 (not < 2.7:
  // switch after sample 6). Stage 1: 5 (first window: best), 4 (< 4.5: best), 4 (not < 3.6:
  // switch after sample 12). Stage 2 is the last: it never switches.
  PfqSpec s = three_stages();
  s.mode = PfqSwitch::kAuto;
  s.switch_samples.clear();
  s.window = 2;
  s.min_improvement = 0.1;
  PfqSchedule p(s);
  const std::vector<double> loss = {4, 4, 3, 3, 2.8, 2.8, 5, 5, 4, 4, 4, 4, 9, 9, 9, 9};
  std::vector<uint64_t> stage;
  for (size_t i = 0; i < loss.size(); ++i) {
    p.observe(i + 1, loss[i]);
    stage.push_back(p.state().stage);
  }
  EXPECT_EQ(stage, (std::vector<uint64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2}));
  EXPECT_EQ(p.state().switched_at, (std::vector<uint64_t>{6, 12}));
}

TEST(Pfq, InvalidSchedulesAreRefusedNamingTheMember) {
  auto message = [](const PfqSpec& s) { return test::spec_error_member([&] { validate(s, 8); }); };
  PfqSpec s = three_stages();
  EXPECT_EQ(message(s), "");
  s.backward_bits = {8, 8};
  EXPECT_EQ(message(s), "backward_bits");
  s = three_stages();
  s.forward_bits[0] = 9;
  EXPECT_EQ(message(s), "forward_bits");
  s = three_stages();
  s.switch_samples = {7, 3};
  EXPECT_EQ(message(s), "switch_samples");
  s.switch_samples = {3};
  EXPECT_EQ(message(s), "switch_samples");
  TrainSpecs t;
  t.pfq = three_stages();
  t.quant.gradient.bits = 6;  // BW8 stages cannot widen a 6-bit Qg
  try {
    validate(t);
    ADD_FAILURE() << "a BW stage wider than Qg was accepted";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.member(), "pfq.backward_bits") << e.what();  // relative to TrainSpecs
  }
}

std::vector<uint8_t> image(uint64_t i) {
  std::vector<uint8_t> img(28 * 28);
  for (size_t p = 0; p < img.size(); ++p) img[p] = static_cast<uint8_t>((p * 131 + i * 977 + (p * p) % 61) % 256);
  return img;
}

TEST(Pfq, Fw8Bw8IsThePlainDatapathAndLowerStagesDiffer) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kOnlineSgd;
  Engine plain(default_network(), t, 5);
  t.pfq.enabled = true;
  t.pfq.forward_bits = {8};
  t.pfq.backward_bits = {8};
  t.pfq.switch_samples = {};
  Engine full(default_network(), t, 5);
  t.pfq = three_stages();
  Engine staged(default_network(), t, 5);
  for (uint64_t i = 0; i < 10; ++i) {
    const int label = static_cast<int>(i % 10);
    plain.train_step(image(i).data(), label);
    full.train_step(image(i).data(), label);
    staged.train_step(image(i).data(), label);
  }
  EXPECT_EQ(plain.weights_digest(), full.weights_digest());
  EXPECT_NE(plain.weights_digest(), staged.weights_digest());
}

TEST(Pfq, BitOpsEqualEachSamplesMacsTimesItsStageWidths) {
  // Counted independently of the layer: per sample, the MACs each GEMM performed (AffineWork
  // deltas) times the widths of the stage the sample trained at (forward b x b, input
  // gradient b x g, weight gradient g x b); the static reference is the same MACs x 64.
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kOnlineSgd;
  t.pfq = three_stages();
  Engine e(default_network(), t, 9);
  uint64_t want = 0, want8 = 0;
  for (uint64_t i = 0; i < 10; ++i) {
    const uint64_t b = static_cast<uint64_t>(e.pfq()->forward_bits());
    const uint64_t g = static_cast<uint64_t>(e.pfq()->backward_bits());
    std::vector<AffineWork> before;
    for (int l : e.trainable_layers()) before.push_back(e.affine(l).work());
    e.train_step(image(i).data(), static_cast<int>(i % 10));
    size_t j = 0;
    for (int l : e.trainable_layers()) {
      const AffineWork& now = e.affine(l).work();
      const AffineWork& was = before[j++];
      EXPECT_EQ(e.affine(l).weight_operand_bits(), static_cast<int>(b));
      EXPECT_EQ(e.affine(l).grad_operand_bits(), static_cast<int>(g));
      const uint64_t fwd = now.forward_macs - was.forward_macs;
      const uint64_t bd = now.backward_data_macs - was.backward_data_macs;
      const uint64_t wg = now.weight_grad_macs - was.weight_grad_macs;
      want += fwd * b * b + bd * b * g + wg * g * b;
      want8 += (fwd + bd + wg) * 64;
    }
  }
  uint64_t got = 0, got8 = 0;
  for (int l : e.trainable_layers()) {
    got += e.affine(l).work().mac_bit_ops;
    got8 += e.affine(l).work().mac_bit_ops_8x8;
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(got8, want8);
  EXPECT_LT(got, got8);  // stages 0 and 1 ran below 8 x 8
  EXPECT_EQ(e.pfq()->state().switched_at, (std::vector<uint64_t>{3, 7}));
}

}  // namespace
}  // namespace lrt::golden
