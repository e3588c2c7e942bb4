// EventLog: a durable, sharded, append-only log of events (the Kinesis Data
// Streams replacement). Records are routed to a shard by a stable hash of
// their partition key, so the order of records with the same key is kept.
//
// Offsets are per shard: a shard hands out strictly increasing 64-bit
// sequence numbers. Their Kinesis renderings (ShardId, SequenceNumber) and
// the stream-name rules are in kinesis_ids.h. Sequences are dense on both
// backends (0, 1, 2, ...); the Redis Streams backend stores sequence s as
// the entry id "0-<s+1>", so callers never parse offsets themselves.
#ifndef PANTRY_STREAM_EVENT_LOG_H_
#define PANTRY_STREAM_EVENT_LOG_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"

namespace pantry::stream {

// Where one record sits in the log.
struct LogOffset {
  int shard = 0;
  uint64_t sequence = 0;  // per shard; see kinesis_ids.h for the Kinesis form

  friend bool operator==(const LogOffset&, const LogOffset&) = default;
};

// A record to append.
struct AppendRecord {
  std::string_view partition_key;  // must be non-empty
  std::string_view payload;        // the event, usually one JSON object
  // Arrival time to stamp (microseconds) for backfills; 0 means "now" from the
  // log's clock. A time in the future is replaced by now.
  // Stamps are clamped to be strictly increasing within a shard (a record
  // gets at least the previous stamp + 1 microsecond).
  int64_t arrival_micros = 0;
};

// A record read back.
struct LogRecord {
  uint64_t sequence = 0;
  int64_t arrival_micros = 0;  // KDA's ROWTIME / Kinesis ApproximateArrivalTimestamp
  std::string partition_key;
  std::string payload;
};

enum class FsyncMode {
  kEveryBatch,  // Append returns after the batch is on disk
  kInterval,    // a background thread fsyncs every fsync_interval_ms
  kNever,       // leave it to the OS (tests, benchmarks of the CPU path)
};

struct EventLogOptions {
  int shards = 4;  // used when the stream is created; an existing stream keeps its own
  FsyncMode fsync = FsyncMode::kEveryBatch;
  int fsync_interval_ms = 100;
  int64_t segment_bytes = 64 << 20;  // a shard rolls to a new segment file past this
  int64_t retention_bytes = 0;       // per shard; 0 = unlimited
  int64_t retention_micros = 0;      // age of a segment's newest record; 0 = unlimited
  int64_t max_record_bytes = 1 << 20;
  Clock* clock = nullptr;  // null = Clock::Real()
  // Non-empty: the log is in Redis Streams at this redis:// (or
  // redis+cluster://) URL (EventLog::Open); segment and fsync settings then
  // do not apply. redis_password is used when the URL has none.
  std::string redis_url;
  std::string redis_password;
  // Tests only: called instead of fdatasync(fd) for the per-shard syncs of
  // appended data (returns 0 or -1 with errno set).
  std::function<int(int fd)> fsync_for_testing;
};

// Returns the shard of `partition_key` among `shards` (FNV-1a 64; stable
// across processes, versions and backends).
int ShardForKey(std::string_view partition_key, int shards);

// Thread-safe: Append may be called from many threads at once, concurrently
// with Read and the checkpoint calls.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Opens (creating if missing) the embedded file-backed stream `name` under
  // <home>/stream/<name>/ (InvalidArgument unless IsValidStreamName(name)).
  // Recovers each shard: a torn or corrupt tail left by a crash is truncated
  // (logged), never returned.
  static StatusOr<std::unique_ptr<EventLog>> OpenFile(const std::filesystem::path& home,
                                                      std::string_view name,
                                                      const EventLogOptions& options);

  // Opens (creating if missing) stream `name` in Redis Streams at `url`
  // (redis://host:port[/db] or redis+cluster://...): one stream key per
  // shard, so any number of processes may append to and read any shard.
  // Retention: retention_bytes becomes an exact MAXLEN estimated from the
  // record sizes, retention_micros trims by arrival stamp on append. Arrival
  // stamps: with the real clock, the Redis server's TIME (keep the
  // replicas' clocks in sync with it, e.g. NTP); with a test clock, the
  // appender's; clamped to increase strictly per shard. Unavailable if Redis
  // cannot be reached (calls then fail the same way until it returns).
  static StatusOr<std::unique_ptr<EventLog>> OpenRedis(std::string_view url, std::string_view name,
                                                       const EventLogOptions& options);
  // Deletes stream `name` from Redis Streams at `url`: its shards' events,
  // consumer offsets and shard count. OK if it does not exist. Logs still
  // open on it must not be used afterwards.
  static Status DeleteRedis(std::string_view url, std::string_view name,
                            const EventLogOptions& options);
  // OpenRedis(options.redis_url, ...) if that is set, else OpenFile.
  static StatusOr<std::unique_ptr<EventLog>> Open(const std::filesystem::path& home,
                                                  std::string_view name,
                                                  const EventLogOptions& options);

  virtual int shard_count() const = 0;
  virtual const std::string& name() const = 0;

  // Appends `records` and returns one offset per record, in input order. On
  // error nothing after the failing shard's write is guaranteed durable; the
  // records already written stay (at-least-once, like Kinesis).
  virtual StatusOr<std::vector<LogOffset>> Append(std::span<const AppendRecord> records) = 0;

  // Reads up to `max_records` records of `shard` with sequence >= `from`, in
  // order. If `from` was removed by retention, reading starts at the oldest
  // record still kept (the caller sees the gap in the sequence numbers).
  virtual StatusOr<std::vector<LogRecord>> Read(int shard, uint64_t from,
                                                size_t max_records) const = 0;

  // The sequence the next appended record of `shard` will get.
  // Precondition: 0 <= shard < shard_count(); not checked (unlike Read and
  // the consumer calls, which return InvalidArgument), so a bad shard is
  // undefined behaviour.
  virtual uint64_t EndSequence(int shard) const = 0;
  // The oldest sequence still kept in `shard`. Same precondition.
  virtual uint64_t BeginSequence(int shard) const = 0;

  // Durable per-consumer positions ("next sequence to read"), for consumers
  // that do not keep their own checkpoint. A consumer without one gets 0.
  // InvalidArgument for a bad shard or a consumer name that fails
  // IsValidStreamName.
  virtual Status CommitConsumerOffset(std::string_view consumer, int shard, uint64_t next) = 0;
  virtual StatusOr<uint64_t> ConsumerOffset(std::string_view consumer, int shard) const = 0;

  // Forces everything appended so far to disk.
  virtual Status Sync() = 0;
  // Deletes whole segments beyond the retention limits (also run on roll).
  virtual Status ApplyRetention() = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_EVENT_LOG_H_
