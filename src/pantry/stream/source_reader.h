// SourceReader: reads one event log for all the processors of the specs
// that consume it, so that each record is read from disk and scanned
// (FlatEvent) once, not once per spec. Processors that poll with the same
// clock reading and the same positions are handed the same batch; a
// processor at another position gets a fresh read (or the overlapping part
// of the last batch, after which the positions coincide again).
#ifndef PANTRY_STREAM_SOURCE_READER_H_
#define PANTRY_STREAM_SOURCE_READER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/flat_event.h"

namespace pantry::stream {

struct ReadRecord {
  LogRecord record;
  bool scanned = false;  // `flat` holds a successful scan of record.payload
  FlatEvent flat;
};

struct ReadBatch {
  std::vector<ReadRecord> records;
  bool to_end = false;     // the read reached the shard's end
  int64_t read_after = 0;  // a clock reading taken before the read
};

// Records [first, batch->records.size()) answer the request.
struct ReadView {
  std::shared_ptr<const ReadBatch> batch;
  size_t first = 0;
  // The view ends at the shard's end as of a moment after `not_before`.
  bool to_end = false;
  size_t size() const { return batch ? batch->records.size() - first : 0; }
};

// Thread-safe: processors of one source may poll on several threads; a
// read in progress makes the others wait, so that they share its batch.
class SourceReader {
 public:
  // `scan`: scan payloads (some spec reading the log can use FlatEvent).
  SourceReader(EventLog* log, Clock* clock, bool scan);

  // Up to `max` records of `shard` from sequence `from` (see EventLog::Read
  // for retention gaps). `to_end` in the answer means that the shard was
  // read to its end at or after the clock showed `not_before`.
  StatusOr<ReadView> Read(int shard, uint64_t from, size_t max, int64_t not_before);

  EventLog* log() const { return log_; }

 private:
  EventLog* log_;
  Clock* clock_;
  bool scan_;
  std::mutex mu_;
  std::vector<std::shared_ptr<const ReadBatch>> last_;  // per shard, guarded by mu_
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_SOURCE_READER_H_
