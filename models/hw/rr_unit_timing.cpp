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
// Packed words: a Q column of n codes takes W = ceil(n/4) words, a scratch of n values
// H = ceil(n/2).
constexpr uint64_t q_words(uint64_t n) { return (n + 3) / 4; }
constexpr uint64_t w_words(uint64_t n) { return (n + 1) / 2; }

// Entry widths of rr_unit.sv's rr_regfile instances (RrRegfile order): the q x q files 32 bits;
// u_cf a coefficient (EW = 20 exponent bits + 34 mantissa), u_qr a Q word, u_bc a 51-bit running
// maximum, u_eq / u_ec exponents, u_sg / u_hs 33-bit sigma values and sort keys.
constexpr std::array<int, kRrRegfiles> kRegfileWidth = {32, 32, 32, 32, 54, 32, 32,
                                                        64, 51, 32, 20, 20, 33, 33};
constexpr std::array<const char*, kRrRegfiles> kRegfileName = {"u_ja",  "u_ju",  "u_jv", "u_mx", "u_cf",
                                                               "u_cb0", "u_cb1", "u_qr", "u_bc", "u_cx",
                                                               "u_eq",  "u_ec",  "u_sg", "u_hs"};

// The register-file writes of a pair (docs/rtl.md, "Cycles per pair"): which states assert
// each file's write enable, and how often; zero-input pairs write none.
void count_regfile_writes(uint64_t r, bool unbiased, uint64_t n_o, uint64_t n_i, const RrPairOutcome& o,
                          RrUnitPairCost& c) {
  auto& w = c.regfile_writes;
  w.fill(0);
  if (o.zero_input) return;
  const uint64_t q = r + 1;
  const uint64_t kept_columns =
      2 - static_cast<uint64_t>(o.vanished_left) - static_cast<uint64_t>(o.vanished_right);
  w[kRfCf] = static_cast<uint64_t>(o.gs_coefficients) + kept_columns;  // nonzero coefficients, a new column's
  w[kRfCb0] = q;                                                       // the c_L block
  w[kRfCb1] = q;                                                       // the c_R block
  w[kRfCx] = q;                                                        // the c_x codes loaded
  w[kRfEq] = 2 * q + 2;  // the exponents loaded, each side's new-column exponent
  if (o.skipped_kappa) return;
  const uint64_t rot = static_cast<uint64_t>(o.jacobi_rotations);
  w[kRfJa] = q * q + 4 * q * rot;  // C, then per rotated visit its rows and columns
  w[kRfJu] = q * q + 2 * q * rot;
  w[kRfJv] = q * q + 2 * q * rot;
  w[kRfMx] = 2 * r * q;                              // M_L, M_R
  w[kRfQr] = 2 * q * (q_words(n_o) + q_words(n_i));  // per block of four rows its q Q words, two passes
  w[kRfBc] = static_cast<uint64_t>(o.max_updates);
  w[kRfCx] += r;     // the new c_x
  w[kRfEc] = 2 * r;  // the new column exponents
  w[kRfSg] = q;      // sigma
  w[kRfHs] = q;      // the sort's keys
  if (unbiased) {
    const uint64_t k = r - static_cast<uint64_t>(o.kept);
    w[kRfSg] += k + 2;                        // the k + 1 values x0, then v_0
    if (!o.mix_dry) w[kRfJa] += k * (k + 1);  // the Householder columns
  }
}

}  // namespace

const char* rr_regfile_name(int f) { return kRegfileName.at(static_cast<size_t>(f)); }
int rr_regfile_width_bits(int f) { return kRegfileWidth.at(static_cast<size_t>(f)); }

RrPairOutcome rr_pair_outcome(const golden::FixedPairTrace& trace) {
  RrPairOutcome o;
  o.zero_input = trace.zero_input;
  o.vanished_left = trace.vanished_left;
  o.vanished_right = trace.vanished_right;
  o.skipped_kappa = trace.skipped_kappa;
  o.kept = trace.kept;
  o.gs_coefficients = trace.gs_coefficients;
  o.jacobi_rotations = trace.jacobi_rotations;
  o.mix_dry = trace.mix_dry;
  o.max_updates = trace.max_updates;
  return o;
}

RrUnitPairCost rr_unit_pair_cost(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome) {
  if (rank < 1 || rank > 8 || n_o < 1 || n_o > 16384 || n_i < 1 || n_i > 16384 ||
      (unbiased && !outcome.zero_input && !outcome.skipped_kappa && (outcome.kept < 0 || outcome.kept > rank)))
    throw std::invalid_argument("rr_unit_pair_cost: rank 1..8, n_o and n_i 1..16384, kept 0..rank");
  const uint64_t r = static_cast<uint64_t>(rank), q = r + 1;
  const uint64_t big_n = static_cast<uint64_t>(n_o) + static_cast<uint64_t>(n_i);
  const int64_t visits_max = static_cast<int64_t>(kSweeps * q * (q - 1) / 2);
  if (outcome.gs_coefficients < 0 || outcome.gs_coefficients > 4 * rank || outcome.jacobi_rotations < 0 ||
      outcome.jacobi_rotations > visits_max || outcome.max_updates < 0)
    throw std::invalid_argument(
        "rr_unit_pair_cost: gs_coefficients 0..4 rank, jacobi_rotations 0..8 q(q-1)/2, "
        "max_updates >= 0");
  RrUnitPairCost c;
  count_regfile_writes(r, unbiased, static_cast<uint64_t>(n_o), static_cast<uint64_t>(n_i), outcome, c);
  for (int f = 0; f < kRrRegfiles; ++f)
    c.rf_write_bits += c.regfile_writes[static_cast<size_t>(f)] *
                       static_cast<uint64_t>(kRegfileWidth[static_cast<size_t>(f)]);
  const uint64_t h_sum = w_words(static_cast<uint64_t>(n_o)) + w_words(static_cast<uint64_t>(n_i));
  // Input: each code taken (1) and counted (1), a scratch word written per two codes (+1), the
  // zero check.
  c.cycles = 2 * big_n + h_sum + 1;
  c.sram_writes = h_sum;
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
    const uint64_t wq = q_words(n), hw = w_words(n);
    const bool vanished = s == 0 ? outcome.vanished_left : outcome.vanished_right;
    // Dot product: per beat of four rows a Q word and one or two scratch words read, one more
    // cycle (6 W + 2 H), the result (1); its products on the shared multiplier in the cycles
    // the reads leave free: four per beat, three when the beat has one scratch word (its rows
    // 2 and 3 past n): 4 W - (2 W - H) = 2 W + H. Update: per scratch word one cycle per row,
    // the write, the loop (3 H + n), its reads (a Q word per two scratch words: 4 W + H).
    // Coefficient, next column.
    c.cycles += 1 + 2 * r * ((6 * wq + 2 * hw + 1) + (4 * wq + 4 * hw + n) + 2);
    c.sram_reads += 2 * r * 2 * (wq + hw);
    c.sram_writes += 2 * r * hw;
    c.mul_stream += 2 * r * ((2 * wq + hw) + n);  // the dot products', the update's
    // max |w|, n2: a scratch word read per two rows, one row per cycle.
    c.cycles += (kRead * hw + n) + 1 + (kRead * hw + n) + 1;
    c.sram_reads += 2 * hw;
    c.mul_stream += n;
    if (vanished) {
      c.cycles += (kWrite + 1) * wq;  // a zero Q word per four rows
      c.sram_writes += wq;
    } else {
      // max |v R|, then the codes (a Q word written per four rows: + 2 W).
      c.cycles += kSqrtWait + kRecipWait + (kRead * hw + n) + 1 + (kRead * hw + n + 2 * wq) + 1;
      c.sram_reads += 2 * hw;
      c.sram_writes += wq;
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
    c.rf_reads += visits * (4 + 8 * q) + q + q * q;  // + sigma (diagonal), sort (q x q)
    if (unbiased) {
      // m0 and s1: one sorted sigma per cycle (q products); the radicands, 1/|v_0|, s1/k,
      // the Householder columns.
      const uint64_t kk = q - 1 - static_cast<uint64_t>(outcome.kept);
      c.cycles += q + (kk + 1) * (1 + div_wait(60) + kSqrtWait) + 1 + div_wait(60) + div_wait(0) + kk * (kk + 2);
      c.mul_core += q + (kk + 1) + kk + kk * (kk + 1);
      c.div_ops += kk + 3;
      c.isqrt_ops += kk + 1;
    }
    // M_L, M_R: q products per entry, both sides; the new c_x (exponent, then r codes).
    c.cycles += 2 * r * q * q + 1 + r;
    c.mul_core += 2 * r * q * q;
    c.rf_reads += 2 * 2 * r * q * q;
    // Basis update per side: e_ref, 2 passes over blocks of four rows (q Q words read; per
    // column and row of the block q products on the shared multiplier and the row's cycle, the
    // loop; the second pass writes the column's word) with the r new exponents between them.
    for (int s = 0; s < 2; ++s) {
      const uint64_t n = static_cast<uint64_t>(s == 0 ? n_o : n_i);
      const uint64_t wq = q_words(n);
      c.cycles += 2 + r + 2 * ((kRead + 1) * q * wq + r * (q * n + n + wq)) + r * wq;
      c.sram_reads += 2 * wq * q;
      c.sram_writes += wq * r;
      c.mul_stream += 2 * n * r * q;
      c.rf_reads += 2 * n * r * q;  // M^_kt per product
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
  m.basis_words = q * (q_words(n_o) + q_words(n_i));  // regions 0 / 1: four codes per word
  m.scratch_words = w_words(n_o) + w_words(n_i);        // regions 2 / 3: two values per word
  m.metadata_words = 3 * q + 1;     // region 4
  return m;
}

uint64_t rr_unit_pair_cycles(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome) {
  return rr_unit_pair_cost(rank, unbiased, n_o, n_i, outcome).cycles;
}

RrPairOutcome rr_full_step_outcome(int rank, bool unbiased, int n_o, int n_i) {
  RrPairOutcome o;
  o.kept = unbiased ? 0 : rank;
  o.gs_coefficients = 4 * rank;
  o.jacobi_rotations = 4 * rank * (rank + 1);  // 8 sweeps x q (q - 1) / 2
  o.max_updates = static_cast<int64_t>(rank) * (static_cast<int64_t>(n_o) + n_i);
  return o;
}

uint64_t rr_unit_pair_cycles_max(int rank, bool unbiased, int n_o, int n_i) {
  return rr_unit_pair_cycles(rank, unbiased, n_o, n_i, rr_full_step_outcome(rank, unbiased, n_o, n_i));
}

}  // namespace lrt::hw
