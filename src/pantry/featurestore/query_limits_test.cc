// Issue 13, item 5: `pantry query` runs under a deadline and length limits,
// read-only by authorizer, in defensive mode, without the FTS3 tokenizer.
#include <gtest/gtest.h>

#include <chrono>

#include "pantry/featurestore/feature_store.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

class QueryLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeatureStoreOptions options;
    options.home = home_.path();
    options.online_backend = OnlineBackend::kMemory;
    auto writer = FeatureStore::Open(options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)
                    ->CreateFeatureGroup(testing::GroupDefinition(
                        "g", "id",
                        {{"id", FeatureType::kString}, {"event_time", FeatureType::kFractional}}))
                    .ok());
    Record r;
    r.Add("id", FeatureValue::String("a"));
    r.Add("event_time", FeatureValue::Double(100));
    ASSERT_TRUE((*writer)->PutRecord("g", r).ok());
    writer->reset();
    // As `pantry query` opens it (minus the process-wide heap ceiling).
    options.read_only = true;
    options.offline_only = true;
    options.query_limits.timeout_ms = 300;
    options.query_limits.max_length_bytes = 1 << 20;
    auto reader = FeatureStore::Open(options);
    ASSERT_TRUE(reader.ok()) << reader.status();
    store_ = std::move(*reader);
  }

  Status Run(const std::string& sql) { return store_->Query(sql).status(); }

  testing::TempDir home_{"pantry_query_limits"};
  std::unique_ptr<FeatureStore> store_;
};

TEST_F(QueryLimitsTest, OrdinaryQueriesStillWork) {
  auto rows = store_->Query("SELECT id FROM g");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows.size(), 1u);
  EXPECT_TRUE(Run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                  "SELECT sum(i) FROM n")
                  .ok());
  EXPECT_TRUE(Run("PRAGMA table_info(g)").ok()) << Run("PRAGMA table_info(g)");
  EXPECT_TRUE(Run("SELECT length(randomblob(1000))").ok());
}

TEST_F(QueryLimitsTest, RunawayRecursiveCteStopsAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  Status s =
      Run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
          "SELECT count(*) FROM n");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("time limit of 300 ms"), std::string::npos) << s;
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(QueryLimitsTest, HugeBlobIsRefused) {
  Status s = Run("SELECT length(randomblob(900000000))");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("length limit"), std::string::npos) << s;
}

TEST_F(QueryLimitsTest, StateChangingPragmasAreRefused) {
  for (const char* sql : {"PRAGMA writable_schema=ON", "PRAGMA writable_schema",
                          "PRAGMA journal_mode=DELETE", "PRAGMA trusted_schema=1"}) {
    Status s = Run(sql);
    ASSERT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.message().find("is not allowed in queries"), std::string::npos) << sql << ": " << s;
  }
}

TEST_F(QueryLimitsTest, Fts3TokenizerAndExtensionsAreRefused) {
  for (const char* sql :
       {"SELECT fts3_tokenizer('simple')", "SELECT load_extension('libc.so.6')"}) {
    Status s = Run(sql);
    ASSERT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.message().find("not allowed"), std::string::npos) << sql << ": " << s;
  }
}

TEST_F(QueryLimitsTest, WritesAndAttachAreRefused) {
  for (const char* sql : {"INSERT INTO g (id) VALUES ('x')", "ATTACH '/tmp/x.db' AS x",
                          "CREATE TEMP TABLE t (x)", "BEGIN"}) {
    Status s = Run(sql);
    ASSERT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.message().find("read-only"), std::string::npos) << sql << ": " << s;
  }
}

}  // namespace
}  // namespace pantry::featurestore
