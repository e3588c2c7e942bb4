// PollThreads: runs one function per processor of a poll, in parallel, on
// threads kept from one poll to the next. The stream service polls every
// 20 ms even when idle; a new thread per poll and processor cost ~50 thread
// creations and exits a second, each a stack mapping and a wake-up on
// another core, beside the requests the server answers.
#ifndef PANTRY_STREAM_POLL_THREADS_H_
#define PANTRY_STREAM_POLL_THREADS_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pantry::stream {

class PollThreads {
 public:
  PollThreads() = default;
  ~PollThreads();  // joins the threads
  PollThreads(const PollThreads&) = delete;
  PollThreads& operator=(const PollThreads&) = delete;

  // Calls fn(i) once for every i in [0, n): fn(0) on the calling thread,
  // the others on kept threads (started or stopped when n changes); returns
  // when all returned. One caller at a time; fn must not throw.
  void Run(size_t n, const std::function<void(size_t)>& fn);

  // Threads kept (n - 1 after Run(n)), for tests.
  size_t threads() const { return threads_.size(); }

 private:
  void Resize(size_t workers);
  void Work(size_t index, uint64_t seen);

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(size_t)>* fn_ = nullptr;  // guarded by mu_
  uint64_t round_ = 0;                               // guarded by mu_
  size_t pending_ = 0;                               // guarded by mu_
  bool stop_ = false;                                // guarded by mu_
  std::vector<std::thread> threads_;                 // thread t runs index t + 1
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_POLL_THREADS_H_
