// PutRecord's target stores, record expiry reported to readers, changing a
// group's TTL, and the SageMaker-only fields of a definition (the offline
// store config and role, recorded but not acted on).
#include <gtest/gtest.h>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/store_backends.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

FeatureGroupDefinition Customers() { return testing::CustomersGroup(); }

Record Cust(int64_t id, double t, std::string state) {
  return testing::CustomerRecord(id, t, std::move(state));
}

class TargetStoresTest : public ::testing::TestWithParam<testing::StoreBackends> {
 protected:
  void SetUp() override {
    Status s = testing::PrepareStoreBackends(GetParam(), &backends_);
    ASSERT_TRUE(s.ok()) << s;
    Reopen();
  }
  void Reopen() {
    store_.reset();
    FeatureStoreOptions o = backends_;
    o.home = home_.path();
    o.clock = &clock_;
    auto s = FeatureStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  std::string State(int64_t id, int64_t* expires_at = nullptr) {
    auto r = store_->GetRecord("customers", std::to_string(id), {}, expires_at);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) return "<absent>";
    return (*r)->Find("state")->string_value();
  }
  int64_t OfflineRows(int64_t id) {
    auto r =
        store_->Query("SELECT count(*) FROM customers WHERE customer_id = " + std::to_string(id));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->rows[0][0].int_value() : -1;
  }

  FeatureStoreOptions backends_;  // the backend fields, set once per test
  testing::TempDir home_;
  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<FeatureStore> store_;
};

TEST_P(TargetStoresTest, OfflineOnlyWriteLeavesTheOnlineRecord) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  const double t = clock_.NowSeconds();
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, t, "v1")).ok());
  // Newer event time, offline only: history grows, the online value stays.
  ASSERT_TRUE(
      store_
          ->PutRecord("customers", Cust(1, t + 10, "v3"), std::nullopt, WriteTargets::kOfflineOnly)
          .ok());
  EXPECT_EQ(State(1), "v1");
  EXPECT_EQ(OfflineRows(1), 2);
  if (GetParam().online_durable()) {
    // Reopening replays nothing into the online store for that write.
    Reopen();
    EXPECT_EQ(State(1), "v1");
  }
  // A later default write still goes to both.
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, t + 5, "v2")).ok());
  EXPECT_EQ(State(1), "v2");
  EXPECT_EQ(OfflineRows(1), 3);
}

TEST_P(TargetStoresTest, OnlineOnlyWriteAddsNoHistory) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  const double t = clock_.NowSeconds();
  ASSERT_TRUE(
      store_->PutRecord("customers", Cust(2, t, "online"), std::nullopt, WriteTargets::kOnlineOnly)
          .ok());
  EXPECT_EQ(State(2), "online");
  EXPECT_EQ(OfflineRows(2), 0);
  Reopen();
  EXPECT_EQ(State(2), GetParam().online_durable() ? "online" : "<absent>");
  // The event-time rule still holds for online-only writes.
  ASSERT_TRUE(
      store_->PutRecord("customers", Cust(2, t + 1, "newer"), std::nullopt, WriteTargets::kAll)
          .ok());
  ASSERT_TRUE(
      store_
          ->PutRecord("customers", Cust(2, t - 1, "older"), std::nullopt, WriteTargets::kOnlineOnly)
          .ok());
  EXPECT_EQ(State(2), "newer");
}

TEST_P(TargetStoresTest, TargetStoreTheGroupLacksIsRejected) {
  FeatureGroupDefinition d = Customers();
  d.offline_enabled = false;
  ASSERT_TRUE(store_->CreateFeatureGroup(d).ok());
  Status s = store_->PutRecord("customers", Cust(3, clock_.NowSeconds(), "x"), std::nullopt,
                               WriteTargets::kOfflineOnly);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no offline store"), std::string::npos) << s.message();
  EXPECT_EQ(State(3), "<absent>");
  EXPECT_TRUE(store_
                  ->PutRecord("customers", Cust(3, clock_.NowSeconds(), "x"), std::nullopt,
                              WriteTargets::kOnlineOnly)
                  .ok());
  EXPECT_EQ(State(3), "x");
}

TEST_P(TargetStoresTest, ExpiryIsReportedToReaders) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  const int64_t now = clock_.NowMicros();
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, now / 1e6, "a")).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(2, now / 1e6, "b"), 30'000'000).ok());
  int64_t expires = -1;
  EXPECT_EQ(State(1, &expires), "a");
  EXPECT_EQ(expires, 0);  // no TTL: never
  EXPECT_EQ(State(2, &expires), "b");
  EXPECT_EQ(expires, now + 30'000'000);

  BatchGetEntry entry{"customers", {"1", "2"}, {}};
  auto batch = store_->BatchGetRecord(std::span<const BatchGetEntry>(&entry, 1));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->records.size(), 2u);
  EXPECT_EQ(batch->records[0].expires_at_micros, 0);
  EXPECT_EQ(batch->records[1].expires_at_micros, now + 30'000'000);
}

TEST_P(TargetStoresTest, SetOnlineTtlAppliesToLaterWrites) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  const int64_t now = clock_.NowMicros();
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, now / 1e6, "before")).ok());
  ASSERT_TRUE(store_->SetOnlineTtl("customers", 60'000'000).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(2, now / 1e6, "after")).ok());
  auto described = store_->DescribeFeatureGroup("customers");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->ttl_micros, 60'000'000);
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(State(1), "before");  // written without a TTL: keeps it
  EXPECT_EQ(State(2), "<absent>");
  // Durable: the registry keeps the new TTL; nullopt removes it.
  Reopen();
  EXPECT_EQ(store_->DescribeFeatureGroup("customers")->ttl_micros, 60'000'000);
  ASSERT_TRUE(store_->SetOnlineTtl("customers", std::nullopt).ok());
  EXPECT_FALSE(store_->DescribeFeatureGroup("customers")->ttl_micros.has_value());
  EXPECT_EQ(store_->SetOnlineTtl("customers", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetOnlineTtl("nope", 1).code(), StatusCode::kNotFound);
}

TEST_P(TargetStoresTest, OfflineStoreConfigAndRoleAreRecorded) {
  FeatureGroupDefinition d = Customers();
  d.offline_store_config =
      R"({"S3StorageConfig":{"S3Uri":"s3://bucket/prefix"},"DisableGlueTableCreation":true})";
  d.role_arn = "arn:aws:iam::123456789012:role/feature-store";
  ASSERT_TRUE(store_->CreateFeatureGroup(d).ok());
  Reopen();
  auto described = store_->DescribeFeatureGroup("customers");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->role_arn, d.role_arn);
  auto config = ParseJson(described->offline_store_config, "config");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ((*config)["S3StorageConfig"]["S3Uri"], "s3://bucket/prefix");
  EXPECT_EQ((*config)["DisableGlueTableCreation"], true);
  EXPECT_FALSE(config->contains("EnableOfflineStore"));
  auto json = ParseJson(described->ToJson(), "definition");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["OfflineStoreConfig"]["EnableOfflineStore"], true);
  EXPECT_EQ((*json)["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"], "s3://bucket/prefix");
}

INSTANTIATE_TEST_SUITE_P(Backends, TargetStoresTest,
                         ::testing::ValuesIn(testing::ContractTestBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pantry::featurestore
