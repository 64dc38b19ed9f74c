// Quantization points of the golden engine: the shift quantizer against fx::requantize,
// the per-layer scale alpha, the straight-through estimator of every quantizer (clipped
// elements pass zero gradient), and gradient max-norm (Appendix D).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"
#include "golden/training/layers.h"
#include "golden/training/max_norm.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {
namespace {

TEST(EngineQuant, ShiftQuantizerEqualsFxRequantizeNearest) {
  // Every (source LSB, destination format) pair the datapath uses, on random and edge values.
  const std::vector<fx::Format> dsts = {fx::Format::signed_range(8, 0), fx::Format::signed_range(16, 3),
                                        fx::Format::unsigned_range(8, 1), fx::Format::signed_range(8, 1)};
  CounterRng rng(7, 0);
  uint64_t idx = 0;
  for (const fx::Format& dst : dsts)
    for (int src_frac = dst.frac_bits - 8; src_frac <= dst.frac_bits + 40; ++src_frac) {
      const ShiftQuantizer q = ShiftQuantizer::make(src_frac, dst);
      std::vector<int64_t> values = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN};
      for (int i = 0; i < 200; ++i) values.push_back(static_cast<int32_t>(rng.bits32(idx++)));
      for (int i = 0; i < 50; ++i)
        values.push_back(static_cast<int64_t>(rng.bits64(idx++) >> 4) - (int64_t{1} << 59));
      for (int64_t v : values) {
        if (src_frac < dst.frac_bits && (v > INT32_MAX || v < INT32_MIN)) continue;  // left shifts take int32
        fx::ClipCounter clips;
        const int64_t expect = fx::requantize(fx::Wide{v, src_frac}, dst, fx::Rounding::kNearest, 0, &clips);
        bool clipped = false;
        ASSERT_EQ(q(v, &clipped), expect)
            << "v=" << v << " src_frac=" << src_frac << " dst=" << dst.to_string();
        ASSERT_EQ(clipped, clips.clipped == 1) << "v=" << v;
      }
    }
}

TEST(EngineQuant, RoundShiftTiesGoTowardPlusInfinity) {
  EXPECT_EQ(round_shift(3, 1), 2);    // 1.5 -> 2
  EXPECT_EQ(round_shift(-3, 1), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(round_shift(-6, 2), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(round_shift(-3, -2), -12);
}

TEST(EngineQuant, AlphaIsTheClosestPowerOfTwoToHeScale) {
  // Hand values: sqrt(2/9) = 0.471 -> 2^-1; sqrt(2/144) = 0.118 -> 2^-3; sqrt(2/800) = 0.05
  // -> 2^-4 (0.0625 is 0.0125 away, 0.03125 is 0.01875 away); sqrt(2/1152) = 0.0417 -> 2^-5;
  // sqrt(2/2048) = 2^-5 exactly; sqrt(2/512) = 2^-4 exactly; sqrt(2/1) = 1.414 -> 2^0.
  EXPECT_EQ(alpha_exponent(9), -1);
  EXPECT_EQ(alpha_exponent(144), -3);
  EXPECT_EQ(alpha_exponent(800), -4);
  EXPECT_EQ(alpha_exponent(1152), -5);
  EXPECT_EQ(alpha_exponent(2048), -5);
  EXPECT_EQ(alpha_exponent(512), -4);
  EXPECT_EQ(alpha_exponent(1), 0);
  // Property over every fan-in up to 2^16: no other power of two is closer.
  for (int n = 1; n <= 65536; ++n) {
    const double he = std::sqrt(2.0 / n);
    const int e = alpha_exponent(n);
    const double d = std::fabs(std::ldexp(1.0, e) - he);
    ASSERT_LT(d, std::fabs(std::ldexp(1.0, e + 1) - he)) << n;
    ASSERT_LT(d, std::fabs(std::ldexp(1.0, e - 1) - he)) << n;
  }
}

TEST(EngineQuant, ReluSteAndQaClipping) {
  // Qb input (2^-12) -> ReLU -> Qa (u8, 2^-7, max 255/128). Gradient passes only where
  // 0 < x and Qa did not clip: the STE of a clipped quantizer passes zero gradient.
  const fx::Format qb = fx::Format::signed_range(16, 3), qa = fx::Format::unsigned_range(8, 1);
  const std::vector<int16_t> x = {-4096, -1, 0, 1, 15, 16, 4096, 8160, 8175, 8176, 32767};
  // Hand results: 1 and 15 round to 0 (< half an LSB of 32 codes) but still pass; 16 rounds
  // up to 1 (tie toward +inf); 8160 = 255 * 32 is the top code; 8175 rounds to 255
  // (255.47); 8176 = 255.5 * 32 rounds to 256 and clips; 32767 clips.
  const std::vector<int16_t> want_y = {0, 0, 0, 0, 0, 1, 128, 255, 255, 255, 255};
  const std::vector<int> want_pass = {0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0};
  ActivationLayer relu(TensorShape{1, 1, static_cast<int>(x.size())}, qb, qa, true);
  std::vector<int16_t> y(x.size()), dx(x.size());
  relu.forward(x.data(), y.data(), true);
  const std::vector<int16_t> dy(x.size(), 77);
  relu.backward(x.data(), dy.data(), dx.data(), true);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(y[i], want_y[i]) << "x=" << x[i];
    EXPECT_EQ(dx[i], want_pass[i] ? 77 : 0) << "x=" << x[i];
  }
}

TEST(EngineQuant, SignedActivationSteAndClipping) {
  // Qb -> signed 8-bit [-2, 2) (2^-6): shift 6. Clips below -128 and above 127 codes.
  const fx::Format qb = fx::Format::signed_range(16, 3), qs = fx::Format::signed_range(8, 1);
  const std::vector<int16_t> x = {-32768, -8224, -8223, -8192, -33, -32, 0, 31, 32, 8159, 8160, 32767};
  // -8224 = -128.5 * 64 rounds (toward +inf) to -128: not clipped; -8225 would be.
  // 8159 = 127.48 * 64 -> 127; 8160 = 127.5 * 64 -> 128: clipped. -32 = -0.5 -> 0 (tie).
  const std::vector<int16_t> want_y = {-128, -128, -128, -128, -1, 0, 0, 0, 1, 127, 127, 127};
  const std::vector<int> want_pass = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  ActivationLayer q(TensorShape{1, 1, static_cast<int>(x.size())}, qb, qs, false);
  std::vector<int16_t> y(x.size()), dx(x.size());
  q.forward(x.data(), y.data(), true);
  const std::vector<int16_t> dy(x.size(), -5);
  q.backward(x.data(), dy.data(), dx.data(), true);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(y[i], want_y[i]) << "x=" << x[i];
    EXPECT_EQ(dx[i], want_pass[i] ? -5 : 0) << "x=" << x[i];
  }
}

TEST(EngineQuant, LayerOutputQbClipPassesNoGradient) {
  // A 1 -> 2 fc layer with alpha = 1 whose first output saturates Qb ([-8, 8)): its dz is
  // zeroed by the STE, so its weight does not move while the other one does.
  const LayerShape shape{{LayerKind::kFc, 2}, {1, 1, 1}, {1, 1, 2}};
  AffineSetup s;
  s.in = fx::Format::unsigned_range(8, 0);
  s.weight = fx::Format::signed_range(8, 0);
  s.bias = fx::Format::signed_range(16, 3);
  s.grad = fx::Format::signed_range(8, 0);
  s.alpha_exp = 0;
  s.learning_rate = 1.0;
  s.updater.kind.scheme = Scheme::kOnlineSgd;
  AffineLayer fc(shape, s);
  Matrix<int32_t> w(2, 1, 0);
  w(0, 0) = 64;  // 0.5
  w(1, 0) = 64;
  fc.set_weight_codes(w);
  fc.set_bias_codes({32767, 0});          // z0 = 0.5 a + 7.99976 clips for a > 0.0002
  const std::vector<int16_t> in = {128};  // a = 0.5
  std::vector<int16_t> z(2);
  fc.forward(in.data(), z.data(), true);
  EXPECT_EQ(z[0], 32767);
  EXPECT_EQ(z[1], 1024);                           // 0.25
  const std::vector<int16_t> dz = {-2048, -2048};  // -0.5 each
  fc.backward(in.data(), dz.data(), nullptr, true);
  EXPECT_EQ(fc.last_dz()[0], 0);
  EXPECT_EQ(fc.last_dz()[1], -64);
  // w1 moves by round(-1 * (-0.5) * 0.5 / 2^-7) = +32 codes; w0 stays.
  EXPECT_EQ(fc.weight_codes()(0, 0), 64);
  EXPECT_EQ(fc.weight_codes()(1, 0), 96);
  EXPECT_EQ(fc.writes().counts()[0], 0u);
  EXPECT_EQ(fc.writes().counts()[1], 1u);
}

TEST(EngineQuant, MaxNormStateFollowsAppendixD) {
  // beta = 1/2, eps = 1/4 keep every value exact in binary. By hand:
  // call 1: max 1: x_max = 1.25, x_mv = 0.5 * 0.25 + 0.5 * 1.25 = 0.75, corrected
  //         0.75 / (1 - 0.5) = 1.5, D = max(1.25, 1.5) = 1.5;
  // call 2: max 0: x_max = 0.25, x_mv = 0.375 + 0.125 = 0.5, corrected 0.5 / 0.75 = 2/3, D = 2/3;
  // call 3: max 3: x_max = 3.25, x_mv = 0.25 + 1.625 = 1.875, corrected 1.875 / 0.875 =
  //         2.142857..., D = 3.25 (the current maximum wins).
  MaxNorm mn(0.5, 0.25);
  EXPECT_EQ(mn.observe(1.0), 1.5);
  EXPECT_EQ(mn.state().k, 1u);
  EXPECT_EQ(mn.state().x_mv, 0.75);
  EXPECT_DOUBLE_EQ(mn.observe(0.0), 2.0 / 3.0);
  EXPECT_EQ(mn.state().x_mv, 0.5);
  EXPECT_EQ(mn.observe(3.0), 3.25);
  EXPECT_EQ(mn.state().x_mv, 1.875);
  EXPECT_EQ(mn.state().k, 3u);
}

TEST(EngineQuant, MaxNormNormalizesTheTensorIntoQg) {
  // Paper constants. The integer reciprocal M = round(2^24 / D) differs from 2^24 / D by at
  // most 1/2, so out = round(x * M * 2^-29) is within 1/2 + |x| 2^-5 * 2^-25 < 1/2 + 2^-15
  // of the exact x / D in Qg units (|x| < 2^15): the nearest code or, at a near-tie, the
  // other neighbour; never further.
  const fx::Format qb = fx::Format::signed_range(16, 3), qg = fx::Format::signed_range(8, 0);
  MaxNorm mn(0.999, 1e-4);
  CounterRng rng(3, 0);
  for (int sample = 0; sample < 50; ++sample) {
    std::vector<int16_t> x(300), out(300);
    const double scale = std::ldexp(1.0, sample % 12);  // quiet and loud samples
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<int16_t>(
          std::clamp(std::round(scale * rng.normal(sample * 1000 + i)), -32768.0, 32767.0));
    const double d = mn.normalize_to(x.data(), static_cast<int64_t>(x.size()), qb, qg, out.data());
    double max_abs = 0.0;
    for (int16_t v : x) max_abs = std::max(max_abs, std::fabs(fx::to_double(v, qb)));
    EXPECT_GE(d, max_abs + 1e-4);  // D >= x_max: no element exceeds 1 after normalizing
    for (size_t i = 0; i < x.size(); ++i) {
      const double exact = fx::to_double(x[i], qb) / d * 128.0;
      if (exact >= 127.5) {
        EXPECT_EQ(out[i], 127);  // only values within 1/2 LSB of 1.0 saturate
      } else {
        EXPECT_LE(std::fabs(out[i] - exact), 0.5 + std::ldexp(1.0, -15)) << "x=" << x[i] << " D=" << d;
      }
    }
  }
}

}  // namespace
}  // namespace lrt::golden
