// The RocksDB online store's memory bounds (RocksDbOnlineOptions) take
// effect: a small memtable is flushed to table files as writes go past it.
#include <gtest/gtest.h>

#include <filesystem>
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

}  // namespace
}  // namespace pantry::featurestore
