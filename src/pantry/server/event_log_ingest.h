// EventLogIngest: the server's EventIngest bound to the stream subsystem's
// durable EventLog(s). An append returns once the log has it (with the
// embedded log's default FsyncMode::kEveryBatch: on disk), so an event the
// server acknowledged survives a crash. After each append `notify` runs
// (StreamService::Notify) so the processor picks the events up at once.
#ifndef PANTRY_SERVER_EVENT_LOG_INGEST_H_
#define PANTRY_SERVER_EVENT_LOG_INGEST_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "pantry/common/clock.h"
#include "pantry/server/event_ingest.h"
#include "pantry/stream/event_log.h"

namespace pantry::server {

class EventLogIngest final : public EventIngest {
 public:
  // `logs` by stream name (not owned; must outlive this). `retention_hours`
  // is reported by DescribeStream; streams report `clock`'s time at
  // construction as their creation time.
  EventLogIngest(std::map<std::string, stream::EventLog*> logs, Clock* clock,
                 std::function<void()> notify = nullptr, int retention_hours = 24);

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

 private:
  std::map<std::string, stream::EventLog*, std::less<>> logs_;
  std::function<void()> notify_;
  Admission admission_;
  int64_t created_micros_;
  int retention_hours_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_EVENT_LOG_INGEST_H_
