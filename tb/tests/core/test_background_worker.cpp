// BackgroundWorker: a task's writes are visible after wait(), tasks run one at a time on one
// thread that lives across tasks, a second start() before wait() is refused, and destruction
// waits for the task in flight.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/background_worker.h"

namespace lrt {
namespace {

TEST(BackgroundWorker, RunsEachTaskOnOneThreadAndWaitSeesItsWrites) {
  BackgroundWorker w;
  EXPECT_FALSE(w.pending());
  w.wait();  // nothing handed: returns at once
  uint64_t sum = 0;  // plain: wait() must order the task's write before the read
  std::set<std::thread::id> threads;
  for (uint64_t k = 1; k <= 1000; ++k) {
    w.start([&sum, &threads, k] {
      sum += k;
      threads.insert(std::this_thread::get_id());
    });
    EXPECT_TRUE(w.pending());
    w.wait();
    EXPECT_FALSE(w.pending());
    ASSERT_EQ(sum, k * (k + 1) / 2);
  }
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_NE(*threads.begin(), std::this_thread::get_id());
}

TEST(BackgroundWorker, RefusesASecondTaskBeforeWait) {
  BackgroundWorker w;
  std::atomic<bool> release{false};
  w.start([&release] {
    while (!release) std::this_thread::yield();
  });
  EXPECT_THROW(w.start([] {}), std::logic_error);
  release = true;
  w.wait();
  w.start([] {});  // accepted once waited for, even if the task had already returned
  w.wait();
}

TEST(BackgroundWorker, DestructionWaitsForTheTaskInFlight) {
  bool done = false;
  {
    BackgroundWorker w;
    w.start([&done] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done = true;
    });
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace lrt
