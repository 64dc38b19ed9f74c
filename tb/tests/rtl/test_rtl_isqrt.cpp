// rtl/rr_isqrt.sv against fixmath::isqrt_floor / isqrt_round, bit for bit (root, remainder
// and rounded root): every radicand below 2^20, corners (0, 2^64 - 1, powers of two and
// their neighbours, perfect squares and the rounding boundaries k^2 + k, k^2 + k + 1), and
// 2^17 random radicands with uniformly drawn bit length. Both the one-digit-per-cycle build
// (Vrr_isqrt) and the four-digit build (Vrr_isqrt_d4, -GDIGITS_PER_CYCLE=4) are checked, and
// the latency must equal the documented W / (2 D) + 1 edges for every operation.
#include <gtest/gtest.h>

#include <vector>

#include "Vrr_isqrt.h"
#include "Vrr_isqrt_d4.h"
#include "golden/rank_reduce/fixed_math.h"
#include "rtl_harness.h"

namespace lrt::rtl_test {
namespace {

using golden::fixmath::isqrt_floor;
using golden::fixmath::isqrt_round;

std::vector<uint64_t> corner_radicands() {
  std::vector<uint64_t> v = {0, 1, 2, 3, 4, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (int k = 0; k < 64; ++k) {
    const uint64_t p = uint64_t{1} << k;
    v.insert(v.end(), {p, p - 1, p + 1});
  }
  // Perfect squares, the floor boundary k^2 - 1 and the rounding boundary k^2 + k (rounds
  // down) / k^2 + k + 1 (rounds up), for roots of every bit length.
  for (int b = 1; b <= 32; ++b) {
    for (uint64_t k : {(uint64_t{1} << (b - 1)), (uint64_t{1} << b) - 1, (uint64_t{1} << (b - 1)) + 3}) {
      const uint64_t k2 = k * k;  // k < 2^32: no wrap
      v.insert(v.end(), {k2, k2 - 1, k2 + k, k2 + k + 1});
    }
  }
  return v;
}

template <class Model>
void expect_exact(Clocked<Model>& dut, const std::vector<uint64_t>& radicands, int expected_latency,
                  const char* label) {
  int mismatches = 0;
  for (const uint64_t v : radicands) {
    const int latency = run_one(dut, [v](Model& m) { m.in_value = v; }, 4 * expected_latency);
    const auto ref = isqrt_floor(v);
    const bool ok = latency == expected_latency && dut->out_root == ref.root && dut->out_rem == ref.remainder &&
                    dut->out_round == isqrt_round(v);
    if (!ok && ++mismatches <= 5)
      ADD_FAILURE() << label << ": v = " << hex(v) << " latency " << latency << " (expected " << expected_latency
                    << "), root " << hex(dut->out_root) << " vs " << hex(ref.root) << ", rem " << hex(dut->out_rem)
                    << " vs " << hex(ref.remainder) << ", round " << hex(dut->out_round) << " vs "
                    << hex(isqrt_round(v)) << ", cycle " << dut.cycles();
  }
  EXPECT_EQ(mismatches, 0) << label;
}

std::vector<uint64_t> random_radicands(uint64_t seed, std::size_t n) {
  RngCursor rng(seed, static_cast<uint64_t>(RngStream::kTest));
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = random_magnitude(rng, 64);
  return v;
}

constexpr int kLatencyD1 = 64 / 2 + 1;      // 32 digit steps + the accepting edge
constexpr int kLatencyD4 = 64 / (2 * 4) + 1;

TEST(RtlIsqrt, ExhaustiveBelow2To20) {
  std::vector<uint64_t> all(uint64_t{1} << 20);
  for (uint64_t v = 0; v < all.size(); ++v) all[v] = v;
  Clocked<Vrr_isqrt> d1;
  expect_exact(d1, all, kLatencyD1, "D=1");
  Clocked<Vrr_isqrt_d4> d4;
  expect_exact(d4, all, kLatencyD4, "D=4");
  RecordProperty("cycles_per_op_d1", kLatencyD1);
  RecordProperty("cycles_per_op_d4", kLatencyD4);
}

TEST(RtlIsqrt, CornersAndRandom64Bit) {
  std::vector<uint64_t> v = corner_radicands();
  const std::vector<uint64_t> rnd = random_radicands(21, std::size_t{1} << 17);
  v.insert(v.end(), rnd.begin(), rnd.end());
  Clocked<Vrr_isqrt> d1;
  expect_exact(d1, v, kLatencyD1, "D=1");
  Clocked<Vrr_isqrt_d4> d4;
  expect_exact(d4, v, kLatencyD4, "D=4");
}

TEST(RtlIsqrt, RandomHandshakeKeepsOrderAndHoldsResults) {
  const std::vector<uint64_t> v = random_radicands(22, 3000);
  Clocked<Vrr_isqrt> dut;
  RngCursor rng(23, static_cast<uint64_t>(RngStream::kTest));
  int bad = 0;
  const std::size_t delivered = stress_handshake(
      dut, v, [](Vrr_isqrt& m, uint64_t x) { m.in_value = x; },
      [&bad](Vrr_isqrt& m, uint64_t x) {
        if (m.out_root != isqrt_floor(x).root || m.out_round != isqrt_round(x)) ++bad;
      },
      rng, 3000 * 100);
  EXPECT_EQ(delivered, v.size());
  EXPECT_EQ(bad, 0);
}

TEST(RtlIsqrt, ResetAbortsAnOperation) {
  Clocked<Vrr_isqrt> dut;
  dut->in_value = 12345;
  dut->in_valid = 1;
  dut->out_ready = 1;
  dut.tick();
  dut->in_valid = 0;
  for (int i = 0; i < 5; ++i) dut.tick();
  dut->rst = 1;
  dut.tick();
  dut->rst = 0;
  dut.settle();
  EXPECT_TRUE(dut->in_ready);
  for (int i = 0; i < 40; ++i) {
    dut.tick();
    EXPECT_FALSE(dut->out_valid) << "edge " << i;
  }
}

}  // namespace
}  // namespace lrt::rtl_test
