// StreamProcessor: consumes an EventLog for one WindowSpec, runs the window
// aggregator and delivers emitted rows to a RowSink, checkpointing log
// positions together with the window state so that a crash (kill -9) and
// restart neither loses nor double-counts an event.
//
// Processing order is a pure function of the log: records are merged across
// shards by (arrival time, shard, sequence), and the watermark only advances
// to a time T after every shard has been read to its end at a moment when
// the clock already showed T (new stamps are >= T). So the rows and their
// emission ids do not depend on when the processor polled or crashed.
#ifndef PANTRY_STREAM_STREAM_PROCESSOR_H_
#define PANTRY_STREAM_STREAM_PROCESSOR_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/stream/checkpoint_file.h"
#include "pantry/stream/dead_letter_log.h"
#include "pantry/stream/event.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/processor_leases.h"
#include "pantry/stream/row_sink.h"
#include "pantry/stream/source_reader.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

struct ProcessorOptions {
  // Checkpoint file; default <log home>/stream/<source>/processors/<spec>.ckpt
  // (set by the caller; required).
  std::filesystem::path checkpoint_path;
  // Rows the sink refuses for good (InvalidArgument for that row alone) go
  // here and processing continues; default
  // <checkpoint dir>/../dead_letters/<spec>.jsonl, created on first use.
  std::filesystem::path dead_letter_path;
  // Per shard per poll. Large reads amortise the per-poll costs (one sink
  // batch, in which the online writes of a key coalesce) over many events;
  // memory for read but unprocessed records is bounded by this per shard.
  size_t max_records_per_read = 10000;
  // Checkpoint at most this often (a checkpoint writes the whole window
  // state); 0 = after every poll that processed something, durable when the
  // poll returns. Otherwise the state is written out on the poll thread and
  // fsynced on a background thread while polling goes on (a poll never
  // waits for the disk; a crash before the fsync leaves the previous
  // checkpoint, which replays to the same rows), and the interval stretches
  // to 20 times what the last checkpoint took (both parts) and 100 times
  // its part on the poll thread, so that a large window state costs at most
  // ~5% of the disk's time and ~1% of the processor's.
  int64_t checkpoint_interval_micros = 1'000'000;
  Clock* clock = nullptr;  // null = Clock::Real()
  // Without a checkpoint, start at the log's end (Kinesis LATEST, KDA's
  // NOW) instead of its beginning.
  bool start_at_end = false;
  // Shared with the other processors of the log (StreamService), so each
  // record is read and scanned once; must outlive the processor and read
  // the same log. Null: the processor reads on its own.
  SourceReader* reader = nullptr;
  // The cap on keys with open window state (WindowAggregatorOptions); 0 =
  // none. Keep it the same across restarts: eviction is part of what makes
  // the rows a function of the log.
  size_t max_window_keys = kDefaultMaxWindowKeys;
  // Shared mode (replicas on one Redis event log; not owned, null = off):
  // the processor runs only while it holds lease `lease_name` and keeps its
  // checkpoint with the lease instead of in checkpoint_path. Until it takes
  // the lease (and after it loses it) it is a standby: polls return 0, it
  // reports itself caught up and without lag, and it holds no state. On
  // taking the lease it restores the last checkpoint, whoever wrote it.
  ProcessorLeases* leases = nullptr;
  std::string lease_name;
};

struct ProcessorStats {
  uint64_t records = 0;  // log records consumed (accepted + rejected)
  uint64_t accepted = 0;
  uint64_t rows_emitted = 0;
  uint64_t rows_delivered = 0;
  uint64_t checkpoints = 0;
  uint64_t dead_letters = 0;  // rows the sink refused for good (this run)
  uint64_t poll_errors = 0;   // failed polls (sink unavailable, ...); StreamService counts them
  // The longest poll (read, process, deliver, checkpoint capture) so far,
  // and the last checkpoint's two parts: writing the state out on the poll
  // thread (clock micros), and making it durable (fsync; beside the polls
  // when the checkpoint interval is positive; real micros).
  uint64_t poll_micros_max = 0;
  uint64_t checkpoint_capture_micros_last = 0;
  uint64_t checkpoint_sync_micros_last = 0;
  EvictionStats evictions;  // keys evicted by the window-key cap (this run)
  std::array<uint64_t, kRejectReasonCount> rejected{};
  uint64_t rejected_total() const {
    uint64_t n = 0;
    for (uint64_t r : rejected) n += r;
    return n;
  }
};

// How far a processor is behind one shard of its log.
struct ShardLag {
  uint64_t events = 0;  // records appended but not yet processed
  // 0 when nothing waits; else how long ago the shard was last fully
  // processed (now minus the stamp of the oldest unprocessed record, or
  // minus the start of the last poll that read the shard to its end).
  int64_t micros = 0;
};

// Not thread-safe: drive it from one thread (StreamService does). Lag() and
// StatsSnapshot() are the exceptions: any thread may call them while another
// polls.
class StreamProcessor {
 public:
  // Restores the checkpoint if there is one. `log` and `sink` must outlive
  // the processor; the spec is copied.
  static StatusOr<std::unique_ptr<StreamProcessor>> Create(EventLog* log, const WindowSpec& spec,
                                                           RowSink* sink,
                                                           const ProcessorOptions& options);
  ~StreamProcessor();

  // Reads what the log has, processes it, delivers emitted rows and
  // checkpoints when due. Returns the number of records consumed. On a
  // transient sink error the rows stay queued and are retried on the next
  // call; no checkpoint is written past undelivered rows. A row the sink
  // rejects with InvalidArgument on its own is dead-lettered (durably) and
  // counts as delivered.
  StatusOr<size_t> PollOnce();
  // The same with the clock reading `t0` taken by the caller (<= now):
  // processors sharing a SourceReader poll with one t0 to share its reads.
  StatusOr<size_t> PollAt(int64_t t0);

  // Delivers queued rows and writes a checkpoint now (a standby: nothing).
  Status Checkpoint();
  // Shared mode: gives the lease up (after a final Checkpoint, on a clean
  // shutdown) so that a standby replica takes over at once; a no-op
  // otherwise.
  Status ReleaseLease();
  // False while a shared-mode processor does not hold its lease.
  bool active() const { return active_; }

  // True when the last poll had read and processed every shard to its end.
  bool caught_up() const { return caught_up_; }
  const ProcessorStats& stats() const { return stats_; }
  // Thread-safe: the stats as of the end of the last poll or checkpoint
  // (never waits for a running poll; /metrics reads these under load).
  ProcessorStats StatsSnapshot() const;
  // Keys with open window state now.
  size_t open_keys() const { return aggregator_->open_keys(); }
  // When the next window closes (arrival-time specs; INT64_MAX otherwise).
  int64_t next_close_micros() const;
  const WindowSpec& spec() const { return spec_; }

  // Thread-safe. Per shard, the backlog as of the last poll's end and the
  // log's current end, measured at `now_micros`.
  std::vector<ShardLag> Lag(int64_t now_micros) const;

 private:
  StreamProcessor(EventLog* log, const WindowSpec& spec, RowSink* sink,
                  const ProcessorOptions& options);
  Status Load();
  // PollAt without publishing the stats.
  StatusOr<size_t> PollAtUnpublished(int64_t t0);
  // Copies stats_ for StatsSnapshot().
  void PublishStats();
  // The checkpoint's bytes (nullopt: none) and a name for messages.
  StatusOr<std::optional<std::string>> ReadCheckpoint(std::string* where) const;
  // Saves the checkpoint given as pieces (header, window state, trailer):
  // to the lease store in shared mode, else atomically to the local file
  // without assembling the pieces in memory.
  Status WriteCheckpoint(std::initializer_list<std::string_view> pieces);
  // Shared mode: takes, renews or notices the loss of the lease (at most as
  // often as the lease options say); returns whether to process.
  StatusOr<bool> KeepLease();
  // Back to the state of a processor that has read nothing.
  void ResetState();
  Status Deliver();
  // Writes outbox_[first..] one row at a time until one is dead-lettered;
  // returns the index after it (or the end).
  StatusOr<size_t> DeliverOneByOne(size_t first);
  Status DeadLetter(size_t index, const Status& why);
  void Process(const ReadRecord& record, int shard);
  // Tags rows appended to outbox_ since the last call with their source.
  void TagSources(RowSource source) { outbox_source_.resize(outbox_.size(), source); }
  // Publishes the shards' positions for Lag() after a poll.
  void PublishProgress(int64_t t0, const std::vector<bool>& read_to_end);
  bool CheckpointDue() const;
  // Writes a checkpoint; with `background`, its fsync runs on another thread
  // and CollectBackgroundCheckpoint picks up the outcome on a later poll.
  Status CheckpointNow(bool background);
  Status CollectBackgroundCheckpoint();

  EventLog* log_;
  WindowSpec spec_;
  RowSink* sink_;
  ProcessorOptions options_;
  EventParser parser_;
  std::unique_ptr<WindowAggregator> aggregator_;
  std::vector<uint64_t> read_pos_;  // next sequence to read per shard
  // Read but not yet processed records of one shard, in order.
  struct PendingShard {
    std::deque<ReadView> views;  // each non-empty
    size_t count = 0;
    bool empty() const { return count == 0; }
    size_t size() const { return count; }
    const LogRecord& front() const { return front_read().record; }
    const ReadRecord& front_read() const {
      return views.front().batch->records[views.front().first];
    }
    void pop_front() {
      --count;
      if (++views.front().first == views.front().batch->records.size()) views.pop_front();
    }
    void push_back(ReadView v) {
      if (v.size() == 0) return;
      count += v.size();
      views.push_back(std::move(v));
    }
  };

  std::unique_ptr<SourceReader> own_reader_;  // when options_.reader is null
  SourceReader* reader_;
  std::vector<PendingShard> pending_;            // read but not yet processed
  std::vector<EmittedRow> outbox_;               // emitted, not yet delivered
  std::vector<RowSource> outbox_source_;         // parallel to outbox_
  std::unique_ptr<DeadLetterLog> dead_letters_;  // opened on first use
  uint64_t delivered_up_to_ = 0;
  int64_t last_checkpoint_micros_ = 0;
  bool dirty_ = false;
  bool caught_up_ = false;
  ParsedEvent scratch_;
  ProcessorStats stats_;
  // The last checkpoint's parts: on the poll thread (clock), fsync (real).
  int64_t last_capture_micros_ = 0;
  int64_t last_sync_micros_ = 0;
  std::unique_ptr<CheckpointFile> file_;  // the local checkpoint; created on first use
  bool sync_pending_ = false;             // file_'s background fsync not yet collected
  std::vector<int64_t> last_read_stamp_;  // per shard: the newest record read
  bool active_ = true;                    // false: a shared-mode standby
  std::atomic<bool> standby_{false};      // !active_, for Lag() on other threads
  int64_t lease_checked_micros_ = 0;
  int64_t lease_renewed_micros_ = 0;

  // What Lag() and StatsSnapshot() read: per shard, the next unprocessed sequence and the time
  // up to which everything before it is processed.
  mutable std::mutex progress_mu_;
  std::vector<uint64_t> progress_next_;
  std::vector<int64_t> progress_through_;
  ProcessorStats published_stats_;  // what StatsSnapshot() returns
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STREAM_PROCESSOR_H_
