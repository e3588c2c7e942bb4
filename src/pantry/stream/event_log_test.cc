// The file-backed event log: offsets, per-key order, recovery of torn tails,
// retention, consumer offsets and concurrent appends.
#include "pantry/stream/event_log.h"

#include <fstream>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

// Not `"x" + std::to_string(i)`: GCC 12 -O3 warns falsely (-Wrestrict) on that.
std::string Cat(std::string a, const std::string& b) {
  a += b;
  return a;
}

EventLogOptions Options(Clock* clock, int shards = 4) {
  EventLogOptions o;
  o.shards = shards;
  o.clock = clock;
  return o;
}

std::unique_ptr<EventLog> Open(const fs::path& home, const EventLogOptions& o) {
  auto log = EventLog::OpenFile(home, "clicks", o);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? std::move(*log) : nullptr;
}

std::vector<LogRecord> ReadAll(const EventLog& log, int shard) {
  auto r = log.Read(shard, 0, 1'000'000);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<LogRecord>{};
}

TEST(EventLogTest, AppendReturnsOffsetsAndKeepsOrderPerKey) {
  testing::TempDir home;
  FakeClock clock(1'000'000);
  auto log = Open(home.path(), Options(&clock));
  std::vector<std::string> keys, payloads;
  for (int i = 0; i < 100; ++i) {
    keys.push_back(Cat("C", std::to_string(i % 10)));
    payloads.push_back(Cat(Cat("{\"i\":", std::to_string(i)), "}"));
  }
  std::vector<AppendRecord> batch;
  for (int i = 0; i < 100; ++i) batch.push_back({keys[i], payloads[i]});
  auto offsets = log->Append(batch);
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  ASSERT_EQ(offsets->size(), 100u);
  std::map<int, uint64_t> next;
  for (int i = 0; i < 100; ++i) {
    const LogOffset& o = (*offsets)[i];
    EXPECT_EQ(o.shard, ShardForKey(keys[i], 4));
    EXPECT_EQ(o.sequence, next[o.shard]++);
  }
  // Per key, records come back in append order with increasing arrival stamps.
  std::map<std::string, int> last_i;
  int total = 0;
  for (int s = 0; s < 4; ++s) {
    int64_t last_arrival = 0;
    for (const LogRecord& r : ReadAll(*log, s)) {
      ++total;
      EXPECT_GT(r.arrival_micros, last_arrival);
      last_arrival = r.arrival_micros;
      int i = std::stoi(r.payload.substr(5));
      auto it = last_i.find(r.partition_key);
      if (it != last_i.end()) {
        EXPECT_GT(i, it->second);
      }
      last_i[r.partition_key] = i;
    }
  }
  EXPECT_EQ(total, 100);
  // Reading from an offset.
  auto from = log->Read((*offsets)[50].shard, (*offsets)[50].sequence, 1);
  ASSERT_TRUE(from.ok());
  ASSERT_EQ(from->size(), 1u);
  EXPECT_EQ((*from)[0].payload, payloads[50]);
}

TEST(EventLogTest, ShardHashIsStable) {
  // Changing the hash would re-route keys of existing streams.
  EXPECT_EQ(ShardForKey("C1", 4), ShardForKey("C1", 4));
  EXPECT_EQ(ShardForKey("customer-42", 1), 0);
  int counts[4] = {};
  for (int i = 0; i < 4000; ++i) ++counts[ShardForKey(Cat("C", std::to_string(i)), 4)];
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(EventLogTest, ReopenKeepsRecordsAndShardCount) {
  testing::TempDir home;
  FakeClock clock(5);
  {
    auto log = Open(home.path(), Options(&clock, 2));
    AppendRecord r{"k", "v1"};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
  }
  auto log = Open(home.path(), Options(&clock, 8));  // existing stream keeps 2 shards
  EXPECT_EQ(log->shard_count(), 2);
  int s = ShardForKey("k", 2);
  EXPECT_EQ(log->EndSequence(s), 1u);
  AppendRecord r{"k", "v2"};
  auto off = log->Append({&r, 1});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ((*off)[0].sequence, 1u);
  auto all = ReadAll(*log, s);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].payload, "v2");
}

TEST(EventLogTest, TornAndCorruptTailsAreTruncatedOnOpen) {
  testing::TempDir home;
  FakeClock clock(5);
  int shard;
  fs::path segment;
  {
    auto log = Open(home.path(), Options(&clock, 1));
    for (int i = 0; i < 10; ++i) {
      std::string p = Cat("payload-", std::to_string(i));
      AppendRecord r{"k", p};
      ASSERT_TRUE(log->Append({&r, 1}).ok());
    }
    shard = 0;
  }
  for (const auto& e : fs::directory_iterator(home.path() / "stream/clicks/shard-0")) {
    if (e.path().extension() == ".log") segment = e.path();
  }
  auto size = fs::file_size(segment);
  // A torn write: half of a frame.
  fs::resize_file(segment, size - 5);
  {
    auto log = Open(home.path(), Options(&clock, 1));
    auto all = ReadAll(*log, shard);
    ASSERT_EQ(all.size(), 9u);
    EXPECT_EQ(all.back().payload, "payload-8");
    // New appends continue the sequence after the surviving records.
    AppendRecord r{"k", "after"};
    auto off = log->Append({&r, 1});
    ASSERT_TRUE(off.ok());
    EXPECT_EQ((*off)[0].sequence, 9u);
  }
  // A flipped byte in the last frame fails its CRC.
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(segment) - 2));
    f.put('X');
  }
  auto log = Open(home.path(), Options(&clock, 1));
  auto all = ReadAll(*log, shard);
  ASSERT_EQ(all.size(), 9u);
  EXPECT_EQ(all.back().payload, "payload-8");
}

TEST(EventLogTest, SegmentsRollAndRetentionDropsOldOnes) {
  testing::TempDir home;
  FakeClock clock(1'000'000'000);
  EventLogOptions o = Options(&clock, 1);
  o.segment_bytes = 1000;
  o.retention_bytes = 3000;
  auto log = Open(home.path(), o);
  std::string payload(100, 'x');
  for (int i = 0; i < 100; ++i) {
    AppendRecord r{"k", payload};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
  }
  int segments = 0;
  for (const auto& e : fs::directory_iterator(home.path() / "stream/clicks/shard-0")) {
    segments += e.path().extension() == ".log";
  }
  EXPECT_LE(segments, 5);
  EXPECT_GT(log->BeginSequence(0), 0u);
  // Reading from a removed offset starts at the oldest kept record.
  auto r = log->Read(0, 0, 1000);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ(r->front().sequence, log->BeginSequence(0));
  EXPECT_EQ(r->back().sequence, 99u);
  // Reads across segment boundaries are contiguous.
  for (size_t i = 1; i < r->size(); ++i) EXPECT_EQ((*r)[i].sequence, (*r)[i - 1].sequence + 1);

  // Age: everything but the newest segment is older than the limit.
  EventLogOptions aged = o;
  aged.retention_bytes = 0;
  aged.retention_micros = 60'000'000;
  log.reset();
  clock.AdvanceMicros(3'600'000'000);
  auto log2 = Open(home.path(), aged);
  ASSERT_TRUE(log2->ApplyRetention().ok());
  segments = 0;
  for (const auto& e : fs::directory_iterator(home.path() / "stream/clicks/shard-0")) {
    segments += e.path().extension() == ".log";
  }
  EXPECT_EQ(segments, 1);
  EXPECT_EQ(log2->EndSequence(0), 100u);
}

int CountSegments(const fs::path& shard_dir) {
  int segments = 0;
  for (const auto& e : fs::directory_iterator(shard_dir)) {
    segments += e.path().extension() == ".log";
  }
  return segments;
}

TEST(EventLogTest, AgeRetentionIsCheckedOnAppendWithoutARollAndOnOpen) {
  testing::TempDir home;
  FakeClock clock(1'000'000'000);
  EventLogOptions o = Options(&clock, 1);
  o.segment_bytes = 1000;
  o.retention_micros = 60'000'000;
  const fs::path shard = home.path() / "stream/clicks/shard-0";
  std::string payload(100, 'x');
  {
    auto log = Open(home.path(), o);
    for (int i = 0; i < 25; ++i) {
      AppendRecord r{"k", payload};
      ASSERT_TRUE(log->Append({&r, 1}).ok());
    }
    ASSERT_GE(CountSegments(shard), 3);
    // A trickle into a segment that is not full: no roll, but a minute
    // later the append still applies the age limit.
    clock.AdvanceMicros(90'000'000);
    AppendRecord r{"k", "y"};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
    EXPECT_EQ(CountSegments(shard), 1);
    EXPECT_EQ(log->EndSequence(0), 26u);
  }
  {
    // Opening applies the limits too (the newest segment always stays).
    auto log = Open(home.path(), o);
    for (int i = 0; i < 25; ++i) {
      AppendRecord r{"k", payload};
      ASSERT_TRUE(log->Append({&r, 1}).ok());
    }
  }
  ASSERT_GE(CountSegments(shard), 3);
  clock.AdvanceMicros(120'000'000);
  auto log = Open(home.path(), o);
  EXPECT_EQ(CountSegments(shard), 1);
  EXPECT_EQ(log->EndSequence(0), 51u);
}

TEST(EventLogTest, ConsumerOffsetsPersist) {
  testing::TempDir home;
  FakeClock clock(5);
  {
    auto log = Open(home.path(), Options(&clock, 2));
    EXPECT_EQ(*log->ConsumerOffset("reader", 1), 0u);
    ASSERT_TRUE(log->CommitConsumerOffset("reader", 1, 42).ok());
    EXPECT_FALSE(log->CommitConsumerOffset("../evil", 1, 1).ok());
  }
  auto log = Open(home.path(), Options(&clock, 2));
  EXPECT_EQ(*log->ConsumerOffset("reader", 1), 42u);
  EXPECT_EQ(*log->ConsumerOffset("reader", 0), 0u);
}

TEST(EventLogTest, RejectsBadRecords) {
  testing::TempDir home;
  FakeClock clock(5);
  auto log = Open(home.path(), Options(&clock, 2));
  AppendRecord empty_key{"", "x"};
  EXPECT_EQ(log->Append({&empty_key, 1}).status().code(), StatusCode::kInvalidArgument);
  std::string big((1 << 20) + 1, 'x');
  AppendRecord too_big{"k", big};
  EXPECT_EQ(log->Append({&too_big, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(EventLog::OpenFile(home.path(), "../x", Options(&clock)).ok());
}

TEST(EventLogTest, ConcurrentAppendsFromManyThreads) {
  testing::TempDir home;
  EventLogOptions o = Options(Clock::Real(), 4);
  o.fsync = FsyncMode::kInterval;
  o.fsync_interval_ms = 5;
  auto log = Open(home.path(), o);
  constexpr int kThreads = 8, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = Cat("T", std::to_string(t));
        std::string payload = std::to_string(i);
        AppendRecord r{key, payload};
        auto off = log->Append({&r, 1});
        ASSERT_TRUE(off.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<std::string, int> next;
  int total = 0;
  for (int s = 0; s < 4; ++s) {
    for (const LogRecord& r : ReadAll(*log, s)) {
      EXPECT_EQ(std::stoi(r.payload), next[r.partition_key]++) << "order per key";
      ++total;
    }
  }
  EXPECT_EQ(total, kThreads * kPerThread);
}

}  // namespace
}  // namespace pantry::stream
