#include "pantry/featurestore/store_url.h"

#include <gtest/gtest.h>

namespace pantry::featurestore {
namespace {

TEST(StoreUrlTest, RedisStandalone) {
  auto o = ParseRedisUrl("redis://cache.local:6380/2?prefix=shop1&timeout_ms=50");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->cluster);
  ASSERT_EQ(o->nodes.size(), 1u);
  EXPECT_EQ(o->nodes[0].host, "cache.local");
  EXPECT_EQ(o->nodes[0].port, 6380);
  EXPECT_EQ(o->db, 2);
  EXPECT_EQ(o->key_prefix, "shop1");
  EXPECT_EQ(o->command_timeout_ms, 50);
  o = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->nodes[0].port, 6379);
  EXPECT_EQ(o->db, 0);
  EXPECT_EQ(o->key_prefix, "pantry");
  o = ParseRedisUrl("redis://app:p%40ss%3Aword@[::1]:7000");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->user, "app");
  EXPECT_EQ(o->password, "p@ss:word");
  EXPECT_EQ(o->nodes[0].host, "::1");
  EXPECT_EQ(o->nodes[0].port, 7000);
  o = ParseRedisUrl("redis://:secret@h:1");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->user, "");
  EXPECT_EQ(o->password, "secret");
}

TEST(StoreUrlTest, RedisCluster) {
  auto o = ParseRedisUrl("redis+cluster://a:7000,b:7001,c");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->cluster);
  ASSERT_EQ(o->nodes.size(), 3u);
  EXPECT_EQ(o->nodes[1].host, "b");
  EXPECT_EQ(o->nodes[1].port, 7001);
  EXPECT_EQ(o->nodes[2].port, 6379);
}

TEST(StoreUrlTest, BadUrlsSayWhatIsWrong) {
  struct Case {
    const char* url;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"redis://", "no host"},
           {"redis://h:0", "port \"0\" is not a number 1-65535"},
           {"redis://h:x", "port \"x\""},
           {"redis://h:", "empty port"},
           {"redis://h/abc", "database \"abc\""},
           {"redis://a:1,b:2", "several hosts need redis+cluster://"},
           {"redis+cluster://a:1/3", "no databases"},
           {"rediss://h", "TLS"},
           {"http://h", "expected redis:// or redis+cluster://"},
           {"redis://h?prefix=a:b", "may only hold"},
           {"redis://h?colour=red", "unknown option \"colour\""},
           {"redis://h?timeout_ms", "has no '='"},
           {"redis://user@h", "user without ':password'"},
           {"redis://:p%4@h", "bad %-escape"},
           {"redis://[::1:7000", "unclosed '['"},
       }) {
    auto o = ParseRedisUrl(c.url);
    ASSERT_FALSE(o.ok()) << c.url;
    EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument) << c.url;
    EXPECT_NE(o.status().message().find(c.message), std::string::npos)
        << c.url << ": " << o.status();
  }
}

TEST(StoreUrlTest, PasswordsAreMaskedInMessages) {
  EXPECT_EQ(MaskPassword("redis://u:secret@h:1/0"), "redis://u:***@h:1/0");
  EXPECT_EQ(MaskPassword("redis://h:1"), "redis://h:1");
  EXPECT_EQ(MaskPassword("postgresql://u:pw@db/x"), "postgresql://u:***@db/x");
  auto o = ParseRedisUrl("redis://u:secret@h:0");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message().find("secret"), std::string::npos) << o.status();
}

TEST(StoreUrlTest, SetBackendsFromFlagValues) {
  FeatureStoreOptions o;
  ASSERT_TRUE(SetOnlineStore("memory", &o).ok());
  EXPECT_EQ(o.online_backend, OnlineBackend::kMemory);
  ASSERT_TRUE(SetOnlineStore("redis+cluster://a:1,b:2", &o).ok());
  EXPECT_EQ(o.online_backend, OnlineBackend::kRedis);
  EXPECT_EQ(o.online_url, "redis+cluster://a:1,b:2");
  ASSERT_TRUE(SetOnlineStore("rocksdb", &o).ok());
  EXPECT_EQ(o.online_backend, OnlineBackend::kRocksDb);
  Status bad = SetOnlineStore("dynamodb", &o);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("expected rocksdb, memory, redis://"), std::string::npos) << bad;
  EXPECT_FALSE(SetOnlineStore("redis://h:99999", &o).ok());
  ASSERT_TRUE(SetOfflineStore("postgresql://db/pantry", &o).ok());
  EXPECT_EQ(o.offline_backend, OfflineBackend::kPostgresql);
  ASSERT_TRUE(SetOfflineStore("sqlite", &o).ok());
  EXPECT_EQ(o.offline_backend, OfflineBackend::kSqlite);
  EXPECT_EQ(SetOfflineStore("mysql://x", &o).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pantry::featurestore
