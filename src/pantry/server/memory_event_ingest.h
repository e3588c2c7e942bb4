// An in-memory EventIngest for tests: fixed streams, a shard per
// hash(partition key), and a per-shard capacity after which appends fail with
// Unavailable (as a throttled Kinesis shard does), which lets tests exercise
// partly failing PutRecords. Not durable; not used by `pantry serve`.
#ifndef PANTRY_SERVER_MEMORY_EVENT_INGEST_H_
#define PANTRY_SERVER_MEMORY_EVENT_INGEST_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/server/event_ingest.h"

namespace pantry::server {

class MemoryEventIngest final : public EventIngest {
 public:
  struct StoredRecord {
    std::string partition_key;
    std::string data;
  };

  // `shards` >= 1; `capacity_per_shard` 0 means unbounded.
  MemoryEventIngest(Clock* clock, std::vector<std::string> streams, int shards = 1,
                    size_t capacity_per_shard = 0);

  StatusOr<std::vector<StatusOr<AppendedRecord>>> Append(
      std::string_view stream, std::span<const IngestRecord> records) override;
  StatusOr<StreamInfo> Describe(std::string_view stream) const override;
  StatusOr<std::vector<StreamInfo>> List() const override;

  // Every record of `stream`, shard by shard in append order.
  std::vector<StoredRecord> Records(std::string_view stream) const;

  // The shard a partition key maps to (FNV-1a, stable across runs).
  static int ShardFor(std::string_view partition_key, int shards);

 private:
  struct Stream {
    StreamInfo info;
    std::vector<std::vector<StoredRecord>> shards;
  };

  const size_t capacity_per_shard_;
  mutable std::mutex mutex_;
  std::map<std::string, Stream, std::less<>> streams_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_MEMORY_EVENT_INGEST_H_
