#include "tlm/rank_reduce_cost.h"

#include <algorithm>
#include <stdexcept>

#include "device/spec_error.h"
#include "golden/fixed_math.h"
#include "golden/jacobi_fixed.h"
#include "golden/rank_reduce_fixed.h"

namespace lrt::tlm {
namespace {

constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Step counts of the arithmetic (docs/fixed_point_rank_reduce.md §1, §2).
constexpr uint64_t kSqrtSteps = 32;
// Division runs 65 + f steps; the residual reciprocal uses f = bit_length(N) + 30 <= 62
// (N < 2^32), and a fixed schedule budgets the largest.
constexpr uint64_t kReciprocalSteps = 65 + 62;
constexpr uint64_t kRadicandSteps = 65 + 60;  // x0 radicands and 1/|v_0|: f = 60
constexpr uint64_t kMeanSteps = 65 + 0;       // s1 / k: f = 0

}  // namespace

void validate(const RankReduceUnitSpecs& specs) {
  if (specs.mac_lanes == 0 || specs.mac_lanes > (1u << 16))
    throw device::SpecError("mac_lanes", "must be in 1..65536");
  if (specs.pipeline_fill_cycles > 1024) throw device::SpecError("pipeline_fill_cycles", "must be in 0..1024");
  if (specs.cordic_iterations_per_cycle == 0 || specs.cordic_iterations_per_cycle > 32)
    throw device::SpecError("cordic_iterations_per_cycle", "must be in 1..32");
  if (specs.digits_per_cycle == 0 || specs.digits_per_cycle > 64)
    throw device::SpecError("digits_per_cycle", "must be in 1..64");
  if (specs.register_access_cycles > 1024) throw device::SpecError("register_access_cycles", "must be in 0..1024");
}

uint64_t vector_loop_cycles(const RankReduceUnitSpecs& specs, uint64_t work) {
  return ceil_div(work, specs.mac_lanes) + specs.pipeline_fill_cycles;
}

namespace {

void check_shape(const golden::RankReduceParams& params) {
  if (params.n_o < 1 || params.n_i < 1 || params.n_o > golden::RankReduceFixed::kMaxLength ||
      params.n_i > golden::RankReduceFixed::kMaxLength || params.rank < 1 ||
      params.rank > golden::RankReduceFixed::kMaxRank)
    throw std::invalid_argument("rank_reduce_cycles: shape outside RankReduceFixed's range");
}

}  // namespace

RankReduceCycles rank_reduce_cycles(const RankReduceUnitSpecs& specs, const golden::RankReduceParams& params,
                                    PairOutcome outcome, int64_t dz_nonzero) {
  validate(specs);
  check_shape(params);
  const auto n_o = static_cast<uint64_t>(params.n_o);
  // The loops over dz itself: all n_o entries, or only the non-zero ones when skipping.
  const uint64_t n_dz =
      specs.zero_skip && dz_nonzero >= 0 ? std::min<uint64_t>(static_cast<uint64_t>(dz_nonzero), n_o) : n_o;
  const auto n_i = static_cast<uint64_t>(params.n_i);
  const auto r = static_cast<uint64_t>(params.rank);
  const uint64_t q = r + 1;
  auto loop = [&](uint64_t work) { return vector_loop_cycles(specs, work); };
  auto digits = [&](uint64_t steps) { return ceil_div(steps, specs.digits_per_cycle); };

  RankReduceCycles c;
  c.input = loop(n_dz) + loop(n_i);
  if (outcome == PairOutcome::kZeroInput) return c;

  const uint64_t passes = golden::RankReduceFixed::kGramSchmidtPasses;
  // Left side, first pass: the dot products Q_L^T dz read dz (sparse when skipping); the
  // subtraction and the second pass work on the dense residual. Dense: passes * r * 2 loops.
  c.gram_schmidt += r * (loop(n_dz) + loop(n_o)) + (passes - 1) * r * 2 * loop(n_o);
  c.gram_schmidt += passes * r * 2 * loop(n_i);
  for (uint64_t n : {n_o, n_i}) {
    // max |w|; v = round(w 2^-s) with |v|^2; p = v R with its max; the 16-bit codes.
    c.new_column += 4 * loop(n) + digits(kSqrtSteps) + digits(kReciprocalSteps);
  }
  c.core = loop(q * q) + 1;
  if (outcome == PairOutcome::kSkippedKappa) return c;

  // Each rotation: two atan2 on two engines in parallel, then two cos/sin in parallel, then
  // C's rows and columns and U's and V's columns: 4 pairs of length-q vectors, 4 MACs per
  // element pair = 16 q MACs.
  const uint64_t cordic = ceil_div(golden::fixmath::kCordicIterations, specs.cordic_iterations_per_cycle);
  const uint64_t rotations = static_cast<uint64_t>(golden::kJacobiFixedSweeps) * q * (q - 1) / 2;
  c.svd = rotations * (2 * cordic + ceil_div(16 * q, specs.mac_lanes));
  if (params.mode == golden::RankReduceMode::kUnbiased) {
    // Fixed schedule for the largest mixed block (k = r, m0 = 0): q radicand divisions and
    // square roots, 1/|v_0|, s1 / k.
    c.spectrum = q * (digits(kRadicandSteps) + digits(kSqrtSteps)) + digits(kRadicandSteps) + digits(kMeanSteps);
  }
  c.mixing = loop(2 * q * q * r);
  for (uint64_t n : {n_o, n_i}) c.update += loop(n * q * r) + loop(n * r);
  return c;
}

RankReduceWork rank_reduce_work(const golden::RankReduceParams& params, PairOutcome outcome,
                                int64_t dz_nonzero) {
  check_shape(params);
  const auto n_o = static_cast<uint64_t>(params.n_o);
  const auto n_i = static_cast<uint64_t>(params.n_i);
  const auto r = static_cast<uint64_t>(params.rank);
  const uint64_t q = r + 1, n = n_o + n_i;
  // Zero dz entries a zero-skipping datapath does not read (input scan, first-pass dot products).
  const uint64_t skipped = dz_nonzero >= 0 && static_cast<uint64_t>(dz_nonzero) < n_o
                               ? n_o - static_cast<uint64_t>(dz_nonzero)
                               : 0;
  RankReduceWork w;
  w.macs = n - skipped;  // |x|^2 of the input scan
  if (outcome == PairOutcome::kZeroInput) return w;
  w.macs += golden::RankReduceFixed::kGramSchmidtPasses * r * 2 * n - r * skipped + 4 * n + q * q;
  w.digit_steps = 2 * (kSqrtSteps + kReciprocalSteps);
  if (outcome == PairOutcome::kSkippedKappa) return w;
  const uint64_t rotations = static_cast<uint64_t>(golden::kJacobiFixedSweeps) * q * (q - 1) / 2;
  w.cordic_iterations = rotations * 4 * golden::fixmath::kCordicIterations;  // two atan2, two cos/sin
  w.macs += rotations * 16 * q + 2 * q * q * r + n * (q * r + r);
  if (params.mode == golden::RankReduceMode::kUnbiased)
    w.digit_steps += q * (kRadicandSteps + kSqrtSteps) + kRadicandSteps + kMeanSteps;
  return w;
}

}  // namespace lrt::tlm
