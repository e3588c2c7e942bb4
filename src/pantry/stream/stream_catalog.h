// Where the streams created over the Kinesis API are listed.
//
// With the embedded file log each home lists its own (a directory per
// stream, StreamRegistry reads them). With a shared event log (Redis
// Streams) the list must be shared too, or a stream created through one
// replica would be unknown to the others behind the same load balancer:
// SharedStreamCatalog keeps it next to the events, in one Redis hash.
#ifndef PANTRY_STREAM_STREAM_CATALOG_H_
#define PANTRY_STREAM_STREAM_CATALOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"

namespace pantry::stream {

struct StreamEntryInfo {
  std::string name;
  int shard_count = 0;
  int64_t created_micros = 0;  // Unix epoch; the open time for logs without kinesis.json
  bool on_demand = false;
  bool borrowed = false;
};

// Thread-safe. Every call is one or a few round trips to the backend;
// Unavailable while it cannot be reached.
class SharedStreamCatalog {
 public:
  // The catalog of the Redis Streams event log at options.redis_url (hash
  // <prefix>:streams, one field per stream, its value a JSON object with
  // shards, created_micros and on_demand).
  static StatusOr<std::unique_ptr<SharedStreamCatalog>> OpenRedis(const EventLogOptions& options);
  virtual ~SharedStreamCatalog() = default;

  // Every listed stream, sorted by name.
  virtual StatusOr<std::vector<StreamEntryInfo>> List() const = 0;
  // The stream `name`, or nullopt if it is not listed.
  virtual StatusOr<std::optional<StreamEntryInfo>> Find(std::string_view name) const = 0;
  // Lists `info` (its `borrowed` is ignored). AlreadyExists if a stream of
  // that name is listed, whoever listed it: creation is atomic across
  // replicas.
  virtual Status Add(const StreamEntryInfo& info) = 0;
  // Unlists `name` and deletes its events and consumer offsets. NotFound if
  // it is not listed.
  virtual Status Remove(std::string_view name) = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STREAM_CATALOG_H_
