#include "pantry/stream/stream_processor.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "pantry/common/checksum.h"
#include "pantry/common/coding.h"
#include "pantry/common/file_util.h"
#include "pantry/common/heap_memory.h"
#include "pantry/common/logging.h"

namespace pantry::stream {
namespace {

constexpr uint32_t kCheckpointMagic = 0x31435350;  // "PSC1"

}  // namespace

StreamProcessor::StreamProcessor(EventLog* log, const WindowSpec& spec, RowSink* sink,
                                 const ProcessorOptions& options)
    : log_(log), spec_(spec), sink_(sink), options_(options), parser_(spec_) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
  WindowAggregatorOptions aggregator_options;
  aggregator_options.max_open_keys = options_.max_window_keys;
  aggregator_ = WindowAggregator::Create(spec_, aggregator_options);
  read_pos_.assign(log_->shard_count(), 0);
  pending_.resize(log_->shard_count());
  reader_ = options_.reader;
  if (reader_ == nullptr) {
    own_reader_ = std::make_unique<SourceReader>(log_, options_.clock, spec_.sql == nullptr);
    reader_ = own_reader_.get();
  }
  last_read_stamp_.assign(log_->shard_count(), 0);
  progress_through_.assign(log_->shard_count(), options_.clock->NowMicros());
}

StreamProcessor::~StreamProcessor() = default;

StatusOr<std::unique_ptr<StreamProcessor>> StreamProcessor::Create(
    EventLog* log, const WindowSpec& spec, RowSink* sink, const ProcessorOptions& options) {
  if (options.checkpoint_path.empty()) {
    return InvalidArgumentError("stream processor: no checkpoint path");
  }
  std::unique_ptr<StreamProcessor> p(new StreamProcessor(log, spec, sink, options));
  if (p->options_.dead_letter_path.empty()) {
    p->options_.dead_letter_path = options.checkpoint_path.parent_path().parent_path() /
                                   "dead_letters" / (spec.name + ".jsonl");
  }
  if (options.leases != nullptr) {
    // A standby until the first poll takes the lease (and then loads).
    p->active_ = false;
    p->standby_ = true;
    return p;
  }
  RETURN_IF_ERROR(p->Load());
  p->PublishStats();
  return p;
}

StatusOr<std::optional<std::string>> StreamProcessor::ReadCheckpoint(std::string* where) const {
  if (options_.leases != nullptr) {
    *where = "checkpoint of " + options_.lease_name + " in Redis";
    return options_.leases->LoadCheckpoint(options_.lease_name);
  }
  const auto& path = options_.checkpoint_path;
  *where = path.string();
  if (!std::filesystem::exists(path)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return std::optional<std::string>(std::move(bytes));
}

Status StreamProcessor::WriteCheckpoint(std::initializer_list<std::string_view> pieces) {
  if (options_.leases != nullptr) {
    // Redis takes the value in one piece.
    std::string bytes;
    for (std::string_view piece : pieces) bytes += piece;
    Status saved = options_.leases->SaveCheckpoint(options_.lease_name, bytes);
    if (saved.code() == StatusCode::kFailedPrecondition) {
      // The lease expired or went with a restarted Redis: whoever takes it
      // next resumes from the last saved checkpoint (the delivered mark
      // keeps the feature groups exactly-once), so this is not a failure.
      PANTRY_LOG_WARN("stream processor {}: {}; standing by", spec_.name, saved.message());
      ResetState();
      return Status::Ok();
    }
    return saved;
  }
  RETURN_IF_ERROR(EnsureWritableDirectory(options_.checkpoint_path.parent_path()));
  return WriteFileAtomic(options_.checkpoint_path, pieces);
}

void StreamProcessor::ResetState() {
  WindowAggregatorOptions aggregator_options;
  aggregator_options.max_open_keys = options_.max_window_keys;
  aggregator_ = WindowAggregator::Create(spec_, aggregator_options);
  const size_t shards = static_cast<size_t>(log_->shard_count());
  read_pos_.assign(shards, 0);
  pending_.clear();
  pending_.resize(shards);
  outbox_.clear();
  outbox_source_.clear();
  delivered_up_to_ = 0;
  dirty_ = false;
  caught_up_ = false;
  stats_.rejected = {};
  last_read_stamp_.assign(shards, 0);
  active_ = false;
  standby_ = true;
  std::lock_guard<std::mutex> lock(progress_mu_);
  progress_next_.clear();
  progress_through_.assign(shards, options_.clock->NowMicros());
}

StatusOr<bool> StreamProcessor::KeepLease() {
  const ProcessorLeaseOptions& lo = options_.leases->options();
  const int64_t now = options_.clock->NowMicros();
  const int64_t every = (active_ ? lo.lease_ms / 3 : lo.retry_ms) * 1000;
  if (lease_checked_micros_ != 0 && now - lease_checked_micros_ < every) return active_;
  auto held = options_.leases->Take(options_.lease_name);
  if (!held.ok()) {
    // Past the lease's expiry another replica may hold it: stop until the
    // lease can be checked again.
    if (active_ && now - lease_renewed_micros_ > lo.lease_ms * 1000) {
      PANTRY_LOG_WARN("stream processor {}: lease {} not renewed in time; standing by", spec_.name,
                      options_.lease_name);
      ResetState();
    }
    return held.status();
  }
  lease_checked_micros_ = now;
  using Hold = ProcessorLeases::Hold;
  if (*held == Hold::kNotHeld) {
    if (active_) {
      PANTRY_LOG_WARN("stream processor {}: lease {} taken by another replica; standing by",
                      spec_.name, options_.lease_name);
      ResetState();
    }
    return false;
  }
  lease_renewed_micros_ = now;
  if (active_ && *held == Hold::kTaken) {
    // The lease lapsed while this replica held it (expired, or a restarted
    // Redis lost it and maybe the log with it): what happened in between is
    // unknown, so resume from the saved checkpoint like a new holder.
    PANTRY_LOG_WARN("stream processor {}: lease {} had lapsed; reloading the checkpoint",
                    spec_.name, options_.lease_name);
    ResetState();
  }
  if (!active_) {
    ResetState();
    RETURN_IF_ERROR(Load());
    active_ = true;
    standby_ = false;
    PANTRY_LOG_INFO("stream processor {}: took lease {} as {}", spec_.name, options_.lease_name,
                    options_.leases->holder());
  }
  return true;
}

Status StreamProcessor::ReleaseLease() {
  if (options_.leases == nullptr || !active_) return Status::Ok();
  ResetState();
  return options_.leases->Release(options_.lease_name);
}

// Checkpoint layout: magic | u64 shard count | per shard u64 next sequence |
// u64 state length | aggregator state | u64 rejected counters... | u32 crc of
// everything before it.
Status StreamProcessor::Load() {
  ASSIGN_OR_RETURN(delivered_up_to_, sink_->DeliveredUpTo());
  if (std::filesystem::exists(options_.dead_letter_path)) {
    ASSIGN_OR_RETURN(dead_letters_, DeadLetterLog::Open(options_.dead_letter_path, spec_));
    // A dead-lettered row is settled: replay must not offer it again.
    delivered_up_to_ = std::max(delivered_up_to_, dead_letters_->last_emission_id());
  }
  std::string where;
  ASSIGN_OR_RETURN(std::optional<std::string> checkpoint, ReadCheckpoint(&where));
  if (!checkpoint) {
    if (options_.start_at_end) {
      for (size_t s = 0; s < read_pos_.size(); ++s)
        read_pos_[s] = log_->EndSequence(static_cast<int>(s));
    }
    PANTRY_LOG_INFO("stream processor {}: no checkpoint, starting at the log's {}", spec_.name,
                    options_.start_at_end ? "end" : "beginning");
    return Status::Ok();
  }
  const std::string& bytes = *checkpoint;
  auto corrupt = [&](std::string_view why) {
    return CorruptionError(where + ": " + std::string(why));
  };
  if (bytes.size() < 8) return corrupt("too short");
  const uint32_t crc = DecodeFixed32(bytes.data() + bytes.size() - 4);
  std::string_view body(bytes.data(), bytes.size() - 4);
  if (Crc32(body) != crc) return corrupt("checksum mismatch");
  uint32_t magic = 0;
  if (!GetFixed32(&body, &magic) || magic != kCheckpointMagic) {
    return corrupt("not a stream checkpoint");
  }
  uint64_t shards = 0;
  if (!GetFixed64(&body, &shards)) return corrupt("truncated");
  if (shards != read_pos_.size()) {
    return FailedPreconditionError(where + ": written for " + std::to_string(shards) +
                                   " shards, the stream has " + std::to_string(read_pos_.size()));
  }
  for (uint64_t& p : read_pos_) {
    if (!GetFixed64(&body, &p)) return corrupt("truncated");
  }
  uint64_t state_len = 0;
  if (!GetFixed64(&body, &state_len) || body.size() < state_len) return corrupt("truncated");
  RETURN_IF_ERROR(aggregator_->Restore(body.substr(0, state_len)).WithContext(where));
  body.remove_prefix(state_len);
  for (uint64_t& r : stats_.rejected) {
    if (!GetFixed64(&body, &r)) return corrupt("truncated");
  }
  {
    std::lock_guard<std::mutex> lock(progress_mu_);
    progress_next_ = read_pos_;
  }
  PANTRY_LOG_INFO(
      "stream processor {}: restored checkpoint ({} open keys, sink has rows up to "
      "emission {})",
      spec_.name, aggregator_->open_keys(), delivered_up_to_);
  return Status::Ok();
}

Status StreamProcessor::Checkpoint() {
  if (file_ != nullptr && sync_pending_) {
    // A durable step in flight finishes first: checkpoints land in order.
    // If it failed, the one written now supersedes it.
    sync_pending_ = false;
    Status previous = file_->Wait();
    if (!previous.ok()) {
      PANTRY_LOG_WARN("stream processor {}: {}; writing a new checkpoint", spec_.name,
                      previous.message());
    }
  }
  Status st = CheckpointNow(/*background=*/false);
  PublishStats();
  return st;
}

Status StreamProcessor::CheckpointNow(bool background) {
  if (!active_) return Status::Ok();
  RETURN_IF_ERROR(Deliver());
  const int64_t start = options_.clock->NowMicros();
  std::string header;
  PutFixed32(&header, kCheckpointMagic);
  PutFixed64(&header, read_pos_.size());
  for (size_t s = 0; s < read_pos_.size(); ++s) {
    // Records read but not yet processed are not consumed.
    PutFixed64(&header, pending_[s].empty() ? read_pos_[s] : pending_[s].front().sequence);
  }
  std::string trailer;
  for (uint64_t r : stats_.rejected) PutFixed64(&trailer, r);
  if (options_.leases != nullptr) {
    const std::string state = aggregator_->Serialize();
    PutFixed64(&header, state.size());
    PutFixed32(&trailer, Crc32(trailer, Crc32(state, Crc32(header))));
    RETURN_IF_ERROR(WriteCheckpoint({header, state, trailer}));
    // The serialized state (as large as the windows) was just freed.
    ReleaseFreeHeapMemory();
  } else {
    // Streamed to the file in 1 MiB pieces: no copy of the state in memory.
    if (file_ == nullptr) {
      file_ = std::make_unique<CheckpointFile>(options_.checkpoint_path);
    }
    RETURN_IF_ERROR(file_->Begin());
    PutFixed64(&header, aggregator_->SerializedSize());
    uint32_t crc = Crc32(header);
    file_->Append(header);
    aggregator_->SerializeTo(
        [&](std::string_view piece) {
          crc = Crc32(piece, crc);
          file_->Append(piece);
        },
        size_t{1} << 20);
    PutFixed32(&trailer, Crc32(trailer, crc));
    file_->Append(trailer);
    RETURN_IF_ERROR(file_->Commit(background));
  }
  last_checkpoint_micros_ = options_.clock->NowMicros();
  last_sync_micros_ = file_ != nullptr && !background ? file_->last_sync_micros() : 0;
  last_capture_micros_ = std::max<int64_t>(0, last_checkpoint_micros_ - start - last_sync_micros_);
  stats_.checkpoint_capture_micros_last = last_capture_micros_;
  stats_.checkpoint_sync_micros_last = last_sync_micros_;
  sync_pending_ = background;
  dirty_ = false;
  ++stats_.checkpoints;
  return Status::Ok();
}

Status StreamProcessor::CollectBackgroundCheckpoint() {
  if (file_ == nullptr || !sync_pending_ || file_->busy()) return Status::Ok();
  sync_pending_ = false;
  Status st = file_->Wait();
  if (!st.ok()) {
    // The previous checkpoint stays in place; write a new one next time.
    dirty_ = true;
    return st.WithContext("stream processor " + spec_.name + ": checkpoint");
  }
  last_sync_micros_ = file_->last_sync_micros();
  stats_.checkpoint_sync_micros_last = last_sync_micros_;
  return Status::Ok();
}

Status StreamProcessor::Deliver() {
  size_t first = 0;
  while (true) {
    // Rows regenerated after a restart that the sink already has are skipped.
    while (first < outbox_.size() && outbox_[first].emission_id <= delivered_up_to_) ++first;
    if (first == outbox_.size()) break;
    std::span<const EmittedRow> rows(outbox_.data() + first, outbox_.size() - first);
    Status st = sink_->Write(rows);
    if (st.ok()) {
      delivered_up_to_ = rows.back().emission_id;
      stats_.rows_delivered += rows.size();
      break;
    }
    auto up_to = sink_->DeliveredUpTo();
    if (up_to.ok()) delivered_up_to_ = std::max(delivered_up_to_, *up_to);
    if (st.code() != StatusCode::kInvalidArgument) {
      return st.WithContext("stream processor " + spec_.name + ": sink");
    }
    // Some row is refused for good (the batch is atomic, so nothing of it
    // was written): find it by writing one row at a time.
    while (first < outbox_.size() && outbox_[first].emission_id <= delivered_up_to_) ++first;
    ASSIGN_OR_RETURN(first, DeliverOneByOne(first));
  }
  outbox_.clear();
  outbox_source_.clear();
  return Status::Ok();
}

StatusOr<size_t> StreamProcessor::DeliverOneByOne(size_t first) {
  for (size_t i = first; i < outbox_.size(); ++i) {
    Status st = sink_->Write(std::span<const EmittedRow>(&outbox_[i], 1));
    if (st.ok()) {
      delivered_up_to_ = outbox_[i].emission_id;
      ++stats_.rows_delivered;
      continue;
    }
    if (st.code() != StatusCode::kInvalidArgument) {
      return st.WithContext("stream processor " + spec_.name + ": sink");
    }
    RETURN_IF_ERROR(DeadLetter(i, st));
    return i + 1;
  }
  return outbox_.size();
}

Status StreamProcessor::DeadLetter(size_t index, const Status& why) {
  if (dead_letters_ == nullptr) {
    ASSIGN_OR_RETURN(dead_letters_, DeadLetterLog::Open(options_.dead_letter_path, spec_));
  }
  const EmittedRow& row = outbox_[index];
  const RowSource source = index < outbox_source_.size() ? outbox_source_[index] : RowSource{};
  RETURN_IF_ERROR(dead_letters_->Append(row, source, why.message()));
  delivered_up_to_ = row.emission_id;
  ++stats_.dead_letters;
  PANTRY_LOG_WARN(
      "stream {} spec {}: sink refused row {} (source shard {} sequence {}): {}; "
      "dead-lettered to {}",
      log_->name(), spec_.name, row.emission_id, source.shard, source.sequence, why.message(),
      options_.dead_letter_path.string());
  return Status::Ok();
}

void StreamProcessor::Process(const ReadRecord& read, int shard) {
  const LogRecord& record = read.record;
  ++stats_.records;
  Rejection rejection;
  if (!parser_.ParseScanned(record.payload, read.scanned ? &read.flat : nullptr,
                            record.arrival_micros, &scratch_, &rejection)) {
    uint64_t n = ++stats_.rejected[static_cast<int>(rejection.reason)];
    if (n <= 10 || n % 1000 == 0) {
      PANTRY_LOG_WARN("stream {} spec {}: rejected record (sequence {}, {} so far for {}): {}",
                      log_->name(), spec_.name, record.sequence, n,
                      RejectReasonName(rejection.reason), rejection.message);
    }
    return;
  }
  size_t before = outbox_.size();
  if (!aggregator_->Add(scratch_, &outbox_)) {
    uint64_t n = ++stats_.rejected[static_cast<int>(RejectReason::kLate)];
    if (n <= 10 || n % 1000 == 0) {
      PANTRY_LOG_WARN("stream {} spec {}: late event dropped (sequence {}, {} so far)",
                      log_->name(), spec_.name, record.sequence, n);
    }
  } else {
    ++stats_.accepted;
  }
  stats_.rows_emitted += outbox_.size() - before;
  stats_.evictions = aggregator_->evictions();
  TagSources({shard, record.sequence});
}

int64_t StreamProcessor::next_close_micros() const {
  return spec_.arrival_time_basis() ? aggregator_->next_timer()
                                    : std::numeric_limits<int64_t>::max();
}

StatusOr<size_t> StreamProcessor::PollOnce() { return PollAt(options_.clock->NowMicros()); }

StatusOr<size_t> StreamProcessor::PollAt(int64_t t0) {
  StatusOr<size_t> n = PollAtUnpublished(t0);
  PublishStats();
  return n;
}

void StreamProcessor::PublishStats() {
  std::lock_guard<std::mutex> lock(progress_mu_);
  published_stats_ = stats_;
}

ProcessorStats StreamProcessor::StatsSnapshot() const {
  std::lock_guard<std::mutex> lock(progress_mu_);
  return published_stats_;
}

StatusOr<size_t> StreamProcessor::PollAtUnpublished(int64_t t0) {
  if (options_.leases != nullptr) {
    ASSIGN_OR_RETURN(bool run, KeepLease());
    if (!run) {
      caught_up_ = true;
      return size_t{0};
    }
  }
  // Undelivered rows block progress: never run ahead of the sink.
  RETURN_IF_ERROR(Deliver());
  const int shards = log_->shard_count();
  bool all_caught_up = true;
  std::vector<bool> caught(shards, false);
  for (int s = 0; s < shards; ++s) {
    if (pending_[s].size() >= options_.max_records_per_read) continue;
    ASSIGN_OR_RETURN(ReadView view,
                     reader_->Read(s, read_pos_[s], options_.max_records_per_read, t0));
    if (view.size() > 0) {
      const LogRecord& first = view.batch->records[view.first].record;
      if (first.sequence > read_pos_[s]) {
        PANTRY_LOG_WARN(
            "stream {} shard {}: records {}..{} were removed by retention before "
            "spec {} read them",
            log_->name(), s, read_pos_[s], first.sequence - 1, spec_.name);
      }
      const LogRecord& last = view.batch->records.back().record;
      read_pos_[s] = last.sequence + 1;
      last_read_stamp_[s] = last.arrival_micros;
    }
    caught[s] = view.to_end;
    if (!caught[s]) all_caught_up = false;
    pending_[s].push_back(std::move(view));
  }
  // Merge by (arrival, shard, sequence). Stop at a shard that ran dry without
  // being read to its end (its next record is unknown), and at t0: records
  // stamped later may still arrive in any shard. This makes the processing
  // order a function of the log alone, for either time basis.
  size_t consumed = 0;
  int64_t last_stamp = std::numeric_limits<int64_t>::min();
  while (true) {
    int best = -1;
    bool blocked = false;
    for (int s = 0; s < shards; ++s) {
      if (pending_[s].empty()) {
        if (!caught[s]) blocked = true;
        continue;
      }
      if (best < 0 || pending_[s].front().arrival_micros < pending_[best].front().arrival_micros) {
        best = s;
      }
    }
    if (best < 0 || blocked) break;
    if (pending_[best].front().arrival_micros >= t0) break;
    last_stamp = pending_[best].front().arrival_micros;
    Process(pending_[best].front_read(), best);
    pending_[best].pop_front();
    ++consumed;
  }
  caught_up_ = all_caught_up;
  for (const auto& p : pending_) caught_up_ = caught_up_ && p.empty();
  if (spec_.arrival_time_basis() && (all_caught_up || consumed > 0)) {
    // Caught up: every record stamped before t0 is processed; later stamps
    // are >= t0. Lagging: every record not yet processed is stamped at or
    // after the last processed one (the merge is in stamp order and stops
    // at a shard whose next record is unknown; stamps only grow per shard),
    // so windows closing by then close now, in the order an unlagged run
    // closes them (timers fire before an event at the same instant). An
    // accepted event already advanced that far; this covers rejected ones.
    const int64_t to = all_caught_up ? t0 : last_stamp;
    size_t before = outbox_.size();
    aggregator_->AdvanceTo(to, &outbox_);
    stats_.rows_emitted += outbox_.size() - before;
    TagSources({});
  }
  if (consumed > 0 || !outbox_.empty()) dirty_ = true;
  RETURN_IF_ERROR(Deliver());
  PublishProgress(t0, caught);
  RETURN_IF_ERROR(CollectBackgroundCheckpoint());
  if (CheckpointDue()) {
    // With an interval, the disk's flush runs beside the next polls;
    // without one, each poll's checkpoint is durable when the poll returns.
    RETURN_IF_ERROR(CheckpointNow(/*background=*/options_.checkpoint_interval_micros > 0));
  }
  const int64_t took = options_.clock->NowMicros() - t0;
  stats_.poll_micros_max = std::max<uint64_t>(stats_.poll_micros_max, std::max<int64_t>(took, 0));
  return consumed;
}

bool StreamProcessor::CheckpointDue() const {
  if (!dirty_) return false;
  // The previous checkpoint is still being flushed: never wait for it here.
  if (sync_pending_) return false;
  const int64_t interval = options_.checkpoint_interval_micros;
  if (interval <= 0) return true;
  // A checkpoint writes the whole state: with a large one, checkpoint less
  // often rather than spend most of the time writing it. Its capture stops
  // the processor (every event then waits; at 1% of the time it stays out
  // of the freshness p99), its fsync (beside the polls) only uses the disk.
  const int64_t due = std::max(
      {interval, 20 * (last_capture_micros_ + last_sync_micros_), 100 * last_capture_micros_});
  return options_.clock->NowMicros() - last_checkpoint_micros_ >= due;
}

void StreamProcessor::PublishProgress(int64_t t0, const std::vector<bool>& read_to_end) {
  std::lock_guard<std::mutex> lock(progress_mu_);
  progress_next_.resize(read_pos_.size());
  for (size_t s = 0; s < read_pos_.size(); ++s) {
    if (!pending_[s].empty()) {
      progress_next_[s] = pending_[s].front().sequence;
      progress_through_[s] = pending_[s].front().arrival_micros;
    } else {
      progress_next_[s] = read_pos_[s];
      // Unread records are stamped after the last one read, and, if this
      // poll read the shard to its end, at or after t0.
      progress_through_[s] = read_to_end[s] ? t0 : last_read_stamp_[s];
    }
  }
}

std::vector<ShardLag> StreamProcessor::Lag(int64_t now_micros) const {
  std::vector<ShardLag> out(log_->shard_count());
  // A standby: the lease holder (another replica) owns the backlog.
  if (standby_.load()) return out;
  std::lock_guard<std::mutex> lock(progress_mu_);
  for (size_t s = 0; s < out.size(); ++s) {
    const uint64_t next = s < progress_next_.size() ? progress_next_[s] : 0;
    const uint64_t end = log_->EndSequence(static_cast<int>(s));
    out[s].events = end > next ? end - next : 0;
    if (out[s].events > 0) out[s].micros = std::max<int64_t>(0, now_micros - progress_through_[s]);
  }
  return out;
}

}  // namespace pantry::stream
