// Time per step of the double-precision rankReduce at the layer shapes of the paper's network.
// Reference: the authors' NumPy/numba implementation takes about 370 us per step at
// (4096, 256, 4); the goal here is <= 20 us on one core.
#include <benchmark/benchmark.h>

#include <vector>

#include "golden/rank_reduce/rank_reduce_float.h"
#include "rank_reduce_bench_support.h"

namespace {

using lrt::golden::RankReduceFloat;
using lrt::golden::RankReduceMode;
using lrt::golden::RankReduceParams;

// Arithmetic of one step, for the FLOP/s counter: per side of length n, Gram-Schmidt is a
// fused copy + norm + dot (4 flops/element) and r fused axpy + dot passes (4 each); the
// basis update Q[:, :r] = Q[:, :q] M is 2 q r flops per element; the normalization 1.
double flops_per_step(int n_o, int n_i, int r) {
  const int q = r + 1;
  return static_cast<double>(n_o + n_i) * (4.0 + 4.0 * r + 2.0 * q * r + 1.0);
}

void run_steps(benchmark::State& state, RankReduceMode mode) {
  const RankReduceParams p = lrt::bench::rank_reduce_params(state, mode);
  const int n_o = p.n_o, n_i = p.n_i, r = p.rank;
  constexpr int kPool = 64;
  const lrt::bench::PairPool pool = lrt::bench::random_pair_pool(n_o, n_i, kPool);
  const auto& dz = pool.dz;
  const auto& a = pool.a;
  RankReduceFloat rr(p);
  for (int k = 0; k < 2 * (r + 1); ++k) rr.step(dz[k].data(), a[k].data());  // reach full rank
  int k = 0;
  for (auto _ : state) {
    rr.step(dz[k].data(), a[k].data());
    k = (k + 1) % kPool;
  }
  benchmark::DoNotOptimize(rr.weights().data());
  state.SetItemsProcessed(state.iterations());
  state.counters["FLOP/s"] = benchmark::Counter(flops_per_step(n_o, n_i, r), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RankReduceFloat(benchmark::State& state) { run_steps(state, RankReduceMode::kBiased); }
void BM_RankReduceFloatUnbiased(benchmark::State& state) { run_steps(state, RankReduceMode::kUnbiased); }

BENCHMARK(BM_RankReduceFloat)->Apply(lrt::bench::paper_layer_shapes);
BENCHMARK(BM_RankReduceFloatUnbiased)->Apply(lrt::bench::paper_layer_shapes);

}  // namespace
