// The FeatureStore on a PostgreSQL offline store, for what only a shared
// store has: the group registry and the journal live in PostgreSQL, so a
// second home (another machine) sees the groups and rebuilds its online
// store from the journal; and a PostgreSQL outage is Unavailable, not a
// crash, and heals by itself. (The common contract runs against PostgreSQL
// in feature_store_test.cc and dataset_builder_test.cc.)
#include <gtest/gtest.h>

#include <filesystem>

#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

FeatureGroupDefinition Customers() { return testing::CustomersGroup(); }

Record Cust(int64_t id, double t, std::string state) {
  return testing::CustomerRecord(id, t, std::move(state));
}

// ---- Online backends combined with the PostgreSQL offline store ---------
const OnlineBackend kOnlineBackends[] = {OnlineBackend::kMemory, OnlineBackend::kRocksDb};
// ------------------------------------------------------------------------

class FeatureStorePostgresTest : public ::testing::TestWithParam<OnlineBackend> {
 protected:
  void SetUp() override {
    url_ = PostgresTestEnv::FreshUrl();
    ASSERT_FALSE(url_.empty());
  }
  std::unique_ptr<FeatureStore> Open(const fs::path& home) {
    FeatureStoreOptions o;
    o.home = home;
    o.online_backend = GetParam();
    o.offline_url = url_;
    auto store = FeatureStore::Open(o);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  static std::string State(FeatureStore& store, int64_t id) {
    auto r = store.GetRecord("customers", std::to_string(id));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) return "<absent>";
    return (*r)->Find("state")->string_value();
  }

  std::string url_;
  testing::TempDir home_a_{"pantry_pg_home_a"};
  testing::TempDir home_b_{"pantry_pg_home_b"};
};

TEST_P(FeatureStorePostgresTest, SecondHomeSharesRegistryAndRebuildsOnlineFromJournal) {
  {
    auto a = Open(home_a_.path());
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->sql_dialect(), SqlDialect::kPostgres);
    ASSERT_TRUE(a->CreateFeatureGroup(Customers()).ok());
    ASSERT_TRUE(a->AddFeatures("customers", {{"age", FeatureType::kIntegral}}).ok());
    ASSERT_TRUE(a->PutRecord("customers", Cust(1, 100, "WA")).ok());
    ASSERT_TRUE(a->PutRecord("customers", Cust(2, 100, "OR")).ok());
    ASSERT_TRUE(a->PutRecord("customers", Cust(1, 200, "CA")).ok());
    ASSERT_TRUE(a->DeleteRecord("customers", "2", 300'000'000, DeleteMode::kSoft).ok());
  }
  // No definition files on local disk: the registry is in PostgreSQL.
  const fs::path groups = home_a_.path() / "featurestore" / "groups";
  EXPECT_TRUE(!fs::exists(groups) || fs::is_empty(groups));

  auto b = Open(home_b_.path());
  ASSERT_NE(b, nullptr);
  auto def = b->DescribeFeatureGroup("customers");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_NE(def->FindFeature("age"), nullptr);
  if (GetParam() == OnlineBackend::kRocksDb) {
    // A fresh durable online store replays the whole journal.
    EXPECT_EQ(State(*b, 1), "CA");
    EXPECT_EQ(State(*b, 2), "<absent>");
  }
  auto rows = b->Query("SELECT state FROM customers WHERE is_deleted = 0 ORDER BY rowid");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows.size(), 3u);
  EXPECT_EQ(rows->rows[2][0], FeatureValue::String("CA"));

  ASSERT_TRUE(b->DeleteFeatureGroup("customers").ok());
  auto c = Open(home_a_.path());
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->ListFeatureGroups().empty());
}

TEST_P(FeatureStorePostgresTest, OutageIsUnavailableAndHealsWithoutReopening) {
  auto store = Open(home_a_.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store->PutRecord("customers", Cust(1, 100, "WA")).ok());

  testing::PostgresServer* server = PostgresTestEnv::Server();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->Stop().ok());
  Status put = store->PutRecord("customers", Cust(1, 200, "CA"));
  EXPECT_EQ(put.code(), StatusCode::kUnavailable) << put;
  EXPECT_EQ(store->Query("SELECT 1").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(State(*store, 1), "WA");  // online reads go on; the failed put left no trace
  EXPECT_TRUE(store->Health().ok());

  ASSERT_TRUE(server->Restart().ok());
  ASSERT_TRUE(store->PutRecord("customers", Cust(1, 300, "OR")).ok());
  EXPECT_EQ(State(*store, 1), "OR");
  auto rows = store->Query("SELECT count(*) FROM customers");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows[0][0], FeatureValue::Int(2));
}

INSTANTIATE_TEST_SUITE_P(Online, FeatureStorePostgresTest, ::testing::ValuesIn(kOnlineBackends),
                         [](const auto& info) {
                           return info.param == OnlineBackend::kMemory ? "Memory" : "RocksDb";
                         });

TEST(FeatureStorePostgresOptionsTest, UnknownOfflineUrlIsRefused) {
  testing::TempDir home("pantry_pg_url");
  FeatureStoreOptions o;
  o.home = home.path();
  o.online_backend = OnlineBackend::kMemory;
  o.offline_url = "mysql://somewhere";
  auto store = FeatureStore::Open(o);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("postgresql://"), std::string::npos);
}

}  // namespace
}  // namespace pantry::featurestore
