#pragma once
// One host thread that runs one task at a time in the background, for work that a caller
// starts and later waits for (the speculated rank-reduce pairs, the next sample's read noise).
// A std::thread per task cost a thread's creation and exit each time: about 0.4 ms of CPU a
// sample in the paper run, a dozen threads a sample (issue 23). The thread starts with the
// first task and sleeps between tasks.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lrt {

class BackgroundWorker {
 public:
  /// What the thread's scheduling priority is: kIdle (Linux SCHED_IDLE) runs it only on a core
  /// that nothing else wants, for work that is due well after it starts (a hint: where the
  /// host refuses it, the thread keeps the normal priority). On a busy host such a thread may get
  /// no core for a long time: its owner must not wait for it without a limit when it needs the
  /// result (wait_for), but then do the work itself (SparseReadNoise::draw).
  enum class Priority { kNormal, kIdle };
  explicit BackgroundWorker(Priority priority = Priority::kNormal) : priority_(priority) {}
  /// Waits for a task in flight, then stops the thread.
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  /// @brief Hands `task` to the thread (std::logic_error if the last one was not waited for).
  /// The task must not throw: as from a std::thread, an escaping exception terminates.
  void start(std::function<void()> task);
  /// @brief Returns once the task handed last has returned; at once if there is none. What the
  /// task wrote is then visible to the caller (the hand-over is under a mutex).
  void wait();
  /// Whether a task was handed and not yet waited for.
  bool pending() const;
  /// Whether the task handed last is still running (wait() would block).
  bool busy() const;
  /// @brief wait() for at most `limit`: true once the task handed last has returned (as wait()),
  /// false if it still runs after `limit` (it stays pending).
  bool wait_for(std::chrono::microseconds limit);

 private:
  void loop();

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> task_;
  bool running_ = false;  // handed, not returned
  bool pending_ = false;  // handed, not waited for
  bool stop_ = false;
  Priority priority_;
};

}  // namespace lrt
