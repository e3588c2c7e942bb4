// FeatureStore::Health: OK while the store accepts writes, Unavailable while
// it refuses them pending journal recovery (what /readyz reports).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/online_store.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

class FeatureStoreHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::path(::testing::TempDir()) /
            ("pantry_fs_health_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    fs::create_directories(home_);
  }
  void TearDown() override { fs::remove_all(home_); }

  StatusOr<std::unique_ptr<FeatureStore>> Open(bool read_only = false) {
    FeatureStoreOptions options;
    options.home = home_;
    options.clock = &clock_;
    options.read_only = read_only;
    return FeatureStore::Open(options);
  }

  static Record Row(const std::string& id, double event_time) {
    Record r;
    r.Add("id", FeatureValue::String(id));
    r.Add("event_time", FeatureValue::Double(event_time));
    r.Add("value", FeatureValue::Double(1.5));
    return r;
  }

  fs::path home_;
  FakeClock clock_{1'800'000'000'000'000LL};
};

TEST_F(FeatureStoreHealthTest, UnavailableWhileAFailedOnlineWriteAwaitsReplay) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    FeatureGroupDefinition def;
    def.name = "g";
    def.record_identifier_name = "id";
    def.event_time_name = "event_time";
    def.features = {{"id", FeatureType::kString},
                    {"event_time", FeatureType::kFractional},
                    {"value", FeatureType::kFractional}};
    ASSERT_TRUE((*store)->CreateFeatureGroup(def).ok());
    ASSERT_TRUE((*store)->PutRecord("g", Row("a", 100)).ok());
    EXPECT_TRUE((*store)->Health().ok());
  }
  {
    // Damage the online copy of "a" so that the next online write of a
    // batch containing it fails after the batch was committed offline.
    auto online = OnlineStore::OpenRocksDb(home_ / "featurestore" / "online", {});
    ASSERT_TRUE(online.ok()) << online.status();
    std::vector<OnlineWrite> writes = {{"g", "a", std::string("not an online record")}};
    ASSERT_TRUE((*online)->Write(writes, /*sequence=*/0).ok());
  }
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Health().ok());
  // Large enough for the write path that commits offline while it plans the
  // online write (so the planning failure surfaces after the commit).
  std::vector<Record> batch;
  for (int i = 0; i < 2000; ++i) batch.push_back(Row("r" + std::to_string(i), 200));
  batch.push_back(Row("a", 200));
  auto put = (*store)->PutRecords("g", batch);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), StatusCode::kUnavailable) << put.status();

  Status health = (*store)->Health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable) << health;
  EXPECT_NE(health.message().find("reopen the store"), std::string::npos) << health;
  // Health tells the truth: the store refuses writes in this state.
  EXPECT_EQ((*store)->PutRecord("g", Row("b", 300)).code(), StatusCode::kUnavailable);
  // Reads still work.
  EXPECT_TRUE((*store)->GetRecord("g", "r1").ok());
}

TEST_F(FeatureStoreHealthTest, ReadOnlyStoreIsHealthy) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
  }
  auto store = Open(/*read_only=*/true);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Health().ok());
}

}  // namespace
}  // namespace pantry::featurestore
