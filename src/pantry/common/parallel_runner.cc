#include "pantry/common/parallel_runner.h"

namespace pantry {

ParallelRunner::~ParallelRunner() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    threads.swap(threads_);
  }
  ready_.notify_all();
  for (std::thread& thread : threads) thread.join();
}

void ParallelRunner::Run(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  std::latch done(static_cast<std::ptrdiff_t>(n - 1));
  if (n > 1) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 1; i < n; ++i) queue_.push_back(Task{&fn, i, &done});
      // Every queued task needs an idle thread of its own (tasks may block
      // on each other); a started thread counts as idle until it takes one.
      while (idle_ < queue_.size()) {
        threads_.emplace_back([this] { Work(); });
        ++idle_;
      }
    }
    if (n == 2) {
      ready_.notify_one();
    } else {
      ready_.notify_all();
    }
  }
  fn(0);
  done.wait();
}

size_t ParallelRunner::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

void ParallelRunner::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ready_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    const Task task = queue_.front();
    queue_.pop_front();
    --idle_;
    lock.unlock();
    (*task.fn)(task.index);
    lock.lock();
    // Idle again before the caller can return: its next call finds this
    // thread available instead of starting another.
    ++idle_;
    task.done->count_down();
  }
}

}  // namespace pantry
