// The golden engine's hot kernels at the paper network's shapes (issue 11 item 4), one
// thread unless the name says otherwise. MAC/s counts multiply-accumulates; for the roofline
// in docs/performance.md. Operands are random 8-bit codes in int16, as in the engine. Times
// are wall-clock (UseRealTime) so that the two-thread variants compare with one thread.
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/training/kernels.h"

namespace {

namespace kern = lrt::golden::kern;
using lrt::golden::TensorShape;

std::vector<int16_t> random_codes(size_t n, uint64_t stream) {
  const lrt::CounterRng rng(7, stream);
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(static_cast<int>(rng.bits32(i) & 0xff) - 128);
  return v;
}

// C (m x n) = A (m x k) B^T: args m, n, k, threads. conv2 forward is 576 x 128 x 1152 (P x
// c_out x 9 c_in), fc1 forward 1 x 512 x 2048.
void BM_GemmNt(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  const int k = static_cast<int>(state.range(2)), threads = static_cast<int>(state.range(3));
  const std::vector<int16_t> a = random_codes(static_cast<size_t>(m) * k, 1);
  const std::vector<int16_t> b = random_codes(static_cast<size_t>(n) * k, 2);
  std::vector<int32_t> c(static_cast<size_t>(m) * n);
  lrt::ThreadPool pool(threads);
  for (auto _ : state) {
    kern::gemm_nt_parallel(&pool, m, n, k, a.data(), b.data(), c.data());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(m) * n * k * static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GemmNt)
    ->Args({576, 128, 1152, 1})
    ->Args({576, 128, 1152, 2})
    ->Args({1, 512, 2048, 1})
    ->Args({676, 128, 9, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// An fc layer's forward on its cell-order weights [n_i][n_o] as row products (fc1: 2048 x 512):
// the alternative to BM_GemmNt/1/512/2048 on the transposed copy. args n_i, n_o.
void BM_FcForwardRowProducts(benchmark::State& state) {
  const int n_i = static_cast<int>(state.range(0)), n_o = static_cast<int>(state.range(1));
  const std::vector<int16_t> x = random_codes(static_cast<size_t>(n_i), 1);
  const std::vector<int16_t> w = random_codes(static_cast<size_t>(n_i) * n_o, 2);
  std::vector<int32_t> out(static_cast<size_t>(n_o));
  std::vector<int> channels(static_cast<size_t>(n_i));
  for (auto _ : state) {
    kern::sparse_row_product(n_i, n_o, x.data(), w.data(), out.data(), channels.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(
      static_cast<double>(n_i) * n_o * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FcForwardRowProducts)->Args({2048, 512})->Unit(benchmark::kMicrosecond)->UseRealTime();

// im2col of conv2's input (26 x 26 x 128 -> 576 x 1152).
void BM_Im2col(benchmark::State& state) {
  const TensorShape in{26, 26, 128};
  const std::vector<int16_t> x = random_codes(static_cast<size_t>(in.size()), 3);
  std::vector<int16_t> cols(static_cast<size_t>(24 * 24) * 9 * in.c);
  for (auto _ : state) {
    kern::im2col3x3(in, x.data(), cols.data());
    benchmark::DoNotOptimize(cols.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(cols.size() * 2));
}
BENCHMARK(BM_Im2col)->Unit(benchmark::kMicrosecond);

// A layer's transposed weight mirror rebuilt whole (kern::transpose_i16, docs/performance.md,
// issue 23): the cell-order copy (fan-in x n_o) into [o][k]; args: fan-in, n_o.
void BM_TransposeI16(benchmark::State& state) {
  const auto rows = static_cast<int>(state.range(0)), cols = static_cast<int>(state.range(1));
  const std::vector<int16_t> src = random_codes(static_cast<size_t>(rows) * static_cast<size_t>(cols), 6);
  std::vector<int16_t> dst(src.size());
  for (auto _ : state) {
    kern::transpose_i16(rows, cols, src.data(), dst.data());
    benchmark::DoNotOptimize(dst.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(src.size()));
}
BENCHMARK(BM_TransposeI16)->Args({2048, 512})->Args({1152, 128})->Unit(benchmark::kMicrosecond);

// Backward data of conv2 (dz 576 x 128 -> dx 26 x 26 x 128); args: threads, the percentage of
// non-zero dz entries (100: the dense GEMM; 12: as in the paper run after max-pool and ReLU,
// the row products). MAC/s counts the dense product's multiply-accumulates.
void BM_Conv3x3BackwardData(benchmark::State& state) {
  const TensorShape in{26, 26, 128};
  constexpr int kCout = 128, kPairs = 24 * 24;
  const int k = 9 * in.c;
  std::vector<int16_t> dz = random_codes(static_cast<size_t>(kPairs) * kCout, 4);
  for (size_t i = 0; i < dz.size(); ++i)
    if (static_cast<int64_t>((i * 2654435761u) % 100) >= state.range(1)) dz[i] = 0;
  const std::vector<int16_t> wt = random_codes(static_cast<size_t>(k) * kCout, 5);
  std::vector<int32_t> dx(static_cast<size_t>(in.size()));
  kern::ConvBackwardScratch scratch(kPairs, kCout, k);
  lrt::ThreadPool pool(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    kern::conv3x3_backward_data(in, kCout, dz.data(), wt.data(), dx.data(), scratch, &pool);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(kPairs) * kCout * k *
                                                   static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Conv3x3BackwardData)
    ->Args({1, 100})
    ->Args({2, 100})
    ->Args({1, 12})
    ->Args({2, 12})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// One N(0, 1) draw: Box-Muller (normal: weight init, data) and ziggurat (normal_ziggurat:
// analog drift and read noise, one draw per word or cell). Arg 0: Box-Muller, 1: ziggurat.
void BM_NormalDraw(benchmark::State& state) {
  const lrt::CounterRng rng(11, 0);
  const bool ziggurat = state.range(0) != 0;
  uint64_t i = 0;
  double sum = 0.0;
  for (auto _ : state) sum += ziggurat ? rng.normal_ziggurat(i++) : rng.normal(i++);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(ziggurat ? "ziggurat" : "Box-Muller");
}
BENCHMARK(BM_NormalDraw)->Arg(0)->Arg(1);

// The machine's roofs (docs/performance.md, "Roofline"). Compute: 16-bit multiply-adds into
// 32 bits, the GEMM kernels' pattern acc += vpmaddwd(x, y) (16 MACs per 256-bit instruction),
// on 6 independent accumulators: each multiply is independent and each add has a one-cycle
// dependency, so the multiplier's issue rate, not its latency, limits the loop. Memory:
// summing an int16 array of `bytes` bytes (arg), from L1/L2 (small) to DRAM (64 MiB).
void BM_PeakInt16Mac(benchmark::State& state) {
  constexpr int kChains = 6;  // 6 accumulators + 6 multiplicands + y fit the 16 ymm registers
  constexpr int kInner = 1024;
  __m256i acc[kChains];
  __m256i x[kChains];
  for (int c = 0; c < kChains; ++c) {
    acc[c] = _mm256_setzero_si256();
    x[c] = _mm256_set1_epi16(static_cast<int16_t>(c + 1));
  }
  __m256i y = _mm256_set1_epi16(3);
  for (auto _ : state) {
    for (int i = 0; i < kInner; ++i) {
      asm volatile("" : "+x"(y));  // y looks modified: the products cannot be hoisted out of the loop
      for (int c = 0; c < kChains; ++c) acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(x[c], y));
    }
  }
  for (int c = 0; c < kChains; ++c) benchmark::DoNotOptimize(acc[c]);
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kInner * kChains * 16,
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PeakInt16Mac);

void BM_StreamRead(benchmark::State& state) {
  const auto bytes = static_cast<size_t>(state.range(0));
  const std::vector<int16_t> v = random_codes(bytes / 2, 6);
  const __m256i ones = _mm256_set1_epi16(1);
  for (auto _ : state) {
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (size_t i = 0; i + 32 <= v.size(); i += 32) {  // 64 bytes per iteration
      const auto* p = reinterpret_cast<const __m256i*>(v.data() + i);
      s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_loadu_si256(p), ones));
      s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_loadu_si256(p + 1), ones));
    }
    benchmark::DoNotOptimize(s0);
    benchmark::DoNotOptimize(s1);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_StreamRead)->Arg(32 << 10)->Arg(512 << 10)->Arg(8 << 20)->Arg(64 << 20);

}  // namespace
