// ParallelRunner: runs fn(0), ..., fn(n - 1) in parallel on threads kept
// from one call to the next. Starting a thread per parallel task cost a
// stack mapping, a TLB shootdown on munmap and a wake-up on another core:
// the stream service polled every 20 ms with a new thread per processor
// (~50 thread creations a second when idle), and the file event log
// fsynced the shards of every PutRecords batch on new threads (~600 a
// second under ingest load, ~2% of the server's CPU in perf).
//
// Written here because no Debian-packaged library fits: Boost.Asio's
// thread_pool has a fixed size, so a task queued behind tasks that wait
// (an fsync waiting for another writer's fsync) would wait too; TBB and
// OpenMP are not among pantry's dependencies for this one loop.
#ifndef PANTRY_COMMON_PARALLEL_RUNNER_H_
#define PANTRY_COMMON_PARALLEL_RUNNER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace pantry {

class ParallelRunner {
 public:
  ParallelRunner() = default;
  ~ParallelRunner();  // joins the threads; no Run may be in progress
  ParallelRunner(const ParallelRunner&) = delete;
  ParallelRunner& operator=(const ParallelRunner&) = delete;

  // Calls fn(i) once for every i in [0, n) and returns when all returned:
  // fn(0) on the calling thread, each other index on a kept thread that is
  // idle, or on a new one (then kept) when none is. So a task never waits
  // for a thread: tasks may block, even on each other across calls, as
  // fsyncs of one shard do. Thread-safe: concurrent calls share the kept
  // threads, whose number is the most tasks ever in flight at once beyond
  // the callers'. fn must not throw.
  void Run(size_t n, const std::function<void(size_t)>& fn);

  // Threads kept, for tests.
  size_t threads() const;

 private:
  struct Task {
    const std::function<void(size_t)>* fn;
    size_t index;
    std::latch* done;
  };
  void Work();

  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Task> queue_;            // guarded by mu_
  size_t idle_ = 0;                   // threads not running a task; guarded by mu_
  bool stop_ = false;                 // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
};

}  // namespace pantry

#endif  // PANTRY_COMMON_PARALLEL_RUNNER_H_
