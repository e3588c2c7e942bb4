// PostgresServer: a throwaway PostgreSQL server for tests, started from the
// Debian server binaries (package `postgresql`) in a temporary directory on
// a free port, and removed with everything in it when the object goes away.
//
// PostgreSQL refuses to run as root. When the test runs as root (CI, the
// development container) the server runs as the system user `pantry-pg`,
// created with useradd if missing, and its directory is handed to that user;
// otherwise it runs as the current user. Authentication is `trust` on
// 127.0.0.1 only; fsync is off (the data dies with the test anyway). The
// initdb result is kept as a template in $TMPDIR (pantry_pg_template-*) and
// copied for each server, since initdb takes seconds.
//
// Typical use is one server per test binary (a gtest Environment, see
// featurestore/postgres_test_env.h) with a fresh database per test
// (CreateDatabase). Not thread-safe.
#ifndef PANTRY_TESTING_POSTGRES_SERVER_H_
#define PANTRY_TESTING_POSTGRES_SERVER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/testing/subprocess.h"

namespace pantry::testing {

class PostgresServer {
 public:
  // initdb, start, wait until it accepts connections. FailedPrecondition with
  // the package to install if the binaries are missing; Internal with the
  // server's log if it does not come up within 30 s.
  static StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // postgresql://postgres@127.0.0.1:<port>/<database>
  std::string Url(std::string_view database) const;
  // CREATE DATABASE <name> (name: letters, digits, underscores).
  Status CreateDatabase(std::string_view name);
  // Runs one SQL statement as the superuser with psql (for test setup such
  // as creating roles); returns psql's stdout.
  StatusOr<std::string> Psql(std::string_view database, std::string_view sql);

  // Stops the server (fast shutdown: clients are disconnected) and starts it
  // again on the same port and data directory, for outage tests.
  Status Stop();
  Status Restart();
  bool running() const { return postmaster_ != nullptr; }

 private:
  PostgresServer() = default;
  Status InitDataDirectory(const std::string& tmp);
  Status Launch();
  // Runs a PostgreSQL client or server binary as the server's user.
  CommandResult RunAs(const std::string& binary, const std::vector<std::string>& args) const;
  std::vector<std::string> AsUserPrefix() const;

  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;  // owned by the server's user
  std::string user_;           // empty: this process's user
  int port_ = 0;
  std::unique_ptr<Subprocess> postmaster_;
};

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_POSTGRES_SERVER_H_
