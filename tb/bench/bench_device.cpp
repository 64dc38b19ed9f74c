// Throughput of the RRAM array model: word writes and reads per second, and the cost of one
// drift event, on the paper network's largest layer size (FC 2048x512 = 1M weights of 8 bits
// in binary cells). items_per_second is words (or, for drift events, words visited).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "device/rram_array.h"

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
