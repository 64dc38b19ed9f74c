// The density gate's restart rule (lrt_accumulator.h): the deadlock of the 1e6-sample drift
// run (docs/reliability.md) reduced to a 2 x 2 layer, and the bookkeeping of the rule.
//
// Deadlock scenario (rank 1, B = 2, kappa_th = 100, eta = 0.5, weight LSB 1/8, rho_min = 0.5,
// i.e. two of the four codes must be non-zero):
//   sample 1 offers m e0 (x) e0 with m = 10: the estimate is 10 e0 e0^T, one code of four;
//   every later sample offers s e1 (x) (1, 1) with s = 0.095 (two codes of four).
// Against the basis (e0, e0) the later pair has c_L0 = 0, c_R0 = 1 and residual norms s and 1,
// so C_11 = 0 * 1 + 10 = 10 > kappa_th * C_qq = 100 * 0.095 = 9.5 (5 % margin): every one is
// skipped. The estimate stays 10 e0 e0^T while B_eff grows: the (0, 0) update is
// -0.5 * B_eff^0.5 * 10 / B_eff / (1/8) = -40 / sqrt(B_eff) LSB, one code of four (density
// 0.25 < 0.5), smaller at every attempt: without the restart no update is ever written.
// With K = 10 the attempt at B_eff = 20 restarts; samples 21 and 22 then fold two s pairs into
// the empty reducer (the second lies in the first's span: an exact fold), so the estimate is
// 0.19 e1 (x) (1, 1) and the update -0.5 * sqrt(2) * 0.19 / 2 / (1/8) = -0.537 LSB -> code -1
// at (1, 0) and (1, 1) (0.037 LSB from the tie): density 0.5, applied at B_eff = 2. From then
// on every batch applies the same -1 codes.
// Both reducer arithmetics must agree: the fixed one's 16-bit codes move these values by
// about 2^-15 relative, far inside the 5 % kappa margin and the 0.037 LSB rounding margin.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "golden/training/engine.h"
#include "golden/training/lrt_accumulator.h"

namespace lrt::golden {
namespace {

using Codes = Matrix<int32_t>;

LrtAccumulatorParams gate_params(RankReduceArith arith, int max_batch_multiple) {
  LrtAccumulatorParams p;
  p.reducer.n_o = 2;
  p.reducer.n_i = 2;
  p.reducer.rank = 1;
  p.reducer.mode = RankReduceMode::kBiased;
  p.reducer.kappa_th = 100.0;
  p.arith = arith;
  p.batch = 2;
  p.learning_rate = 0.5;
  p.batch_exponent = 0.5;
  p.rho_min = 0.5;
  p.weight_lsb = 0.125;
  p.code_min = -8;
  p.code_max = 7;
  p.max_batch_multiple = max_batch_multiple;
  p.sum_update = false;  // the former mean rule, under which the gate deadlocks
  return p;
}

void offer(LrtAccumulator& acc, double d0, double d1, double a0, double a1) {
  const double dz[2] = {d0, d1};
  const double a[2] = {a0, a1};
  acc.offer(dz, a);
}

// The scenario of the file comment for `samples` samples; returns every attempt's result.
std::vector<LrtUpdateResult> run_deadlock_scenario(LrtAccumulator& acc, Codes& w, int samples) {
  std::vector<LrtUpdateResult> attempts;
  for (int sample = 1; sample <= samples; ++sample) {
    if (sample == 1)
      offer(acc, 10.0, 0.0, 1.0, 0.0);
    else
      offer(acc, 0.0, 0.095, 1.0, 1.0);
    const LrtUpdateResult r = acc.end_sample(w);
    if (r.attempted) attempts.push_back(r);
  }
  return attempts;
}

class DensityGate : public ::testing::TestWithParam<RankReduceArith> {};

TEST_P(DensityGate, WithoutRestartAKappaFrozenEstimateNeverAppliesAgain) {
  // The rule before the fix (K = 0): B_eff grows without bound and the frozen estimate's
  // update shrinks; this is the deadlock the restart removes.
  LrtAccumulator acc(gate_params(GetParam(), 0));
  Codes w(2, 2, 0);
  const auto attempts = run_deadlock_scenario(acc, w, 400);
  ASSERT_EQ(attempts.size(), 200u);
  for (size_t i = 0; i < attempts.size(); ++i) {
    const LrtUpdateResult& r = attempts[i];
    EXPECT_FALSE(r.applied) << i;
    EXPECT_FALSE(r.restarted) << i;
    EXPECT_EQ(r.batch_eff, static_cast<int64_t>(2 * (i + 1))) << i;
    EXPECT_EQ(r.nonzero, 1) << i;  // only (0, 0): |-40 / sqrt(B_eff)| >= 2 LSB up to B_eff = 400
  }
  EXPECT_TRUE(w == Codes(2, 2, 0));
  EXPECT_EQ(acc.reducer().stats().pairs, 400u);
  EXPECT_EQ(acc.reducer().stats().skipped_kappa, 399u);  // every s pair
  EXPECT_EQ(acc.samples_since_update(), 400);
}

TEST_P(DensityGate, RestartAtTheCapRecoversFromTheDeadlockScenario) {
  LrtAccumulator acc(gate_params(GetParam(), 10));
  Codes w(2, 2, 0);
  const auto attempts = run_deadlock_scenario(acc, w, 400);
  ASSERT_EQ(attempts.size(), 200u);
  // Attempts 1..10 (B_eff = 2..20) are too sparse; the tenth restarts.
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_FALSE(attempts[i].applied) << i;
    EXPECT_EQ(attempts[i].restarted, i == 9) << i;
    EXPECT_EQ(attempts[i].batch_eff, static_cast<int64_t>(2 * (i + 1))) << i;
  }
  // Then every batch of two s pairs applies -1 at (1, 0) and (1, 1).
  for (size_t i = 10; i < attempts.size(); ++i) {
    const LrtUpdateResult& r = attempts[i];
    EXPECT_TRUE(r.applied) << i;
    EXPECT_FALSE(r.restarted) << i;
    EXPECT_EQ(r.batch_eff, 2) << i;
    EXPECT_EQ(r.nonzero, 2) << i;
  }
  const Codes& last = acc.last_update_codes();
  EXPECT_EQ(last(0, 0), 0);
  EXPECT_EQ(last(0, 1), 0);
  EXPECT_EQ(last(1, 0), -1);
  EXPECT_EQ(last(1, 1), -1);
  // 190 applied updates of -1 saturate the 4-bit codes at -8; row 0 never moves.
  EXPECT_EQ(w(0, 0), 0);
  EXPECT_EQ(w(0, 1), 0);
  EXPECT_EQ(w(1, 0), -8);
  EXPECT_EQ(w(1, 1), -8);
  EXPECT_EQ(acc.samples_since_update(), 0);
}

std::string arith_name(const ::testing::TestParamInfo<RankReduceArith>& arith) {
  return to_string(arith.param);
}

INSTANTIATE_TEST_SUITE_P(Arith, DensityGate,
                         ::testing::Values(RankReduceArith::kFloat, RankReduceArith::kFixed), arith_name);

// Samples without pairs are never dense enough, so the attempts trace the rule alone:
// B_eff = B, 2B, ..., K B (restart), B, 2B, ...; K = 1 restarts at every attempt.
TEST(DensityGateRestart, EffectiveBatchCyclesThroughMultiplesOfBUpToTheCap) {
  for (int k : {1, 4}) {
    LrtAccumulatorParams p = gate_params(RankReduceArith::kFloat, k);
    p.batch = 3;
    LrtAccumulator acc(p);
    Codes w(2, 2, 0);
    int attempt = 0;
    for (int sample = 1; sample <= 3 * 3 * k; ++sample) {
      const LrtUpdateResult r = acc.end_sample(w);
      if (!r.attempted) continue;
      const int multiple = attempt % k + 1;
      EXPECT_EQ(r.batch_eff, 3 * multiple) << "K " << k << " sample " << sample;
      EXPECT_EQ(r.restarted, multiple == k) << "K " << k << " sample " << sample;
      EXPECT_FALSE(r.applied);
      EXPECT_EQ(acc.samples_since_update(), multiple == k ? 0 : 3 * multiple);
      ++attempt;
    }
    EXPECT_EQ(attempt, 3 * k);
  }
}

TEST(DensityGateRestart, TheRestartClearsTheEstimate) {
  // One pair, too sparse (one code of four), K = 1: the first attempt restarts and the
  // factors are zero afterwards.
  LrtAccumulator acc(gate_params(RankReduceArith::kFloat, 1));
  Codes w(2, 2, 0);
  offer(acc, 10.0, 0.0, 1.0, 0.0);
  EXPECT_FALSE(acc.end_sample(w).attempted);
  const LrtUpdateResult r = acc.end_sample(w);
  EXPECT_TRUE(r.restarted);
  EXPECT_EQ(r.nonzero, 1);
  Matrix<double> L, R;
  acc.reducer().factors(L, R);
  for (std::size_t i = 0; i < L.rows() * L.cols(); ++i) EXPECT_EQ(L.data()[i], 0.0);
  for (std::size_t i = 0; i < R.rows() * R.cols(); ++i) EXPECT_EQ(R.data()[i], 0.0);
}

TEST(DensityGateRestart, ARestoredCountBeyondTheCapRestartsAtTheNextAttempt) {
  // A checkpoint written without the cap may hold B_eff > K B.
  LrtAccumulatorParams p = gate_params(RankReduceArith::kFloat, 4);
  p.batch = 3;
  LrtAccumulator acc(p);
  acc.set_progress(100, Codes(2, 2, 0));
  Codes w(2, 2, 0);
  EXPECT_FALSE(acc.end_sample(w).attempted);    // 101
  const LrtUpdateResult r = acc.end_sample(w);  // 102 = 34 B
  EXPECT_TRUE(r.attempted);
  EXPECT_EQ(r.batch_eff, 102);
  EXPECT_TRUE(r.restarted);
  EXPECT_EQ(acc.samples_since_update(), 0);
}

TEST(DensityGateRestart, NegativeCapIsRejected) {
  EXPECT_THROW(LrtAccumulator(gate_params(RankReduceArith::kFloat, -1)), std::invalid_argument);
  LrtAccumulator acc(gate_params(RankReduceArith::kFloat, 0));
  EXPECT_THROW(acc.set_max_batch_multiple(-1), std::invalid_argument);
  TrainSpecs t;
  t.conv.max_batch_multiple = -1;
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.fc.max_batch_multiple = 1'000'001;
  EXPECT_THROW(validate(t), std::invalid_argument);
}

TEST(DensityGateRestart, EngineGivesEachLayerItsKindsCap) {
  TrainSpecs t;
  t.conv.max_batch_multiple = 3;
  t.fc.max_batch_multiple = 0;
  Engine engine(default_network(), t);
  for (int l : engine.trainable_layers()) {
    const AffineLayer& layer = engine.affine(l);
    const LrtAccumulator* acc = layer.updater().lrt_accumulator();
    ASSERT_NE(acc, nullptr);
    EXPECT_EQ(acc->params().max_batch_multiple, layer.is_conv() ? 3 : 0) << l;
  }
}

}  // namespace
}  // namespace lrt::golden
