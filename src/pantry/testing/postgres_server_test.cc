#include "pantry/testing/postgres_server.h"

#include <gtest/gtest.h>

namespace pantry::testing {
namespace {

TEST(PostgresServerTest, StartsCreatesDatabaseStopsAndRestarts) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  PostgresServer& pg = **server;
  ASSERT_TRUE(pg.CreateDatabase("harness").ok());
  auto out = pg.Psql("harness", "SELECT 40 + 2");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "42\n");
  EXPECT_EQ(pg.Url("harness"),
            "postgresql://postgres@127.0.0.1:" + std::to_string(pg.port()) + "/harness");

  ASSERT_TRUE(pg.Stop().ok());
  EXPECT_FALSE(pg.running());
  EXPECT_FALSE(pg.Psql("harness", "SELECT 1").ok());
  ASSERT_TRUE(pg.Restart().ok());
  // The data directory survived the restart.
  auto again = pg.Psql("harness", "SELECT current_database()");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, "harness\n");
}

}  // namespace
}  // namespace pantry::testing
