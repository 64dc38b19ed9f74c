// The register-file writes rr_unit performs, counted from its write enables on real pairs,
// against the closed form's rf_writes (models/hw/rr_unit_timing.h), which prices the writes of
// the four q x q matrix files (C / Q_x, U, V, M_L + M_R) and counts a suppressed write (a zero
// Jacobi pair, s1 = 0) as performed: per pair the measured matrix writes are at most the closed
// form's. The ten small q-vector files are not in the closed form (docs/rtl.md, "Cost table");
// their writes are measured here and printed, the figure a price for them would start from.
#include <gtest/gtest.h>

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
  uint64_t matrix_writes = 0, vector_writes = 0;

 protected:
  void edge() override {
    Vrr_unit_pub& d = model_;
    const rtl::RtlPins& p = pins_;
    rtl::apply_inputs(p, d);
    d.clk = 0;
    d.eval();  // the write enables of the coming edge, settled
    const auto& r = *d.rootp;
    if (!p.rst) {
      matrix_writes += r.rr_unit__DOT__u_ja__DOT__we + r.rr_unit__DOT__u_ju__DOT__we +
                       r.rr_unit__DOT__u_jv__DOT__we + r.rr_unit__DOT__u_mx__DOT__we;
      vector_writes += r.rr_unit__DOT__u_cf__DOT__we + r.rr_unit__DOT__u_cb0__DOT__we +
                       r.rr_unit__DOT__u_cb1__DOT__we + r.rr_unit__DOT__u_qr__DOT__we +
                       r.rr_unit__DOT__u_bc__DOT__we + r.rr_unit__DOT__u_cx__DOT__we +
                       r.rr_unit__DOT__u_eq__DOT__we + r.rr_unit__DOT__u_ec__DOT__we +
                       r.rr_unit__DOT__u_sg__DOT__we + r.rr_unit__DOT__u_hs__DOT__we;
    }
    d.clk = 1;
    d.eval();
    rtl::read_outputs(d, pins_);
  }

 private:
  VerilatedContext ctx_;
  Vrr_unit_pub model_;
};

struct Shape {
  int rank, n_o, n_i;
  bool unbiased;
};

TEST(RrUnitRegfiles, MatrixWritesAreAtMostTheClosedFormsAndTheVectorWritesAreMeasured) {
  for (const Shape sh : {Shape{1, 9, 7, false}, Shape{2, 12, 16, true}, Shape{4, 24, 12, false},
                         Shape{4, 24, 12, true}, Shape{8, 12, 10, true}}) {
    golden::RankReduceParams params;
    params.rank = sh.rank;
    params.n_o = sh.n_o;
    params.n_i = sh.n_i;
    params.mode = sh.unbiased ? golden::RankReduceMode::kUnbiased : golden::RankReduceMode::kBiased;
    params.kappa_th = 0.0;  // every pair a full step: every phase writes its files
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
    uint64_t matrix = 0, vector = 0, bound = 0, equal_pairs = 0, full = 0;
    const int pairs = 40;
    for (int k = 0; k < pairs; ++k) {
      for (size_t i = 0; i < dz.size(); ++i)
        dz[i] = static_cast<int16_t>(static_cast<int>(rng.bits32(uint64_t(k) * 1000 + i) % 60001) - 30000);
      for (size_t i = 0; i < a.size(); ++i)
        a[i] = static_cast<int16_t>(static_cast<int>(rng.bits32(uint64_t(k) * 1000 + 500 + i) % 60001) - 30000);
      model.step_codes(dz.data(), 0, a.data(), 0);
      const uint64_t m0 = unit.matrix_writes, v0 = unit.vector_writes;
      const rtl::RtlPairResult res = unit.run_pair(dz.data(), 0, a.data(), 0);
      const hw::RrUnitPairCost want =
          hw::rr_unit_pair_cost(sh.rank, sh.unbiased, sh.n_o, sh.n_i, hw::rr_pair_outcome(model.last_pair()));
      ASSERT_EQ(res.cycles, want.cycles) << "pair " << k;  // the same pair as the closed form's
      const uint64_t m = unit.matrix_writes - m0;
      EXPECT_LE(m, want.rf_writes) << "rank " << sh.rank << " pair " << k;
      matrix += m;
      vector += unit.vector_writes - v0;
      bound += want.rf_writes;
      equal_pairs += m == want.rf_writes;
      full += !model.last_pair().zero_input && !model.last_pair().skipped_kappa;
    }
    EXPECT_GT(full, 0u);
    EXPECT_GT(vector, 0u);
    std::printf("[ regfiles ] rank %d %s %dx%d: %d pairs (%llu full steps): matrix writes %llu (closed form %llu, "
                "%llu pairs equal), q-vector writes %llu\n",
                sh.rank, sh.unbiased ? "unbiased" : "biased", sh.n_o, sh.n_i, pairs,
                static_cast<unsigned long long>(full), static_cast<unsigned long long>(matrix),
                static_cast<unsigned long long>(bound), static_cast<unsigned long long>(equal_pairs),
                static_cast<unsigned long long>(vector));
  }
}

}  // namespace
}  // namespace lrt::rtl_test
