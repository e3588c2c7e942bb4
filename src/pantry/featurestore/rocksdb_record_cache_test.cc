// The RocksDB online store's record cache (RocksDbOnlineOptions::
// record_cache_bytes) never answers with a value older than a completed
// write: after overwrites, deletes, group deletes, and while a writer races
// readers.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pantry/featurestore/online_store.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

std::optional<std::string> GetOrDie(const OnlineStore& store, const std::string& id) {
  auto got = store.Get("g", id);
  EXPECT_TRUE(got.ok()) << got.status();
  return got.ok() ? *got : std::nullopt;
}

std::optional<std::string> InMemoryOrDie(const OnlineStore& store, const std::string& id) {
  std::optional<std::string> value;
  auto answered = store.TryGetInMemory("g", id, &value);
  EXPECT_TRUE(answered.ok() && *answered);
  return value;
}

std::optional<std::string> MultiGetOrDie(const OnlineStore& store, const std::string& id) {
  std::vector<std::optional<std::string>> values;
  const std::string ids[] = {"other", id};
  EXPECT_TRUE(store.MultiGet("g", ids, &values).ok());
  return values.size() == 2 ? values[1] : std::nullopt;
}

class RocksDbRecordCacheTest : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    auto opened = OnlineStore::OpenRocksDb(tmp_ / "db", {.record_cache_bytes = GetParam()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  void Put(const std::string& id, std::optional<std::string> value) {
    const OnlineWrite write{"g", id, std::move(value)};
    ASSERT_TRUE(store_->Write({&write, 1}, 0).ok());
  }

  testing::TempDir tmp_{"pantry_record_cache_test"};
  std::unique_ptr<OnlineStore> store_;
};

TEST_P(RocksDbRecordCacheTest, EveryReadSeesTheLastWrite) {
  Put("r1", "v1");
  for (auto* read : {&GetOrDie, &InMemoryOrDie, &MultiGetOrDie}) {
    EXPECT_EQ(read(*store_, "r1"), "v1");  // the first read fills the cache
    EXPECT_EQ(read(*store_, "r1"), "v1");  // the second may be a hit
  }
  Put("r1", "v2");
  for (auto* read : {&GetOrDie, &InMemoryOrDie, &MultiGetOrDie}) {
    EXPECT_EQ(read(*store_, "r1"), "v2");
    EXPECT_EQ(read(*store_, "r1"), "v2");
  }
  Put("r1", std::nullopt);
  for (auto* read : {&GetOrDie, &InMemoryOrDie, &MultiGetOrDie}) {
    EXPECT_EQ(read(*store_, "r1"), std::nullopt);
  }
}

TEST_P(RocksDbRecordCacheTest, DeletedGroupIsNotAnsweredFromTheCache) {
  Put("r1", "v1");
  Put("r2", "v2");
  EXPECT_EQ(GetOrDie(*store_, "r1"), "v1");
  EXPECT_EQ(MultiGetOrDie(*store_, "r2"), "v2");
  ASSERT_TRUE(store_->DeleteGroup("g").ok());
  EXPECT_EQ(GetOrDie(*store_, "r1"), std::nullopt);
  EXPECT_EQ(MultiGetOrDie(*store_, "r2"), std::nullopt);
  Put("r1", "again");
  EXPECT_EQ(GetOrDie(*store_, "r1"), "again");
}

// A writer overwrites a few keys with increasing numbers while readers read
// them: a read that starts after a write completed never returns an older
// number (a stale fill racing the write would).
TEST_P(RocksDbRecordCacheTest, RacingReadersNeverSeeAValueOlderThanACompletedWrite) {
  constexpr int kKeys = 3;
  constexpr int kWrites = 3000;
  std::atomic<int> completed[kKeys];
  for (int k = 0; k < kKeys; ++k) {
    completed[k] = 0;
    Put("k" + std::to_string(k), "0");
  }
  std::atomic<bool> done{false};
  std::atomic<int> stale{0}, reads{0};
  auto reader = [&](int which) {
    std::vector<std::optional<std::string>> values;
    while (!done.load()) {
      for (int k = 0; k < kKeys; ++k) {
        const std::string id = "k" + std::to_string(k);
        const int floor = completed[k].load();
        std::optional<std::string> got;
        if (which == 0) {
          got = GetOrDie(*store_, id);
        } else {
          got = MultiGetOrDie(*store_, id);
        }
        ++reads;
        if (!got || std::stoi(*got) < floor) ++stale;
      }
    }
  };
  std::thread get_reader(reader, 0), multiget_reader(reader, 1);
  for (int i = 1; i <= kWrites; ++i) {
    const int k = i % kKeys;
    Put("k" + std::to_string(k), std::to_string(i));
    completed[k].store(i);
  }
  done = true;
  get_reader.join();
  multiget_reader.join();
  EXPECT_EQ(stale.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 100);
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(GetOrDie(*store_, "k" + std::to_string(k)), std::to_string(completed[k].load()));
  }
}

// With the cache (the default 64 MiB, and a tiny one that evicts all the
// time) and without it.
INSTANTIATE_TEST_SUITE_P(CacheSizes, RocksDbRecordCacheTest,
                         ::testing::Values(int64_t{64} << 20, int64_t{4} << 10, int64_t{0}));

// Keys sharing cache slots (a slot hash narrowed to 3 bits: 1000 keys in 64
// slots) still read their own values, through every read path, after fills
// that replace each other's entries and after overwrites and deletes.
TEST(RocksDbRecordCacheCollisionTest, KeysSharingSlotsReadTheirOwnValues) {
  testing::TempDir tmp("pantry_record_cache_collisions");
  auto opened = OnlineStore::OpenRocksDb(
      tmp / "db", {.record_cache_bytes = 1 << 20, .record_cache_slot_bits_for_testing = 3});
  ASSERT_TRUE(opened.ok()) << opened.status();
  OnlineStore& store = **opened;
  constexpr int kKeys = 1000;
  auto id = [](int i) { return "r" + std::to_string(i); };
  auto put = [&](int i, std::optional<std::string> value) {
    const OnlineWrite write{"g", id(i), std::move(value)};
    ASSERT_TRUE(store.Write({&write, 1}, 0).ok());
  };
  for (int i = 0; i < kKeys; ++i) put(i, "v" + std::to_string(i));
  auto expect_all = [&](const std::string& when, auto expected) {
    for (int round = 0; round < 2; ++round) {  // the second round may hit
      for (int i = 0; i < kKeys; ++i) {
        EXPECT_EQ(GetOrDie(store, id(i)), expected(i)) << when << " " << id(i);
        EXPECT_EQ(InMemoryOrDie(store, id(i)), expected(i)) << when << " " << id(i);
        EXPECT_EQ(MultiGetOrDie(store, id(i)), expected(i)) << when << " " << id(i);
      }
      std::vector<std::string> ids;
      for (int i = 0; i < kKeys; ++i) ids.push_back(id(i));
      std::vector<std::optional<std::string>> values;
      ASSERT_TRUE(store.MultiGet("g", ids, &values).ok());
      ASSERT_EQ(values.size(), ids.size());
      for (int i = 0; i < kKeys; ++i) EXPECT_EQ(values[i], expected(i)) << when << " " << id(i);
    }
  };
  expect_all("after the load",
             [](int i) -> std::optional<std::string> { return "v" + std::to_string(i); });
  for (int i = 0; i < kKeys; i += 2) put(i, "w" + std::to_string(i));
  for (int i = 1; i < kKeys; i += 4) put(i, std::nullopt);
  expect_all("after overwrites and deletes", [](int i) -> std::optional<std::string> {
    if (i % 2 == 0) return "w" + std::to_string(i);
    if (i % 4 == 1) return std::nullopt;
    return "v" + std::to_string(i);
  });
}

}  // namespace
}  // namespace pantry::featurestore
