// Per-cell write counting, on cases computed by hand.
#include <gtest/gtest.h>

#include <vector>

#include "golden/training/engine.h"
#include "golden/training/write_counter.h"

namespace lrt::golden {
namespace {

// The 2-input, 2-class network: one fc layer 2 -> 2 (fan-in 2: alpha = 2^0).
NetworkSpec two_by_two() {
  NetworkSpec n;
  n.in_h = 1;
  n.in_w = 1;
  n.in_c = 2;
  n.layers = {{LayerKind::kFc, 2}};
  return n;
}

TrainSpecs sgd_specs(double lr) {
  TrainSpecs t;
  t.fc.scheme = Scheme::kOnlineSgd;
  t.fc.max_norm = false;
  t.learning_rate = lr;
  return t;
}

Matrix<int32_t> codes(std::initializer_list<std::initializer_list<int32_t>> rows) {
  Matrix<int32_t> m(rows.size(), rows.begin()->size());
  size_t o = 0;
  for (const auto& r : rows) {
    size_t k = 0;
    for (int32_t v : r) m(o, k++) = v;
    ++o;
  }
  return m;
}

TEST(EngineWrites, OnlineSgdOnTwoByTwoFcByHand) {
  // lr = 1/4, no max-norm. Formats: input 2^-8, W 2^-7, Qb 2^-12, Qg 2^-7.
  // Weight update dW(o,k) = round(-lr * dz_q(o) * a(k) / 2^-7) = round(-(dzq * acode) / 1024)
  // with dz_q, a as codes; bias update round(-lr * dz_q / 2^-12) = -8 * dzq.
  //
  // Start W = [[0, 0], [0, -128]], b = 0.
  // Sample 1: a = (128, 64) = (0.5, 0.25), label 0. z = (0, -0.25) (acc -8192 >> 3 = -1024).
  //   p0 = 1 / (1 + e^-0.25) = 0.5621765; dz = (-0.4378235, +0.4378235) -> Qb -1793, 1793
  //   -> Qg round(-1793 / 32) = -56, 56.
  //   dW = round(7168 / 1024, 3584 / 1024 ; -7168 / 1024, -3584 / 1024) = (7, 3.5 -> 4 ; -7, -3.5 -> -3).
  //   W(1,1) = -128 - 3 saturates back to -128: not a write. W = [[7, 4], [-7, -128]], b = (448, -448).
  // Sample 2: a = (0, 128) = (0, 0.5), label 1. z = (64 + 448, -2048 - 448) = (0.125, -0.609375).
  //   p0 = 1 / (1 + e^-0.734375) = 0.675765; dz = (0.675765, -0.675765) -> Qb 2768, -2768
  //   -> Qg 86.5 -> 87 and -86.5 -> -86 (ties toward +inf).
  //   Column 0 has a = 0: no update. dW(0,1) = round(-87 * 128 / 1024) = round(-10.875) = -11,
  //   dW(1,1) = round(10.75) = 11. W = [[7, -7], [-7, -117]], b = (448 - 696, -448 + 688) = (-248, 240).
  // Sample 3: a = (128, 64), label 0. z = ((896 - 448) >> 3 - 248, (-896 - 7488) >> 3 + 240)
  //   = (-192, -808) codes; p0 = 1 / (1 + e^-0.150390625) = 0.537527; Qb -1894, 1894 -> Qg -59, 59.
  //   dW = (round(7.375), round(3.6875) ; round(-7.375), round(-3.6875)) = (7, 4 ; -7, -4).
  //   W = [[14, -3], [-14, -121]].
  // Writes: (0,0): samples 1, 3; (0,1): 1, 2, 3; (1,0): 1, 3; (1,1): 2, 3  -> [[2, 3], [2, 2]].
  Engine e(two_by_two(), sgd_specs(0.25), 1);
  AffineLayer& fc = e.affine(0);
  fc.set_weight_codes(codes({{0, 0}, {0, -128}}));
  fc.set_bias_codes({0, 0});
  const uint8_t s1[2] = {128, 64}, s2[2] = {0, 128};

  e.train_step(s1, 0);
  EXPECT_EQ(fc.weight_codes(), codes({{7, 4}, {-7, -128}}));
  EXPECT_EQ(fc.bias_codes(), (std::vector<int32_t>{448, -448}));
  EXPECT_EQ(fc.writes().counts(),
            (std::vector<uint32_t>{1, 1, 1, 0}));  // column-major: (0,0) (1,0) (0,1) (1,1)

  e.train_step(s2, 1);
  EXPECT_EQ(fc.weight_codes(), codes({{7, -7}, {-7, -117}}));
  EXPECT_EQ(fc.bias_codes(), (std::vector<int32_t>{-248, 240}));
  EXPECT_EQ(fc.writes().counts(), (std::vector<uint32_t>{1, 1, 2, 1}));

  const StepResult r3 = e.train_step(s1, 0);
  EXPECT_EQ(e.logits(), (std::vector<int16_t>{-192, -808}));
  EXPECT_EQ(r3.prediction, 0);
  EXPECT_TRUE(r3.correct);
  EXPECT_EQ(fc.weight_codes(), codes({{14, -3}, {-14, -121}}));
  EXPECT_EQ(fc.writes().counts(), (std::vector<uint32_t>{2, 2, 3, 2}));
  const WriteStats ws = e.write_stats();
  EXPECT_EQ(ws.cells, 4u);
  EXPECT_EQ(ws.total, 9u);
  EXPECT_EQ(ws.max, 3u);
  EXPECT_DOUBLE_EQ(ws.mean(), 2.25);
  EXPECT_EQ(e.write_stats(0).max, 3u);
}

TEST(EngineWrites, NaiveBatchWritesOncePerAppliedBatchAndHonoursRhoMin) {
  // Same network and samples as above, naive batch with B = 2, p = 0.5, rho_min = 0.5.
  // Batch 1 = samples 1, 2 from W = [[0, 0], [0, -128]]: W does not change inside a batch,
  // so sample 2 sees the biases after sample 1 only: b = (448, -448) and W = [[0,0],[0,-128]]:
  //   z = (0 + 448, -2048 - 448) codes = (0.109375, -0.609375); p0 = 1 / (1 + e^-0.71875) = 0.672332
  //   -> dz = (0.672332, -0.672332) -> Qb 2754, -2754 -> Qg round(86.06) = 86, -86.
  // Summed gradient codes (dz_q a, 2^-15): sample 1 (-56 * 128, -56 * 64 ; 56 * 128, 56 * 64),
  // sample 2 (0, 86 * 128 ; 0, -86 * 128):
  //   G = [[-7168, -3584 + 11008], [7168, 3584 - 11008]] = [[-7168, 7424], [7168, -7424]].
  // Update (the authors' sum rule): round(-lr * B^0.5 * G * 2^-15 / 2^-7) = round(-G * 1.41421 / 1024):
  //   (9.8995 -> 10, -10.2530 -> -10 ; -9.8995 -> -10, 10.2530 -> 10). Density 4/4 >= 0.5: applied,
  //   W = [[10, -10], [-10, -118]]: four writes (W(1,1) leaves the rail).
  TrainSpecs t = sgd_specs(0.25);
  t.fc.scheme = Scheme::kNaiveBatch;
  t.fc.batch = 2;
  t.rho_min = 0.5;
  Engine e(two_by_two(), t, 1);
  AffineLayer& fc = e.affine(0);
  fc.set_weight_codes(codes({{0, 0}, {0, -128}}));
  fc.set_bias_codes({0, 0});
  const uint8_t s1[2] = {128, 64}, s2[2] = {0, 128};
  e.train_step(s1, 0);
  EXPECT_EQ(fc.weight_codes(), codes({{0, 0}, {0, -128}}));
  EXPECT_EQ(e.write_stats().total, 0u);
  e.train_step(s2, 1);
  EXPECT_EQ(fc.weight_codes(), codes({{10, -10}, {-10, -118}}));
  EXPECT_EQ(fc.writes().counts(), (std::vector<uint32_t>{1, 1, 1, 1}));
  EXPECT_EQ(fc.updater().stats().applied, 1u);

  // With rho_min = 1 an update with any zero cell is kept back: no write.
  TrainSpecs t2 = t;
  t2.rho_min = 1.0;
  Engine e2(two_by_two(), t2, 1);
  AffineLayer& fc2 = e2.affine(0);
  fc2.set_weight_codes(codes({{0, 0}, {0, -128}}));
  fc2.set_bias_codes({0, 0});
  const uint8_t zero_second[2] = {128, 0};
  // Sample (128, 0): column 1 gets no gradient at all, so at most half the cells are non-zero.
  e2.train_step(zero_second, 0);
  e2.train_step(zero_second, 0);
  EXPECT_EQ(fc2.updater().stats().attempts, 1u);
  EXPECT_EQ(fc2.updater().stats().applied, 0u);
  EXPECT_LE(fc2.updater().stats().last_density, 0.5);
  EXPECT_EQ(e2.write_stats().total, 0u);
  EXPECT_EQ(fc2.weight_codes(), codes({{0, 0}, {0, -128}}));
}

TEST(EngineWrites, OnlineSgdEqualsNaiveBatchOfOneWithoutRhoMin) {
  // B = 1, rho_min = 0: the naive batch forms round(-lr * 1^p / 1 * G) every sample, the same
  // double product as online SGD, so the two engines stay bit-identical on a real network.
  NetworkSpec net;
  net.in_h = 8;
  net.in_w = 8;
  net.layers = {{LayerKind::kConv3x3, 4},
                {LayerKind::kMaxPool2, 0},
                {LayerKind::kRelu, 0},
                {LayerKind::kBatchNorm, 0},
                {LayerKind::kFc, 3}};
  TrainSpecs a;
  a.conv.scheme = a.fc.scheme = Scheme::kOnlineSgd;
  a.conv.max_norm = a.fc.max_norm = false;  // SGD normalizes a and dz, naive batch the sum: not one rule
  a.learning_rate = 0.5;
  TrainSpecs b = a;
  b.conv.scheme = b.fc.scheme = Scheme::kNaiveBatch;
  b.conv.batch = b.fc.batch = 1;
  b.rho_min = 0.0;
  Engine ea(net, a, 3), eb(net, b, 3);
  std::vector<uint8_t> img(64);
  for (int s = 0; s < 30; ++s) {
    for (size_t i = 0; i < img.size(); ++i)
      img[i] = static_cast<uint8_t>((i * 37 + static_cast<size_t>(s) * 101) % 256);
    ea.train_step(img.data(), s % 3);
    eb.train_step(img.data(), s % 3);
  }
  EXPECT_EQ(ea.weights_digest(), eb.weights_digest());
  EXPECT_GT(ea.write_stats().total, 0u);
  EXPECT_EQ(ea.write_stats().total, eb.write_stats().total);
}

TEST(EngineWrites, CounterSaturatesAndCombines) {
  WriteCounter c(3);
  c.set_counts({UINT32_MAX, 2, 0});
  c.record(0);
  c.record(2);
  EXPECT_EQ(c.counts()[0], UINT32_MAX);
  const WriteStats s = c.stats();
  EXPECT_EQ(s.max, UINT32_MAX);
  EXPECT_EQ(s.total, uint64_t{UINT32_MAX} + 2 + 2);
  const WriteStats all = combine({s, WriteStats{5, 10, 4}});
  EXPECT_EQ(all.cells, 8u);
  EXPECT_EQ(all.total, s.total + 10);
  EXPECT_EQ(all.max, UINT32_MAX);
}

}  // namespace
}  // namespace lrt::golden
