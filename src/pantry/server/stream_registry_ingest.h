// StreamRegistryIngest: the server's EventIngest over a stream::StreamRegistry,
// whose streams can be created and deleted while the server runs (Kinesis
// CreateStream / DeleteStream). Appends are durable as the registry's logs
// promise (fsync per batch by default); after each append `notify` runs
// (StreamService::Notify) so the processors pick the events up at once.
#ifndef PANTRY_SERVER_STREAM_REGISTRY_INGEST_H_
#define PANTRY_SERVER_STREAM_REGISTRY_INGEST_H_

#include <functional>

#include "pantry/server/event_ingest.h"
#include "pantry/stream/stream_registry.h"

namespace pantry::server {

class StreamRegistryIngest final : public EventIngest {
 public:
  // `registry` is not owned and must outlive this. Thread-safe.
  StreamRegistryIngest(stream::StreamRegistry* registry, std::function<void()> notify = nullptr,
                       int retention_hours = 24);

  // Backpressure: how many of `n` records for `stream` to take now (the
  // first ones); the rest fail with Unavailable and `why` in the message,
  // which the Kinesis API answers as ProvisionedThroughputExceededException.
  using Admission = std::function<size_t(std::string_view stream, size_t n, std::string* why)>;
  // Call before serving (not synchronised with Append). Null: accept all.
  void set_admission(Admission admission) { admission_ = std::move(admission); }

  StatusOr<std::vector<StatusOr<AppendedRecord>>> Append(
      std::string_view stream, std::span<const IngestRecord> records) override;
  StatusOr<StreamInfo> Describe(std::string_view stream) const override;
  StatusOr<std::vector<StreamInfo>> List() const override;
  Status CreateStream(std::string_view stream, int shard_count, bool on_demand) override;
  Status DeleteStream(std::string_view stream) override;

 private:
  StreamInfo Info(const stream::StreamEntryInfo& entry) const;

  stream::StreamRegistry* registry_;
  std::function<void()> notify_;
  Admission admission_;
  int retention_hours_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_STREAM_REGISTRY_INGEST_H_
