#include "pantry/server/memory_event_ingest.h"

namespace pantry::server {

MemoryEventIngest::MemoryEventIngest(Clock* clock, std::vector<std::string> streams, int shards,
                                     size_t capacity_per_shard)
    : capacity_per_shard_(capacity_per_shard) {
  if (shards < 1) shards = 1;
  for (std::string& name : streams) {
    Stream stream;
    stream.info.name = name;
    stream.info.shard_count = shards;
    stream.info.created_micros = clock->NowMicros();
    stream.shards.resize(shards);
    streams_.emplace(std::move(name), std::move(stream));
  }
}

int MemoryEventIngest::ShardFor(std::string_view partition_key, int shards) {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : partition_key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<int>(hash % static_cast<uint64_t>(shards));
}

StatusOr<std::vector<StatusOr<AppendedRecord>>> MemoryEventIngest::Append(
    std::string_view stream_name, std::span<const IngestRecord> records) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = streams_.find(stream_name);
  if (it == streams_.end()) {
    return NotFoundError("stream '" + std::string(stream_name) + "' does not exist");
  }
  Stream& stream = it->second;
  std::vector<StatusOr<AppendedRecord>> results;
  results.reserve(records.size());
  for (const IngestRecord& record : records) {
    int shard = ShardFor(record.partition_key, stream.info.shard_count);
    auto& log = stream.shards[shard];
    if (capacity_per_shard_ != 0 && log.size() >= capacity_per_shard_) {
      results.emplace_back(UnavailableError("shard " + std::to_string(shard) + " of stream '" +
                                            std::string(stream_name) + "' is full"));
      continue;
    }
    log.push_back(StoredRecord{std::string(record.partition_key), std::string(record.data)});
    results.emplace_back(AppendedRecord{shard, static_cast<uint64_t>(log.size() - 1)});
  }
  return results;
}

StatusOr<StreamInfo> MemoryEventIngest::Describe(std::string_view stream) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    return NotFoundError("stream '" + std::string(stream) + "' does not exist");
  }
  return it->second.info;
}

StatusOr<std::vector<StreamInfo>> MemoryEventIngest::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<StreamInfo> out;
  for (const auto& [name, stream] : streams_) out.push_back(stream.info);
  return out;
}

std::vector<MemoryEventIngest::StoredRecord> MemoryEventIngest::Records(
    std::string_view stream) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<StoredRecord> out;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (const auto& shard : it->second.shards) out.insert(out.end(), shard.begin(), shard.end());
  return out;
}

}  // namespace pantry::server
