#pragma once
// A fixed set of worker threads for data-parallel loops whose iterations write disjoint
// outputs (integer kernels): results do not depend on the thread count or on which thread ran
// which iteration, which is what keeps `--jobs N` bit-exact (tested in tb/tests/cli).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lrt {

/// @brief `threads` - 1 workers plus the calling thread (see the file comment).
class ThreadPool {
 public:
  /// threads >= 1 (std::invalid_argument otherwise); 1 runs everything on the caller.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// @brief Calls fn(i) for every i in [0, n), spread over the threads; returns when all are
  /// done. The first exception thrown by fn is rethrown here (the other calls still finish).
  /// A call from inside fn (a nested loop on the same pool) runs its loop inline on the calling
  /// thread: the pool's threads are all taken by the outer loop. Only the innermost pool a
  /// thread runs a body of is known, so a body of pool A that starts a loop on pool B whose body
  /// calls A again still deadlocks (lrtsim has one pool). On the inline paths (one thread, a
  /// single index, a nested loop) an exception leaves at once.
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  void worker_loop();
  void drain();  // runs iterations of the current loop until none are left

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // The current loop. Written under mutex_ before next_ is reset; a late worker may still read
  // them while the next loop starts, hence atomics.
  std::atomic<const std::function<void(int64_t)>*> fn_{nullptr};
  std::atomic<int64_t> n_{0};
  std::atomic<int64_t> next_{0};
  int64_t finished_ = 0;  // iterations completed (under mutex_)
  int active_ = 0;        // workers inside drain() (under mutex_)
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace lrt
