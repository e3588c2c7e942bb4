// WorkerPool: a fixed number of threads running tasks from a bounded queue.
// The HTTP transport hands every request's handler to it so that a handler
// waiting on disk (RocksDB, fsync of the event log) never stalls the event
// loop that reads and writes sockets.
#ifndef PANTRY_SERVER_WORKER_POOL_H_
#define PANTRY_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pantry::server {

class WorkerPool {
 public:
  // Starts `threads` (≥ 1) workers; at most `max_queued` tasks wait.
  WorkerPool(int threads, size_t max_queued);
  // Stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (task dropped) when the queue is full or the pool
  // stopped, so that the caller can answer "busy" instead of piling up work.
  // Thread-safe.
  bool TrySubmit(std::function<void()> task);

  // Runs the tasks already queued, then joins the workers. Idempotent.
  void Stop();

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_WORKER_POOL_H_
