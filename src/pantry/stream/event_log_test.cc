// The event log contract, run against the file log and the Redis Streams log
// (a real redis-server started by the test): offsets, per-key order, reopen,
// consumer offsets and concurrent appends. File-only: recovery of torn
// tails and segment retention; Redis-only: trimming, several appending
// processes, an outage.
#include "pantry/stream/event_log.h"

#include <fstream>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/testing/redis_server.h"
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

// Started on first use, stopped when the test process exits.
testing::RedisServer* SharedRedis() {
  static std::unique_ptr<testing::RedisServer> server = [] {
    auto s = testing::RedisServer::Start();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }();
  return server.get();
}

// The contract tests, once per backend.
class EventLogContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (redis()) {
      ASSERT_NE(SharedRedis(), nullptr);
      ASSERT_TRUE(SharedRedis()->Flush().ok());
    }
  }
  bool redis() const { return GetParam() == "Redis"; }
  EventLogOptions With(EventLogOptions o) const {
    if (redis()) o.redis_url = SharedRedis()->url();
    return o;
  }
  std::unique_ptr<EventLog> OpenLog(const EventLogOptions& o, std::string_view name = "clicks") {
    auto log = EventLog::Open(home_.path(), name, With(o));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  testing::TempDir home_;
};

INSTANTIATE_TEST_SUITE_P(Backends, EventLogContractTest, ::testing::Values("File", "Redis"),
                         [](const auto& info) { return info.param; });

TEST_P(EventLogContractTest, AppendReturnsOffsetsAndKeepsOrderPerKey) {
  FakeClock clock(1'000'000);
  auto log = OpenLog(Options(&clock));
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

TEST_P(EventLogContractTest, ReopenKeepsRecordsAndShardCount) {
  FakeClock clock(5);
  {
    auto log = OpenLog(Options(&clock, 2));
    AppendRecord r{"k", "v1"};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
  }
  auto log = OpenLog(Options(&clock, 8));  // existing stream keeps 2 shards
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

TEST_P(EventLogContractTest, ConsumerOffsetsPersist) {
  FakeClock clock(5);
  {
    auto log = OpenLog(Options(&clock, 2));
    EXPECT_EQ(*log->ConsumerOffset("reader", 1), 0u);
    ASSERT_TRUE(log->CommitConsumerOffset("reader", 1, 42).ok());
    EXPECT_FALSE(log->CommitConsumerOffset("../evil", 1, 1).ok());
  }
  auto log = OpenLog(Options(&clock, 2));
  EXPECT_EQ(*log->ConsumerOffset("reader", 1), 42u);
  EXPECT_EQ(*log->ConsumerOffset("reader", 0), 0u);
}

TEST_P(EventLogContractTest, RejectsBadRecords) {
  FakeClock clock(5);
  auto log = OpenLog(Options(&clock, 2));
  AppendRecord empty_key{"", "x"};
  EXPECT_EQ(log->Append({&empty_key, 1}).status().code(), StatusCode::kInvalidArgument);
  std::string big((1 << 20) + 1, 'x');
  AppendRecord too_big{"k", big};
  EXPECT_EQ(log->Append({&too_big, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(EventLog::Open(home_.path(), "../x", With(Options(&clock))).ok());
}

TEST_P(EventLogContractTest, ConcurrentAppendsFromManyThreads) {
  EventLogOptions o = Options(Clock::Real(), 4);
  o.fsync = FsyncMode::kInterval;
  o.fsync_interval_ms = 5;
  auto log = OpenLog(o);
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

// ---- Redis Streams only --------------------------------------------------

class RedisEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(SharedRedis(), nullptr);
    ASSERT_TRUE(SharedRedis()->Flush().ok());
  }
  std::unique_ptr<EventLog> OpenLog(EventLogOptions o) {
    auto log = EventLog::OpenRedis(SharedRedis()->url(), "clicks", o);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
};

TEST_F(RedisEventLogTest, TwoWritersShareShardsAndSequences) {
  // Two processes' logs on the same stream: sequences stay dense and
  // distinct, arrival stamps increase although A's clock lags B's, and each
  // sees the other's records.
  FakeClock clock_a(2'000'000), clock_b(3'000'000);
  auto a = OpenLog(Options(&clock_a, 1));
  auto b = OpenLog(Options(&clock_b, 1));
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 10; ++i) {
    std::string p = std::to_string(i);
    AppendRecord r{"k", p};
    auto off = (i % 2 == 0 ? a : b)->Append({&r, 1});
    ASSERT_TRUE(off.ok()) << off.status();
    seqs.push_back((*off)[0].sequence);
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seqs[i], static_cast<uint64_t>(i));
  EXPECT_EQ(a->EndSequence(0), 10u);
  auto all = a->Read(0, 0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 10u);
  for (size_t i = 1; i < all->size(); ++i) {
    EXPECT_GT((*all)[i].arrival_micros, (*all)[i - 1].arrival_micros);
    EXPECT_EQ((*all)[i].payload, std::to_string(i));
  }
  // The Redis data itself: one stream key per shard, id "0-<seq+1>".
  auto len = SharedRedis()->Cli({"XLEN", "pantry:stream:clicks:0"});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->substr(0, 2), "10");
}

TEST_F(RedisEventLogTest, RetentionTrimsBySizeAndAge) {
  FakeClock clock(1'000'000'000);
  EventLogOptions o = Options(&clock, 1);
  o.retention_bytes = 3000;
  auto log = OpenLog(o);
  std::string payload(100, 'x');
  for (int i = 0; i < 100; ++i) {
    AppendRecord r{"k", payload};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
  }
  // ~3000 / (101 + 64) entries kept, the newest ones.
  EXPECT_EQ(log->BeginSequence(0), 100u - 3000 / 165);
  auto r = log->Read(0, 0, 1000);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ(r->front().sequence, log->BeginSequence(0));
  EXPECT_EQ(r->back().sequence, 99u);

  EventLogOptions aged = Options(&clock, 1);
  aged.retention_micros = 60'000'000;
  log = OpenLog(aged);
  clock.AdvanceMicros(90'000'000);
  AppendRecord late{"k", "late"};
  ASSERT_TRUE(log->Append({&late, 1}).ok());
  EXPECT_EQ(log->BeginSequence(0), 100u);  // only the new record is young enough
  EXPECT_EQ(log->EndSequence(0), 101u);
}

TEST_F(RedisEventLogTest, OutageIsUnavailableAndRecovers) {
  FakeClock clock(5);
  auto log = OpenLog(Options(&clock, 2));
  SharedRedis()->Kill();
  AppendRecord r{"k", "v"};
  auto off = log->Append({&r, 1});
  EXPECT_EQ(off.status().code(), StatusCode::kUnavailable) << off.status();
  EXPECT_EQ(log->Read(0, 0, 10).status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(SharedRedis()->Restart().ok());
  // No persistence: the restarted server is empty, but the same log object
  // works again without being reopened.
  off = log->Append({&r, 1});
  ASSERT_TRUE(off.ok()) << off.status();
}

}  // namespace
}  // namespace pantry::stream
