// FeatureStore: the facade every other subsystem uses (server, stream sink,
// training, CLI). It owns a feature group registry, an online store (latest
// record per id, for serving) and an offline store (append-only history, for
// SQL and training datasets), and keeps them consistent.
//
// Thread-safety: every method may be called concurrently from any number of
// threads (HTTP worker threads, a stream processor, an ingest pipeline).
// Reads (GetRecord, BatchGetRecord, Describe/List) take no global lock: the
// registry is an immutable snapshot swapped atomically on change, and the
// online backends are internally synchronised. Writes (Put/Delete) are
// serialised by one writer mutex because the event-time rule is a
// read-compare-write and the offline log must be appended in order; batch
// them (PutRecords) for throughput.
//
// Durability and exactly-once (see docs/featurestore.md): each write batch
// gets a sequence number; it is first committed to the offline store in one
// SQLite transaction together with a journal row naming the sequence, then
// applied to the online store in one atomic write together with the applied
// sequence. Open() re-applies to the online store any journaled batch it has
// not applied, so a crash between the two writes neither loses nor
// duplicates a record. A write is acknowledged (the call returns OK) only
// after both commits. With sync_writes=false (default) an acknowledged write
// survives a process crash (kill -9); with sync_writes=true it also survives
// power loss (fsync per batch).
//
// One process at a time may open a home read-write (RocksDB holds a lock);
// any number of processes may open it with read_only=true.
#ifndef PANTRY_FEATURESTORE_FEATURE_STORE_H_
#define PANTRY_FEATURESTORE_FEATURE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_group.h"
#include "pantry/featurestore/query_result.h"
#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

enum class OnlineBackend {
  kRocksDb,  // <home>/featurestore/online, the embedded default
  kMemory,   // process-local, lost on exit (tests, benchmarks)
  kRedis,    // Redis or Redis Cluster at online_url (shared by processes)
};
enum class OfflineBackend {
  kSqlite,      // <home>/featurestore/offline.db, WAL journal mode
  kPostgresql,  // at offline_url
};

// Test hooks at named points of the write path, in the spirit of LevelDB's
// Env and RocksDB's SyncPoint: a test installs a callback (for example one
// that raises SIGKILL, to crash at an exact point) and production code
// leaves them empty. The store never reads the environment for this.
struct FeatureStoreHooks {
  // Called after a write batch is committed to the offline store (with its
  // journal row) and before it is applied to the online store: the window
  // that recovery on Open() must repair. Runs with the writer lock held,
  // possibly on a helper thread of the store; it must not call the store.
  // Not called for groups without an offline store. In a pipelined bulk
  // load (PutBatches) it runs once the batch before has been acknowledged,
  // so that a crash raised from it leaves exactly one batch to replay (a
  // crash elsewhere can leave two: both journaled, replayed in order).
  std::function<void()> after_offline_commit;
};

// Memory the embedded stores may keep (RocksDB online, SQLite offline; the
// Redis and PostgreSQL backends ignore them). The defaults suit a server;
// a small box or a soak that must show a plateau early can lower them.
struct StoreCacheOptions {
  int64_t online_block_cache_bytes = 128 << 20;  // RocksDB LRU block cache
  // One RocksDB memtable; up to two exist at once (active + flushing).
  int64_t online_write_buffer_bytes = 64 << 20;
  // Recently read online records, kept in front of RocksDB (0: none).
  int64_t online_record_cache_bytes = 64 << 20;
  int64_t offline_cache_bytes = 64 << 20;  // SQLite page cache
};

struct FeatureStoreOptions {
  // State lives in <home>/featurestore/ (created if missing unless read_only).
  std::filesystem::path home;
  OnlineBackend online_backend = OnlineBackend::kRocksDb;
  OfflineBackend offline_backend = OfflineBackend::kSqlite;
  // The backend URLs (store_url.h; SetOnlineStore/SetOfflineStore fill
  // these and the enums from a flag value). Used for kRedis / kPostgresql:
  // a postgresql:// or postgres:// offline URL (libpq syntax) also holds
  // the feature group definitions (see docs/featurestore.md).
  std::string online_url;
  std::string offline_url;
  // Used when online_url has no password (e.g. from $PANTRY_REDIS_PASSWORD,
  // so that it need not appear in a command line).
  std::string online_password;
  // Not owned; nullptr = Clock::Real(). Used for TTL expiry, write_time and
  // api_invocation_time.
  Clock* clock = nullptr;
  // fsync every write batch (survives power loss) instead of only handing it
  // to the OS (survives a process crash). Slower for single puts.
  bool sync_writes = false;
  // Open without taking the writer lock: only reads and Query are allowed;
  // writes return FailedPrecondition.
  bool read_only = false;
  // With read_only: do not open the online store at all (SQL and datasets
  // only; no RocksDB WAL replay). GetRecord/BatchGetRecord then fail with
  // FailedPrecondition.
  bool offline_only = false;
  // Bounds on Query/QueryEach (see QueryLimits).
  QueryLimits query_limits;
  StoreCacheOptions caches;
  // Empty in production; see FeatureStoreHooks.
  FeatureStoreHooks hooks;
};

enum class DeleteMode {
  // Online record is replaced by a tombstone (reads as absent) if the delete's
  // event time is >= the stored one; an is_deleted row is appended offline.
  kSoft,
  // Online record is removed; rejected (InvalidArgument, nothing written) if
  // its event time is older than the stored record's. Appends an is_deleted
  // row offline.
  kHard,
};

// How BatchGetRecord returns the records it finds.
enum class RecordForm : uint8_t {
  kRecord,    // BatchGetResult::Found::record
  kJsonList,  // Found::record_json: SageMaker's record list (record_json.h)
              // written straight from the stored bytes; `record` stays empty
};

// One group of a BatchGetRecord call.
struct BatchGetEntry {
  std::string feature_group;
  std::vector<std::string> record_ids;     // as strings (the wire form)
  std::vector<std::string> feature_names;  // empty = all features
  RecordForm form = RecordForm::kRecord;
};

struct BatchGetResult {
  struct Found {
    std::string feature_group;
    std::string record_id;
    Record record;                  // RecordForm::kRecord
    std::string record_json;        // RecordForm::kJsonList
    int64_t expires_at_micros = 0;  // 0 = never expires
  };
  struct Error {
    std::string feature_group;
    std::string record_id;
    Status status;  // e.g. NotFound for an unknown group
  };
  std::vector<Found> records;
  std::vector<Error> errors;
  // {group, id} pairs that were absent, deleted or expired.
  std::vector<std::pair<std::string, std::string>> unprocessed;
};

// Which stores a put writes (SageMaker's PutRecord TargetStores).
enum class WriteTargets : uint8_t {
  kAll,          // every store the group has (TargetStores absent)
  kOnlineOnly,   // ["OnlineStore"]: no offline row, no journal entry
  kOfflineOnly,  // ["OfflineStore"]: the online record is left as it is
};

// Result of one put within PutRecords.
struct PutSummary {
  int64_t records = 0;         // accepted (all go to the offline store, if enabled)
  int64_t online_updated = 0;  // replaced the online record (newer event time)
};

class FeatureStore {
 public:
  static StatusOr<std::unique_ptr<FeatureStore>> Open(const FeatureStoreOptions& options);
  virtual ~FeatureStore() = default;

  // ---- Feature groups -------------------------------------------------
  // Validates and durably registers `definition` (creation_time is set);
  // creates its offline table. AlreadyExists if the name is taken.
  virtual Status CreateFeatureGroup(FeatureGroupDefinition definition) = 0;
  // NotFound if unknown. Returns a copy of the immutable definition.
  virtual StatusOr<FeatureGroupDefinition> DescribeFeatureGroup(std::string_view name) const = 0;
  // All groups sorted by name.
  virtual std::vector<FeatureGroupDefinition> ListFeatureGroups() const = 0;
  // Removes the definition, the offline table and all online records.
  virtual Status DeleteFeatureGroup(std::string_view name) = 0;
  // Appends features (new, valid, unique names); existing records read the
  // new features as absent.
  virtual Status AddFeatures(std::string_view name, std::vector<FeatureDefinition> features) = 0;
  // Replaces the group's default online TTL (nullopt: records written from
  // now on never expire). Records already online keep the expiry they were
  // written with, as in SageMaker. NotFound (group), InvalidArgument (TTL <=
  // 0, or the group has no online store).
  virtual Status SetOnlineTtl(std::string_view name, std::optional<int64_t> ttl_micros) = 0;

  // ---- Records --------------------------------------------------------
  // Validates `record` against the group (every feature known; record id
  // and event time present; values typed as defined; strings <= 350 KB),
  // then writes it: offline always (if enabled), online if its event time
  // is newer than the stored record's (older or equal: offline only).
  // `ttl_micros` overrides the group's TTL for this record. `targets`
  // restricts the write to one of the group's stores (see WriteTargets).
  // Errors: NotFound (group), InvalidArgument (record, or a target store the
  // group does not have); nothing is written.
  virtual Status PutRecord(std::string_view group, const Record& record,
                           std::optional<int64_t> ttl_micros = std::nullopt,
                           WriteTargets targets = WriteTargets::kAll) = 0;
  // Like PutRecord for many records of one group, as one atomic batch: if
  // any record is invalid, nothing is written and the error names its index
  // ("record 17: ..."). Records are applied in order (a later record with
  // the same id and a newer event time wins).
  virtual StatusOr<PutSummary> PutRecords(std::string_view group, std::span<const Record> records,
                                          std::optional<int64_t> ttl_micros = std::nullopt,
                                          WriteTargets targets = WriteTargets::kAll) = 0;

  // Where PutBatches takes its batches from: fills *records with the next
  // batch and returns true, or returns false at the end. An error stops the
  // load (batches handed over before it are still written) and is returned.
  using BatchSource = std::function<StatusOr<bool>(std::vector<Record>* records)>;
  // Called on the calling thread after each batch is written to both stores.
  using BatchWritten = std::function<void(const PutSummary& batch)>;
  // A bulk load (CSV ingest): each batch from `next` is written exactly as
  // PutRecords would write it (validated as a whole, its own sequence, the
  // offline commit before the online write, online writes in batch order),
  // but pipelined: batch n+1 is validated and appended offline on the
  // store's offline thread while batch n is written online on the calling
  // thread. Holds the writer lock for the whole call, so other writes wait
  // until it returns. `next` and `on_written` run on the calling thread and
  // must not call the store. Returns the totals of all batches written, or
  // the first error; an invalid batch (InvalidArgument "record i: ...") is
  // not written, nor anything after it, while the batches before it are.
  virtual StatusOr<PutSummary> PutBatches(std::string_view group, const BatchSource& next,
                                          const BatchWritten& on_written) = 0;

  // PutRecords that also sets the private mark `writer` to `mark` in the
  // batch's offline transaction, so after a crash the rows and the mark
  // agree. No record write (PutRecord, DeleteRecord, the runtime API) can
  // set a mark, so a client cannot forge one: the stream sink keeps its
  // delivered high-water mark here. The group must have an offline store
  // (FailedPrecondition otherwise).
  virtual StatusOr<PutSummary> PutRecordsMarked(std::string_view group,
                                                std::span<const Record> records,
                                                std::string_view writer, int64_t mark) = 0;

  // The mark last set for `writer`; nullopt if never set.
  virtual StatusOr<std::optional<int64_t>> ReadMark(std::string_view writer) const = 0;

  // The latest online record of `record_id` (its string form, e.g. "42" for
  // an Integral id), restricted to `feature_names` if not empty, or nullopt
  // if absent, deleted or expired. Unknown group: NotFound; unknown feature
  // name: InvalidArgument; online store disabled: FailedPrecondition.
  // `expires_at_micros` (may be null) gets the found record's expiry (0 =
  // never), for GetRecord's ExpiresAt.
  virtual StatusOr<std::optional<Record>> GetRecord(std::string_view group,
                                                    std::string_view record_id,
                                                    std::span<const std::string> feature_names = {},
                                                    int64_t* expires_at_micros = nullptr) const = 0;
  // Up to 100 ids per entry (more: InvalidArgument for the whole call).
  // Per-id problems are reported in the result, not as the call's status.
  virtual StatusOr<BatchGetResult> BatchGetRecord(std::span<const BatchGetEntry> entries) const = 0;

  // Non-blocking reads for an event-loop thread: GetRecord and
  // BatchGetRecord answered only from memory (OnlineStore::TryGetInMemory:
  // the memory store always, RocksDB on memtable and block-cache hits,
  // Redis never). nullopt when the online store would have to wait on disk
  // or the network; the caller then repeats the call with GetRecord /
  // BatchGetRecord on a thread that may block. Otherwise exactly what the
  // blocking call returns.
  virtual std::optional<StatusOr<std::optional<Record>>> TryGetRecordInMemory(
      std::string_view group, std::string_view record_id,
      std::span<const std::string> feature_names, int64_t* expires_at_micros) const = 0;
  virtual std::optional<StatusOr<BatchGetResult>> TryBatchGetRecordInMemory(
      std::span<const BatchGetEntry> entries) const = 0;

  // Deletes `record_id` as of `event_time_micros` (see DeleteMode).
  virtual Status DeleteRecord(std::string_view group, std::string_view record_id,
                              int64_t event_time_micros, DeleteMode mode = DeleteMode::kSoft) = 0;

  // ---- Offline SQL ----------------------------------------------------
  // Runs one read-only SQL statement over the offline store (each feature
  // group is a table of the same name). Statements that would write are
  // refused with InvalidArgument "query is read-only ...".
  virtual StatusOr<QueryResult> Query(std::string_view sql) const = 0;
  // Streams the rows of a read-only query instead of materialising them
  // (for large training sets). `column_names` (may be null) is filled before
  // the first call of `on_row`; a non-OK status from `on_row` stops the
  // query and is returned.
  virtual Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue> row)>& on_row) const = 0;

  // ---- State ----------------------------------------------------------
  // OK while the store accepts writes (and a read-only store, which never
  // does by design). Unavailable while it refuses them: an online write
  // failed after its offline commit, and the journaled batch must be
  // replayed by reopening the store before any further write (see
  // "Durability" above). Cheap (one atomic load), for readiness probes.
  virtual Status Health() const = 0;
  // OK if the online and offline stores' servers answer; Unavailable with
  // the unreachable backend's message otherwise (the store reconnects by
  // itself once it is back). One round trip to each remote backend; the
  // embedded stores always answer. For /readyz.
  virtual Status BackendHealth() const = 0;

  // The SQL dialect Query/QueryEach accept (the offline store's).
  virtual SqlDialect sql_dialect() const = 0;

  virtual Clock* clock() const = 0;
  virtual const FeatureStoreOptions& options() const = 0;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_FEATURE_STORE_H_
