// The libpq adapter: the only file that includes libpq-fe.h.
#include "pantry/featurestore/pg_connection.h"

#include <libpq-fe.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace pantry::featurestore {
namespace {

// Type OIDs from pg_type.dat (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

FeatureValue ParseInt(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) return FeatureValue::Int(v);
  return FeatureValue::String(std::string(text));
}

FeatureValue ParseDouble(std::string_view text) {
  std::string s(text);  // strtod needs NUL termination
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() + s.size()) return FeatureValue::Double(v);
  return FeatureValue::String(std::move(s));
}

FeatureValue ToValue(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return FeatureValue();
  std::string_view text(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
  switch (PQftype(r, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return ParseInt(text);
    case kFloat4Oid:
    case kFloat8Oid:
      return ParseDouble(text);
    case kNumericOid:
      // sum() and avg() of bigint are numeric: whole values read as int,
      // as SQLite returns them.
      if (text.find_first_of(".eEN") == std::string_view::npos) {
        FeatureValue v = ParseInt(text);
        if (v.is_int()) return v;
      }
      return ParseDouble(text);
    case kBoolOid:
      return FeatureValue::Int(text == "t" ? 1 : 0);
    default:
      return FeatureValue::String(std::string(text));
  }
}

std::vector<std::string> ColumnNames(const PGresult* r) {
  std::vector<std::string> names;
  for (int i = 0; i < PQnfields(r); ++i) names.emplace_back(PQfname(r, i));
  return names;
}

}  // namespace

PgConnection::PgConnection(pg_conn* conn) : conn_(conn) {
  endpoint_ = std::string(PQhost(conn) ? PQhost(conn) : "") + ":" +
              (PQport(conn) ? PQport(conn) : "") + "/" + (PQdb(conn) ? PQdb(conn) : "");
}

PgConnection::~PgConnection() { PQfinish(conn_); }

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url) {
  // Defaults first: with expand_dbname the URL's own settings, which come
  // later, override them.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {"5", "pantry", "UTF8", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return UnavailableError("PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = Trim(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("PostgreSQL offline store unreachable: " + msg);
  }
  // Server notices ("relation already exists, skipping") are expected
  // chatter of idempotent DDL, not something to print on stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

bool PgConnection::broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

Status PgConnection::EnsureConnected() {
  // Idle, so anything on the socket is the server's goodbye (a shutdown's
  // FATAL message, then EOF); reading it marks the connection bad. Twice:
  // libpq returns after a read that got data, before it sees the EOF.
  for (int i = 0; i < 2 && !broken(); ++i) PQconsumeInput(conn_);
  if (!broken()) return Status::Ok();
  PQreset(conn_);
  if (broken()) {
    return UnavailableError("PostgreSQL offline store at " + endpoint_ +
                            " unreachable: " + Trim(PQerrorMessage(conn_)));
  }
  return Status::Ok();
}

Status PgConnection::Error(std::string_view what, std::string_view server_message) {
  std::string msg =
      Trim(std::string(server_message.empty() ? PQerrorMessage(conn_) : server_message));
  if (broken()) {
    last_sqlstate_.clear();
    return UnavailableError("PostgreSQL offline store at " + endpoint_ + " unreachable (" +
                            std::string(what) + "): " + msg +
                            "; pantry reconnects on the next call");
  }
  return IOError("PostgreSQL " + std::string(what) + ": " + msg);
}

Status PgConnection::Exec(std::string_view sql) {
  last_sqlstate_.clear();
  if (!PQsendQuery(conn_, std::string(sql).c_str())) return Error("send", "");
  // Errors become a Status only once every result is read, when libpq
  // knows whether the connection survived.
  std::optional<std::string> failure;
  while (PGresult* raw = PQgetResult(conn_)) {
    Result r(raw);
    ExecStatusType st = PQresultStatus(raw);
    if (!failure && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      last_sqlstate_ = state ? state : "";
      failure = PQresultErrorMessage(raw);
    }
  }
  if (failure) return Error("\"" + std::string(sql.substr(0, 200)) + "\"", *failure);
  if (broken()) return Error("exec", "");
  return Status::Ok();
}

StatusOr<PgRows> PgConnection::Query(std::string_view sql, std::span<const std::string> params) {
  last_sqlstate_.clear();
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  Result r(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0));
  if (r == nullptr) return Error("query", "");
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    last_sqlstate_ = state ? state : "";
    return Error("\"" + std::string(sql.substr(0, 200)) + "\"", PQresultErrorMessage(r.get()));
  }
  PgRows rows;
  rows.column_names = ColumnNames(r.get());
  const int n = PQntuples(r.get()), m = PQnfields(r.get());
  rows.rows.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    rows.rows[i].reserve(static_cast<size_t>(m));
    for (int j = 0; j < m; ++j) rows.rows[i].push_back(ToValue(r.get(), i, j));
  }
  return rows;
}

Status PgConnection::Stream(std::string_view sql, std::vector<std::string>* column_names,
                            int64_t max_value_bytes,
                            const std::function<Status(std::span<const FeatureValue>)>& on_row) {
  last_sqlstate_.clear();
  if (!PQsendQueryParams(conn_, std::string(sql).c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                         0)) {
    return Error("send", "");
  }
  PQsetSingleRowMode(conn_);
  Status status = Status::Ok();
  bool stopped = false;  // by us: drain what is left after a cancel
  bool header = false;
  std::optional<std::string> failure;
  std::vector<FeatureValue> row;
  while (PGresult* raw = PQgetResult(conn_)) {
    Result r(raw);
    if (stopped) continue;
    ExecStatusType st = PQresultStatus(raw);
    if (st == PGRES_SINGLE_TUPLE || (st == PGRES_TUPLES_OK && !header)) {
      if (!header) {
        header = true;
        if (column_names) *column_names = ColumnNames(raw);
        row.resize(static_cast<size_t>(PQnfields(raw)));
      }
      if (st == PGRES_TUPLES_OK) continue;  // end of an empty result
      for (int j = 0; j < PQnfields(raw); ++j) {
        if (max_value_bytes > 0 && PQgetlength(raw, 0, j) > max_value_bytes) {
          status = InvalidArgumentError("query stopped: a value exceeds the length limit of " +
                                        std::to_string(max_value_bytes) + " bytes");
          break;
        }
        row[j] = ToValue(raw, 0, j);
      }
      if (status.ok()) status = on_row(row);
      if (!status.ok()) {
        stopped = true;
        if (PGcancel* cancel = PQgetCancel(conn_)) {
          char buf[256];
          PQcancel(cancel, buf, sizeof(buf));
          PQfreeCancel(cancel);
        }
      }
    } else if (st == PGRES_EMPTY_QUERY) {
      status = InvalidArgumentError("SQL error: empty query");
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !failure) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      last_sqlstate_ = state ? state : "";
      failure = PQresultErrorMessage(raw);
    }
  }
  if (!status.ok()) return status;
  if (failure) return Error("query", *failure);
  if (broken()) return Error("query", "");
  return status;
}

Status PgConnection::CopyIn(std::string_view copy_sql,
                            const std::function<bool(std::string* chunk)>& produce) {
  last_sqlstate_.clear();
  Result start(PQexec(conn_, std::string(copy_sql).c_str()));
  if (start == nullptr || PQresultStatus(start.get()) != PGRES_COPY_IN) {
    if (start) {
      const char* state = PQresultErrorField(start.get(), PG_DIAG_SQLSTATE);
      last_sqlstate_ = state ? state : "";
    }
    return Error("COPY", start ? PQresultErrorMessage(start.get()) : "");
  }
  std::string chunk;
  bool more = true;
  while (more) {
    chunk.clear();
    more = produce(&chunk);
    if (!chunk.empty() && PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      break;
    }
  }
  if (PQputCopyEnd(conn_, more ? "pantry: sending the rows failed" : nullptr) != 1) {
    return Error("COPY end", "");
  }
  std::optional<std::string> failure;
  while (PGresult* raw = PQgetResult(conn_)) {
    Result r(raw);
    if (!failure && PQresultStatus(raw) != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      last_sqlstate_ = state ? state : "";
      failure = PQresultErrorMessage(raw);
    }
  }
  if (failure) return Error("COPY", *failure);
  if (broken()) return Error("COPY", "");
  return Status::Ok();
}

}  // namespace pantry::featurestore
