#include "pantry/stream/stream_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pantry/testing/redis_server.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

EventLogOptions Options(Clock* clock) {
  EventLogOptions o;
  o.fsync = FsyncMode::kNever;
  o.clock = clock;
  return o;
}

StatusOr<std::vector<LogOffset>> AppendOne(StreamRegistry& r, std::string_view stream,
                                           std::string_view key) {
  AppendRecord record{key, "{}"};
  return r.Append(stream, std::span<const AppendRecord>(&record, 1));
}

TEST(StreamRegistryTest, CreatedStreamsKeepShardsModeAndTimeAcrossReopen) {
  testing::TempDir home;
  FakeClock clock(1'700'000'000'000'000);
  {
    auto r = StreamRegistry::Open(home.path(), Options(&clock), {});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE((*r)->Create("orders", 3, false).ok());
    clock.AdvanceMicros(5'000'000);
    ASSERT_TRUE((*r)->Create("clicks", kOnDemandShards, true).ok());
    EXPECT_EQ((*r)->Create("orders", 1, false).code(), StatusCode::kAlreadyExists);
    EXPECT_EQ((*r)->Create("bad/name", 1, false).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ((*r)->Create("big", 1025, false).code(), StatusCode::kInvalidArgument);
    auto offsets = AppendOne(**r, "orders", "k");
    ASSERT_TRUE(offsets.ok()) << offsets.status();
    EXPECT_EQ(AppendOne(**r, "missing", "k").status().code(), StatusCode::kNotFound);
  }
  clock.AdvanceMicros(60'000'000);
  auto r = StreamRegistry::Open(home.path(), Options(&clock), {});
  ASSERT_TRUE(r.ok()) << r.status();
  auto listed = (*r)->List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  const std::vector<StreamEntryInfo>& list = *listed;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "clicks");
  EXPECT_TRUE(list[0].on_demand);
  EXPECT_EQ(list[0].shard_count, kOnDemandShards);
  EXPECT_EQ(list[0].created_micros, 1'700'000'005'000'000);
  EXPECT_EQ(list[1].name, "orders");
  EXPECT_FALSE(list[1].on_demand);
  EXPECT_EQ(list[1].shard_count, 3);
  EXPECT_EQ(list[1].created_micros, 1'700'000'000'000'000);
}

TEST(StreamRegistryTest, DeleteRemovesTheDirectoryUnlessBorrowedOrRead) {
  testing::TempDir home;
  FakeClock clock(1'700'000'000'000'000);
  auto borrowed = EventLog::OpenFile(home.path(), "click_stream", Options(&clock));
  ASSERT_TRUE(borrowed.ok());
  auto r = StreamRegistry::Open(home.path(), Options(&clock), {{"click_stream", borrowed->get()}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE((*r)->Describe("click_stream")->borrowed);
  EXPECT_EQ((*r)->Delete("click_stream").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*r)->Create("s1", 2, false).ok());
  auto log = (*r)->Acquire("s1", "application A");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->shard_count(), 2);
  Status refused = (*r)->Delete("s1");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("application A"), std::string::npos) << refused;
  (*r)->Release("s1", "application A");
  ASSERT_TRUE((*r)->Delete("s1").ok());
  EXPECT_FALSE(std::filesystem::exists(home.path() / "stream" / "s1"));
  EXPECT_EQ((*r)->Delete("s1").code(), StatusCode::kNotFound);
  EXPECT_EQ((*r)->Describe("s1").status().code(), StatusCode::kNotFound);
  // The name can be used again, with a new shard count.
  ASSERT_TRUE((*r)->Create("s1", 1, false).ok());
  EXPECT_EQ((*r)->Describe("s1")->shard_count, 1);
}

// Appends from several threads while other streams are created and deleted:
// every append to the stable stream succeeds and gets its own offset, and
// appends to a stream being deleted either land or see NotFound.
TEST(StreamRegistryTest, AppendsRunConcurrentlyWithCreateAndDelete) {
  testing::TempDir home;
  auto r = StreamRegistry::Open(home.path(), Options(Clock::Real()), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Create("stable", 2, false).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0}, failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      while (!stop.load()) {
        auto a = AppendOne(**r, "stable", "k" + std::to_string(t));
        a.ok() ? ++appended : ++failures;
        auto b = AppendOne(**r, "churn", "k");
        if (!b.ok() && b.status().code() != StatusCode::kNotFound) ++failures;
      }
    });
  }
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*r)->Create("churn", 1 + i % 3, false).ok());
    ASSERT_TRUE((*r)->Delete("churn").ok());
  }
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  auto log = (*r)->Acquire("stable", "test");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(static_cast<int>((*log)->EndSequence(0) + (*log)->EndSequence(1)), appended.load());
  (*r)->Release("stable", "test");
}

// With a shared event log, two registries (two replicas' homes) on one Redis
// serve the same created streams.
TEST(StreamRegistryTest, SharedEventLogStreamsAreSeenByEveryReplica) {
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  testing::TempDir home_a, home_b;
  FakeClock clock(1'700'000'000'000'000);
  EventLogOptions options = Options(&clock);
  options.redis_url = (*redis)->url();
  auto a = StreamRegistry::Open(home_a.path(), options, {});
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = StreamRegistry::Open(home_b.path(), options, {});
  ASSERT_TRUE(b.ok()) << b.status();

  ASSERT_TRUE((*a)->Create("orders", 3, true).ok());
  EXPECT_FALSE(std::filesystem::exists(home_a.path() / "stream" / "orders"));
  // Created through A: B appends to it and reads what A appended.
  auto first = AppendOne(**a, "orders", "k1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = AppendOne(**b, "orders", "k1");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)[0].shard, (*first)[0].shard);
  EXPECT_EQ((*second)[0].sequence, (*first)[0].sequence + 1);
  auto described = (*b)->Describe("orders");
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->shard_count, 3);
  EXPECT_TRUE(described->on_demand);
  EXPECT_EQ(described->created_micros, 1'700'000'000'000'000);
  // A name is taken once across replicas.
  EXPECT_EQ((*b)->Create("orders", 1, false).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE((*b)->Create("returns", 1, false).ok());
  auto listed = (*a)->List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "orders");
  EXPECT_EQ((*listed)[1].name, "returns");
  // A replica that opens later finds them.
  {
    testing::TempDir home_c;
    auto c = StreamRegistry::Open(home_c.path(), options, {});
    ASSERT_TRUE(c.ok()) << c.status();
    auto c_list = (*c)->List();
    ASSERT_TRUE(c_list.ok()) << c_list.status();
    EXPECT_EQ(c_list->size(), 2u);
  }

  // Deleted through B: gone for A as well, with its events.
  ASSERT_TRUE((*b)->Delete("orders").ok());
  EXPECT_EQ((*a)->Describe("orders").status().code(), StatusCode::kNotFound);
  listed = (*a)->List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "returns");
  EXPECT_EQ((*a)->Delete("orders").code(), StatusCode::kNotFound);
  auto keys = (*redis)->Cli({"KEYS", "pantry:stream:orders:*"});
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->find("orders"), std::string::npos) << *keys;
  // Re-created with another shard count, it starts empty.
  ASSERT_TRUE((*a)->Create("orders", 1, false).ok());
  auto again = AppendOne(**b, "orders", "k1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].shard, 0);
  EXPECT_EQ((*again)[0].sequence, 0u);
}

}  // namespace
}  // namespace pantry::stream
