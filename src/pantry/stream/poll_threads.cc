#include "pantry/stream/poll_threads.h"

namespace pantry::stream {

PollThreads::~PollThreads() { Resize(0); }

void PollThreads::Run(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (threads_.size() != n - 1) Resize(n - 1);
  if (n > 1) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = &fn;
      pending_ = n - 1;
      ++round_;
    }
    start_.notify_all();
  }
  fn(0);
  if (n > 1) {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    fn_ = nullptr;
  }
}

void PollThreads::Resize(size_t workers) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  for (size_t t = 0; t < workers; ++t) {
    threads_.emplace_back([this, index = t + 1, seen = round_] { Work(index, seen); });
  }
}

void PollThreads::Work(size_t index, uint64_t seen) {
  while (true) {
    const std::function<void(size_t)>* fn = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_.wait(lock, [&] { return stop_ || round_ != seen; });
      if (stop_) return;
      seen = round_;
      fn = fn_;
    }
    (*fn)(index);
    std::lock_guard<std::mutex> lock(mu_);
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace pantry::stream
