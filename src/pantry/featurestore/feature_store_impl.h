// The FeatureStore implementation class, shared by its two source files:
// feature_store_impl.cc (the facade: registry, reads, queries) and
// feature_store_write.cc (validation, the event-time rule, the
// offline-then-online write protocol and crash recovery). Not a public
// header: use feature_store.h.
#ifndef PANTRY_FEATURESTORE_FEATURE_STORE_IMPL_H_
#define PANTRY_FEATURESTORE_FEATURE_STORE_IMPL_H_

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/offline_store.h"
#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/online_store.h"
#include "pantry/featurestore/serial_worker.h"

namespace pantry::featurestore::detail {

using GroupPtr = std::shared_ptr<const FeatureGroupDefinition>;
using GroupMap = std::map<std::string, GroupPtr, std::less<>>;

// Journaled batches Recover could not apply, one JSON object per line.
inline constexpr char kQuarantineFile[] = "quarantine.jsonl";

class FeatureStoreImpl final : public FeatureStore {
 public:
  explicit FeatureStoreImpl(const FeatureStoreOptions& options)
      : options_(options), clock_(options.clock ? options.clock : Clock::Real()) {
    root_ = options.home / "featurestore";
    groups_dir_ = root_ / "groups";
  }

  Status Init();

  // Replays journaled batches the online store has not applied (a crash
  // between the offline commit and the online write).
  Status Recover();

  // ---- Feature groups ---------------------------------------------------

  Status CreateFeatureGroup(FeatureGroupDefinition definition) override;

  StatusOr<FeatureGroupDefinition> DescribeFeatureGroup(std::string_view name) const override;

  std::vector<FeatureGroupDefinition> ListFeatureGroups() const override;

  Status DeleteFeatureGroup(std::string_view name) override;

  Status AddFeatures(std::string_view name, std::vector<FeatureDefinition> features) override;

  Status SetOnlineTtl(std::string_view name, std::optional<int64_t> ttl_micros) override;

  // ---- Records ----------------------------------------------------------

  Status PutRecord(std::string_view group, const Record& record, std::optional<int64_t> ttl_micros,
                   WriteTargets targets) override;

  StatusOr<PutSummary> PutRecords(std::string_view group, std::span<const Record> records,
                                  std::optional<int64_t> ttl_micros, WriteTargets targets) override;

  StatusOr<PutSummary> PutRecordsMarked(std::string_view group, std::span<const Record> records,
                                        std::string_view writer, int64_t mark) override;

  StatusOr<PutSummary> PutBatches(std::string_view group, const BatchSource& next,
                                  const BatchWritten& on_written) override;

  StatusOr<std::optional<int64_t>> ReadMark(std::string_view writer) const override {
    return offline_->ReadMark(writer);
  }

  StatusOr<std::optional<Record>> GetRecord(std::string_view group, std::string_view record_id,
                                            std::span<const std::string> feature_names,
                                            int64_t* expires_at_micros) const override;

  StatusOr<BatchGetResult> BatchGetRecord(std::span<const BatchGetEntry> entries) const override;

  std::optional<StatusOr<std::optional<Record>>> TryGetRecordInMemory(
      std::string_view group, std::string_view record_id,
      std::span<const std::string> feature_names, int64_t* expires_at_micros) const override;

  std::optional<StatusOr<BatchGetResult>> TryBatchGetRecordInMemory(
      std::span<const BatchGetEntry> entries) const override;

  Status DeleteRecord(std::string_view group, std::string_view record_id, int64_t event_time_micros,
                      DeleteMode mode) override;

  StatusOr<QueryResult> Query(std::string_view sql) const override;

  Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue> row)>& on_row) const override;

  Status Health() const override {
    if (needs_recovery_.load()) {
      return UnavailableError(
          "feature store: an online write failed after its offline commit; reopen the store to "
          "replay it before writing again");
    }
    return Status::Ok();
  }

  Status BackendHealth() const override {
    if (online_ != nullptr) RETURN_IF_ERROR(online_->Ping().WithContext("online store"));
    return offline_->Ping().WithContext("offline store");
  }

  SqlDialect sql_dialect() const override { return offline_->dialect(); }
  Clock* clock() const override { return clock_; }
  const FeatureStoreOptions& options() const override { return options_; }

 private:
  struct Prepared {
    std::string id;  // canonical string form
    int64_t event_time_micros = 0;
    const Record* record = nullptr;  // puts only
  };

  std::filesystem::path GroupFile(std::string_view name) const {
    return groups_dir_ / (std::string(name) + ".json");
  }

  // The registry: JSON files under groups_dir_, or the offline store when it
  // keeps definitions (PostgreSQL), so that replicas share them.
  Status LoadRegistry(GroupMap* map) const;
  Status SaveDefinition(const FeatureGroupDefinition& def);
  Status RemoveDefinition(std::string_view name);
  Status OpenOffline();
  static Status UnknownGroup(std::string_view name) {
    return NotFoundError("feature group " + std::string(name) + " does not exist");
  }

  Status CheckWritable() const {
    if (options_.read_only) {
      return FailedPreconditionError("feature store opened read-only");
    }
    return Health();
  }

  Status CheckOnlineOpen() const {
    if (online_ == nullptr) {
      return FailedPreconditionError("feature store opened offline-only (no online reads)");
    }
    return Status::Ok();
  }

  void Publish(std::shared_ptr<GroupMap> map);

  // The registry as this thread last saw it, refreshed when it changed. The
  // common case is one relaxed atomic load and no shared writes, so reads
  // from many threads do not contend. The reference stays valid until this
  // thread's next Snapshot() call.
  const GroupMap& Snapshot() const;

  StatusOr<const FeatureGroupDefinition*> Lookup(std::string_view name) const {
    const GroupMap& map = Snapshot();
    auto it = map.find(name);
    if (it == map.end()) return UnknownGroup(name);
    return it->second.get();
  }

  static StatusOr<std::string> CanonicalId(const FeatureGroupDefinition& def, std::string_view id);

  StatusOr<Prepared> PrepareRecord(const FeatureGroupDefinition& def, const Record& record) const;

  StatusOr<std::vector<Prepared>> PrepareAll(const FeatureGroupDefinition& def,
                                             std::span<const Record> records) const;

  // Decides which records replace the online record: strictly newer event
  // time than what is stored (or pending earlier in this batch).
  Status PlanPuts(const FeatureGroupDefinition& def, std::span<const Prepared> prepared,
                  std::optional<int64_t> ttl, std::vector<OnlineWrite>* writes,
                  PutSummary* summary) const;

  Status PlanDelete(const FeatureGroupDefinition& def, const Prepared& p, JournalOp op,
                    const std::optional<std::string>& current, std::vector<OnlineWrite>* writes,
                    bool check) const;

  // The online writes that apply a journaled batch; an error means the
  // batch can no longer be applied (Recover quarantines it).
  StatusOr<std::vector<OnlineWrite>> PlanReplay(const FeatureGroupDefinition& def,
                                                const JournalEntry& entry) const;
  // Appends the batch and the reason to featurestore/quarantine.jsonl.
  Status Quarantine(const JournalEntry& entry, const Status& reason) const;

  // The writer mark a batch sets with its offline commit (PutRecordsMarked).
  struct Mark {
    std::string_view writer;
    int64_t value = 0;
  };

  StatusOr<PutSummary> PutRecordsImpl(std::string_view group, std::span<const Record> records,
                                      std::optional<int64_t> ttl_micros, WriteTargets targets,
                                      const Mark& mark);
  // Validates a put batch (and its expiries under `ttl`) before anything of
  // it is written.
  Status PrepareBatch(const FeatureGroupDefinition& def, std::span<const Record> records,
                      std::optional<int64_t> ttl, std::vector<Prepared>* prepared) const;
  // PutBatches for a group with both stores: the pipeline across batches.
  StatusOr<PutSummary> PipelineBatches(const FeatureGroupDefinition& def, const BatchSource& next,
                                       const BatchWritten& on_written);

  // Offline (with journal) first, then online with the applied sequence.
  Status AppendOffline(const FeatureGroupDefinition& def, std::span<const Record> rows,
                       JournalOp op, std::optional<int64_t> ttl, double invoked, int64_t* sequence,
                       const Mark& mark, bool run_hook = true);
  // `planned` is the outcome of planning the writes; an error there after an
  // offline commit is reported like a failed online write.
  Status WriteOnline(const FeatureGroupDefinition& def, std::span<const OnlineWrite> writes,
                     int64_t sequence, Status planned);
  Status Commit(const FeatureGroupDefinition& def, std::span<const Record> rows, JournalOp op,
                std::optional<int64_t> ttl, double invoked, std::vector<OnlineWrite>& writes,
                const Mark& mark);

  // GetRecord / BatchGetRecord; with `memory_only`, *declined is set (and
  // the result meaningless) when the online store cannot answer from memory.
  StatusOr<std::optional<Record>> ReadRecord(std::string_view group, std::string_view record_id,
                                             std::span<const std::string> feature_names,
                                             int64_t* expires_at_micros, bool memory_only,
                                             bool* declined) const;
  StatusOr<BatchGetResult> ReadBatch(std::span<const BatchGetEntry> entries, bool memory_only,
                                     bool* declined) const;

  // The header of `value` if it is a visible record (present, not a
  // tombstone, not expired), else nullopt.
  StatusOr<std::optional<OnlineRecordHeader>> VisibleHeader(
      const std::optional<std::string>& value) const;
  // `expires_at_micros` (may be null) gets the visible record's expiry.
  StatusOr<std::optional<Record>> DecodeVisible(const std::optional<std::string>& value,
                                                std::span<const std::string> features,
                                                int64_t* expires_at_micros = nullptr) const;

  const FeatureStoreOptions options_;
  Clock* const clock_;
  std::filesystem::path root_;
  std::filesystem::path groups_dir_;
  std::unique_ptr<OnlineStore> online_;
  std::unique_ptr<OfflineStore> offline_;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const GroupMap> groups_ = std::make_shared<GroupMap>();
  std::atomic<uint64_t> version_{0};

  std::mutex write_mu_;  // serialises all writes
  std::atomic<bool> needs_recovery_{false};
  int64_t next_sequence_ = 1;
  // Runs offline appends that overlap online work (declared last: it is
  // joined before the stores it writes to are destroyed).
  SerialWorker offline_worker_;
};

}  // namespace pantry::featurestore::detail

#endif  // PANTRY_FEATURESTORE_FEATURE_STORE_IMPL_H_
