// The register-file writes rr_unit performs, counted from its fourteen files' write enables on
// real pairs, against the closed form's per-file writes (models/hw/rr_unit_timing.h), which the
// cost table prices as rf_write_bits: equal on every pair and file, for ranks 1, 2, 4, 8, both
// modes, kappa-skipped, vanished, zero-input and s1 = 0 pairs alike (the data-dependent terms
// come from the golden model's trace). The divider's, square root's and CORDIC's accepted
// operations, priced per operation as well, equal the closed form's div_ops, isqrt_ops and
// cordic_ops on the same pairs.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vrr_unit_pub.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "Vrr_unit_pub___024root.h"
#pragma GCC diagnostic pop
#include "core/rng.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "hw/rr_unit_timing.h"
#include "sc/rr_unit_env.h"
#include "verilated.h"

namespace lrt::rtl_test {
namespace {

// rr_unit (the public build) in its environment; counts the writes each rising edge performs.
class CountingUnit : public rtl::RtlUnitEnv {
 public:
  explicit CountingUnit(const rtl::RtlUnitConfig& cfg) : RtlUnitEnv(cfg), model_(&ctx_, "rr_unit") {}
  ~CountingUnit() override { model_.final(); }
  uint64_t div_starts = 0, isqrt_starts = 0, cordic_starts = 0;

 protected:
  void edge() override {
    Vrr_unit_pub& d = model_;
    const rtl::RtlPins& p = pins_;
    rtl::apply_inputs(p, d);
    d.clk = 0;
    d.eval();  // the write enables of the coming edge, settled
    if (!p.rst) {
      rtl::add_regfile_writes(*d.rootp, regfile_writes_);
      const auto& r = *d.rootp;  // operations the primitives accept at this edge
      div_starts += r.rr_unit__DOT__div_in_valid & r.rr_unit__DOT__div_in_ready & 1u;
      isqrt_starts += r.rr_unit__DOT__sq_in_valid & r.rr_unit__DOT__sq_in_ready & 1u;
      cordic_starts += r.rr_unit__DOT__co_in_valid & r.rr_unit__DOT__co_in_ready & 1u;
    }
    d.clk = 1;
    d.eval();
    rtl::read_outputs(d, pins_);
  }

 private:
  VerilatedContext ctx_;
  Vrr_unit_pub model_;
};

static_assert(rtl::kRtlRegfiles == hw::kRrRegfiles, "the environment counts the closed form's files");

struct Shape {
  int rank, n_o, n_i;
  bool unbiased;
  double kappa_th;  // 0: every pair a full step
};

// Inputs that reach every outcome: dense pairs, sparse ones (a residual that vanishes against
// the basis, Gram-Schmidt coefficients of zero), all-zero ones, tiny ones (sigma of zero: s1 = 0).
void fill_pair(const CounterRng& rng, int k, std::vector<int16_t>& dz, std::vector<int16_t>& a) {
  const int kind = k % 7;
  auto value = [&](uint64_t i) {
    const uint32_t b = rng.bits32(uint64_t(k) * 4096 + i);
    if (kind == 3) return static_cast<int16_t>(0);                            // zero input
    if (kind == 4) return static_cast<int16_t>(static_cast<int>(b % 3) - 1);  // tiny
    if (kind == 5)
      return static_cast<int16_t>(b % 5 == 0 ? static_cast<int>(b % 60001) - 30000 : 0);  // sparse
    return static_cast<int16_t>(static_cast<int>(b % 60001) - 30000);
  };
  for (size_t i = 0; i < dz.size(); ++i) dz[i] = value(i);
  for (size_t i = 0; i < a.size(); ++i) a[i] = kind == 6 ? dz[i % dz.size()] : value(2048 + i);
}

TEST(RrUnitRegfiles, EveryFilesWritesAndEveryPrimitiveOperationEqualTheClosedFormOnEveryPair) {
  uint64_t all_vanished = 0, all_dry = 0;
  for (const Shape sh :
       {Shape{1, 9, 7, false, 0.0}, Shape{1, 5, 6, true, 0.0}, Shape{2, 12, 16, true, 0.0},
        Shape{2, 8, 3, false, 4.0}, Shape{4, 24, 12, false, 0.0}, Shape{4, 24, 12, true, 0.0},
        Shape{4, 17, 30, true, 4.0}, Shape{8, 12, 10, true, 0.0}, Shape{8, 11, 9, false, 4.0},
        Shape{4, 3, 20, true, 0.0}, Shape{2, 9, 2, false, 0.0}}) {  // n < q: residuals vanish
    golden::RankReduceParams params;
    params.rank = sh.rank;
    params.n_o = sh.n_o;
    params.n_i = sh.n_i;
    params.mode = sh.unbiased ? golden::RankReduceMode::kUnbiased : golden::RankReduceMode::kBiased;
    params.kappa_th = sh.kappa_th;
    params.seed = 7;
    golden::RankReduceFixed model(params);
    rtl::RtlUnitConfig cfg;
    cfg.rank = sh.rank;
    cfg.n_o = sh.n_o;
    cfg.n_i = sh.n_i;
    cfg.unbiased = sh.unbiased;
    cfg.kappa_code = model.kappa_code();
    cfg.seed = 7;
    CountingUnit unit(cfg);
    const CounterRng rng(11, static_cast<uint64_t>(sh.rank * 2 + sh.unbiased));
    std::vector<int16_t> dz(static_cast<size_t>(sh.n_o)), a(static_cast<size_t>(sh.n_i));
    std::array<uint64_t, hw::kRrRegfiles> total{};
    uint64_t bits = 0, full = 0, skipped = 0, zero = 0, vanished = 0, dry = 0, partial_jacobi = 0;
    const int pairs = 42;
    for (int k = 0; k < pairs; ++k) {
      fill_pair(rng, k, dz, a);
      model.step_codes(dz.data(), 0, a.data(), 0);
      const uint64_t div0 = unit.div_starts, isqrt0 = unit.isqrt_starts, cordic0 = unit.cordic_starts;
      const rtl::RtlPairResult res = unit.run_pair(dz.data(), 0, a.data(), 0);
      const golden::FixedPairTrace& t = model.last_pair();
      const hw::RrUnitPairCost want =
          hw::rr_unit_pair_cost(sh.rank, sh.unbiased, sh.n_o, sh.n_i, hw::rr_pair_outcome(t));
      ASSERT_EQ(res.cycles, want.cycles) << "pair " << k;  // the same pair as the closed form's
      uint64_t got_bits = 0;
      for (int f = 0; f < hw::kRrRegfiles; ++f) {
        const size_t i = static_cast<size_t>(f);
        const uint64_t got = res.regfile_writes[i];
        EXPECT_EQ(got, want.regfile_writes[i])
            << hw::rr_regfile_name(f) << ", rank " << sh.rank << " pair " << k;
        total[i] += got;
        got_bits += got * static_cast<uint64_t>(hw::rr_regfile_width_bits(f));
      }
      EXPECT_EQ(got_bits, want.rf_write_bits) << "rank " << sh.rank << " pair " << k;
      // The primitives' operations, priced per operation too: as the closed form counts them.
      EXPECT_EQ(unit.div_starts - div0, want.div_ops) << "rank " << sh.rank << " pair " << k;
      EXPECT_EQ(unit.isqrt_starts - isqrt0, want.isqrt_ops) << "rank " << sh.rank << " pair " << k;
      EXPECT_EQ(unit.cordic_starts - cordic0, want.cordic_ops) << "rank " << sh.rank << " pair " << k;
      bits += got_bits;
      zero += t.zero_input;
      skipped += t.skipped_kappa;
      full += !t.zero_input && !t.skipped_kappa;
      vanished += t.vanished_left || t.vanished_right;
      dry += t.mix_dry;
      const int visits = 4 * sh.rank * (sh.rank + 1);
      partial_jacobi += !t.zero_input && !t.skipped_kappa && t.jacobi_rotations < visits;
    }
    EXPECT_GT(full, 0u);
    EXPECT_GT(zero, 0u);
    EXPECT_GT(partial_jacobi, 0u);  // the suppressed rotations are exercised
    all_vanished += vanished;
    all_dry += dry;
    if (sh.kappa_th > 0) {
      EXPECT_GT(skipped, 0u);
    }
    std::printf(
        "[ regfiles ] rank %d %s %dx%d kappa %.0f: %d pairs (%llu full, %llu kappa-skipped, %llu zero, "
        "%llu vanished, %llu s1 = 0): %llu bits written; writes",
        sh.rank, sh.unbiased ? "unbiased" : "biased", sh.n_o, sh.n_i, sh.kappa_th, pairs,
        static_cast<unsigned long long>(full), static_cast<unsigned long long>(skipped),
        static_cast<unsigned long long>(zero), static_cast<unsigned long long>(vanished),
        static_cast<unsigned long long>(dry), static_cast<unsigned long long>(bits));
    for (int f = 0; f < hw::kRrRegfiles; ++f)
      std::printf(" %s %llu", hw::rr_regfile_name(f),
                  static_cast<unsigned long long>(total[static_cast<size_t>(f)]));
    std::printf("\n");
  }
  EXPECT_GT(all_vanished, 0u);  // a new column written as zeros
  EXPECT_GT(all_dry, 0u);       // the Householder writes suppressed
}

}  // namespace
}  // namespace lrt::rtl_test
