// The RocksDB online store's memory bounds (RocksDbOnlineOptions) take
// effect: a small memtable is flushed to table files as writes go past it.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pantry/featurestore/online_store.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

int TableFiles(const fs::path& dir) {
  int n = 0;
  for (const auto& f : fs::directory_iterator(dir)) n += f.path().extension() == ".sst";
  return n;
}

// Writes 4 MB of records (200 batches of 20 x 1 KB) and reads them back.
void WriteAndCheck(OnlineStore& store) {
  for (int b = 0; b < 200; ++b) {
    std::vector<OnlineWrite> writes;
    for (int i = 0; i < 20; ++i) {
      const std::string id = "r" + std::to_string(b * 20 + i);
      writes.push_back({"g", id, std::string(1000, static_cast<char>('a' + i))});
    }
    ASSERT_TRUE(store.Write(writes, 0).ok());
  }
  for (int id : {0, 1999, 3999}) {
    auto got = store.Get("g", "r" + std::to_string(id));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, std::string(1000, static_cast<char>('a' + id % 20)));
  }
}

TEST(RocksDbCacheOptionsTest, SmallMemtableIsFlushedAndDefaultIsNot) {
  testing::TempDir tmp{"pantry_rocksdb_cache_test"};
  {
    auto small = OnlineStore::OpenRocksDb(
        tmp / "small", {.block_cache_bytes = 1 << 20, .write_buffer_bytes = 256 << 10});
    ASSERT_TRUE(small.ok()) << small.status();
    WriteAndCheck(**small);
    EXPECT_GE(TableFiles(tmp / "small"), 1);
  }
  {
    auto standard = OnlineStore::OpenRocksDb(tmp / "default", {});
    ASSERT_TRUE(standard.ok()) << standard.status();
    WriteAndCheck(**standard);
    EXPECT_EQ(TableFiles(tmp / "default"), 0);  // 4 MB fit in one 64 MiB memtable
  }
  // What was flushed is read back after a reopen with the defaults.
  auto reopened = OnlineStore::OpenRocksDb(tmp / "small", {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto got = (*reopened)->Get("g", "r123");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, std::string(1000, 'a' + 123 % 20));
}

// Overwriting the same keys with same-size values updates the memtable in
// place, so it never fills; the store still flushes after a memtable's
// worth of writes, and the WAL does not grow with the writes.
TEST(RocksDbCacheOptionsTest, OverwritesDoNotGrowTheWal) {
  testing::TempDir tmp{"pantry_rocksdb_wal_test"};
  {
    auto store = OnlineStore::OpenRocksDb(tmp / "db", {.write_buffer_bytes = 256 << 10});
    ASSERT_TRUE(store.ok()) << store.status();
    for (int round = 0; round < 400; ++round) {  // 400 x 10 x 1 KB = 4 MB
      std::vector<OnlineWrite> writes;
      for (int k = 0; k < 10; ++k) {
        writes.push_back({"g", "hot" + std::to_string(k),
                          std::string(1000, static_cast<char>('a' + round % 26))});
      }
      ASSERT_TRUE((*store)->Write(writes, round + 1).ok());
    }
  }  // closing waits for the flushes
  int64_t wal = 0;
  for (const auto& f : fs::directory_iterator(tmp / "db")) {
    if (f.path().extension() == ".log") wal += static_cast<int64_t>(f.file_size());
  }
  EXPECT_LT(wal, 1 << 20);
  auto reopened = OnlineStore::OpenRocksDb(tmp / "db", {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto got = (*reopened)->Get("g", "hot3");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, std::string(1000, static_cast<char>('a' + 399 % 26)));
  auto applied = (*reopened)->AppliedSequence();
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 400);
}

// The non-blocking reads answer from memtables and the block cache and
// decline (false) where RocksDB would read a table file.
TEST(RocksDbCacheOptionsTest, InMemoryReadsDeclineOnACacheMiss) {
  testing::TempDir tmp{"pantry_rocksdb_tier_test"};
  {
    auto store = OnlineStore::OpenRocksDb(tmp / "db", {.write_buffer_bytes = 256 << 10});
    ASSERT_TRUE(store.ok()) << store.status();
    WriteAndCheck(**store);
    std::optional<std::string> value;
    auto hit = (*store)->TryGetInMemory("g", "r3999", &value);  // the memtable
    ASSERT_TRUE(hit.ok()) << hit.status();
    EXPECT_TRUE(*hit);
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(*value, std::string(1000, static_cast<char>('a' + 3999 % 20)));
  }
  auto reopened = OnlineStore::OpenRocksDb(tmp / "db", {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  OnlineStore& store = **reopened;
  ASSERT_GE(TableFiles(tmp / "db"), 1);
  std::optional<std::string> value;
  auto cold = store.TryGetInMemory("g", "r5", &value);  // flushed, cache empty
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_FALSE(*cold);
  std::vector<std::optional<std::string>> values;
  const std::vector<std::string> ids = {"r5", "r6"};
  auto cold_multi = store.TryMultiGetInMemory("g", ids, &values);
  ASSERT_TRUE(cold_multi.ok()) << cold_multi.status();
  EXPECT_FALSE(*cold_multi);

  // Blocking reads bring the blocks into the cache ("r5" and "r6" are far
  // apart in key order, so in different blocks).
  ASSERT_TRUE(store.Get("g", "r5").ok());
  ASSERT_TRUE(store.Get("g", "r6").ok());
  auto warm = store.TryGetInMemory("g", "r5", &value);
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_TRUE(*warm);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, std::string(1000, static_cast<char>('a' + 5)));
  auto warm_multi = store.TryMultiGetInMemory("g", ids, &values);
  ASSERT_TRUE(warm_multi.ok()) << warm_multi.status();
  EXPECT_TRUE(*warm_multi);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_TRUE(values[0].has_value() && values[1].has_value());
}

}  // namespace
}  // namespace pantry::featurestore
