#pragma once
// Shared by the float and fixed rankReduce benchmarks: the same parameters, the same pool
// of random pairs and the same layer shapes, so their figures compare like with like.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/rng.h"
#include "golden/rank_reduce/rank_reduce.h"

namespace lrt::bench {

/// Benchmark arguments (n_o, n_i, r) to reducer parameters; κ disabled (kappa_th 0) so every
/// step does the full work, unless `kappa_th` is given (the configuration's default is 100,
/// which skips most random pairs before the SVD, as in a run: docs/performance.md, issue 23).
inline golden::RankReduceParams rank_reduce_params(const benchmark::State& state, golden::RankReduceMode mode,
                                                   double kappa_th = 0.0) {
  golden::RankReduceParams p;
  p.n_o = static_cast<int>(state.range(0));
  p.n_i = static_cast<int>(state.range(1));
  p.rank = static_cast<int>(state.range(2));
  p.mode = mode;
  p.kappa_th = kappa_th;
  p.seed = 1;
  return p;
}

/// `count` random N(0, 1) pairs, cycled by the timed loop so generation stays out of it.
struct PairPool {
  std::vector<std::vector<double>> dz, a;
};

inline PairPool random_pair_pool(int n_o, int n_i, int count) {
  PairPool pool{std::vector<std::vector<double>>(count, std::vector<double>(n_o)),
                std::vector<std::vector<double>>(count, std::vector<double>(n_i))};
  const CounterRng rng(42, 0);
  uint64_t index = 0;
  for (int k = 0; k < count; ++k) {
    for (double& x : pool.dz[k]) x = rng.normal(index++);
    for (double& x : pool.a[k]) x = rng.normal(index++);
  }
  return pool;
}

/// The paper network's layer shapes (n_o, n_i, r) the issue asks for.
inline void paper_layer_shapes(benchmark::internal::Benchmark* b) {
  b->Args({4096, 256, 4})
      ->Args({128, 1152, 4})
      ->Args({128, 9, 4})
      ->Args({512, 2048, 4})
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace lrt::bench
