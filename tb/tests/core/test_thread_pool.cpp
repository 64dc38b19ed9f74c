// ThreadPool::parallel_for: every index exactly once, for any thread count, over many loops in
// a row (the hand-over between loops is where a pool goes wrong), with exceptions rethrown.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/thread_pool.h"

namespace lrt {
namespace {

TEST(ThreadPool, EveryIndexExactlyOnceOverManyLoops) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int loop = 0; loop < 2000; ++loop) {
      const int64_t n = loop % 37;  // includes 0 and 1
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.parallel_for(n, [&](int64_t i) { hits[static_cast<size_t>(i)].fetch_add(1); });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << threads << " " << loop;
    }
  }
}

TEST(ThreadPool, TheFirstExceptionIsRethrownAndThePoolStaysUsable) {
  ThreadPool pool(3);
  std::atomic<int> ran{0};
  EXPECT_THROW(pool.parallel_for(100,
                                 [&](int64_t i) {
                                   ran.fetch_add(1);
                                   if (i % 10 == 3) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 100);  // the other iterations still ran
  int64_t sum = 0;
  std::vector<int64_t> parts(50, 0);
  pool.parallel_for(50, [&](int64_t i) { parts[static_cast<size_t>(i)] = i; });
  for (int64_t v : parts) sum += v;
  EXPECT_EQ(sum, 50 * 49 / 2);
}

// A loop body that starts a loop on the same pool (the golden engine's layers learn on the
// pool, and a layer's mirror refresh may spread its own work) gets it run inline: every inner
// index once, no deadlock (a regression hangs here until ctest's timeout).
TEST(ThreadPool, ANestedLoopRunsInline) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(8 * 100);
  pool.parallel_for(8, [&](int64_t outer) {
    pool.parallel_for(100, [&](int64_t inner) { ++hits[static_cast<size_t>(outer * 100 + inner)]; });
  });
  for (const std::atomic<int>& h : hits) ASSERT_EQ(h.load(), 1);
  int after = 0;  // and the pool still runs plain loops on its threads
  std::mutex m;
  pool.parallel_for(50, [&](int64_t) {
    const std::lock_guard<std::mutex> lock(m);
    ++after;
  });
  EXPECT_EQ(after, 50);
}

TEST(ThreadPool, RejectsZeroThreads) { EXPECT_THROW(ThreadPool(0), std::invalid_argument); }

}  // namespace
}  // namespace lrt
