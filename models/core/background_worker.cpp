#include "core/background_worker.h"

#include <stdexcept>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#include <utility>

namespace lrt {

BackgroundWorker::~BackgroundWorker() {
  {  // a task in flight still runs to its end: loop() looks at stop_ only when idle
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::start(std::function<void()> task) {
  // The thread first: if it cannot be created (std::system_error), nothing is handed, and
  // wait() and the destructor do not wait for a task that no thread will run.
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (pending_) throw std::logic_error("BackgroundWorker: a task is still pending");
    task_ = std::move(task);
    running_ = pending_ = true;
  }
  changed_.notify_all();
}

void BackgroundWorker::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !running_; });
  pending_ = false;
}

bool BackgroundWorker::pending() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return pending_;
}

bool BackgroundWorker::wait_for(std::chrono::microseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!changed_.wait_for(lock, limit, [this] { return !running_; })) return false;
  pending_ = false;
  return true;
}

bool BackgroundWorker::busy() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

void BackgroundWorker::loop() {
#if defined(__linux__)
  if (priority_ == Priority::kIdle) {
    const sched_param none{};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);  // a hint: refused, it runs as before
  }
#endif
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return running_ || stop_; });
    if (!running_) return;  // stop_, nothing handed
    std::function<void()> task = std::move(task_);
    lock.unlock();
    task();
    task = nullptr;  // its captures go before the caller may hand the next one
    lock.lock();
    running_ = false;
    changed_.notify_all();
  }
}

}  // namespace lrt
