// rtl/rr_divider.sv against fixmath::div_round, bit for bit, including the contract: the RTL
// must raise out_error exactly for the operands the model rejects (std::logic_error). Corners
// (den 1 and 2^62 - 1, num 0 and 2^64 - 1, frac 0 / 62 / 63, the quotient bound on both
// sides, the four call sites' operand shapes) and 2^17 random triples with uniformly drawn
// bit lengths. Latency must equal the documented 66 + frac edges (1 for a violation).
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "Vrr_divider.h"
#include "golden/rank_reduce/fixed_math.h"
#include "rtl_harness.h"

namespace lrt::rtl_test {
namespace {

using golden::fixmath::bit_length;
using golden::fixmath::div_round;

struct DivOp {
  uint64_t num;
  uint64_t den;
  int frac;  // 0..127 (the port is 7 bits wide)
};

struct DivRef {
  bool error = false;
  uint64_t quot = 0;
};

DivRef reference(const DivOp& op) {
  try {
    return {false, div_round(op.num, op.den, op.frac)};
  } catch (const std::logic_error&) {
    return {true, 0};
  }
}

constexpr int kSteps = 64 + 1;  // + frac: quotient bits; the accepting edge adds one

std::vector<DivOp> corner_ops() {
  const uint64_t max62 = (uint64_t{1} << 62) - 1;
  std::vector<DivOp> ops;
  for (uint64_t num : {uint64_t{0}, uint64_t{1}, uint64_t{3}, max62, uint64_t{1} << 62, ~uint64_t{0}})
    for (uint64_t den : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{1} << 31, max62,
                         uint64_t{1} << 62, ~uint64_t{0}})
      for (int frac : {0, 1, 30, 61, 62, 63, 127}) ops.push_back({num, den, frac});
  // The quotient check bit_length(num) + frac + 1 <= bit_length(den) + 63, on both sides.
  for (int bd = 1; bd <= 62; bd += 7)
    for (int f : {0, 5, 62}) {
      const int bn = bd + 62 - f;  // boundary: equality holds
      if (bn < 1 || bn > 64) continue;
      const uint64_t num = bn == 64 ? ~uint64_t{0} : (uint64_t{1} << bn) - 1;
      const uint64_t den = uint64_t{1} << (bd - 1);
      ops.push_back({num, den, f});
      if (bn < 64) ops.push_back({num + 1, den, f});  // one bit longer: rejected
    }
  // Call sites (docs §2.3): 1/N at bN + 30, x0 radicands at 60, 1/|v0| at 60, s1/k at 0.
  for (uint64_t n : {uint64_t{1} << 23, (uint64_t{1} << 24) + 12345, (uint64_t{1} << 31)})
    ops.push_back({1, n, bit_length(n) + 30});
  ops.push_back({(uint64_t{1} << 33) - 7, (uint64_t{1} << 33) - 1, 60});
  ops.push_back({1, uint64_t{314471251}, 60});
  for (uint64_t k = 1; k <= 8; ++k) ops.push_back({(uint64_t{1} << 33) + 5, k, 0});
  return ops;
}

std::vector<DivOp> random_ops(uint64_t seed, std::size_t n) {
  RngCursor rng(seed, static_cast<uint64_t>(RngStream::kTest));
  std::vector<DivOp> ops(n);
  for (auto& op : ops) {
    op.den = random_magnitude(rng, 62);
    op.num = random_magnitude(rng, 64);
    // Mostly a frac that keeps the quotient in range (the useful operands); 1/8 anywhere.
    const int room = bit_length(op.den) + 62 - bit_length(op.num);
    if ((rng.bits32() & 7u) == 0 || room < 0)
      op.frac = static_cast<int>(rng.below(128));
    else
      op.frac = static_cast<int>(rng.below(static_cast<uint64_t>(std::min(room, 62)) + 1));
  }
  return ops;
}

void expect_exact(const std::vector<DivOp>& ops, int* errors_seen) {
  Clocked<Vrr_divider> dut;
  int mismatches = 0;
  for (const DivOp& op : ops) {
    const DivRef ref = reference(op);
    const int expected_latency = ref.error ? 1 : kSteps + op.frac + 1;
    const int latency = run_one(
        dut,
        [&op](Vrr_divider& m) {
          m.in_num = op.num;
          m.in_den = op.den;
          m.in_frac = static_cast<uint8_t>(op.frac);
        },
        300);
    *errors_seen += ref.error;
    const bool ok = latency == expected_latency && dut->out_error == ref.error && dut->out_quot == ref.quot;
    if (!ok && ++mismatches <= 5)
      ADD_FAILURE() << "num " << hex(op.num) << " den " << hex(op.den) << " frac " << op.frac << ": latency "
                    << latency << " (expected " << expected_latency << "), error " << int{dut->out_error}
                    << " vs " << ref.error << ", quot " << hex(dut->out_quot) << " vs " << hex(ref.quot)
                    << ", cycle " << dut.cycles();
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(RtlDivider, CornersBitExactIncludingContract) {
  const std::vector<DivOp> ops = corner_ops();
  int errors = 0;
  expect_exact(ops, &errors);
  // The corner set holds operands on both sides of every contract clause.
  EXPECT_GT(errors, 0);
  EXPECT_LT(errors, static_cast<int>(ops.size()));
}

TEST(RtlDivider, RandomBitExact) {
  const std::vector<DivOp> ops = random_ops(31, std::size_t{1} << 17);
  int errors = 0;
  expect_exact(ops, &errors);
  RecordProperty("contract_violations", errors);
  RecordProperty("cycles_per_op", "66 + frac");
}

TEST(RtlDivider, RandomHandshakeKeepsOrderAndHoldsResults) {
  const std::vector<DivOp> ops = random_ops(32, 2000);
  Clocked<Vrr_divider> dut;
  RngCursor rng(33, static_cast<uint64_t>(RngStream::kTest));
  int bad = 0;
  const std::size_t delivered = stress_handshake(
      dut, ops,
      [](Vrr_divider& m, const DivOp& op) {
        m.in_num = op.num;
        m.in_den = op.den;
        m.in_frac = static_cast<uint8_t>(op.frac);
      },
      [&bad](Vrr_divider& m, const DivOp& op) {
        const DivRef ref = reference(op);
        if (m.out_error != ref.error || m.out_quot != ref.quot) ++bad;
      },
      rng, 2000 * 600);
  EXPECT_EQ(delivered, ops.size());
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace lrt::rtl_test
