// gemm_nt_parallel equals gemm_nt bit for bit for every thread count and shape class: row
// blocks, the single-row column split, and sizes too small to split; gemm_nt_wide_parallel
// (an LRT update's L R^T) equals gemm_nt_wide the same way.

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/training/kernels.h"

namespace lrt::golden {
namespace {

TEST(GemmParallel, EqualsTheSerialKernelForEveryThreadCount) {
  const CounterRng rng(9, 4);
  uint64_t draw = 0;
  struct Shape {
    int m, n, k;
  };
  const std::vector<Shape> shapes{{1, 512, 2048}, {1, 10, 512}, {676, 128, 9}, {576, 128, 1152},
                                  {37, 5, 13},    {3, 3, 3},    {129, 65, 31}, {1, 1000, 7}};
  for (const Shape& s : shapes) {
    std::vector<int16_t> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.n) * s.k);
    for (auto& v : a) v = static_cast<int16_t>(static_cast<int>(rng.bits32(draw++) % 511) - 255);
    for (auto& v : b) v = static_cast<int16_t>(static_cast<int>(rng.bits32(draw++) % 255) - 127);
    std::vector<int32_t> serial(static_cast<size_t>(s.m) * s.n);
    kern::gemm_nt(s.m, s.n, s.k, a.data(), b.data(), serial.data());
    for (int threads : {1, 2, 3, 5}) {
      ThreadPool pool(threads);
      std::vector<int32_t> par(serial.size(), -1);
      kern::gemm_nt_parallel(&pool, s.m, s.n, s.k, a.data(), b.data(), par.data());
      EXPECT_EQ(par, serial) << s.m << "x" << s.n << "x" << s.k << " on " << threads << " threads";
    }
    std::vector<int32_t> none(serial.size(), -1);
    kern::gemm_nt_parallel(nullptr, s.m, s.n, s.k, a.data(), b.data(), none.data());
    EXPECT_EQ(none, serial);
  }
}

TEST(GemmParallel, WideEqualsTheSerialKernelForEveryThreadCount) {
  const CounterRng rng(9, 5);
  uint64_t draw = 0;
  struct Shape {
    int m, n, k;
  };
  // fc1's and conv2's L R^T at rank 4 (split), an odd shape above the split size, a small one.
  const std::vector<Shape> shapes{{512, 2048, 4}, {128, 1152, 4}, {301, 257, 5}, {7, 9, 3}};
  for (const Shape& s : shapes) {
    std::vector<int16_t> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.n) * s.k);
    // Full-range codes: the products' sums leave int32.
    for (auto& v : a) v = static_cast<int16_t>(rng.bits32(draw++) & 0xFFFF);
    for (auto& v : b) v = static_cast<int16_t>(rng.bits32(draw++) & 0xFFFF);
    std::vector<int64_t> serial(static_cast<size_t>(s.m) * s.n);
    kern::gemm_nt_wide(s.m, s.n, s.k, a.data(), b.data(), serial.data());
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      std::vector<int64_t> par(serial.size(), -1);
      kern::gemm_nt_wide_parallel(&pool, s.m, s.n, s.k, a.data(), b.data(), par.data());
      EXPECT_EQ(par, serial) << s.m << "x" << s.n << "x" << s.k << " on " << threads << " threads";
    }
    std::vector<int64_t> none(serial.size(), -1);
    kern::gemm_nt_wide_parallel(nullptr, s.m, s.n, s.k, a.data(), b.data(), none.data());
    EXPECT_EQ(none, serial);
  }
}

}  // namespace
}  // namespace lrt::golden
