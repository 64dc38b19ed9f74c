// rtl/rr_cordic.sv against fixmath::cordic_atan2 and cordic_cos_sin, bit for bit, including
// the contract (out_error exactly where the model throws std::logic_error). Vectoring:
// (0, 0), the axes and diagonals in all quadrants, the extremes +-(2^62 - 1), the rejected
// 2^62 and INT64_MIN, operands at every normalization shift (bit lengths 1..62, so both the
// exact left shift and the flooring right shift), and 2^17 random pairs with random bit
// lengths and signs. Rotation: multiples of pi/4 and their neighbours (quadrant boundaries),
// +-(2^40 - 1), the rejected +-2^40, and 2^17 random angles, half of them in the range the
// Jacobi produces (|angle| < 2^33). Latency must be the documented 33 edges (1 for (0, 0)
// and for a violation).
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "Vrr_cordic.h"
#include "golden/rank_reduce/fixed_math.h"
#include "rtl_harness.h"

namespace lrt::rtl_test {
namespace {

namespace fm = golden::fixmath;

constexpr int kIterLatency = fm::kCordicIterations + 1;  // + the accepting edge
constexpr int kAngleBits = 35;
constexpr int kTrigBits = 32;

struct CordicOp {
  bool rotate;
  int64_t x, y, angle;
};

struct CordicRef {
  bool error = false;
  bool iterates = true;
  int64_t angle = 0, c = 0, s = 0;
};

CordicRef reference(const CordicOp& op) {
  CordicRef r;
  try {
    if (op.rotate) {
      const fm::CosSin cs = fm::cordic_cos_sin(op.angle);
      r.c = cs.c;
      r.s = cs.s;
    } else {
      r.angle = fm::cordic_atan2(op.y, op.x);
      r.iterates = !(op.x == 0 && op.y == 0);
    }
  } catch (const std::logic_error&) {
    r = CordicRef{true, false, 0, 0, 0};
  }
  return r;
}

void apply(Vrr_cordic& m, const CordicOp& op) {
  m.in_rotate = op.rotate;
  m.in_x = static_cast<uint64_t>(op.x);
  m.in_y = static_cast<uint64_t>(op.y);
  m.in_angle = static_cast<uint64_t>(op.angle);
}

// Compares the outputs the mode defines; returns an empty string on a match.
std::string compare(Vrr_cordic& m, const CordicOp& op, const CordicRef& ref) {
  std::string diff;
  if (m.out_error != ref.error) diff += " error " + std::to_string(m.out_error);
  if (op.rotate) {
    const int64_t c = sign_extend(m.out_cos, kTrigBits);
    const int64_t s = sign_extend(m.out_sin, kTrigBits);
    if (c != ref.c || s != ref.s)
      diff += " cos/sin " + std::to_string(c) + "/" + std::to_string(s) + " vs " + std::to_string(ref.c) + "/" +
              std::to_string(ref.s);
  } else {
    const int64_t a = sign_extend(m.out_angle, kAngleBits);
    if (a != ref.angle) diff += " angle " + std::to_string(a) + " vs " + std::to_string(ref.angle);
  }
  return diff;
}

void expect_exact(const std::vector<CordicOp>& ops, int* errors_seen) {
  Clocked<Vrr_cordic> dut;
  int mismatches = 0;
  for (const CordicOp& op : ops) {
    const CordicRef ref = reference(op);
    const int expected_latency = ref.iterates ? kIterLatency : 1;
    const int latency = run_one(dut, [&op](Vrr_cordic& m) { apply(m, op); }, 100);
    *errors_seen += ref.error;
    std::string diff = compare(dut.dut(), op, ref);
    if (latency != expected_latency)
      diff += " latency " + std::to_string(latency) + " vs " + std::to_string(expected_latency);
    if (!diff.empty() && ++mismatches <= 5)
      ADD_FAILURE() << (op.rotate ? "rotate angle " + std::to_string(op.angle)
                                  : "atan2 y " + std::to_string(op.y) + " x " + std::to_string(op.x))
                    << ":" << diff << ", cycle " << dut.cycles();
  }
  EXPECT_EQ(mismatches, 0);
}

int64_t random_signed(RngCursor& rng, int bits) {
  const auto m = static_cast<int64_t>(random_magnitude(rng, bits));
  return (rng.bits32() & 1u) ? -m : m;
}

std::vector<CordicOp> vectoring_corners() {
  const int64_t max62 = (int64_t{1} << 62) - 1;
  std::vector<CordicOp> ops;
  const std::vector<int64_t> v = {0, 1, -1, 2, -2, 12345, -12345, (int64_t{1} << 31) - 1, int64_t{1} << 31,
                                  -(int64_t{1} << 31), max62, -max62, int64_t{1} << 62, -(int64_t{1} << 62),
                                  INT64_MIN, INT64_MAX};
  for (int64_t x : v)
    for (int64_t y : v) ops.push_back({false, x, y, 0});
  for (int b = 1; b <= 62; ++b) {  // every normalization shift
    const int64_t m = (int64_t{1} << (b - 1)) | 1;
    ops.push_back({false, m, m / 3, 0});
    ops.push_back({false, -m, m / 5, 0});
    ops.push_back({false, -m / 7, -m, 0});
  }
  return ops;
}

std::vector<CordicOp> rotation_corners() {
  std::vector<CordicOp> ops;
  const int64_t eighth = int64_t{1} << 30;  // pi/4
  for (int64_t k = -16; k <= 16; ++k)
    for (int64_t d : {-1, 0, 1}) ops.push_back({true, 0, 0, k * eighth + d});
  const int64_t lim = int64_t{1} << 40;
  for (int64_t a : {lim - 1, -(lim - 1), lim, -lim, lim + 1, INT64_MIN, INT64_MAX, int64_t{0}})
    ops.push_back({true, 0, 0, a});
  return ops;
}

TEST(RtlCordic, VectoringCornersBitExact) {
  int errors = 0;
  expect_exact(vectoring_corners(), &errors);
  EXPECT_GT(errors, 0);  // the rejected operands are in the set
}

TEST(RtlCordic, RotationCornersBitExact) {
  int errors = 0;
  expect_exact(rotation_corners(), &errors);
  EXPECT_GT(errors, 0);
}

TEST(RtlCordic, RandomVectoringAndRotationBitExact) {
  RngCursor rng(41, static_cast<uint64_t>(RngStream::kTest));
  std::vector<CordicOp> ops;
  for (int i = 0; i < (1 << 17); ++i) {
    // Vectoring: operands up to 63 bits (62-bit magnitudes pass, 63-bit ones are rejected),
    // 7/8 of them within 33 bits, the range of the Jacobi's sums and differences.
    const int bits = (rng.bits32() & 7u) == 0 ? 63 : 33;
    ops.push_back({false, random_signed(rng, bits), random_signed(rng, bits), 0});
    ops.push_back({true, 0, 0, random_signed(rng, (i & 1) ? 41 : 33)});
  }
  int errors = 0;
  expect_exact(ops, &errors);
  RecordProperty("contract_violations", errors);
  RecordProperty("cycles_per_op", kIterLatency);
}

TEST(RtlCordic, RandomHandshakeKeepsOrderAndHoldsResults) {
  RngCursor gen(42, static_cast<uint64_t>(RngStream::kTest));
  std::vector<CordicOp> ops;
  for (int i = 0; i < 2000; ++i)
    ops.push_back({(i & 1) != 0, random_signed(gen, 40), random_signed(gen, 40), random_signed(gen, 36)});
  Clocked<Vrr_cordic> dut;
  RngCursor rng(43, static_cast<uint64_t>(RngStream::kTest));
  int bad = 0;
  const std::size_t delivered = stress_handshake(
      dut, ops, apply, [&bad](Vrr_cordic& m, const CordicOp& op) { bad += !compare(m, op, reference(op)).empty(); },
      rng, 2000 * 200);
  EXPECT_EQ(delivered, ops.size());
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace lrt::rtl_test
