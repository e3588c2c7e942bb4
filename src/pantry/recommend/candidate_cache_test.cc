#include "pantry/recommend/candidate_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace pantry::recommend {
namespace {

// A value that names its key: candidate products are the key's number.
std::shared_ptr<const RetrievedCandidates> ValueFor(uint32_t id, size_t candidates = 200) {
  auto value = std::make_shared<RetrievedCandidates>();
  value->candidates.assign(candidates, models::ScoredProduct{id, static_cast<float>(id)});
  value->retrieval = "blend";
  return value;
}

std::string KeyOf(uint32_t id) { return "customer-" + std::to_string(id); }

TEST(CandidateCacheTest, FindsWhatWasInserted) {
  CandidateCache cache(size_t{1} << 20);
  EXPECT_TRUE(cache.enabled());
  EXPECT_EQ(cache.Find(KeyOf(1)), nullptr);
  auto value = ValueFor(1);
  cache.Insert(KeyOf(1), value);
  EXPECT_EQ(cache.Find(KeyOf(1)), value);
  EXPECT_EQ(cache.Find(KeyOf(2)), nullptr);
  const CandidateCacheUsage usage = cache.Usage();
  EXPECT_EQ(usage.entries, 1u);
  EXPECT_GT(usage.bytes, 200 * sizeof(models::ScoredProduct));
}

TEST(CandidateCacheTest, ZeroCapacityKeepsNothing) {
  CandidateCache cache(0);
  EXPECT_FALSE(cache.enabled());
  cache.Insert(KeyOf(1), ValueFor(1));
  EXPECT_EQ(cache.Find(KeyOf(1)), nullptr);
  EXPECT_EQ(cache.Usage().entries, 0u);
}

TEST(CandidateCacheTest, InsertReplacesTheValueOfAKey) {
  CandidateCache cache(size_t{1} << 20);
  cache.Insert(KeyOf(1), ValueFor(1));
  auto newer = ValueFor(7);
  cache.Insert(KeyOf(1), newer);
  EXPECT_EQ(cache.Find(KeyOf(1)), newer);
  EXPECT_EQ(cache.Usage().entries, 1u);
}

TEST(CandidateCacheTest, AValueLargerThanAShardIsNotStored) {
  CandidateCache cache(16 * 4096);  // 4 KiB per shard
  cache.Insert(KeyOf(1), ValueFor(1, 2000));
  EXPECT_EQ(cache.Find(KeyOf(1)), nullptr);
  cache.Insert(KeyOf(2), ValueFor(2, 10));
  EXPECT_NE(cache.Find(KeyOf(2)), nullptr);
}

TEST(CandidateCacheTest, StaysWithinItsBytesAndKeepsTheRecentlyUsed) {
  const size_t capacity = 64 * 1024;
  CandidateCache cache(capacity);
  auto hot = ValueFor(0);
  cache.Insert(KeyOf(0), hot);
  for (uint32_t id = 1; id <= 1000; ++id) {
    cache.Insert(KeyOf(id), ValueFor(id));
    ASSERT_EQ(cache.Find(KeyOf(0)), hot) << "the most recently used key was evicted at " << id;
    ASSERT_LE(cache.Usage().bytes, capacity);
  }
  const CandidateCacheUsage usage = cache.Usage();
  EXPECT_GT(usage.entries, 1u);
  EXPECT_LT(usage.entries, 1000u);
  // The least recently used went first: the oldest keys are gone.
  EXPECT_EQ(cache.Find(KeyOf(1)), nullptr);
  EXPECT_NE(cache.Find(KeyOf(1000)), nullptr);
}

TEST(CandidateCacheTest, ConcurrentReadersAndWritersSeeOnlyTheirKeysValues) {
  CandidateCache cache(256 * 1024);  // holds some of the 300 keys, so entries churn
  std::atomic<int> wrong{0};
  std::atomic<int> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      uint32_t state = 12345u + static_cast<uint32_t>(t);
      for (int i = 0; i < 20000; ++i) {
        state = state * 1664525u + 1013904223u;
        const uint32_t id = (state >> 8) % 300;
        if (auto found = cache.Find(KeyOf(id))) {
          hits.fetch_add(1);
          if (found->candidates.empty() || found->candidates[0].product != id) wrong.fetch_add(1);
        } else {
          cache.Insert(KeyOf(id), ValueFor(id));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.Usage().bytes, 256u * 1024);
}

}  // namespace
}  // namespace pantry::recommend
