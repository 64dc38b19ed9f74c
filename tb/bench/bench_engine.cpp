// Training samples per second of the golden engine on one core: BM_TrainSample/<network>
// with the default TrainSpecs (LRT on conv and fc, paper constants), and the same with
// online SGD; the `_jobs2` variant spreads the GEMMs and the layers' weight updates over two
// threads (as `lrtsim run --jobs 2`). items_per_second is samples per second. Images are random pixels (cost does
// not depend on the content beyond the number of non-zero gradients, so a short warm-up
// precedes the measurement).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/training/engine.h"

namespace {

using lrt::golden::Engine;
using lrt::golden::NetworkSpec;
using lrt::golden::Scheme;
using lrt::golden::TrainSpecs;

void BM_TrainSample(benchmark::State& state, NetworkSpec net, Scheme scheme, int threads = 1) {
  TrainSpecs specs;
  specs.conv.scheme = specs.fc.scheme = scheme;
  Engine engine(net, specs, 1);
  lrt::ThreadPool pool(threads);
  engine.set_thread_pool(&pool);
  const size_t pixels = static_cast<size_t>(net.in_h) * net.in_w * net.in_c;
  constexpr int kImages = 32;
  std::vector<std::vector<uint8_t>> images(kImages, std::vector<uint8_t>(pixels));
  const lrt::CounterRng rng(99, 0);
  for (int i = 0; i < kImages; ++i)
    for (size_t p = 0; p < pixels; ++p) images[i][p] = static_cast<uint8_t>(rng.bits32(i * pixels + p));
  const int classes = lrt::golden::num_classes(net);
  for (int i = 0; i < 2 * kImages; ++i) engine.train_step(images[i % kImages].data(), i % classes);
  int64_t i = 0;
  for (auto _ : state) {
    const auto r = engine.train_step(images[i % kImages].data(), static_cast<int>(i % classes));
    benchmark::DoNotOptimize(r);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_TrainSample, default, lrt::golden::default_network(), Scheme::kLrt)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainSample, paper, lrt::golden::paper_network(), Scheme::kLrt)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainSample, paper_jobs2, lrt::golden::paper_network(), Scheme::kLrt, 2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TrainSample, default_sgd, lrt::golden::default_network(), Scheme::kOnlineSgd)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainSample, paper_sgd, lrt::golden::paper_network(), Scheme::kOnlineSgd)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainSample, paper_inference, lrt::golden::paper_network(), Scheme::kInferenceOnly)
    ->Unit(benchmark::kMillisecond);

}  // namespace
