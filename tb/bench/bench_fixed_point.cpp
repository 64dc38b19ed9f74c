// Throughput of the fixed-point inner-loop operations (items/s = conversions or MACs).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"

namespace lrt::fx {
namespace {

constexpr std::size_t kN = 4096;

std::vector<double> random_doubles(double scale) {
  const CounterRng rng(1, static_cast<uint64_t>(RngStream::kTest));
  std::vector<double> v(kN);
  for (std::size_t i = 0; i < kN; ++i) v[i] = scale * (2.0 * rng.uniform(i) - 1.0);
  return v;
}

std::vector<int64_t> random_codes(const Format& f) {
  RngCursor rng(2, static_cast<uint64_t>(RngStream::kTest));
  std::vector<int64_t> v(kN);
  const uint64_t n = static_cast<uint64_t>(f.max_code() - f.min_code()) + 1;
  for (auto& c : v) c = f.min_code() + static_cast<int64_t>(rng.below(n));
  return v;
}

// Range 1.2: a few percent of the inputs clip in [-1, 1).
void BM_QuantizeDouble(benchmark::State& state) {
  const auto mode = static_cast<Rounding>(state.range(0));
  const Format dst = Format::signed_range(8, 0);
  const auto x = random_doubles(1.2);
  std::vector<int64_t> out(kN);
  ClipCounter clips;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) {
      out[i] = quantize(x[i], dst, mode, static_cast<uint32_t>(i * 0x9E3779B9u), &clips);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
  state.SetLabel(to_string(mode));
}
BENCHMARK(BM_QuantizeDouble)
    ->Arg(static_cast<int>(Rounding::kNearest))
    ->Arg(static_cast<int>(Rounding::kTruncate))
    ->Arg(static_cast<int>(Rounding::kStochastic));

// Stochastic rounding including the Philox draw per value (Quantizer).
void BM_QuantizeStochasticWithRng(benchmark::State& state) {
  Quantizer q(Format::signed_range(8, 0), Rounding::kStochastic,
              RngCursor(3, static_cast<uint64_t>(RngStream::kStochasticRounding)));
  const auto x = random_doubles(1.2);
  std::vector<int64_t> out(kN);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) out[i] = q.quantize(x[i]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_QuantizeStochasticWithRng);

// 16-bit L/R factor codes down to an 8-bit gradient format.
void BM_RequantizeFormat16To8(benchmark::State& state) {
  const auto mode = static_cast<Rounding>(state.range(0));
  const Format src = Format::signed_range(16, 1);
  const Format dst = Format::signed_range(8, 0);
  const auto codes = random_codes(src);
  std::vector<int64_t> out(kN);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i) {
      out[i] = requantize(codes[i], src, dst, mode, static_cast<uint32_t>(i * 0x9E3779B9u), nullptr);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
  state.SetLabel(to_string(mode));
}
BENCHMARK(BM_RequantizeFormat16To8)
    ->Arg(static_cast<int>(Rounding::kNearest))
    ->Arg(static_cast<int>(Rounding::kStochastic));

// A 32-bit accumulator (frac 14) back to the 8-bit activation format.
void BM_RequantizeWideAccumulator(benchmark::State& state) {
  const Format dst = Format::unsigned_range(8, 1);
  const auto acc = random_codes(Format::with_frac(24, true, 14));
  std::vector<int64_t> out(kN);
  ClipCounter clips;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kN; ++i)
      out[i] = requantize(Wide{acc[i], 14}, dst, Rounding::kNearest, 0, &clips);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_RequantizeWideAccumulator);

// 8 x 8-bit multiply-accumulate into a 32-bit saturating accumulator.
void BM_AccumulatorMac(benchmark::State& state) {
  const Format w = Format::signed_range(8, 0);
  const Format a = Format::unsigned_range(8, 1);
  const auto wc = random_codes(w);
  const auto ac = random_codes(a);
  for (auto _ : state) {
    Accumulator acc(32, 14);
    for (std::size_t i = 0; i < kN; ++i) acc.mac(wc[i], w, ac[i], a);
    benchmark::DoNotOptimize(acc.raw());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_AccumulatorMac);

}  // namespace
}  // namespace lrt::fx
