// FeatureStore::PutBatches: bulk loads pipelined across batches.
//
//   calling thread : next(n+1), validate n+1 | plan + write n online | ...
//   offline thread :           append n+1 offline (journal row included)
//
// Batch n+1's offline transaction (SQLite or a PostgreSQL COPY) runs while
// batch n is planned (online reads of the stored records) and written online
// (RocksDB or a Redis pipeline). The exactly-once rule of PutRecords holds
// per batch: a batch's online write, carrying its sequence, starts only
// after its own offline commit; sequences are taken in batch order on the
// one offline thread and the online writes follow that order on the calling
// thread. Planning batch n+1 must see batch n online (the event-time rule
// compares with the stored record), so it cannot overlap batch n's write.
#include <deque>
#include <future>
#include <memory>

#include "pantry/featurestore/feature_store_impl.h"

namespace pantry::featurestore::detail {
namespace {

// A batch whose offline append has been queued but whose online write has
// not happened yet. Heap-allocated so that the spans and pointers the
// append and the plan keep into `records` stay valid.
template <typename Prepared>
struct InFlight {
  std::vector<Record> records;
  std::vector<Prepared> prepared;  // points into records
  double invoked = 0;
  int64_t sequence = 0;
  std::future<Status> offline;
  // Set once this batch is acknowledged (or dropped after an error); the
  // next batch's test hook waits for it (see PipelineBatches).
  std::promise<void> acked;
  std::shared_future<void> previous_acked;
};

}  // namespace

StatusOr<PutSummary> FeatureStoreImpl::PutBatches(std::string_view group, const BatchSource& next,
                                                  const BatchWritten& on_written) {
  RETURN_IF_ERROR(CheckWritable());
  GroupPtr def;
  {
    std::lock_guard lock(write_mu_);
    auto it = groups_->find(group);
    if (it == groups_->end()) return UnknownGroup(group);
    def = it->second;
  }
  if (def->online_enabled && def->offline_enabled) return PipelineBatches(*def, next, on_written);
  // One store only: nothing to overlap, each batch is one PutRecords.
  PutSummary total;
  std::vector<Record> records;
  while (true) {
    records.clear();
    ASSIGN_OR_RETURN(bool more, next(&records));
    if (!more) return total;
    if (records.empty()) continue;
    ASSIGN_OR_RETURN(PutSummary batch,
                     PutRecords(def->name, records, std::nullopt, WriteTargets::kAll));
    total.records += batch.records;
    total.online_updated += batch.online_updated;
    if (on_written) on_written(batch);
  }
}

StatusOr<PutSummary> FeatureStoreImpl::PipelineBatches(const FeatureGroupDefinition& unlocked_def,
                                                       const BatchSource& next,
                                                       const BatchWritten& on_written) {
  std::lock_guard lock(write_mu_);
  // The definition may have changed between the lookup and the lock.
  auto it = groups_->find(unlocked_def.name);
  if (it == groups_->end()) return UnknownGroup(unlocked_def.name);
  const GroupPtr def = it->second;
  const std::optional<int64_t> ttl = def->ttl_micros;
  using Batch = InFlight<Prepared>;
  std::deque<std::unique_ptr<Batch>> queue;  // at most two: n (online) and n+1 (offline)
  Status first_error;
  bool online_failed = false;
  bool done = false;
  PutSummary total;
  std::vector<OnlineWrite> writes;
  std::shared_future<void> previous_acked;
  // Batch n's online half, once its offline commit is done.
  auto online_stage = [&](Batch& b) {
    if (Status offline = b.offline.get(); !offline.ok()) {
      if (first_error.ok()) first_error = offline;
      done = true;
      return;
    }
    if (online_failed) return;  // journaled; the reopen's recovery applies it
    PutSummary summary;
    summary.records = static_cast<int64_t>(b.records.size());
    Status planned = PlanPuts(*def, b.prepared, ttl, &writes, &summary);
    if (Status s = WriteOnline(*def, writes, b.sequence, planned); !s.ok()) {
      online_failed = true;
      if (first_error.ok()) first_error = s;
      done = true;
      return;
    }
    total.records += summary.records;
    total.online_updated += summary.online_updated;
    if (on_written) on_written(summary);
  };
  while (!queue.empty() || !done) {
    if (!done) {
      auto batch = std::make_unique<Batch>();
      StatusOr<bool> more = next(&batch->records);
      batch->invoked = clock_->NowSeconds();
      if (!more.ok()) first_error = more.status();
      done = !more.ok() || !*more;
      if (!done && !batch->records.empty()) {
        // Validated here and planned later (after the batch before it is
        // online); validation only reads the definition.
        Status valid = PrepareBatch(*def, batch->records, ttl, &batch->prepared);
        if (!valid.ok()) {
          first_error = valid;
          done = true;
        } else {
          Batch* b = batch.get();
          b->previous_acked = std::move(previous_acked);
          previous_acked = b->acked.get_future().share();
          b->offline = offline_worker_.Submit([this, def, b] {
            Status s = AppendOffline(*def, b->records, JournalOp::kPut, std::nullopt, b->invoked,
                                     &b->sequence, Mark{}, /*run_hook=*/false);
            // The crash tests' hook point: batch n is acknowledged by now,
            // so a crash here leaves exactly this batch to replay.
            if (s.ok() && options_.hooks.after_offline_commit) {
              if (b->previous_acked.valid()) b->previous_acked.wait();
              options_.hooks.after_offline_commit();
            }
            return s;
          });
          queue.push_back(std::move(batch));
        }
      }
    }
    // Keep one batch appending offline while the one before it goes online;
    // at the end (or after an error) drain the queue.
    if (queue.empty() || (!done && queue.size() < 2)) continue;
    std::unique_ptr<Batch> b = std::move(queue.front());
    queue.pop_front();
    online_stage(*b);
    b->acked.set_value();
  }
  if (!first_error.ok()) return first_error;
  return total;
}

}  // namespace pantry::featurestore::detail
