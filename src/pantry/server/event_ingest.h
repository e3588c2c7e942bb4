// EventIngest: what the event routes (Kinesis PutRecord/PutRecords and
// POST /v1/events) need from the event log. The server owns this interface;
// `pantry serve` binds it to the stream subsystem's durable event log, and
// tests may use MemoryEventIngest.
#ifndef PANTRY_SERVER_EVENT_INGEST_H_
#define PANTRY_SERVER_EVENT_INGEST_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::server {

struct IngestRecord {
  std::string_view partition_key;  // 1..256 bytes; records with one key stay in order
  std::string_view data;           // the event's bytes
};

struct AppendedRecord {
  int shard = 0;          // 0-based; Kinesis renderings in stream/kinesis_ids.h
  uint64_t sequence = 0;  // increases per shard; unique within a shard
};

struct StreamInfo {
  std::string name;
  int shard_count = 1;
  int64_t created_micros = 0;  // Unix epoch
  int retention_hours = 24;
  bool on_demand = false;  // StreamMode ON_DEMAND (else PROVISIONED)
};

class EventIngest {
 public:
  virtual ~EventIngest() = default;

  // Appends `records` to `stream`. When this returns, every record reported
  // as appended is acknowledged: it survives a crash to the degree the
  // backend promises (the embedded log: fsync per batch). The outer status is
  // NotFound for an unknown stream (nothing appended); otherwise one result
  // per record, in order, where a failed record (Unavailable when the backend
  // is over capacity, other codes for internal failures) does not affect the
  // others. Thread-safe.
  virtual StatusOr<std::vector<StatusOr<AppendedRecord>>> Append(
      std::string_view stream, std::span<const IngestRecord> records) = 0;

  // NotFound for an unknown stream. Thread-safe.
  virtual StatusOr<StreamInfo> Describe(std::string_view stream) const = 0;

  // Every stream, sorted by name; an error if the backend listing them
  // cannot be read. Thread-safe.
  virtual StatusOr<std::vector<StreamInfo>> List() const = 0;

  // Stream management (Kinesis CreateStream / DeleteStream) for backends
  // whose set of streams can change; the default refuses with
  // FailedPrecondition. Create: AlreadyExists, InvalidArgument (name, shard
  // count). Delete: NotFound, FailedPrecondition (the stream is in use).
  // Thread-safe against Append.
  virtual Status CreateStream(std::string_view stream, int shard_count, bool on_demand) {
    (void)shard_count;
    (void)on_demand;
    return FailedPreconditionError("streams cannot be created here; '" + std::string(stream) +
                                   "' was not created");
  }
  virtual Status DeleteStream(std::string_view stream) {
    return FailedPreconditionError("streams cannot be deleted here; '" + std::string(stream) +
                                   "' was not deleted");
  }
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_EVENT_INGEST_H_
