// Time per step of the bit-accurate fixed-point rankReduce at the layer shapes of the paper's
// network (docs/fixed_point_rank_reduce.md §9 records the figures and the command).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "rank_reduce_bench_support.h"

namespace {

using lrt::golden::RankReduceFixed;
using lrt::golden::RankReduceMode;
using lrt::golden::RankReduceParams;

// Integer multiply-accumulates of one step per vector element: two Gram-Schmidt passes of r
// dot products and r subtractions (4 r), the residual norm and normalization (2), the basis
// update Q[:, :r] = Q[:, :q] M (q r). The q x q part (Jacobi) is not counted.
double macs_per_step(int n_o, int n_i, int r) {
  const int q = r + 1;
  return static_cast<double>(n_o + n_i) * (4.0 * r + 2.0 + q * r);
}

void run_steps(benchmark::State& state, RankReduceMode mode, double kappa_th = 0.0) {
  const RankReduceParams p = lrt::bench::rank_reduce_params(state, mode, kappa_th);
  const int n_o = p.n_o, n_i = p.n_i, r = p.rank;
  // The shared pool quantized once, cycled through step_codes(): the timed loop is the
  // hardware datapath only (quantize_input() of doubles is not part of it).
  constexpr int kPool = 64;
  const lrt::bench::PairPool pool = lrt::bench::random_pair_pool(n_o, n_i, kPool);
  std::vector<std::vector<int16_t>> dz(kPool, std::vector<int16_t>(n_o)), a(kPool, std::vector<int16_t>(n_i));
  std::vector<int> dz_exp(kPool), a_exp(kPool);
  for (int k = 0; k < kPool; ++k) {
    dz_exp[k] = RankReduceFixed::quantize_input(pool.dz[k].data(), n_o, dz[k].data());
    a_exp[k] = RankReduceFixed::quantize_input(pool.a[k].data(), n_i, a[k].data());
  }
  RankReduceFixed rr(p);
  for (int k = 0; k < 2 * (r + 1); ++k)
    rr.step_codes(dz[k].data(), dz_exp[k], a[k].data(), a_exp[k]);  // full rank
  int k = 0;
  for (auto _ : state) {
    rr.step_codes(dz[k].data(), dz_exp[k], a[k].data(), a_exp[k]);
    k = (k + 1) % kPool;
  }
  benchmark::DoNotOptimize(rr.cx_codes().data());
  state.SetItemsProcessed(state.iterations());
  state.counters["skipped"] =
      benchmark::Counter(static_cast<double>(rr.stats().skipped_kappa) /
                         static_cast<double>(std::max<uint64_t>(1, rr.stats().pairs)));
  state.counters["MAC/s"] =
      benchmark::Counter(macs_per_step(n_o, n_i, r), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RankReduceFixed(benchmark::State& state) { run_steps(state, RankReduceMode::kBiased); }
void BM_RankReduceFixedUnbiased(benchmark::State& state) { run_steps(state, RankReduceMode::kUnbiased); }

// The configuration's default kappa_th = 100: most random pairs are skipped before the SVD, as
// most of a run's are; the "skipped" counter is their share.
void BM_RankReduceFixedUnbiasedKappa100(benchmark::State& state) {
  run_steps(state, RankReduceMode::kUnbiased, 100.0);
}

BENCHMARK(BM_RankReduceFixed)->Apply(lrt::bench::paper_layer_shapes);
BENCHMARK(BM_RankReduceFixedUnbiased)->Apply(lrt::bench::paper_layer_shapes);
BENCHMARK(BM_RankReduceFixedUnbiasedKappa100)->Apply(lrt::bench::paper_layer_shapes);

}  // namespace
