#include "pantry/server/event_log_ingest.h"

#include <algorithm>

namespace pantry::server {

EventLogIngest::EventLogIngest(std::map<std::string, stream::EventLog*> logs, Clock* clock,
                               std::function<void()> notify, int retention_hours)
    : logs_(logs.begin(), logs.end()),
      notify_(std::move(notify)),
      created_micros_(clock->NowMicros()),
      retention_hours_(retention_hours) {}

StatusOr<std::vector<StatusOr<AppendedRecord>>> EventLogIngest::Append(
    std::string_view stream_name, std::span<const IngestRecord> records) {
  auto it = logs_.find(stream_name);
  if (it == logs_.end()) {
    return NotFoundError("stream '" + std::string(stream_name) + "' does not exist");
  }
  std::string why;
  const size_t admitted =
      admission_ ? std::min(admission_(stream_name, records.size(), &why), records.size())
                 : records.size();
  std::vector<stream::AppendRecord> batch(admitted);
  for (size_t i = 0; i < admitted; ++i) {
    batch[i].partition_key = records[i].partition_key;
    batch[i].payload = records[i].data;
  }
  std::vector<StatusOr<AppendedRecord>> results;
  results.reserve(records.size());
  auto refuse_rest = [&] {
    while (results.size() < records.size()) {
      results.emplace_back(UnavailableError("the stream processor is behind: " + why));
    }
  };
  if (admitted == 0) {
    refuse_rest();
    return results;
  }
  StatusOr<std::vector<stream::LogOffset>> offsets = it->second->Append(batch);
  if (!offsets.ok()) {
    // The log gives no per-record outcome: report every record as failed so
    // the client retries them (at least once, as Kinesis).
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

StatusOr<StreamInfo> EventLogIngest::Describe(std::string_view stream_name) const {
  auto it = logs_.find(stream_name);
  if (it == logs_.end()) {
    return NotFoundError("stream '" + std::string(stream_name) + "' does not exist");
  }
  StreamInfo info;
  info.name = it->first;
  info.shard_count = it->second->shard_count();
  info.created_micros = created_micros_;
  info.retention_hours = retention_hours_;
  return info;
}

StatusOr<std::vector<StreamInfo>> EventLogIngest::List() const {
  std::vector<StreamInfo> out;
  for (const auto& [name, log] : logs_) out.push_back(*Describe(name));
  return out;
}

}  // namespace pantry::server
