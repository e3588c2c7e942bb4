// StreamService: runs the stream processors of a set of specs, either in the
// foreground (`pantry stream run`) or on a background thread inside another
// process (`pantry serve`). Owns the event logs of the specs' sources, so an
// embedding server appends through log() and calls Notify() to cut latency.
#ifndef PANTRY_STREAM_STREAM_SERVICE_H_
#define PANTRY_STREAM_STREAM_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/row_sink.h"
#include "pantry/stream/stream_processor.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

using SinkFactory = std::function<StatusOr<std::unique_ptr<RowSink>>(const WindowSpec&)>;

struct StreamServiceOptions {
  std::filesystem::path home;
  std::vector<WindowSpec> specs;  // names must be distinct
  EventLogOptions log_options;
  SinkFactory sink_factory;   // required
  int poll_interval_ms = 20;  // idle wait between polls (Notify() cuts it short)
  int64_t checkpoint_interval_micros = 1'000'000;
  size_t max_records_per_read = 2000;
  Clock* clock = nullptr;
  // Health() reports a processor whose polls have failed for this long
  // (for example a sink that keeps refusing writes) as stuck.
  int64_t stuck_after_micros = 30'000'000;
};

// Sink factory writing <dir>/<spec name>.jsonl (JSON lines with emission ids).
SinkFactory JsonLinesSinkFactory(const std::filesystem::path& dir);

// Thread-safe: Notify, log and stats may be called from any thread while
// the service runs; Start/Stop/Run from one controlling thread.
class StreamService {
 public:
  static StatusOr<std::unique_ptr<StreamService>> Create(StreamServiceOptions options);
  ~StreamService();  // stops the thread and checkpoints

  // The log of stream `name` (one of the specs' sources), or null.
  EventLog* log(const std::string& name) const;

  // Polls all processors once; returns records consumed. For tests and the
  // foreground loop.
  StatusOr<size_t> PollOnce();
  // True if every processor had read its log to the end in its last poll.
  bool caught_up() const;

  // Foreground loop: polls until `should_stop()` (checked at least every
  // poll interval) or, with exit_when_caught_up, until all logs are consumed.
  // Checkpoints before returning. Sink errors are logged and retried.
  Status Run(const std::function<bool()>& should_stop, bool exit_when_caught_up);

  // Background thread running Run until Stop().
  Status Start();
  Status Stop();

  // Wakes the polling thread now (call after appending).
  void Notify();

  // Writes every processor's checkpoint.
  Status CheckpointAll();

  std::vector<std::pair<std::string, ProcessorStats>> stats() const;

  // Unavailable naming the first processor whose polls have failed for
  // longer than stuck_after_micros, with its last error; OK otherwise.
  // Never waits for a running poll (for /readyz).
  Status Health() const;

 private:
  explicit StreamService(StreamServiceOptions options);
  void Wait();
  void NoteOutcome(size_t processor, const Status& status);

  StreamServiceOptions options_;
  std::map<std::string, std::unique_ptr<EventLog>> logs_;
  std::vector<std::unique_ptr<RowSink>> sinks_;
  std::vector<std::unique_ptr<StreamProcessor>> processors_;
  mutable std::mutex mu_;  // guards processors_ against stats() during polls
  // Per processor (same order): since when its polls fail (0 = they do
  // not), how often they failed, and the last error.
  struct Failures {
    int64_t since = 0;
    uint64_t count = 0;
    std::string last_error;
  };
  mutable std::mutex failures_mu_;
  std::vector<Failures> failures_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Status thread_status_;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STREAM_SERVICE_H_
