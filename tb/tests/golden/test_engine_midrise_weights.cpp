// 1- and 2-bit weights (mid-rise, LRT paper Fig. 7): a code c stands for (c + 1/2) LSB, so the
// levels are +-1/2 (1 bit, range 1) and +-1/4, +-3/4 (2 bits, range 1) and there is no zero.
//  * formats: train.quant.weight.bits 1 and 2 give mid-rise formats, 3 and more do not;
//  * a 2 x 2 fc layer with 1-bit weights through forward, backward data, an SGD step with
//    saturation and a second forward, every code computed by hand below;
//  * conv and fc layers with random 1- and 2-bit codes against the double reference of
//    float_layers.h on the exact level values, quantized once (bit-exact; the double sums are
//    exact: at most 9 * 64 products of short codes scaled by powers of two);
//  * He initialization uses both sides of the 1-bit range;
//  * an engine with 2-bit weights in RRAM arrays of 2-bit words trains bit-identically to one
//    without, and a training-state checkpoint resumes bit-exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/checkpoint.h"
#include "core/fixed_point.h"
#include "core/rng.h"
#include "device/rram_array.h"
#include "device/rram_weight_store.h"
#include "golden/training/engine.h"
#include "golden/precision/float_layers.h"
#include "golden/training/layers.h"
#include "golden/training/train_state.h"

namespace lrt::golden {
namespace {

const fx::Format kQw1 = fx::Format::signed_range(1, 0, true);  // levels -1/2, +1/2
const fx::Format kQw2 = fx::Format::signed_range(2, 0, true);  // levels -3/4, -1/4, 1/4, 3/4
const fx::Format kQb = fx::Format::signed_range(16, 3);        // LSB 2^-12
const fx::Format kQa = fx::Format::unsigned_range(8, 1);       // LSB 2^-7
const fx::Format kQs = fx::Format::signed_range(8, 1);
const fx::Format kQg = fx::Format::signed_range(8, 0);  // LSB 2^-7

TEST(MidRiseWeights, OneAndTwoBitWeightFormatsAreMidRise) {
  QuantSpecs q;
  q.weight = {1, 1.0};
  EXPECT_EQ(formats_of(q).weight, kQw1);
  EXPECT_EQ(kQw1.frac_bits, 0);
  EXPECT_EQ(kQw1.min_code(), -1);
  EXPECT_EQ(kQw1.max_code(), 0);
  q.weight = {2, 1.0};
  EXPECT_EQ(formats_of(q).weight, kQw2);
  EXPECT_EQ(kQw2.frac_bits, 1);
  q.weight = {2, 2.0};
  EXPECT_EQ(formats_of(q).weight, fx::Format::signed_range(2, 1, true));
  q.weight = {3, 1.0};
  EXPECT_EQ(formats_of(q).weight, fx::Format::signed_range(3, 0, false));
  q.weight = {2, 1.0};
  q.gradient = {2, 1.0};  // other tensors keep refusing 1-2 bits
  EXPECT_THROW(formats_of(q), std::invalid_argument);
}

AffineSetup setup(const fx::Format& weight, const fx::Format& in, int alpha_exp, double lr) {
  AffineSetup s;
  s.in = in;
  s.weight = weight;
  s.bias = kQb;
  s.grad = kQg;
  s.alpha_exp = alpha_exp;
  s.learning_rate = lr;
  s.updater.kind.scheme = Scheme::kOnlineSgd;
  return s;
}

TEST(MidRiseWeights, OneBitFcByHand) {
  // W codes [[0, -1], [-1, 0]] = values [[1/2, -1/2], [-1/2, 1/2]] (row o, column k), alpha 1,
  // b = 0, a = (1, 1/2) = Qa codes (128, 64).
  const LayerShape shape{{LayerKind::kFc, 2}, {1, 1, 2}, {1, 1, 2}};
  AffineLayer layer(shape, setup(kQw1, kQa, 0, 2.0));
  Matrix<int32_t> w(2, 2);
  w(0, 0) = 0;
  w(0, 1) = -1;
  w(1, 0) = -1;
  w(1, 1) = 0;
  layer.set_weight_codes(w);
  const std::vector<int16_t> a = {128, 64};
  std::vector<int16_t> z(2);
  layer.forward(a.data(), z.data(), true);
  // z = (1/2 - 1/4, -1/2 + 1/4) = (1/4, -1/4) = Qb codes (1024, -1024).
  EXPECT_EQ(z, (std::vector<int16_t>{1024, -1024}));

  // dz = (1/2, -1/4) = Qb codes (2048, -1024), exact in Qg (64, -32); max-norm off.
  // din = W^T dz = (1/4 + 1/8, -1/4 - 1/8) = (3/8, -3/8) = Qb codes (1536, -1536).
  // SGD with lr = 2, LSB_w = 1: dW = round(-2 dz a^T) = round([[-1, -1/2], [1/2, 1/4]])
  //   = [[-1, 0], [1, 0]] (ties toward +inf); W = [[-1, -1], [0, -1]] + saturation to [-1, 0]:
  //   (0,0): 0 - 1 = -1; (0,1): -1 + 0 = -1; (1,0): -1 + 1 = 0; (1,1): 0 + 0 = 0.
  // db = round(-2 dz / 2^-12) = (-4096, 2048).
  const std::vector<int16_t> dout = {2048, -1024};
  std::vector<int16_t> din(2);
  layer.backward(a.data(), dout.data(), din.data(), true);
  EXPECT_EQ(din, (std::vector<int16_t>{1536, -1536}));
  EXPECT_EQ(layer.weight_codes()(0, 0), -1);
  EXPECT_EQ(layer.weight_codes()(0, 1), -1);
  EXPECT_EQ(layer.weight_codes()(1, 0), 0);
  EXPECT_EQ(layer.weight_codes()(1, 1), 0);
  EXPECT_EQ(layer.bias_codes(), (std::vector<int32_t>{-4096, 2048}));

  // Saturation: a second identical step would move (0,0) to -2 and (1,0) to 1; both clip.
  // Forward with W = [[-1/2, -1/2], [1/2, 1/2]], b = (-1, 1/2):
  // z = (-1/2 - 1/4 - 1, 1/2 + 1/4 + 1/2) = (-7/4, 5/4) = Qb codes (-7168, 5120).
  layer.forward(a.data(), z.data(), true);
  EXPECT_EQ(z, (std::vector<int16_t>{-7168, 5120}));
  layer.backward(a.data(), dout.data(), din.data(), true);
  EXPECT_EQ(layer.weight_codes()(0, 0), -1);
  EXPECT_EQ(layer.weight_codes()(1, 0), 0);
  // The same dz against the new weights: din = W^T dz = (-1/4 - 1/8, -1/4 - 1/8) = -3/8 each.
  EXPECT_EQ(din, (std::vector<int16_t>{-1536, -1536}));
}

std::vector<int16_t> random_codes(size_t n, const fx::Format& f, uint64_t stream) {
  CounterRng rng(23, stream);
  std::vector<int16_t> v(n);
  const int64_t span = f.max_code() - f.min_code() + 1;
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<int16_t>(f.min_code() +
                                static_cast<int64_t>(rng.bits32(i) % static_cast<uint32_t>(span)));
  return v;
}

std::vector<double> values(const std::vector<int16_t>& c, const fx::Format& f) {
  std::vector<double> v(c.size());
  for (size_t i = 0; i < c.size(); ++i) v[i] = fx::to_double(c[i], f);
  return v;
}

int64_t quantize(double x, const fx::Format& f) {
  return fx::quantize(x, f, fx::Rounding::kNearest, 0, nullptr);
}

// Forward, backward data and one SGD step of a layer with random weight codes of `wf` against
// the double reference on the exact values; the update saturates to the weight code range.
void check_layer(const LayerShape& shape, const fx::Format& wfmt, const fx::Format& in_fmt, int alpha_exp,
                 uint64_t seed) {
  const bool conv = shape.spec.kind == LayerKind::kConv3x3;
  const int n_o = shape.out.c, k = shape.fan_in();
  // Updates of several LSBs, so that some survive the saturation: lr 2 / alpha (dw carries alpha).
  const double lr = 2.0 * std::ldexp(1.0, -alpha_exp);
  AffineLayer layer(shape, setup(wfmt, in_fmt, alpha_exp, lr));
  const auto wc = random_codes(static_cast<size_t>(n_o) * k, wfmt, seed);
  Matrix<int32_t> w(static_cast<size_t>(n_o), static_cast<size_t>(k));
  std::vector<double> wv(wc.size());  // [o][k]
  for (int o = 0; o < n_o; ++o)
    for (int t = 0; t < k; ++t) {
      const int16_t c = wc[static_cast<size_t>(o) * k + t];
      w(static_cast<size_t>(o), static_cast<size_t>(t)) = c;
      wv[static_cast<size_t>(o) * k + t] = fx::to_double(c, wfmt);
    }
  layer.set_weight_codes(w);
  const auto bc = random_codes(static_cast<size_t>(n_o), fx::Format::signed_range(14, 1), seed + 1);
  layer.set_bias_codes(std::vector<int32_t>(bc.begin(), bc.end()));
  const auto bv = values(bc, kQb);
  const auto x = random_codes(static_cast<size_t>(shape.in.size()), in_fmt, seed + 2);
  const auto xv = values(x, in_fmt);
  const double alpha = std::ldexp(1.0, alpha_exp);

  std::vector<int16_t> z(static_cast<size_t>(shape.out.size()));
  layer.forward(x.data(), z.data(), true);
  std::vector<double> zf(z.size());
  if (conv)
    fref::conv3x3_forward(shape.in, n_o, xv.data(), wv.data(), bv.data(), alpha, zf.data());
  else
    fref::fc_forward(k, n_o, xv.data(), wv.data(), bv.data(), alpha, zf.data());
  for (size_t i = 0; i < z.size(); ++i) ASSERT_EQ(z[i], quantize(zf[i], kQb)) << "z[" << i << "]";

  // dout on the Qg grid (32 Qb codes per Qg code): Qg is exact, so din = Qb(alpha W^T dz) and
  // dW = round(-lr alpha sum dz a^T / LSB_w) (the float reference's dw), clamped to the code range.
  const auto g8 = random_codes(z.size(), kQg, seed + 3);
  std::vector<int16_t> dout(z.size());
  for (size_t i = 0; i < z.size(); ++i) dout[i] = static_cast<int16_t>(g8[i] * 32);
  std::vector<int16_t> din(x.size());
  layer.backward(x.data(), dout.data(), din.data(), true);
  const auto gv = values(g8, kQg);
  std::vector<double> dav(x.size()), dwv(wv.size()), dbv(static_cast<size_t>(n_o));
  if (conv)
    fref::conv3x3_backward(shape.in, n_o, xv.data(), wv.data(), alpha, gv.data(), dav.data(), dwv.data(),
                           dbv.data());
  else
    fref::fc_backward(k, n_o, xv.data(), wv.data(), alpha, gv.data(), dav.data(), dwv.data(), dbv.data());
  int64_t din_nonzero = 0;
  for (size_t i = 0; i < din.size(); ++i) {
    ASSERT_EQ(din[i], quantize(dav[i], kQb)) << "din[" << i << "]";
    din_nonzero += din[i] != 0;
  }
  const fx::Format update = fx::Format::with_frac(32, true, 0);
  const double lsb = std::ldexp(1.0, -wfmt.frac_bits);
  int64_t moved = 0;
  for (int o = 0; o < n_o; ++o)
    for (int t = 0; t < k; ++t) {
      const size_t i = static_cast<size_t>(o) * k + t;
      const int64_t delta = quantize(-lr * dwv[i] / lsb, update);  // dw = alpha sum dz a^T (the authors')
      const int64_t expected = std::clamp<int64_t>(wc[i] + delta, wfmt.min_code(), wfmt.max_code());
      moved += expected != wc[i];
      ASSERT_EQ(layer.weight_codes()(static_cast<size_t>(o), static_cast<size_t>(t)), expected)
          << "w[" << o << "][" << t << "]";
    }
  // Not vacuous: input gradients are mostly non-zero and some weights moved.
  EXPECT_GT(din_nonzero, static_cast<int64_t>(din.size()) / 2);
  EXPECT_GT(moved, 0);
}

TEST(MidRiseWeights, ConvAndFcMatchQuantizedFloatReference) {
  for (const fx::Format& wfmt : {kQw1, kQw2, fx::Format::signed_range(2, 1, true)}) {
    SCOPED_TRACE(wfmt.to_string());
    check_layer({{LayerKind::kConv3x3, 6}, {7, 6, 4}, {5, 4, 6}}, wfmt, kQa, -3, 100);
    check_layer({{LayerKind::kConv3x3, 5}, {6, 5, 3}, {4, 3, 5}}, wfmt, kQs, -2, 200);
    check_layer({{LayerKind::kFc, 9}, {2, 3, 4}, {1, 1, 9}}, wfmt, kQs, -3, 400);
    check_layer({{LayerKind::kFc, 3}, {1, 1, 50}, {1, 1, 3}}, wfmt, kQa, -4, 500);
  }
}

TEST(MidRiseWeights, HeInitUsesBothOneBitLevels) {
  // 96 cells of N(0, (sqrt(2/24)/alpha)^2) draws, quantized to {-1/2, +1/2}: each cell is -1 or
  // 0 with probability 1/2 (the normal is symmetric), so one level missing has probability
  // 2 * 2^-96.
  const LayerShape shape{{LayerKind::kFc, 4}, {1, 1, 24}, {1, 1, 4}};
  AffineLayer layer(shape, setup(kQw1, kQa, -2, 0.01));
  layer.init_he(make_rng(5, RngStream::kInit, 0));
  const Matrix<int32_t>& w = layer.weight_codes();
  int negatives = 0;
  for (size_t i = 0; i < w.rows() * w.cols(); ++i) {
    ASSERT_TRUE(w.data()[i] == -1 || w.data()[i] == 0) << w.data()[i];
    negatives += w.data()[i] == -1;
  }
  EXPECT_GT(negatives, 0);
  EXPECT_LT(negatives, 96);
}

// ---- Engine with 2-bit weights: RRAM storage and checkpoints ----------------------------

NetworkSpec small_net() {
  NetworkSpec n;
  n.in_h = 8;
  n.in_w = 8;
  n.in_c = 1;
  n.layers = {{LayerKind::kConv3x3, 4},
              {LayerKind::kMaxPool2, 0},
              {LayerKind::kRelu, 0},
              {LayerKind::kBatchNorm, 0},
              {LayerKind::kFc, 3}};
  return n;
}

TrainSpecs two_bit_specs() {
  TrainSpecs t;
  t.quant.weight = {2, 1.0};
  t.conv.batch = 3;
  t.fc.batch = 5;
  t.learning_rate = 0.5;  // moves 2-bit codes (LSB 1/2) within a few batches
  t.seed = 29;
  return t;
}

int make_sample(uint64_t i, std::vector<uint8_t>& img) {
  const CounterRng r(31, 3);
  const uint64_t base = i * 65;
  const int label = static_cast<int>(r.bits32(base) % 3);
  for (size_t p = 0; p < img.size(); ++p)
    img[p] =
        static_cast<uint8_t>((static_cast<int>(p / 8) / 3 == label ? 180 : 30) + r.bits32(base + 1 + p) % 50);
  return label;
}

void train(Engine& e, uint64_t from, uint64_t to) {
  std::vector<uint8_t> img(64);
  for (uint64_t i = from; i < to; ++i) {
    const int label = make_sample(i, img);
    e.train_step(img.data(), label);
  }
}

std::vector<uint8_t> state_bytes(const Engine& e) {
  CheckpointWriter w(0x2b17);
  save_training_state(e, w);
  return w.serialize();
}

TEST(MidRiseWeights, TwoBitEngineInRramTrainsBitIdenticallyAndResumes) {
  const TrainSpecs specs = two_bit_specs();
  Engine plain(small_net(), specs), stored(small_net(), specs);
  ASSERT_TRUE(stored.formats().weight.mid_rise);
  std::vector<std::unique_ptr<device::RramArray>> arrays;
  std::vector<std::unique_ptr<device::RramWeightStore>> stores;
  std::vector<WeightStore*> pointers;
  for (int l : stored.trainable_layers()) {
    const Matrix<int32_t>& w = stored.affine(l).weight_codes();
    device::RramArraySpecs s;  // ideal binary cells holding 2-bit words
    s.bits_per_cell = 1;
    s.weight_bits = 2;
    s.weight_range = 1.0;
    s.cells = w.rows() * w.cols() * 2;
    s.endurance.distribution = device::EnduranceDistribution::kFixed;
    s.endurance.writes = 4'000'000'000;
    arrays.push_back(std::make_unique<device::RramArray>(s, 7, static_cast<uint32_t>(l)));
    stores.push_back(std::make_unique<device::RramWeightStore>(*arrays.back()));
    pointers.push_back(stores.back().get());
  }
  stored.attach_weight_stores(pointers, true);
  const uint64_t initial = plain.weights_digest();
  train(plain, 0, 120);
  train(stored, 0, 120);
  EXPECT_NE(plain.weights_digest(), initial);  // the run moved codes
  EXPECT_EQ(stored.weights_digest(), plain.weights_digest());
  for (size_t j = 0; j < arrays.size(); ++j) {
    const Matrix<int32_t>& w = stored.affine(stored.trainable_layers()[j]).weight_codes();
    for (uint64_t i = 0; i < arrays[j]->words(); ++i) ASSERT_EQ(arrays[j]->peek_word(i), w.data()[i]) << j;
  }

  // Checkpoint at 120, train to 200; a fresh engine resumed from the checkpoint must match.
  const std::vector<uint8_t> at_120 = state_bytes(plain);
  train(plain, 120, 200);
  Engine resumed(small_net(), specs);
  load_training_state(resumed, Checkpoint::parse(at_120, "at_120.ckpt"));
  train(resumed, 120, 200);
  EXPECT_EQ(resumed.weights_digest(), plain.weights_digest());
  EXPECT_TRUE(state_bytes(resumed) == state_bytes(plain));
}

}  // namespace
}  // namespace lrt::golden
