// Throughput of the RRAM array model: word writes and reads per second, and the cost of one
// drift event, on the paper network's largest layer size (FC 2048x512 = 1M weights of 8 bits
// in binary cells). items_per_second is words (or, for drift events, words visited).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "device/rram_array.h"
#include "device/sparse_read_noise.h"

namespace {

using lrt::device::ProgramModel;
using lrt::device::RramArray;
using lrt::device::RramArraySpecs;

RramArraySpecs fc_layer_specs() {
  RramArraySpecs s;
  s.cells = uint64_t{2048} * 512 * 8;  // 8-bit weights in 1-bit cells
  s.bits_per_cell = 1;
  s.weight_bits = 8;
  return s;
}

// Writes codes that alternate between two values per word, so every write programs cells
// (0x15 <-> 0x16 differ in their two low bits; the first pass from 0 sets three).
// Arg 0: bits per cell; arg 1: 1 = the deterministic program model (the former rule), 0 =
// stochastic program-verify (one counter-based draw per programmed cell).
void BM_RramWriteWord(benchmark::State& state) {
  RramArraySpecs s = fc_layer_specs();
  s.bits_per_cell = static_cast<uint32_t>(state.range(0));
  if (state.range(1) == 1) s.program.model = ProgramModel::kDeterministic;
  RramArray a(s, 1);
  const uint64_t words = a.words();
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t w = (i * 2654435761u) % words;  // scattered addresses
    const auto code = static_cast<int32_t>((i / words) % 2 == 0 ? 0x15 : 0x16);
    benchmark::DoNotOptimize(a.write_word(w, code));
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RramWriteWord)->Args({1, 0})->Args({2, 0})->Args({4, 0})->Args({1, 1})->Args({2, 1})->Args({4, 1});

void BM_RramReadWord(benchmark::State& state) {
  RramArraySpecs s = fc_layer_specs();
  if (state.range(0) != 0) s.read_effects.noise_sigma_levels = 0.3;
  RramArray a(s, 1);
  const uint64_t words = a.words();
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.read_word(i % words));
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(state.range(0) != 0 ? "read noise" : "plain");
}
BENCHMARK(BM_RramReadWord)->Arg(0)->Arg(1);

// One Appendix F event with the paper's parameters (d = 10): analog (one normal draw per
// word) or digital (geometric gaps: ~2p x bits draws with the default binomial2 flips).
void BM_RramDriftEvent(benchmark::State& state) {
  RramArraySpecs s = fc_layer_specs();
  if (state.range(0) == 0) {
    s.drift.analog_sigma0 = 10;
  } else {
    s.drift.flip_p0 = 10;
  }
  RramArray a(s, 1);
  for (auto _ : state) benchmark::DoNotOptimize(a.advance_samples(10));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * a.words()));
  state.SetLabel(state.range(0) == 0 ? "analog" : "digital");
}
BENCHMARK(BM_RramDriftEvent)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The counter-based blocks the drift events and the read-noise draws consume (about 10^5 a
// sample in the paper run, issue 23): 4096 consecutive Philox4x32-10 blocks a call.
void BM_CounterRngBlocks(benchmark::State& state) {
  const lrt::CounterRng rng(42, 7);
  std::vector<std::array<uint32_t, 4>> out(4096);
  uint64_t first = 0;
  for (auto _ : state) {
    rng.blocks(first, out.size(), out.data());
    benchmark::DoNotOptimize(out.data());
    first += out.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_CounterRngBlocks);

// One sample's read-noise draw over the same array (sigma 0.2 levels: about 1.2 % of its 8.4 M
// cells, 10^5 events), on the calling thread; the paper run makes it ahead on a thread of its own.
void BM_ReadNoiseDraw(benchmark::State& state) {
  const RramArraySpecs s = fc_layer_specs();
  lrt::device::SparseReadNoise noise;
  noise.configure(0.2);
  const lrt::CounterRng rng(42, 7);
  uint64_t sample = 0;
  for (auto _ : state) noise.draw(rng, ++sample, s.cells, 8);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * noise.events()));
}
BENCHMARK(BM_ReadNoiseDraw)->Unit(benchmark::kMillisecond);

// One sparse read of the whole array with read noise sigma 0.2 levels (the issue-23 setting:
// about 1.2 % of the cells read one level off): the deviating words, in word order. The
// sample's noise draw (advance_samples) is outside the timed part. Words hold random codes.
void BM_RramReadDeviations(benchmark::State& state) {
  RramArraySpecs s = fc_layer_specs();
  s.program.model = ProgramModel::kDeterministic;
  s.read_effects.noise_sigma_levels = 0.2;
  RramArray a(s, 1);
  for (uint64_t w = 0; w < a.words(); ++w)
    a.poke_word(w, static_cast<int32_t>((w * 2654435761u) >> 7 & 0xFF) - 128);
  std::vector<lrt::WordCode> out;
  uint64_t listed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    a.advance_samples(1);
    out.clear();
    state.ResumeTiming();
    a.read_deviations(0, a.words(), out);
    listed += out.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * a.words()));
  state.counters["deviating_words"] =
      benchmark::Counter(static_cast<double>(listed) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_RramReadDeviations)->Unit(benchmark::kMillisecond);

}  // namespace
