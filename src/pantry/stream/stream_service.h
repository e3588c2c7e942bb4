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
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/parallel_runner.h"
#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/processor_leases.h"
#include "pantry/stream/row_sink.h"
#include "pantry/stream/source_reader.h"
#include "pantry/stream/stream_processor.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

using SinkFactory = std::function<StatusOr<std::unique_ptr<RowSink>>(const WindowSpec&)>;

// Backpressure (docs/stream.md, "Backpressure"): past either bound, Admit()
// refuses new records for the stream, as Kinesis answers
// ProvisionedThroughputExceededException, instead of letting the lag grow
// without limit. 0 = no bound.
struct BacklogLimits {
  uint64_t max_events = 0;  // per spec: records appended but not processed, over all shards
  int64_t max_micros = 0;   // per spec and shard: ShardLag::micros
};

// One spec's lag on one shard (StreamService::Lag).
struct SpecShardLag {
  std::string spec;
  std::string source;
  int shard = 0;
  ShardLag lag;
};

struct StreamServiceOptions {
  std::filesystem::path home;
  std::vector<WindowSpec> specs;  // names must be distinct
  EventLogOptions log_options;
  SinkFactory sink_factory;   // required
  int poll_interval_ms = 20;  // idle wait between polls (Notify() cuts it short)
  int64_t checkpoint_interval_micros = 1'000'000;
  size_t max_records_per_read = 10000;
  BacklogLimits backlog_limits;
  // Poll the specs' processors in parallel, one thread per spec beyond the
  // first (they read each log once together through a SourceReader and write
  // to their own sinks); false: one after another on the polling thread.
  bool parallel = true;
  Clock* clock = nullptr;
  // Health() reports a processor whose polls have failed for this long
  // (for example a sink that keeps refusing writes) as stuck.
  int64_t stuck_after_micros = 30'000'000;
  // Per spec: the cap on keys with open window state (0: none); see
  // WindowAggregatorOptions::max_open_keys.
  size_t max_window_keys = kDefaultMaxWindowKeys;
  // With a Redis event log (log_options.redis_url): each processor runs in
  // one replica at a time under a lease, with its checkpoint in Redis
  // (processor_leases.h). Times of the leases; the URL and password are the
  // event log's.
  int64_t lease_ms = 5000;
  int64_t lease_retry_ms = 500;
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
  // Shared mode: gives up every lease this replica holds (Run does, after
  // its final checkpoint).
  Status ReleaseLeases();

  // Per spec, the stats as of its last poll or checkpoint; never waits for a
  // running poll.
  std::vector<std::pair<std::string, ProcessorStats>> stats() const;
  // Per spec, the keys with open window state now (waits for a running poll).
  std::vector<std::pair<std::string, size_t>> OpenKeys() const;

  // Specs added and removed while the service runs (KDA applications
  // started over the API). AddSpec restores the spec's checkpoint if there
  // is one; without one it reads `log` from its beginning, or from its end
  // with `start_at_end`. `log` is not owned and must stay open until
  // RemoveSpec; rows go to the sink `make_sink` returns for the service's
  // copy of the spec (sinks may keep a reference to it). AlreadyExists for a
  // name in use.
  // RemoveSpec checkpoints the processor (a later AddSpec resumes there) and
  // drops it; NotFound for an unknown name. Both are safe while the
  // background thread polls (they wait for the current poll).
  Status AddSpec(const WindowSpec& spec, EventLog* log, const SinkFactory& make_sink,
                 bool start_at_end);
  Status RemoveSpec(const std::string& name);
  // Every spec's lag per shard, now. Does not wait for a running poll.
  std::vector<SpecShardLag> Lag() const;

  // How many of `n` records for `stream` to accept now: n, or fewer (down
  // to 0) while a spec reading `stream` is past the backlog limits; `why`
  // (if not null) then says which bound. The records beyond the count
  // should be refused as retryable (Kinesis:
  // ProvisionedThroughputExceededException).
  size_t Admit(std::string_view stream, size_t n, std::string* why) const;

  // OK, or Unavailable naming the first spec past the backlog limits (for
  // /readyz).
  Status BacklogHealth() const;
  // Unavailable naming the first processor whose polls have failed for
  // longer than stuck_after_micros, with its last error; OK otherwise.
  // Never waits for a running poll (for /readyz).
  Status Health() const;

 private:
  explicit StreamService(StreamServiceOptions options);
  // Admit() with list_mu_ held (shared).
  size_t AdmitLocked(std::string_view stream, size_t n, std::string* why) const;
  void Wait();
  void NoteOutcome(const std::string& spec, const Status& status);
  // Fills the lease fields of `po` in shared mode.
  void ShareProcessor(const WindowSpec& spec, ProcessorOptions* po) const;

  StreamServiceOptions options_;
  std::unique_ptr<ProcessorLeases> leases_;  // shared mode only
  std::map<std::string, std::unique_ptr<EventLog>> logs_;
  // One per log, shared by the processors reading it (read and scan once).
  std::map<std::string, std::unique_ptr<SourceReader>> readers_;
  std::vector<std::unique_ptr<RowSink>> sinks_;
  // Changed only by Create, AddSpec and RemoveSpec (under mu_ and, exclusively,
  // list_mu_); Lag and Admit read it under list_mu_ shared, so that they
  // never wait for a running poll.
  std::vector<std::unique_ptr<StreamProcessor>> processors_;
  mutable std::shared_mutex list_mu_;
  std::map<std::string, std::unique_ptr<WindowSpec>> added_specs_;  // by AddSpec, by name
  mutable std::mutex mu_;  // guards processors_ against stats() during polls
  // Per spec name: since when its polls fail (0 = they do not), how often
  // they failed, and the last error.
  struct Failures {
    int64_t since = 0;
    uint64_t count = 0;
    std::string last_error;
  };
  mutable std::mutex failures_mu_;
  std::map<std::string, Failures> failures_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  std::atomic<bool> stop_{false};
  ParallelRunner poll_threads_;  // used by PollOnce under mu_
  std::thread thread_;
  Status thread_status_;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STREAM_SERVICE_H_
