// PostgreSQL offline store: the shared history for several pantry replicas.
// It reaches the server only through PgConnection (pg_connection.cc, the
// libpq adapter).
//
// One table per feature group, named after it (quoted), append-only:
//   rowid bigint identity primary key (write order, as SQLite's rowid),
//   a column per feature (Integral bigint, Fractional double precision,
//   String text COLLATE "C", so text compares bytewise as in SQLite),
//   write_time and api_invocation_time double precision (Unix seconds),
//   is_deleted integer (0/1).
// Each Append is one transaction: COPY of the rows (text format), then the
// journal row and the writer mark, then COMMIT. The transaction first takes
// a transaction-scoped advisory lock per group, so that the rows of one
// batch get consecutive rowids even when several replicas append to the
// same group; the journal records that range as SQLite's store does.
//
// Queries run on connections of their own (a small pool), each inside
// BEGIN READ ONLY with SET LOCAL statement_timeout from QueryLimits and,
// if configured, SET LOCAL ROLE; the transaction is always rolled back.
// Rows are streamed in single-row mode.
//
// Connection loss: every call that finds its connection lost reports
// Unavailable and the next call reconnects. A COMMIT whose answer was lost
// is resolved on reconnect by looking for its journal row.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "pantry/featurestore/offline_store.h"
#include "pantry/featurestore/pg_connection.h"
#include "pantry/featurestore/sql_quote.h"

namespace pantry::featurestore {
namespace {

// PostgreSQL truncates longer identifiers (NAMEDATALEN - 1).
constexpr size_t kMaxIdentifierBytes = 63;
// COPY data is sent in chunks of about this size.
constexpr size_t kCopyChunkBytes = 1 << 20;
// Idle query connections kept for reuse.
constexpr size_t kMaxIdleQueryConnections = 4;

constexpr char kReadOnlyMessage[] =
    "query is read-only: pantry query runs SELECT statements over the offline store; writes go "
    "through ingest, put and delete";

std::string_view SqlType(FeatureType type) {
  switch (type) {
    case FeatureType::kIntegral:
      return "bigint";
    case FeatureType::kFractional:
      return "double precision";
    case FeatureType::kString:
      return "text COLLATE \"C\"";
  }
  return "text";
}

// A stable 63-bit key for pg_advisory_xact_lock (FNV-1a).
int64_t LockKey(std::string_view scope, std::string_view name) {
  uint64_t h = 1469598103934665603ULL;
  for (std::string_view part : {scope, std::string_view("\0", 1), name}) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ULL;
  }
  return static_cast<int64_t>(h >> 1);
}

std::string LockSql(std::string_view scope, std::string_view name) {
  return "SELECT pg_advisory_xact_lock(" + std::to_string(LockKey(scope, name)) + ")";
}

// COPY text format: backslash escapes for the characters it treats
// specially.
void AppendCopyText(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendNumber(double v, std::string* out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

void AppendNumber(int64_t v, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

void AppendCopyValue(const FeatureValue* v, std::string* out) {
  if (v == nullptr || v->is_null()) {
    out->append("\\N");
  } else if (v->is_int()) {
    AppendNumber(v->int_value(), out);
  } else if (v->is_double()) {
    AppendNumber(v->double_value(), out);
  } else {
    AppendCopyText(v->string_value(), out);
  }
}

// The first keyword of `sql`, lower-cased, past whitespace, comments and
// opening parentheses.
std::string FirstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
      if (i == std::string_view::npos) return "";
    } else if (sql.substr(i, 2) == "/*") {
      i = sql.find("*/", i + 2);
      if (i == std::string_view::npos) return "";
      i += 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i++]))));
  }
  return word;
}

bool IsReadStatement(std::string_view sql) {
  static constexpr std::string_view kAllowed[] = {"select", "with",    "values",
                                                  "table",  "explain", "show"};
  const std::string word = FirstKeyword(sql);
  return std::find(std::begin(kAllowed), std::end(kAllowed), word) != std::end(kAllowed);
}

class PostgresOfflineStore final : public OfflineStore {
 public:
  PostgresOfflineStore(std::string url, std::unique_ptr<PgConnection> conn,
                       const PostgresOfflineOptions& options)
      : url_(std::move(url)), conn_(std::move(conn)), options_(options) {}

  Status Init() {
    if (options_.read_only) return Status::Ok();
    return conn_->Exec(
        "BEGIN; " + LockSql("ddl", "") +
        "; CREATE TABLE IF NOT EXISTS _pantry_journal (sequence bigint PRIMARY KEY, "
        "feature_group text NOT NULL, op integer NOT NULL, ttl_micros bigint, first_rowid bigint "
        "NOT NULL, last_rowid bigint NOT NULL); CREATE TABLE IF NOT EXISTS _pantry_marks (writer "
        "text PRIMARY KEY, value bigint NOT NULL); CREATE TABLE IF NOT EXISTS "
        "_pantry_feature_groups (name text PRIMARY KEY, definition text NOT NULL); COMMIT");
  }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  Status EnsureTable(const FeatureGroupDefinition& group) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritable());
    if (group.name.size() > kMaxIdentifierBytes) {
      return InvalidArgumentError("feature group name " + group.name + " is longer than " +
                                  std::to_string(kMaxIdentifierBytes) +
                                  " bytes, PostgreSQL's limit for table names");
    }
    for (const FeatureDefinition& f : group.features) {
      if (f.name == "rowid") {
        return InvalidArgumentError(
            "feature name rowid is reserved in the PostgreSQL offline store (write order)");
      }
    }
    // Only what is missing: ALTER TABLE takes an exclusive lock even when
    // IF NOT EXISTS makes it a no-op, and every open runs this.
    const std::string table = QuoteSqlIdentifier(group.name);
    ASSIGN_OR_RETURN(PgRows existing,
                     conn_->Query("SELECT attname FROM pg_attribute WHERE attrelid = "
                                  "to_regclass($1) AND attnum > 0 AND NOT attisdropped",
                                  {&table, 1}));
    std::vector<std::string> have;
    for (const auto& row : existing.rows) have.push_back(row[0].ToString());
    std::string sql;
    if (have.empty()) {
      sql += "; CREATE TABLE IF NOT EXISTS " + table +
             " (rowid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ";
      for (const FeatureDefinition& f : group.features) {
        sql += QuoteSqlIdentifier(f.name) + " " + std::string(SqlType(f.type)) + ", ";
      }
      sql +=
          "write_time double precision NOT NULL, api_invocation_time double precision NOT NULL, "
          "is_deleted integer NOT NULL DEFAULT 0)";
    }
    // Columns for features added since the table was created; existing ones
    // keep their type.
    for (const FeatureDefinition& f : group.features) {
      if (have.empty() || std::find(have.begin(), have.end(), f.name) != have.end()) continue;
      sql += "; ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + QuoteSqlIdentifier(f.name) +
             " " + std::string(SqlType(f.type));
    }
    if (sql.empty()) return Status::Ok();
    return RunTransaction("BEGIN; " + LockSql("ddl", "") + sql + "; COMMIT");
  }

  Status DropTable(std::string_view group) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritable());
    return RunTransaction(
        "BEGIN; " + LockSql("ddl", "") + "; DROP TABLE IF EXISTS " + QuoteSqlIdentifier(group) +
        "; DELETE FROM _pantry_journal WHERE feature_group = " + QuoteSqlString(group) +
        "; COMMIT");
  }

  Status Append(const OfflineBatch& batch) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritable());
    if (batch.records.empty()) return Status::Ok();
    const FeatureGroupDefinition& group = *batch.group;
    RETURN_IF_ERROR(conn_->Exec("BEGIN; " + LockSql("append", group.name)));
    Status s = CopyRows(batch);
    if (s.ok()) s = conn_->Exec(FinishSql(batch));
    if (s.ok()) return s;
    if (!conn_->broken()) {
      conn_->Exec("ROLLBACK").IgnoreError();
      return s;
    }
    return ResolveLostCommit(batch, s);
  }

  StatusOr<std::optional<int64_t>> ReadMark(std::string_view writer) const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    const std::string param(writer);
    auto rows = conn_->Query("SELECT value FROM _pantry_marks WHERE writer = $1", {&param, 1});
    if (!rows.ok()) {
      // A database pantry never wrote to, opened read-only: no marks.
      if (conn_->last_sqlstate() == "42P01") return std::optional<int64_t>();
      return rows.status();
    }
    if (rows->rows.empty() || !rows->rows[0][0].is_int()) return std::optional<int64_t>();
    return std::optional<int64_t>(rows->rows[0][0].int_value());
  }

  StatusOr<int64_t> LastSequence() const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    auto rows = conn_->Query("SELECT coalesce(max(sequence), 0) FROM _pantry_journal");
    if (!rows.ok()) {
      if (conn_->last_sqlstate() == "42P01") return int64_t{0};
      return rows.status();
    }
    return rows->rows[0][0].is_int() ? rows->rows[0][0].int_value() : 0;
  }

  Status ReadJournal(int64_t after,
                     const std::function<const FeatureGroupDefinition*(std::string_view)>& groups,
                     const std::function<Status(const JournalEntry&)>& on_entry) const override;

  Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue>)>& on_row) const override;

  Status Ping() const override;

  bool stores_definitions() const override { return true; }

  StatusOr<std::vector<std::string>> LoadDefinitions() const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    auto rows = conn_->Query("SELECT definition FROM _pantry_feature_groups ORDER BY name");
    std::vector<std::string> out;
    if (!rows.ok()) {
      if (conn_->last_sqlstate() == "42P01") return out;
      return rows.status();
    }
    for (const auto& row : rows->rows) out.push_back(row[0].ToString());
    return out;
  }

  Status SaveDefinition(std::string_view name, std::string_view json) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritable());
    const std::string params[] = {std::string(name), std::string(json)};
    return conn_
        ->Query(
            "INSERT INTO _pantry_feature_groups (name, definition) VALUES ($1, $2) ON CONFLICT "
            "(name) DO UPDATE SET definition = excluded.definition",
            params)
        .status();
  }

  Status DeleteDefinition(std::string_view name) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritable());
    const std::string param(name);
    return conn_->Query("DELETE FROM _pantry_feature_groups WHERE name = $1", {&param, 1}).status();
  }

 private:
  Status CheckWritable() {
    if (options_.read_only) return FailedPreconditionError("offline store opened read-only");
    return conn_->EnsureConnected();
  }

  // Runs a BEGIN ...; COMMIT script, rolling back if it fails midway.
  Status RunTransaction(const std::string& sql) {
    Status s = conn_->Exec(sql);
    if (!s.ok() && !conn_->broken()) conn_->Exec("ROLLBACK").IgnoreError();
    return s;
  }

  Status CopyRows(const OfflineBatch& batch);
  std::string FinishSql(const OfflineBatch& batch) const;
  Status ResolveLostCommit(const OfflineBatch& batch, const Status& error);
  // A query connection from the pool, or a new one.
  StatusOr<std::unique_ptr<PgConnection>> TakeQueryConnection() const;
  void ReturnQueryConnection(std::unique_ptr<PgConnection> conn) const;
  Status QueryError(const PgConnection& conn, const Status& s) const;

  const std::string url_;
  mutable std::mutex mu_;  // guards conn_
  std::unique_ptr<PgConnection> conn_;
  const PostgresOfflineOptions options_;
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<PgConnection>> idle_;
};

Status PostgresOfflineStore::CopyRows(const OfflineBatch& batch) {
  const FeatureGroupDefinition& group = *batch.group;
  std::string copy = "COPY " + QuoteSqlIdentifier(group.name) + " (";
  for (const FeatureDefinition& f : group.features) copy += QuoteSqlIdentifier(f.name) + ", ";
  copy += "write_time, api_invocation_time, is_deleted) FROM STDIN";
  // The batch's constant tail of every row.
  std::string tail;
  tail.push_back('\t');
  AppendNumber(batch.write_time_seconds, &tail);
  tail.push_back('\t');
  AppendNumber(batch.api_invocation_time_seconds, &tail);
  tail.append(batch.op == JournalOp::kPut ? "\t0\n" : "\t1\n");

  const size_t n = group.features.size();
  std::vector<const FeatureValue*> cells(n);
  std::vector<int> hint;  // feature index of a record's i-th field, as the SQLite store
  size_t next = 0;
  Status bad = Status::Ok();
  auto produce = [&](std::string* chunk) {
    while (next < batch.records.size() && chunk->size() < kCopyChunkBytes) {
      const auto& fields = batch.records[next++].fields();
      std::fill(cells.begin(), cells.end(), nullptr);
      if (hint.size() < fields.size()) hint.resize(fields.size(), -1);
      for (size_t i = 0; i < fields.size(); ++i) {
        int idx = hint[i];
        if (idx < 0 || group.features[idx].name != fields[i].name) {
          idx = group.FeatureIndex(fields[i].name);
          if (idx < 0) {
            bad = InvalidArgumentError("unknown feature " + fields[i].name);
            return false;
          }
          hint[i] = idx;
        }
        cells[idx] = &fields[i].value;
      }
      for (size_t c = 0; c < n; ++c) {
        if (c) chunk->push_back('\t');
        AppendCopyValue(cells[c], chunk);
      }
      chunk->append(tail);
    }
    return next < batch.records.size();
  };
  Status s = conn_->CopyIn(copy, produce);
  if (!bad.ok()) return bad;
  return s.WithContext("append to " + group.name);
}

// The journal row and the mark, then COMMIT. The rows were just copied
// under the group's advisory lock, so they hold the rowids
// lastval() - count + 1 .. lastval().
std::string PostgresOfflineStore::FinishSql(const OfflineBatch& batch) const {
  std::string sql;
  if (batch.sequence > 0) {
    const std::string count = std::to_string(batch.records.size());
    sql +=
        "INSERT INTO _pantry_journal (sequence, feature_group, op, ttl_micros, first_rowid, "
        "last_rowid) VALUES (" +
        std::to_string(batch.sequence) + ", " + QuoteSqlString(batch.group->name) + ", " +
        std::to_string(static_cast<int>(batch.op)) + ", " +
        (batch.ttl_micros ? std::to_string(*batch.ttl_micros) : "NULL") + ", lastval() - " + count +
        " + 1, lastval()); ";
  }
  if (!batch.mark_writer.empty()) {
    sql += "INSERT INTO _pantry_marks (writer, value) VALUES (" +
           QuoteSqlString(batch.mark_writer) + ", " + std::to_string(batch.mark_value) +
           ") ON CONFLICT (writer) DO UPDATE SET value = excluded.value; ";
  }
  return sql + "COMMIT";
}

// The connection died during the append. If it died while COMMIT was in
// flight the batch may be committed: a journaled batch can be looked up
// once the server is back. Otherwise the transaction was rolled back.
Status PostgresOfflineStore::ResolveLostCommit(const OfflineBatch& batch, const Status& error) {
  if (batch.sequence <= 0 || !conn_->EnsureConnected().ok()) {
    return UnavailableError(error.message() +
                            " (the batch was not acknowledged; if its COMMIT reached the server "
                            "before the connection broke, its rows are in the offline store)");
  }
  const std::string seq = std::to_string(batch.sequence);
  auto rows = conn_->Query("SELECT 1 FROM _pantry_journal WHERE sequence = $1", {&seq, 1});
  if (!rows.ok()) {
    return UnavailableError(error.message() + " (the batch was not acknowledged)");
  }
  if (!rows->rows.empty()) return Status::Ok();  // it committed
  return UnavailableError(error.message() + " (the batch was rolled back)");
}

Status PostgresOfflineStore::ReadJournal(
    int64_t after, const std::function<const FeatureGroupDefinition*(std::string_view)>& groups,
    const std::function<Status(const JournalEntry&)>& on_entry) const {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(conn_->EnsureConnected());
  const std::string from = std::to_string(after);
  ASSIGN_OR_RETURN(PgRows journal, conn_->Query("SELECT sequence, feature_group, op, ttl_micros, "
                                                "first_rowid, last_rowid FROM _pantry_journal "
                                                "WHERE sequence > $1 ORDER BY sequence",
                                                {&from, 1}));
  for (const auto& j : journal.rows) {
    JournalEntry entry;
    entry.sequence = j[0].int_value();
    entry.group = j[1].ToString();
    entry.op = static_cast<JournalOp>(j[2].int_value());
    if (j[3].is_int()) entry.ttl_micros = j[3].int_value();
    const FeatureGroupDefinition* def = groups(entry.group);
    if (def == nullptr) continue;  // group deleted since
    std::string sql = "SELECT ";
    for (size_t i = 0; i < def->features.size(); ++i) {
      sql += (i ? ", " : "") + QuoteSqlIdentifier(def->features[i].name);
    }
    sql +=
        " FROM " + QuoteSqlIdentifier(def->name) + " WHERE rowid BETWEEN $1 AND $2 ORDER BY rowid";
    const std::string range[] = {j[4].ToString(), j[5].ToString()};
    ASSIGN_OR_RETURN(PgRows rows, conn_->Query(sql, range));
    for (const auto& row : rows.rows) {
      Record r;
      for (size_t i = 0; i < def->features.size(); ++i) {
        if (!row[i].is_null()) r.Add(def->features[i].name, row[i]);
      }
      entry.records.push_back(std::move(r));
    }
    RETURN_IF_ERROR(on_entry(entry));
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<PgConnection>> PostgresOfflineStore::TakeQueryConnection() const {
  {
    std::lock_guard lock(pool_mu_);
    while (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      // Idle connections to a server restarted since are dropped here.
      if (conn->EnsureConnected().ok()) return conn;
    }
  }
  return PgConnection::Connect(url_);
}

void PostgresOfflineStore::ReturnQueryConnection(std::unique_ptr<PgConnection> conn) const {
  if (conn->broken()) return;
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < kMaxIdleQueryConnections) idle_.push_back(std::move(conn));
}

Status PostgresOfflineStore::Ping() const {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, TakeQueryConnection());
  RETURN_IF_ERROR(conn->Exec("SELECT 1"));
  ReturnQueryConnection(std::move(conn));
  return Status::Ok();
}

// The error of a failed query, in the terms the SQLite store uses.
Status PostgresOfflineStore::QueryError(const PgConnection& conn, const Status& s) const {
  // Not the server's: Unavailable, a length limit, or on_row's own error.
  const std::string& state = conn.last_sqlstate();
  if (s.ok() || state.empty()) return s;
  std::string msg = s.message();
  if (msg.rfind("PostgreSQL query: ", 0) == 0) msg = msg.substr(18);
  if (state == "57014") {
    return InvalidArgumentError("query stopped: it ran past its time limit of " +
                                std::to_string(options_.query_limits.timeout_ms) +
                                " ms (pantry query --timeout)");
  }
  if (state == "25006") return InvalidArgumentError("query is read-only: " + msg);
  if (state == "42601" && msg.find("multiple commands") != std::string::npos) {
    return InvalidArgumentError("query must be a single SQL statement");
  }
  return InvalidArgumentError("SQL error: " + msg);
}

Status PostgresOfflineStore::QueryEach(
    std::string_view sql, std::vector<std::string>* column_names,
    const std::function<Status(std::span<const FeatureValue>)>& on_row) const {
  if (!IsReadStatement(sql)) {
    if (FirstKeyword(sql).empty()) return InvalidArgumentError("SQL error: empty query");
    return InvalidArgumentError(kReadOnlyMessage);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, TakeQueryConnection());
  // Without a limit of ours the server's (or the role's) setting applies.
  std::string begin = "BEGIN READ ONLY";
  if (options_.query_limits.timeout_ms > 0) {
    begin += "; SET LOCAL statement_timeout = " + std::to_string(options_.query_limits.timeout_ms);
  }
  if (!options_.query_role.empty()) {
    begin += "; SET LOCAL ROLE " + QuoteSqlIdentifier(options_.query_role);
  }
  Status s = conn->Exec(begin);
  if (s.ok()) {
    s = conn->Stream(sql, column_names, options_.query_limits.max_length_bytes, on_row);
    s = QueryError(*conn, s);
  }
  if (!conn->broken()) {
    // Always rolled back: nothing a query did, even a SET, outlives it.
    if (conn->Exec("ROLLBACK").ok()) ReturnQueryConnection(std::move(conn));
  }
  return s;
}

// Takes pantry's own URI parameter pantry_query_role=<role> out of `url`
// (libpq refuses parameters it does not know).
std::string TakeQueryRole(std::string_view url, std::string* role) {
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, q));
  std::string_view rest = url.substr(q + 1);
  char sep = '?';
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view param = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (param.starts_with("pantry_query_role=")) {
      *role = std::string(param.substr(18));
      continue;
    }
    out += sep;
    out += param;
    sep = '&';
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<OfflineStore>> OfflineStore::OpenPostgres(
    std::string_view url, const PostgresOfflineOptions& options) {
  PostgresOfflineOptions resolved = options;
  std::string role;
  const std::string target = TakeQueryRole(url, &role);
  if (resolved.query_role.empty()) resolved.query_role = role;
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(target));
  auto store = std::make_unique<PostgresOfflineStore>(target, std::move(conn), resolved);
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<OfflineStore>(std::move(store));
}

}  // namespace pantry::featurestore
