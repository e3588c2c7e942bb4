// SQLite offline store: the embedded default, <home>/featurestore/offline.db.
// The only file that includes sqlite3.h.
//
// One table per feature group, named after it (quoted), with a column per
// feature (Integral INTEGER, Fractional REAL, String TEXT) plus write_time
// REAL and api_invocation_time REAL (Unix seconds) and is_deleted INTEGER
// (0/1). Rows are only ever appended. WAL journal mode; synchronous=NORMAL
// (a committed transaction survives a process crash) or FULL (also power
// loss).
//
// The journal table _pantry_journal(sequence, feature_group, op,
// ttl_micros, first_rowid, last_rowid) gets one row per appended batch in
// the batch's own transaction; the facade uses it to replay batches into the
// online store after a crash (see docs/featurestore.md). _pantry_marks(writer,
// value) holds the private marks writers such as the stream sink set in the
// same transaction as their rows (no client write path reaches it).
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

#include "pantry/featurestore/offline_store.h"
#include "pantry/featurestore/query_result.h"
#include "pantry/featurestore/sql_quote.h"

namespace pantry::featurestore {
namespace {

std::string_view SqlType(FeatureType type) {
  switch (type) {
    case FeatureType::kIntegral:
      return "INTEGER";
    case FeatureType::kFractional:
      return "REAL";
    case FeatureType::kString:
      return "TEXT";
  }
  return "TEXT";
}

Status SqlError(sqlite3* db, std::string_view what) {
  return IOError("SQLite " + std::string(what) + ": " + sqlite3_errmsg(db));
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

StatusOr<Stmt> Prepare(sqlite3* db, std::string_view sql, bool persistent = false) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqlError(db, "prepare \"" + std::string(sql.substr(0, 200)) + "\"");
  return Stmt(stmt);
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return IOError("SQLite \"" + sql.substr(0, 200) + "\": " + msg);
  }
  return Status::Ok();
}

// What the SQLite callbacks of one query share with QueryEach.
struct QueryGuard {
  std::chrono::steady_clock::time_point deadline{};
  bool has_deadline = false;
  bool timed_out = false;
  std::string denied;  // why the authorizer refused, for the error message
};

// Pragmas that only describe the schema; every other pragma (writable_schema,
// journal_mode, ...) is refused.
bool IsIntrospectionPragma(const char* name) {
  static constexpr std::string_view kAllowed[] = {
      "table_info",  "table_xinfo",      "table_list",    "index_list",     "index_info",
      "index_xinfo", "foreign_key_list", "database_list", "collation_list", "function_list"};
  if (name == nullptr) return false;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kAllowed), std::end(kAllowed), lower) != std::end(kAllowed);
}

// Queries may read tables and call functions, and nothing else: no writes,
// ATTACH, transactions, pragmas that change state, or the functions that
// reach outside SQL (fts3_tokenizer hands out a library pointer on Debian's
// build; load_extension loads code).
int AuthorizeQuery(void* arg, int action, const char* a1, const char* a2, const char*,
                   const char*) {
  auto* guard = static_cast<QueryGuard*>(arg);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (a2 != nullptr && (sqlite3_stricmp(a2, "fts3_tokenizer") == 0 ||
                            sqlite3_stricmp(a2, "load_extension") == 0)) {
        guard->denied = std::string("the function ") + a2 + "() is not allowed in queries";
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      if (IsIntrospectionPragma(a1)) return SQLITE_OK;
      guard->denied = std::string("PRAGMA ") + (a1 ? a1 : "") +
                      " is not allowed in queries (only schema pragmas such as table_info)";
      return SQLITE_DENY;
    default:
      guard->denied =
          "query is read-only: pantry query runs SELECT statements over the offline store; "
          "writes go through ingest, put and delete";
      return SQLITE_DENY;
  }
}

int CheckDeadline(void* arg) {
  auto* guard = static_cast<QueryGuard*>(arg);
  if (!guard->has_deadline || std::chrono::steady_clock::now() < guard->deadline) return 0;
  guard->timed_out = true;
  return 1;  // interrupts the statement
}

// Opens the read-only connection one query runs on, with the limits and
// the hardening described at QueryLimits. `guard` must outlive it.
StatusOr<std::unique_ptr<sqlite3, int (*)(sqlite3*)>> OpenQueryConnection(
    const std::filesystem::path& file, const QueryLimits& limits, QueryGuard* guard) {
  sqlite3* conn = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> owned(conn, sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return IOError("cannot open offline store " + file.string() + ": " +
                   (conn ? sqlite3_errmsg(conn) : "out of memory"));
  }
  sqlite3_busy_timeout(conn, 10000);
  sqlite3_db_config(conn, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(conn, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr);
  sqlite3_db_config(conn, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(conn, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  const int64_t max_length = std::clamp<int64_t>(limits.max_length_bytes, 1024, INT32_MAX);
  sqlite3_limit(conn, SQLITE_LIMIT_LENGTH, static_cast<int>(max_length));
  sqlite3_limit(conn, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
  sqlite3_limit(conn, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_set_authorizer(conn, AuthorizeQuery, guard);
  if (limits.timeout_ms > 0) {
    guard->has_deadline = true;
    guard->deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.timeout_ms);
    sqlite3_progress_handler(conn, 1000, CheckDeadline, guard);
  }
  return owned;
}

// The error for a failed prepare or step, naming the limit that stopped it.
Status QueryError(sqlite3* conn, int rc, const QueryGuard& guard, const QueryLimits& limits) {
  const std::string msg = sqlite3_errmsg(conn);
  if (guard.timed_out) {
    return InvalidArgumentError("query stopped: it ran past its time limit of " +
                                std::to_string(limits.timeout_ms) + " ms (pantry query --timeout)");
  }
  // SQLite reports some denials as SQLITE_ERROR ("not authorized to use
  // function"); the authorizer's own reason is clearer either way.
  if (!guard.denied.empty()) return InvalidArgumentError(guard.denied);
  if (rc == SQLITE_TOOBIG) {
    return InvalidArgumentError("query stopped: a value exceeds the length limit of " +
                                std::to_string(limits.max_length_bytes) + " bytes (" + msg + ")");
  }
  if (rc == SQLITE_NOMEM) {
    return InvalidArgumentError("query stopped: out of memory within the limit of " +
                                std::to_string(limits.heap_limit_bytes) +
                                " bytes (pantry query --max-memory)");
  }
  if (rc == SQLITE_READONLY || rc == SQLITE_AUTH) {
    return InvalidArgumentError("query is read-only: " + msg);
  }
  return InvalidArgumentError("SQL error: " + msg);
}

FeatureValue ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return FeatureValue::Int(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return FeatureValue::Double(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      const char* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      int n = sqlite3_column_bytes(stmt, i);
      return FeatureValue::String(std::string(p ? p : "", static_cast<size_t>(n)));
    }
    default:
      return FeatureValue();
  }
}

class SqliteOfflineStore final : public OfflineStore {
 public:
  SqliteOfflineStore(std::filesystem::path file, sqlite3* db, bool read_only,
                     const QueryLimits& query_limits)
      : file_(std::move(file)), db_(db), read_only_(read_only), query_limits_(query_limits) {}
  ~SqliteOfflineStore() override {
    inserts_.clear();
    journal_insert_.reset();
    sqlite3_close_v2(db_);
  }

  Status Init(bool sync, int64_t cache_bytes) {
    if (read_only_) return Exec(db_, "PRAGMA busy_timeout=10000");
    RETURN_IF_ERROR(Exec(db_, "PRAGMA busy_timeout=10000"));
    RETURN_IF_ERROR(Exec(db_, "PRAGMA journal_mode=WAL"));
    RETURN_IF_ERROR(Exec(db_, sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
    // A large page cache (default 64 MiB; SQLite's own is 2 MB): bulk
    // appends and the journal replay touch many pages per transaction. A
    // negative cache_size is in KiB.
    RETURN_IF_ERROR(
        Exec(db_, "PRAGMA cache_size=-" + std::to_string(std::max<int64_t>(1, cache_bytes >> 10))));
    RETURN_IF_ERROR(Exec(db_,
                         "CREATE TABLE IF NOT EXISTS _pantry_journal (sequence INTEGER PRIMARY "
                         "KEY, feature_group TEXT NOT NULL, op INTEGER NOT NULL, ttl_micros "
                         "INTEGER, first_rowid INTEGER NOT NULL, last_rowid INTEGER NOT NULL)"));
    RETURN_IF_ERROR(Exec(db_,
                         "CREATE TABLE IF NOT EXISTS _pantry_marks (writer TEXT PRIMARY KEY, "
                         "value INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(journal_insert_,
                     Prepare(db_,
                             "INSERT INTO _pantry_journal (sequence, feature_group, op, "
                             "ttl_micros, first_rowid, last_rowid) VALUES (?,?,?,?,?,?)",
                             true));
    return Status::Ok();
  }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Status EnsureTable(const FeatureGroupDefinition& group) override {
    std::lock_guard lock(mu_);
    if (read_only_) return FailedPreconditionError("offline store opened read-only");
    inserts_.erase(group.name);
    const std::string table = QuoteSqlIdentifier(group.name);
    std::string sql = "CREATE TABLE IF NOT EXISTS " + table + " (";
    for (const FeatureDefinition& f : group.features) {
      sql += QuoteSqlIdentifier(f.name) + " " + std::string(SqlType(f.type)) + ", ";
    }
    sql +=
        "write_time REAL NOT NULL, api_invocation_time REAL NOT NULL, is_deleted INTEGER NOT "
        "NULL DEFAULT 0)";
    RETURN_IF_ERROR(Exec(db_, sql));
    // Add columns for features added since the table was created.
    ASSIGN_OR_RETURN(Stmt info, Prepare(db_, "PRAGMA table_info(" + table + ")"));
    std::vector<std::string> existing;
    while (sqlite3_step(info.get()) == SQLITE_ROW) {
      existing.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 1)));
    }
    for (const FeatureDefinition& f : group.features) {
      if (std::find(existing.begin(), existing.end(), f.name) == existing.end()) {
        RETURN_IF_ERROR(Exec(db_, "ALTER TABLE " + table + " ADD COLUMN " +
                                      QuoteSqlIdentifier(f.name) + " " +
                                      std::string(SqlType(f.type))));
      }
    }
    return Status::Ok();
  }

  Status DropTable(std::string_view group) override {
    std::lock_guard lock(mu_);
    if (read_only_) return FailedPreconditionError("offline store opened read-only");
    inserts_.erase(std::string(group));
    RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
    Status s = Exec(db_, "DROP TABLE IF EXISTS " + QuoteSqlIdentifier(group));
    if (s.ok()) {
      s = Exec(db_, "DELETE FROM _pantry_journal WHERE feature_group = " + QuoteSqlString(group));
    }
    if (!s.ok()) {
      Exec(db_, "ROLLBACK").IgnoreError();
      return s;
    }
    return Exec(db_, "COMMIT");
  }

  Status Append(const OfflineBatch& batch) override {
    std::lock_guard lock(mu_);
    if (read_only_) return FailedPreconditionError("offline store opened read-only");
    if (batch.records.empty()) return Status::Ok();
    const FeatureGroupDefinition& group = *batch.group;
    ASSIGN_OR_RETURN(Insert * insert, InsertFor(group));
    RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
    Status s = AppendLocked(batch, *insert);
    if (!s.ok()) {
      Exec(db_, "ROLLBACK").IgnoreError();
      return s;
    }
    return Exec(db_, "COMMIT");
  }

  StatusOr<std::optional<int64_t>> ReadMark(std::string_view writer) const override {
    std::lock_guard lock(mu_);
    sqlite3_stmt* raw = nullptr;
    const char* sql = "SELECT value FROM _pantry_marks WHERE writer = ?";
    if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
      // A store written before marks existed, opened read-only: no marks.
      return std::optional<int64_t>();
    }
    Stmt stmt(raw);
    sqlite3_bind_text(raw, 1, writer.data(), static_cast<int>(writer.size()), SQLITE_STATIC);
    int rc = sqlite3_step(raw);
    if (rc == SQLITE_ROW) return std::optional<int64_t>(sqlite3_column_int64(raw, 0));
    if (rc != SQLITE_DONE) return SqlError(db_, "read mark");
    return std::optional<int64_t>();
  }

  StatusOr<int64_t> LastSequence() const override {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(Stmt stmt, Prepare(db_, "SELECT max(sequence) FROM _pantry_journal"));
    int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_ROW) return SqlError(db_, "read journal");
    return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
  }

  Status ReadJournal(int64_t after,
                     const std::function<const FeatureGroupDefinition*(std::string_view)>& groups,
                     const std::function<Status(const JournalEntry&)>& on_entry) const override {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(Stmt stmt, Prepare(db_,
                                        "SELECT sequence, feature_group, op, ttl_micros, "
                                        "first_rowid, last_rowid FROM _pantry_journal WHERE "
                                        "sequence > ? ORDER BY sequence"));
    sqlite3_bind_int64(stmt.get(), 1, after);
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      JournalEntry entry;
      entry.sequence = sqlite3_column_int64(stmt.get(), 0);
      entry.group = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 1));
      entry.op = static_cast<JournalOp>(sqlite3_column_int(stmt.get(), 2));
      if (sqlite3_column_type(stmt.get(), 3) != SQLITE_NULL) {
        entry.ttl_micros = sqlite3_column_int64(stmt.get(), 3);
      }
      const FeatureGroupDefinition* def = groups(entry.group);
      if (def == nullptr) continue;  // group deleted since
      std::string sql = "SELECT ";
      for (size_t i = 0; i < def->features.size(); ++i) {
        if (i) sql += ", ";
        sql += QuoteSqlIdentifier(def->features[i].name);
      }
      sql +=
          " FROM " + QuoteSqlIdentifier(def->name) + " WHERE rowid BETWEEN ? AND ? ORDER BY rowid";
      ASSIGN_OR_RETURN(Stmt rows, Prepare(db_, sql));
      sqlite3_bind_int64(rows.get(), 1, sqlite3_column_int64(stmt.get(), 4));
      sqlite3_bind_int64(rows.get(), 2, sqlite3_column_int64(stmt.get(), 5));
      int rrc;
      while ((rrc = sqlite3_step(rows.get())) == SQLITE_ROW) {
        Record r;
        for (size_t i = 0; i < def->features.size(); ++i) {
          FeatureValue v = ColumnValue(rows.get(), static_cast<int>(i));
          if (!v.is_null()) r.Add(def->features[i].name, std::move(v));
        }
        entry.records.push_back(std::move(r));
      }
      if (rrc != SQLITE_DONE) return SqlError(db_, "read journaled rows");
      RETURN_IF_ERROR(on_entry(entry));
    }
    if (rc != SQLITE_DONE) return SqlError(db_, "read journal");
    return Status::Ok();
  }

  Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue>)>& on_row) const override {
    // A fresh read-only connection per query: concurrent queries never share
    // a connection, and nothing a query does can write.
    QueryGuard guard;
    ASSIGN_OR_RETURN(auto owned, OpenQueryConnection(file_, query_limits_, &guard));
    sqlite3* conn = owned.get();
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(conn, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return QueryError(conn, rc, guard, query_limits_);
    if (raw == nullptr) return InvalidArgumentError("SQL error: empty query");
    for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
      if (*p != ';' && !std::isspace(static_cast<unsigned char>(*p))) {
        return InvalidArgumentError("query must be a single SQL statement");
      }
    }
    if (!sqlite3_stmt_readonly(raw)) {
      return InvalidArgumentError(
          "query is read-only: pantry query runs SELECT statements over the offline store; "
          "writes go through ingest, put and delete");
    }
    const int n = sqlite3_column_count(raw);
    if (column_names) {
      column_names->clear();
      for (int i = 0; i < n; ++i) column_names->emplace_back(sqlite3_column_name(raw, i));
    }
    std::vector<FeatureValue> row(static_cast<size_t>(n));
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      for (int i = 0; i < n; ++i) row[i] = ColumnValue(raw, i);
      RETURN_IF_ERROR(on_row(row));
    }
    if (rc != SQLITE_DONE) return QueryError(conn, rc, guard, query_limits_);
    return Status::Ok();
  }

 private:
  // A group's INSERT statements: one row, and kRowsPerInsert rows per
  // statement (far fewer VDBE setups and bind/step calls per row on bulk
  // appends; a statement of a few dozen rows is the measured sweet spot).
  struct Insert {
    Stmt single;
    Stmt multi;
    int multi_rows = 0;
    size_t feature_count = 0;
  };
  static constexpr int kRowsPerInsert = 50;

  StatusOr<Insert*> InsertFor(const FeatureGroupDefinition& group) {
    auto it = inserts_.find(group.name);
    if (it != inserts_.end() && it->second.feature_count == group.features.size()) {
      return &it->second;
    }
    std::string head = "INSERT INTO " + QuoteSqlIdentifier(group.name) + " (";
    std::string params = "(";
    for (const FeatureDefinition& f : group.features) {
      head += QuoteSqlIdentifier(f.name) + ", ";
      params += "?, ";
    }
    head += "write_time, api_invocation_time, is_deleted) VALUES ";
    params += "?, ?, ?)";
    const int columns = static_cast<int>(group.features.size()) + 3;
    const int max_vars = sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    const int multi_rows = std::max(1, std::min(kRowsPerInsert, max_vars / columns));
    std::string multi_sql = head;
    for (int r = 0; r < multi_rows; ++r) {
      if (r) multi_sql += ", ";
      multi_sql += params;
    }
    Insert insert;
    ASSIGN_OR_RETURN(insert.single, Prepare(db_, head + params, true));
    ASSIGN_OR_RETURN(insert.multi, Prepare(db_, multi_sql, true));
    insert.multi_rows = multi_rows;
    insert.feature_count = group.features.size();
    Insert& slot = inserts_[group.name];
    slot = std::move(insert);
    return &slot;
  }

  // Binds `record` as the row starting at parameter `base` (1-based).
  // `hint[i]` caches the feature index of a record's i-th field: records of
  // one batch usually list their features in the same order.
  Status BindRow(const OfflineBatch& batch, const Record& record, sqlite3_stmt* stmt, int base,
                 std::vector<int>* hint) {
    const FeatureGroupDefinition& group = *batch.group;
    const int n = static_cast<int>(group.features.size());
    const auto& fields = record.fields();
    if (hint->size() < fields.size()) hint->resize(fields.size(), -1);
    for (size_t i = 0; i < fields.size(); ++i) {
      const Record::Field& f = fields[i];
      int idx = (*hint)[i];
      if (idx < 0 || group.features[idx].name != f.name) {
        idx = group.FeatureIndex(f.name);
        if (idx < 0) return InvalidArgumentError("unknown feature " + f.name);
        (*hint)[i] = idx;
      }
      const FeatureValue& v = f.value;
      if (v.is_int()) {
        sqlite3_bind_int64(stmt, base + idx, v.int_value());
      } else if (v.is_double()) {
        sqlite3_bind_double(stmt, base + idx, v.double_value());
      } else if (v.is_string()) {
        sqlite3_bind_text(stmt, base + idx, v.string_value().data(),
                          static_cast<int>(v.string_value().size()), SQLITE_STATIC);
      }
    }
    sqlite3_bind_double(stmt, base + n, batch.write_time_seconds);
    sqlite3_bind_double(stmt, base + n + 1, batch.api_invocation_time_seconds);
    sqlite3_bind_int(stmt, base + n + 2, batch.op == JournalOp::kPut ? 0 : 1);
    return Status::Ok();
  }

  Status AppendLocked(const OfflineBatch& batch, Insert& insert) {
    const FeatureGroupDefinition& group = *batch.group;
    const int columns = static_cast<int>(group.features.size()) + 3;
    const size_t total = batch.records.size();
    std::vector<int> hint;
    int64_t first_rowid = 0;
    size_t next = 0;
    while (next < total) {
      const bool multi = total - next >= static_cast<size_t>(insert.multi_rows);
      sqlite3_stmt* stmt = multi ? insert.multi.get() : insert.single.get();
      const int rows = multi ? insert.multi_rows : 1;
      // Absent features must bind as NULL, not as the previous row's value.
      sqlite3_clear_bindings(stmt);
      for (int r = 0; r < rows; ++r) {
        RETURN_IF_ERROR(BindRow(batch, batch.records[next + r], stmt, 1 + r * columns, &hint));
      }
      int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) return SqlError(db_, "insert into " + group.name);
      // The rows of one INSERT get consecutive rowids (max(rowid) + 1 each),
      // so the batch is the contiguous range [first_rowid, last rowid].
      if (first_rowid == 0) first_rowid = sqlite3_last_insert_rowid(db_) - (rows - 1);
      next += static_cast<size_t>(rows);
    }
    if (batch.sequence > 0) {
      sqlite3_stmt* j = journal_insert_.get();
      sqlite3_bind_int64(j, 1, batch.sequence);
      sqlite3_bind_text(j, 2, group.name.data(), static_cast<int>(group.name.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int(j, 3, static_cast<int>(batch.op));
      if (batch.ttl_micros) {
        sqlite3_bind_int64(j, 4, *batch.ttl_micros);
      } else {
        sqlite3_bind_null(j, 4);
      }
      sqlite3_bind_int64(j, 5, first_rowid);
      sqlite3_bind_int64(j, 6, sqlite3_last_insert_rowid(db_));
      int rc = sqlite3_step(j);
      sqlite3_reset(j);
      if (rc != SQLITE_DONE) return SqlError(db_, "journal batch");
    }
    if (!batch.mark_writer.empty()) {
      ASSIGN_OR_RETURN(Stmt mark, Prepare(db_,
                                          "INSERT OR REPLACE INTO _pantry_marks (writer, value) "
                                          "VALUES (?, ?)"));
      sqlite3_bind_text(mark.get(), 1, batch.mark_writer.data(),
                        static_cast<int>(batch.mark_writer.size()), SQLITE_STATIC);
      sqlite3_bind_int64(mark.get(), 2, batch.mark_value);
      if (sqlite3_step(mark.get()) != SQLITE_DONE) return SqlError(db_, "set mark");
    }
    return Status::Ok();
  }

  const std::filesystem::path file_;
  sqlite3* db_;
  const bool read_only_;
  const QueryLimits query_limits_;
  mutable std::mutex mu_;
  std::map<std::string, Insert, std::less<>> inserts_;
  Stmt journal_insert_;
};

}  // namespace

StatusOr<std::unique_ptr<OfflineStore>> OfflineStore::OpenSqlite(
    const std::filesystem::path& file, const SqliteOfflineOptions& options) {
  sqlite3* db = nullptr;
  int flags =
      options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(file.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return IOError("cannot open offline store " + file.string() + ": " + msg);
  }
  if (options.query_limits.heap_limit_bytes > 0) {
    sqlite3_hard_heap_limit64(options.query_limits.heap_limit_bytes);
  }
  auto store =
      std::make_unique<SqliteOfflineStore>(file, db, options.read_only, options.query_limits);
  RETURN_IF_ERROR(store->Init(options.sync, options.cache_bytes).WithContext(file.string()));
  return std::unique_ptr<OfflineStore>(std::move(store));
}

}  // namespace pantry::featurestore
