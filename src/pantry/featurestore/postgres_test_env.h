// One PostgreSQL server per test binary, for the tests that run against
// PostgreSQL: started on first use (binaries whose tests never ask pay
// nothing) and stopped by a gtest Environment at the end of the run. Each
// test gets a schema of its own in the server's `postgres` database (far
// cheaper than a database per test), through the URL's search_path.
//
// Test-only, header-only (it needs gtest, which pantry_testing does not
// link).
#ifndef PANTRY_FEATURESTORE_POSTGRES_TEST_ENV_H_
#define PANTRY_FEATURESTORE_POSTGRES_TEST_ENV_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "pantry/testing/postgres_server.h"

namespace pantry::featurestore {

class PostgresTestEnv : public ::testing::Environment {
 public:
  // initdb's own database: creating one more would only cost time.
  static constexpr char kDatabase[] = "postgres";

  // The shared server, started on first call; fails the calling test (and
  // returns nullptr) with the harness's message if it cannot start, e.g.
  // when the postgresql package is missing.
  static testing::PostgresServer* Server() {
    static Status failed = Status::Ok();
    if (server_ == nullptr && failed.ok()) {
      auto started = testing::PostgresServer::Start();
      if (started.ok()) {
        server_ = std::move(*started);
      } else {
        failed = started.status();
      }
    }
    if (server_ == nullptr) ADD_FAILURE() << "PostgreSQL test server: " << failed.ToString();
    return server_.get();
  }

  // A URL on a fresh, empty schema; "" (and a test failure) if the server
  // is unavailable.
  static std::string FreshUrl() {
    static std::atomic<int> counter{0};
    testing::PostgresServer* server = Server();
    if (server == nullptr) return "";
    const std::string schema =
        "t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
    auto made = server->Psql(kDatabase, "CREATE SCHEMA " + schema);
    if (!made.ok()) {
      ADD_FAILURE() << made.status().ToString();
      return "";
    }
    return server->Url(kDatabase) + "?options=-csearch_path%3D" + schema;
  }

  void TearDown() override { server_.reset(); }

 private:
  static inline std::unique_ptr<testing::PostgresServer> server_;
};

inline ::testing::Environment* const kPostgresTestEnv =
    ::testing::AddGlobalTestEnvironment(new PostgresTestEnv);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_POSTGRES_TEST_ENV_H_
