// Offline store backend: append-only history per feature group, queryable
// with SQL, plus the write journal that makes offline appends exactly-once
// (see feature_store.h). Implementations: sqlite_offline_store.cc (the
// embedded default) and postgres_offline_store.cc (a shared PostgreSQL
// server, for several replicas).
//
// Thread-safety: every method may be called from any thread. EnsureTable,
// DropTable, Append, LastSequence and ReadJournal share one connection and
// are serialised by the store's own mutex; QueryEach runs on a read-only
// connection of its own (SQLite: opened per call; PostgreSQL: from a small
// pool) alongside them, seeing committed data only.
// The facade additionally calls Append under its writer mutex, which is what
// keeps journal sequences in commit order. A store opened read_only fails
// EnsureTable, DropTable and Append with FailedPrecondition.
#ifndef PANTRY_FEATURESTORE_OFFLINE_STORE_H_
#define PANTRY_FEATURESTORE_OFFLINE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_group.h"
#include "pantry/featurestore/query_result.h"
#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

enum class JournalOp : int { kPut = 0, kSoftDelete = 1, kHardDelete = 2 };

// One batch of rows for one group.
struct OfflineBatch {
  const FeatureGroupDefinition* group = nullptr;
  // Rows in order. For deletes: the record id and event time only.
  std::span<const Record> records;
  JournalOp op = JournalOp::kPut;
  double write_time_seconds = 0;
  double api_invocation_time_seconds = 0;
  // > 0: also record the batch in the journal under this sequence, in the
  // same transaction, so that a crash leaves both or neither.
  int64_t sequence = 0;
  std::optional<int64_t> ttl_micros;  // journaled for replay of puts
  // Non-empty: also set the private mark `mark_writer` to `mark_value` in
  // the same transaction (see FeatureStore::PutRecordsMarked).
  std::string_view mark_writer;
  int64_t mark_value = 0;
};

// A journaled batch read back for recovery.
struct JournalEntry {
  int64_t sequence = 0;
  std::string group;
  JournalOp op = JournalOp::kPut;
  std::optional<int64_t> ttl_micros;
  std::vector<Record> records;
};

struct PostgresOfflineOptions {
  bool read_only = false;
  // timeout_ms becomes the query transaction's statement_timeout and
  // max_length_bytes bounds each value read; heap_limit_bytes is SQLite's
  // and does not apply (rows are streamed one at a time).
  QueryLimits query_limits;
  // Non-empty: queries run as this role (SET LOCAL ROLE inside their
  // read-only transaction), e.g. one granted only SELECT, so that even
  // read-only functions a superuser may call (pg_read_file) are refused.
  std::string query_role;
};

struct SqliteOfflineOptions {
  bool sync = false;  // synchronous=FULL instead of NORMAL (WAL mode either way)
  bool read_only = false;
  QueryLimits query_limits;
  // SQLite's page cache of the connection (PRAGMA cache_size), in bytes.
  int64_t cache_bytes = 64 << 20;
};

class OfflineStore {
 public:
  static StatusOr<std::unique_ptr<OfflineStore>> OpenSqlite(const std::filesystem::path& file,
                                                            const SqliteOfflineOptions& options);
  // `url`: postgresql://[user[:password]@]host[:port]/dbname[?param=...]
  // (any libpq connection string). Creates pantry's own tables
  // (_pantry_journal, _pantry_marks, _pantry_feature_groups) unless
  // read_only. Unavailable if the server cannot be reached.
  static StatusOr<std::unique_ptr<OfflineStore>> OpenPostgres(
      std::string_view url, const PostgresOfflineOptions& options);
  virtual ~OfflineStore() = default;

  // The SQL dialect QueryEach speaks, for code that builds SQL.
  virtual SqlDialect dialect() const = 0;

  // Creates the group's table if missing and adds columns for features it
  // lacks (idempotent; used by create, add-features and open). Existing
  // columns are left as they are, whatever their declared type.
  virtual Status EnsureTable(const FeatureGroupDefinition& group) = 0;
  // Drops the group's table and its journal rows in one transaction (no
  // error if the table is missing).
  virtual Status DropTable(std::string_view group) = 0;
  // Appends the batch in one transaction (with its journal row).
  virtual Status Append(const OfflineBatch& batch) = 0;
  // Highest journaled sequence (0 if none).
  virtual StatusOr<int64_t> LastSequence() const = 0;
  // Reads journaled batches with sequence > `after`, in order, rebuilding
  // their records from the group tables (`groups` resolves definitions).
  virtual Status ReadJournal(
      int64_t after, const std::function<const FeatureGroupDefinition*(std::string_view)>& groups,
      const std::function<Status(const JournalEntry&)>& on_entry) const = 0;
  // The private mark last set for `writer`, nullopt if never set. Only
  // OfflineBatch::mark_writer writes marks; no record write can.
  virtual StatusOr<std::optional<int64_t>> ReadMark(std::string_view writer) const = 0;
  // Read-only SQL; see FeatureStore::QueryEach.
  virtual Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue>)>& on_row) const = 0;

  // OK if the store's server answers (one round trip on a connection of
  // its own, so a long append does not delay it); Unavailable naming the
  // server otherwise. Embedded stores always answer. For /readyz.
  virtual Status Ping() const { return Status::Ok(); }

  // ---- Feature group registry ------------------------------------------
  // True if the store keeps the group definitions itself (PostgreSQL: the
  // table _pantry_feature_groups, so replicas need no shared disk); false
  // if the caller keeps them elsewhere (SQLite: JSON files beside it), in
  // which case the three calls below fail with FailedPrecondition.
  virtual bool stores_definitions() const { return false; }
  // Every stored definition as JSON text (FeatureGroupDefinition::ToJson).
  virtual StatusOr<std::vector<std::string>> LoadDefinitions() const {
    return FailedPreconditionError("this offline store keeps no group definitions");
  }
  // Inserts or replaces the definition of `name`.
  virtual Status SaveDefinition(std::string_view name, std::string_view json) {
    return FailedPreconditionError("this offline store keeps no group definitions");
  }
  // Removes it (no error if absent).
  virtual Status DeleteDefinition(std::string_view name) {
    return FailedPreconditionError("this offline store keeps no group definitions");
  }
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_OFFLINE_STORE_H_
