#include "core/thread_pool.h"

#include <stdexcept>

namespace lrt {

namespace {
// The pool whose loop body this thread is running (null outside any): a parallel_for from
// inside a body runs inline instead of waiting for itself.
thread_local const ThreadPool* running_body_of = nullptr;
}  // namespace

ThreadPool::ThreadPool(int threads) {
  if (threads < 1) throw std::invalid_argument("thread pool: " + std::to_string(threads) + " threads");
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain() {
  int64_t done = 0;
  const int64_t n = n_.load();
  const std::function<void(int64_t)>* fn = fn_.load();
  const ThreadPool* const outer = running_body_of;
  running_body_of = this;
  for (int64_t i = next_.fetch_add(1); i < n; i = next_.fetch_add(1)) {
    try {
      (*fn)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    ++done;
  }
  running_body_of = outer;
  if (done == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  finished_ += done;
  if (finished_ == n_.load()) done_.notify_all();
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      ++active_;  // parallel_for starts no new loop while a worker is inside drain()
    }
    drain();
    std::lock_guard<std::mutex> lock(mutex_);
    if (--active_ == 0) done_.notify_all();
  }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (workers_.empty() || n == 1 || running_body_of == this) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    // A worker still inside drain() from the previous loop has read that loop's n_ and fn_;
    // changing them under it would let it take this loop's indices and drop one. Wait for it.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return active_ == 0; });
    fn_ = &fn;
    n_ = n;
    next_.store(0);
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  drain();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return finished_ == n_.load() && active_ == 0; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace lrt
