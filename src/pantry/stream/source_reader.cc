#include "pantry/stream/source_reader.h"

namespace pantry::stream {

SourceReader::SourceReader(EventLog* log, Clock* clock, bool scan)
    : log_(log), clock_(clock), scan_(scan), last_(log->shard_count()) {}

StatusOr<ReadView> SourceReader::Read(int shard, uint64_t from, size_t max, int64_t not_before) {
  if (shard < 0 || shard >= static_cast<int>(last_.size())) {
    return InvalidArgumentError("source reader: no shard " + std::to_string(shard));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (const auto& last = last_[shard]; last != nullptr && !last->records.empty()) {
    // Records never change once appended, so any part of the last batch
    // serves; only "read to the end" depends on when the read happened.
    const uint64_t front = last->records.front().record.sequence;
    const uint64_t back = last->records.back().record.sequence;
    const bool fresh = last->read_after >= not_before;
    // A short batch read before `not_before` may miss records appended
    // since: read again rather than hand out less than there is.
    if ((fresh || !last->to_end) && from >= front && from <= back && back - from < max) {
      const size_t first = static_cast<size_t>(from - front);
      if (last->records[first].record.sequence == from) {
        return ReadView{last, first, last->to_end && fresh};
      }
    }
    if (from == back + 1 && last->to_end && fresh) {
      return ReadView{last, last->records.size(), true};
    }
  }
  auto batch = std::make_shared<ReadBatch>();
  batch->read_after = clock_->NowMicros();
  ASSIGN_OR_RETURN(std::vector<LogRecord> records, log_->Read(shard, from, max));
  batch->to_end = records.size() < max;
  batch->records.resize(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    ReadRecord& r = batch->records[i];
    r.record = std::move(records[i]);
    if (scan_) r.scanned = r.flat.Scan(r.record.payload);
  }
  last_[shard] = batch;
  const bool to_end = batch->to_end;
  return ReadView{std::move(batch), 0, to_end};
}

}  // namespace pantry::stream
