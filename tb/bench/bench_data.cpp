// Throughput of the Appendix F sample streams (samples/s), on synthetic 28 x 28 images so
// that the benchmark needs no data files. Per-sample cost does not depend on the pixels:
// elastic field (default, the authors' mixture: 2 x 28 x 28 uniforms and two separable
// 9- to 57-tap passes, none for 1 sample in 11; data.elastic.mode fixed: 2 x 60 x 60
// uniforms, two 33-tap passes), bilinear resampling, and for the shift stream the segment's
// augmentations.
#include <benchmark/benchmark.h>

#include "data/stream.h"

namespace lrt::data {
namespace {

LabeledImages bench_images(uint32_t count) {
  LabeledImages im;
  im.count = count;
  im.rows = im.cols = 28;
  im.pixels.resize(std::size_t{count} * 28 * 28);
  for (std::size_t i = 0; i < im.pixels.size(); ++i)
    im.pixels[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
  for (uint32_t i = 0; i < count; ++i) im.labels.push_back(static_cast<uint8_t>(i % 10));
  return im;
}

Dataset bench_dataset(ElasticMode mode = ElasticSpecs{}.mode) {
  DataSpecs specs;  // defaults (period 10k; fixed: alpha 34, sigma 4) on 6000 images
  specs.elastic.mode = mode;
  specs.split.offline_train_sources = 900;
  specs.split.validation_sources = 100;
  specs.split.online_sources = 5000;
  return Dataset(bench_images(6000), bench_images(1000), specs, 1);
}

void run_stream(benchmark::State& state, Split split, ElasticMode mode = ElasticSpecs{}.mode) {
  const Dataset ds = bench_dataset(mode);
  const SampleStream stream = ds.stream(split);
  // Stride through the segments so the shift stream sees every combination.
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(stream.at(i).pixels.data());
    i = (i + 7919) % stream.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OnlineStream(benchmark::State& state) { run_stream(state, Split::kOnline); }
void BM_ShiftStream(benchmark::State& state) { run_stream(state, Split::kShift); }
void BM_OnlineStreamFixedElastic(benchmark::State& state) {
  run_stream(state, Split::kOnline, ElasticMode::kFixed);
}

BENCHMARK(BM_OnlineStream);
BENCHMARK(BM_ShiftStream);
BENCHMARK(BM_OnlineStreamFixedElastic);

}  // namespace
}  // namespace lrt::data
