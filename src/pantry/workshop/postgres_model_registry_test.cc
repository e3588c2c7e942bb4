// The PostgreSQL model registry: a version published in one home travels
// through the database to another home (no shared disk), byte for byte,
// and the newest push is what every puller gets.
#include "pantry/workshop/postgres_model_registry.h"

#include <gtest/gtest.h>

#include "pantry/common/file_util.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/featurestore/store_url.h"
#include "pantry/models/model_store.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;
using featurestore::PostgresTestEnv;

// Bytes no text encoding would survive.
std::string Binary(char seed) {
  std::string bytes;
  for (int i = 0; i < 600; ++i) bytes.push_back(static_cast<char>((i * 37 + seed) & 0xff));
  bytes += std::string("\0\xff\x80", 3);
  return bytes;
}

std::string Publish(const fs::path& home, const std::string& kind, FakeClock& clock, char seed) {
  auto dir = models::PublishModelVersion(home, kind, clock, [&](const fs::path& d) {
    RETURN_IF_ERROR(WriteFileAtomic(d / "model.bin", Binary(seed)));
    fs::create_directories(d / "sub");
    return WriteFileAtomic(d / "sub" / "metrics.json", std::string("{\"seed\":") + seed + "}");
  });
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  clock.AdvanceSeconds(1);
  return dir.ok() ? dir->filename().string() : "";
}

TEST(PostgresModelRegistryTest, VersionsTravelBetweenHomesThroughTheDatabase) {
  const std::string url = PostgresTestEnv::FreshUrl();
  ASSERT_FALSE(url.empty());
  auto a = OpenPostgresModelRegistry(url);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = OpenPostgresModelRegistry(url);  // another replica's connection
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  testing::TempDir dir;
  const fs::path home_a = dir.path() / "a", home_b = dir.path() / "b";
  FakeClock clock(1'790'000'000'000'000);

  auto none = (*b)->Current("rank");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  auto nothing = models::PullCurrentVersion(**b, home_b, "rank");
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(*nothing);

  const std::string v1 = Publish(home_a, "rank", clock, 'x');
  auto pushed = models::PushCurrentVersion(**a, home_a, "rank");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_TRUE(*pushed);
  pushed = models::PushCurrentVersion(**a, home_a, "rank");
  ASSERT_TRUE(pushed.ok());
  EXPECT_FALSE(*pushed);  // already there
  auto current = (*b)->Current("rank");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->value_or(""), v1);

  auto pulled = models::PullCurrentVersion(**b, home_b, "rank");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_TRUE(*pulled);
  auto served = models::CurrentModelVersion(home_b, "rank");
  ASSERT_TRUE(served.ok()) << served.status().ToString();
  EXPECT_EQ(served->filename().string(), v1);
  EXPECT_EQ(*ReadFileToString(*served / "model.bin"), Binary('x'));
  EXPECT_EQ(*ReadFileToString(*served / "sub" / "metrics.json"), "{\"seed\":x}");
  pulled = models::PullCurrentVersion(**b, home_b, "rank");
  ASSERT_TRUE(pulled.ok());
  EXPECT_FALSE(*pulled);  // unchanged

  // A newer version from A replaces it in B; B's older cache pushes
  // nothing back.
  const std::string v2 = Publish(home_a, "rank", clock, 'y');
  ASSERT_TRUE(models::PushCurrentVersion(**a, home_a, "rank").ok());
  pushed = models::PushCurrentVersion(**b, home_b, "rank");
  ASSERT_TRUE(pushed.ok());
  EXPECT_FALSE(*pushed);
  pulled = models::PullCurrentVersion(**b, home_b, "rank");
  ASSERT_TRUE(pulled.ok() && *pulled);
  served = models::CurrentModelVersion(home_b, "rank");
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(served->filename().string(), v2);
  EXPECT_EQ(*ReadFileToString(*served / "model.bin"), Binary('y'));
  EXPECT_TRUE(fs::is_directory(home_b / "models" / "rank" / v1));  // old versions stay
}

TEST(PostgresModelRegistryTest, SharedOnlyWithAPostgresOfflineStore) {
  featurestore::FeatureStoreOptions embedded;
  auto none = OpenSharedModelRegistry(embedded);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  testing::TempDir dir;
  FakeClock clock(1'790'000'000'000'000);
  Publish(dir.path(), "cf", clock, 'c');
  EXPECT_TRUE(PushModelsToSharedRegistry(dir.path(), embedded).ok());

  featurestore::FeatureStoreOptions shared;
  const std::string url = PostgresTestEnv::FreshUrl();
  ASSERT_FALSE(url.empty());
  ASSERT_TRUE(featurestore::SetOfflineStore(url, &shared).ok());
  ASSERT_TRUE(PushModelsToSharedRegistry(dir.path(), shared).ok());
  auto registry = OpenSharedModelRegistry(shared);
  ASSERT_TRUE(registry.ok() && *registry != nullptr);
  auto current = (*registry)->Current("cf");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->value_or(""), models::CurrentModelVersion(dir.path(), "cf")->filename());
  auto rank = (*registry)->Current("rank");
  ASSERT_TRUE(rank.ok());
  EXPECT_FALSE(rank->has_value());
}

}  // namespace
}  // namespace pantry::workshop
