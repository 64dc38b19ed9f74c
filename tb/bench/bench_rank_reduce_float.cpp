// Time per step of the double-precision rankReduce at the layer shapes of the paper's network.
// Reference: the authors' NumPy/numba implementation takes about 370 us per step at
// (4096, 256, 4); the goal here is <= 20 us on one core.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/rng.h"
#include "golden/rank_reduce_float.h"

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
  const int n_o = static_cast<int>(state.range(0));
  const int n_i = static_cast<int>(state.range(1));
  const int r = static_cast<int>(state.range(2));
  RankReduceParams p;
  p.n_o = n_o;
  p.n_i = n_i;
  p.rank = r;
  p.mode = mode;
  p.kappa_th = 0.0;  // every step does the full work (no skips)
  p.seed = 1;
  // A pool of random pairs, cycled: generation stays out of the timed loop.
  constexpr int kPool = 64;
  const lrt::CounterRng rng(42, 0);
  std::vector<std::vector<double>> dz(kPool, std::vector<double>(n_o)), a(kPool, std::vector<double>(n_i));
  uint64_t index = 0;
  for (int k = 0; k < kPool; ++k) {
    for (double& x : dz[k]) x = rng.normal(index++);
    for (double& x : a[k]) x = rng.normal(index++);
  }
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

// Arguments: n_o, n_i, r.
BENCHMARK(BM_RankReduceFloat)
    ->Args({4096, 256, 4})
    ->Args({128, 1152, 4})
    ->Args({512, 2048, 4})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RankReduceFloatUnbiased)
    ->Args({4096, 256, 4})
    ->Args({128, 1152, 4})
    ->Args({512, 2048, 4})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
