#include "pantry/server/stream_registry_ingest.h"

#include <algorithm>

namespace pantry::server {

StreamRegistryIngest::StreamRegistryIngest(stream::StreamRegistry* registry,
                                           std::function<void()> notify, int retention_hours)
    : registry_(registry), notify_(std::move(notify)), retention_hours_(retention_hours) {}

StatusOr<std::vector<StatusOr<AppendedRecord>>> StreamRegistryIngest::Append(
    std::string_view stream_name, std::span<const IngestRecord> records) {
  std::string why;
  const size_t admitted =
      admission_ ? std::min(admission_(stream_name, records.size(), &why), records.size())
                 : records.size();
  std::vector<StatusOr<AppendedRecord>> results;
  results.reserve(records.size());
  auto refuse_rest = [&] {
    while (results.size() < records.size()) {
      results.emplace_back(UnavailableError("the stream processor is behind: " + why));
    }
  };
  if (admitted == 0) {
    // Still NotFound for a stream that does not exist.
    RETURN_IF_ERROR(registry_->Describe(stream_name).status());
    refuse_rest();
    return results;
  }
  std::vector<stream::AppendRecord> batch(admitted);
  for (size_t i = 0; i < admitted; ++i) {
    batch[i].partition_key = records[i].partition_key;
    batch[i].payload = records[i].data;
  }
  StatusOr<std::vector<stream::LogOffset>> offsets = registry_->Append(stream_name, batch);
  if (!offsets.ok() && offsets.status().code() == StatusCode::kNotFound) {
    return offsets.status();
  }
  if (!offsets.ok()) {
    // The log gives no per-record outcome: every record failed, so the
    // client retries them (at least once, as Kinesis).
    for (size_t i = 0; i < records.size(); ++i) results.emplace_back(offsets.status());
    return results;
  }
  for (const stream::LogOffset& offset : *offsets) {
    results.emplace_back(AppendedRecord{offset.shard, offset.sequence});
  }
  refuse_rest();
  if (notify_) notify_();
  return results;
}

StreamInfo StreamRegistryIngest::Info(const stream::StreamEntryInfo& entry) const {
  StreamInfo info;
  info.name = entry.name;
  info.shard_count = entry.shard_count;
  info.created_micros = entry.created_micros;
  info.retention_hours = retention_hours_;
  info.on_demand = entry.on_demand;
  return info;
}

StatusOr<StreamInfo> StreamRegistryIngest::Describe(std::string_view stream_name) const {
  ASSIGN_OR_RETURN(stream::StreamEntryInfo entry, registry_->Describe(stream_name));
  return Info(entry);
}

StatusOr<std::vector<StreamInfo>> StreamRegistryIngest::List() const {
  ASSIGN_OR_RETURN(std::vector<stream::StreamEntryInfo> entries, registry_->List());
  std::vector<StreamInfo> out;
  for (const stream::StreamEntryInfo& entry : entries) out.push_back(Info(entry));
  return out;
}

Status StreamRegistryIngest::CreateStream(std::string_view stream_name, int shard_count,
                                          bool on_demand) {
  return registry_->Create(stream_name, shard_count, on_demand);
}

Status StreamRegistryIngest::DeleteStream(std::string_view stream_name) {
  return registry_->Delete(stream_name);
}

}  // namespace pantry::server
