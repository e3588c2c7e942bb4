// A long-lived helper thread that runs tasks one at a time, in submission
// order: the feature store's offline appends run on it so that they overlap
// the online writes of the caller without starting a thread per batch.
#ifndef PANTRY_FEATURESTORE_SERIAL_WORKER_H_
#define PANTRY_FEATURESTORE_SERIAL_WORKER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "pantry/common/status.h"

namespace pantry::featurestore::detail {

// Thread-safety: Submit may be called from any thread. The thread starts on
// the first Submit and is joined by the destructor after the queued tasks
// have run; a task must not Submit to its own worker and wait for it.
class SerialWorker {
 public:
  SerialWorker() = default;
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  ~SerialWorker();

  // Queues `task`; the future holds its result once it has run.
  std::future<Status> Submit(std::function<Status()> task);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<Status()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace pantry::featurestore::detail

#endif  // PANTRY_FEATURESTORE_SERIAL_WORKER_H_
