#include "hw/rr_unit_timing.h"

#include <stdexcept>

namespace lrt::hw {

namespace {

// The schedule of rtl/rr_unit.sv, state by state (one cycle per state visit): a memory read
// costs 3 cycles (issue, request, response), a write 2; a primitive waited for in the next
// state costs its latency + 1 there (isqrt 33 -> 34, divider 66 + frac -> 67 + frac), a padded
// CORDIC wait 35, the padded residual reciprocal 131.
constexpr uint64_t kRead = 3, kWrite = 2;
constexpr uint64_t kSqrtWait = 34, kCordicWait = 35, kRecipWait = 131;
constexpr uint64_t div_wait(uint64_t frac) { return 67 + frac; }
constexpr uint64_t kSweeps = 8;

}  // namespace

RrPairOutcome rr_pair_outcome(const golden::FixedPairTrace& trace) {
  RrPairOutcome o;
  o.zero_input = trace.zero_input;
  o.vanished_left = trace.vanished_left;
  o.vanished_right = trace.vanished_right;
  o.skipped_kappa = trace.skipped_kappa;
  o.kept = trace.kept;
  return o;
}

RrUnitPairCost rr_unit_pair_cost(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome) {
  if (rank < 1 || rank > 8 || n_o < 1 || n_o > 16384 || n_i < 1 || n_i > 16384 ||
      (unbiased && !outcome.zero_input && !outcome.skipped_kappa && (outcome.kept < 0 || outcome.kept > rank)))
    throw std::invalid_argument("rr_unit_pair_cost: rank 1..8, n_o and n_i 1..16384, kept 0..rank");
  const uint64_t r = static_cast<uint64_t>(rank), q = r + 1;
  const uint64_t big_n = static_cast<uint64_t>(n_o) + static_cast<uint64_t>(n_i);
  RrUnitPairCost c;
  // Input: each code written to the scratch (2 cycles) and counted (1), the zero check.
  c.cycles = 3 * big_n + 1;
  c.sram_writes = big_n;
  c.mul_stream = big_n;
  c.sign_ops = 1;
  if (outcome.zero_input) {
    c.cycles += 1;  // the result
    return c;
  }
  const uint64_t meta = 3 * q + 1;  // q + q exponents, q c_x codes, the c_x exponent
  c.cycles += meta * (kRead + 1);
  c.sram_reads += meta;
  // Per side: Gram-Schmidt (2 passes x r columns: dot product, update, coefficient), the
  // residual's max and n2, then the new column (isqrt, reciprocal, max |v R|, codes) or zeros.
  for (int s = 0; s < 2; ++s) {
    const uint64_t n = static_cast<uint64_t>(s == 0 ? n_o : n_i);
    const bool vanished = s == 0 ? outcome.vanished_left : outcome.vanished_right;
    c.cycles += 1 + 2 * r * ((2 * kRead + 1) * n + 1 + (2 * kRead + kWrite + 1) * n + 2);
    c.sram_reads += 2 * r * 4 * n;
    c.sram_writes += 2 * r * n;
    c.mul_stream += 2 * r * 2 * n;
    c.cycles += (kRead + 1) * n + 1 + (kRead + 1) * n + 1;
    c.sram_reads += 2 * n;
    c.mul_stream += n;
    if (vanished) {
      c.cycles += (kWrite + 1) * n;
      c.sram_writes += n;
    } else {
      c.cycles += kSqrtWait + kRecipWait + (kRead + 1) * n + 1 + (kRead + kWrite + 1) * n + 1;
      c.sram_reads += 2 * n;
      c.sram_writes += n;
      c.mul_stream += 2 * n;
      c.isqrt_ops += 1;
      c.div_ops += 1;
    }
    c.cycles += 1;
  }
  // c_L, c_R blocks (per side 3 passes over the q coefficients), the q^2 core sums, kappa
  // S_rr in three limbs.
  c.cycles += 2 * 3 * q + q * q + 3;
  c.mul_core += q * q + 3;
  if (!outcome.skipped_kappa) {
    // E_C; C, U, V (one entry per cycle, S recomputed); Jacobi (per pair: its four entries,
    // one register-file read per cycle, 4 CORDIC waits, 4 rotation passes of q pairs of
    // entries in 4 cycles each); sigma (one diagonal entry per cycle); sort (q positions x q
    // rows of the U column); the spectrum's first state.
    const uint64_t visits = kSweeps * q * (q - 1) / 2;
    c.cycles += 1 + q * q + visits * (4 + 4 * kCordicWait + 4 * 4 * q + 1) + q + q * q + 1;
    c.mul_core += q * q + visits * 16 * q;
    c.cordic_ops += 4 * visits;
    c.rf_writes += 3 * q * q + visits * 8 * q;
    c.rf_reads += visits * (4 + 8 * q) + q + q * q;  // + sigma (diagonal), sort (q x q)
    if (unbiased) {
      // m0 and s1: one sorted sigma per cycle (q products); the radicands, 1/|v_0|, s1/k,
      // the Householder columns.
      const uint64_t kk = q - 1 - static_cast<uint64_t>(outcome.kept);
      c.cycles += q + (kk + 1) * (1 + div_wait(60) + kSqrtWait) + 1 + div_wait(60) + div_wait(0) + kk * (kk + 2);
      c.mul_core += q + (kk + 1) + kk + kk * (kk + 1);
      c.div_ops += kk + 3;
      c.isqrt_ops += kk + 1;
      c.rf_writes += kk * (kk + 1);
    }
    // M_L, M_R: q products per entry, both sides; the new c_x (exponent, then r codes).
    c.cycles += 2 * r * q * q + 1 + r;
    c.mul_core += 2 * r * q * q;
    c.rf_reads += 2 * 2 * r * q * q;
    c.rf_writes += 2 * r * q;
    // Basis update per side: e_ref, 2 passes over the rows (q reads, r columns of q products;
    // the second pass writes each code) with the r new exponents between them, one per cycle.
    for (int s = 0; s < 2; ++s) {
      const uint64_t n = static_cast<uint64_t>(s == 0 ? n_o : n_i);
      c.cycles += 2 + r + n * ((kRead + 1) * q + r * (q + 1)) + n * ((kRead + 1) * q + r * (q + 2));
      c.sram_reads += 2 * n * q;
      c.sram_writes += n * r;
      c.mul_stream += 2 * n * r * q;
      c.rf_reads += 2 * n * r * q;
    }
  }
  // Write-back of the metadata (skipped pairs too: their column r changed), the result.
  c.cycles += meta * (kWrite + 1) + 1;
  c.sram_writes += meta;
  return c;
}

RrUnitMemory rr_unit_memory(int rank, uint64_t n_o, uint64_t n_i) {
  if (rank < 1 || rank > 8 || n_o < 1 || n_i < 1) throw std::invalid_argument("rr_unit_memory: rank 1..8, n >= 1");
  const uint64_t q = static_cast<uint64_t>(rank) + 1;
  RrUnitMemory m;
  m.basis_words = q * (n_o + n_i);  // regions 0 / 1: index j n + i
  m.scratch_words = n_o + n_i;      // regions 2 / 3
  m.metadata_words = 3 * q + 1;     // region 4
  return m;
}

uint64_t rr_unit_pair_cycles(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome) {
  return rr_unit_pair_cost(rank, unbiased, n_o, n_i, outcome).cycles;
}

uint64_t rr_unit_pair_cycles_max(int rank, bool unbiased, int n_o, int n_i) {
  RrPairOutcome o;
  o.kept = 0;
  if (!unbiased) o.kept = rank;
  return rr_unit_pair_cycles(rank, unbiased, n_o, n_i, o);
}

}  // namespace lrt::hw
