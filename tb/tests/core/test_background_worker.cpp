// BackgroundWorker: a task's writes are visible after wait(), tasks run one at a time on one
// thread that lives across tasks, a second start() before wait() is refused, and destruction
// waits for the task in flight; a worker made with Priority::kIdle runs its tasks under Linux's
// SCHED_IDLE policy, one with kNormal under the policy it was created with.
#include <gtest/gtest.h>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

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

// wait_for: false while the task still runs (it stays pending: start() is still refused), true
// once it has returned, after which the next task can be handed.
TEST(BackgroundWorker, WaitForGivesUpWhileTheTaskRunsAndJoinsOnceItReturned) {
  BackgroundWorker worker;
  std::atomic<bool> release{false};
  worker.start([&release] {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
  });
  EXPECT_FALSE(worker.wait_for(std::chrono::microseconds(2000)));
  EXPECT_TRUE(worker.busy());
  EXPECT_TRUE(worker.pending());
  EXPECT_THROW(worker.start([] {}), std::logic_error);
  release.store(true);
  EXPECT_TRUE(worker.wait_for(std::chrono::seconds(60)));
  EXPECT_FALSE(worker.busy());
  EXPECT_FALSE(worker.pending());
  bool ran = false;
  worker.start([&ran] { ran = true; });
  worker.wait();
  EXPECT_TRUE(ran);
}

#if defined(__linux__)
int policy_of_a_task(BackgroundWorker& worker) {
  int policy = -1;
  worker.start([&policy] {
    sched_param param{};
    if (pthread_getschedparam(pthread_self(), &policy, &param) != 0) policy = -1;
  });
  worker.wait();
  return policy;
}

TEST(BackgroundWorker, AnIdlePriorityWorkerRunsUnderSchedIdleANormalOneAsCreated) {
  bool host_allows = false;  // a sandbox may refuse the policy: then the worker keeps its own (a hint)
  std::thread probe([&host_allows] {
    const sched_param none{};
    host_allows = pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) == 0;
  });
  probe.join();
  if (!host_allows) GTEST_SKIP() << "this host refuses SCHED_IDLE";
  sched_param param{};
  int own = -1;
  ASSERT_EQ(pthread_getschedparam(pthread_self(), &own, &param), 0);
  ASSERT_NE(own, SCHED_IDLE);  // the test thread itself is not idle: the normal worker inherits its policy
  BackgroundWorker idle(BackgroundWorker::Priority::kIdle), normal;
  EXPECT_EQ(policy_of_a_task(idle), SCHED_IDLE);
  EXPECT_EQ(policy_of_a_task(idle), SCHED_IDLE);  // the thread lives across tasks and keeps it
  EXPECT_EQ(policy_of_a_task(normal), own);
}
#endif

}  // namespace
}  // namespace lrt
