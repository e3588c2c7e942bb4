// PgConnection: one libpq connection, with pantry's error mapping. The
// libpq adapter: pg_connection.cc is the only file that includes
// libpq-fe.h; the PostgreSQL offline store (postgres_offline_store.cc) talks
// to the server only through this class.
//
// Errors: a lost or unreachable server gives Unavailable (the message names
// the server and says pantry reconnects on the next call); any other server
// error gives IOError with the server's message, and last_sqlstate() holds
// its SQLSTATE code so callers can tell timeouts, read-only violations and
// syntax errors apart. Values come back as FeatureValue: integer types
// (and numeric values without a fraction that fit in 64 bits) as int,
// floating point and other numerics as double, boolean as int 0/1, NULL as
// an absent value, everything else as its text form.
//
// Thread-safety: none; the owner serialises calls.
#ifndef PANTRY_FEATURESTORE_PG_CONNECTION_H_
#define PANTRY_FEATURESTORE_PG_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/record.h"

struct pg_conn;

namespace pantry::featurestore {

struct PgRows {
  std::vector<std::string> column_names;
  std::vector<std::vector<FeatureValue>> rows;
};

class PgConnection {
 public:
  // Connects to `url` (a libpq URI or key=value string; a connect timeout
  // of 5 s unless it sets one). Unavailable if the server cannot be reached.
  static StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // True once the connection is known to be lost.
  bool broken() const;
  // Reconnects if the connection is lost, including a loss not yet seen by
  // a call: the socket is read without blocking first, so that a server
  // restarted since the last call (which closed this session) is noticed
  // here rather than by failing the caller's next statement. Unavailable if
  // the server is still unreachable. Call only between statements.
  Status EnsureConnected();

  // Runs one or more statements separated by ';' (simple query protocol);
  // rows are discarded.
  Status Exec(std::string_view sql);
  // Runs one statement with text parameters $1.. (extended protocol, so a
  // second statement is an error); returns all rows.
  StatusOr<PgRows> Query(std::string_view sql, std::span<const std::string> params = {});
  // Streams the rows of one statement (single-row mode: memory stays
  // bounded by one row). `column_names` (may be null) is filled before the
  // first row. A value longer than `max_value_bytes` (> 0) stops the query
  // with InvalidArgument. A non-OK status from `on_row` cancels the query on
  // the server and is returned.
  Status Stream(std::string_view sql, std::vector<std::string>* column_names,
                int64_t max_value_bytes,
                const std::function<Status(std::span<const FeatureValue>)>& on_row);

  // COPY ... FROM STDIN: `copy_sql` starts it, then `produce` is called
  // repeatedly to fill the buffer with data in COPY text format (it returns
  // false when there is no more data). Sent in chunks, so a large batch
  // never sits in memory twice.
  Status CopyIn(std::string_view copy_sql, const std::function<bool(std::string* chunk)>& produce);

  // SQLSTATE of the last server error ("" if none or connection loss).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // host:port/dbname, for messages (never the password).
  const std::string& endpoint() const { return endpoint_; }

 private:
  explicit PgConnection(pg_conn* conn);
  // The Status for the current error on the connection.
  Status Error(std::string_view what, std::string_view server_message);

  pg_conn* conn_;
  std::string endpoint_;
  std::string last_sqlstate_;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_PG_CONNECTION_H_
