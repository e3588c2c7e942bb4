// Windows close while the processor works through a backlog (issue 17 item
// 2): a backlog spanning several stagger windows, processed in small polls,
// emits its rows while lagging, and the rows equal an unlagged run's.
#include <unistd.h>

#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "pantry/common/clock.h"
#include "pantry/common/file_util.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/row_sink.h"
#include "pantry/stream/stream_processor.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kStart = 1'800'000'000'000'000;

struct Pipeline {
  explicit Pipeline(const std::string& name, size_t max_per_read) {
    home = fs::temp_directory_path() / ("pantry_backlog_test_" + std::to_string(::getpid()) + name);
    fs::remove_all(home);
    fs::create_directories(home);
    spec = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
    EventLogOptions lo;
    lo.shards = 3;
    lo.clock = &clock;
    lo.fsync = FsyncMode::kNever;
    log = std::move(*EventLog::OpenFile(home, spec.source, lo));
    sink = std::move(*OpenJsonLinesSink(home / "out.jsonl", spec));
    ProcessorOptions po;
    po.checkpoint_path = home / "ckpt";
    po.checkpoint_interval_micros = 0;
    po.clock = &clock;
    po.max_records_per_read = max_per_read;
    processor = std::move(*StreamProcessor::Create(log.get(), spec, sink.get(), po));
  }
  ~Pipeline() {
    processor.reset();
    sink.reset();
    log.reset();
    fs::remove_all(home);
  }
  void Append(int64_t at, const std::string& customer, int weight) {
    clock.SetMicros(at);
    std::string payload = R"({"customer_id": ")" + customer + R"(", "activity_weight": )" +
                          std::to_string(weight) + R"(, "product_health_index": 0.5})";
    AppendRecord r{customer, payload};
    ASSERT_TRUE(log->Append({&r, 1}).ok());
  }
  void Poll() {
    auto n = processor->PollOnce();
    ASSERT_TRUE(n.ok()) << n.status();
  }
  std::string Output() { return *ReadFileToString(home / "out.jsonl"); }

  fs::path home;
  FakeClock clock{kStart};
  WindowSpec spec;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<RowSink> sink;
  std::unique_ptr<StreamProcessor> processor;
};

struct Ev {
  int64_t at;
  std::string customer;
  int weight;
};

// 10 minutes of events (five 2-minute stagger windows per busy customer).
std::vector<Ev> Events() {
  std::mt19937 rng(7);
  std::vector<Ev> out;
  int64_t t = kStart;
  for (int i = 0; i < 600; ++i) {
    t += 1'000'000 + static_cast<int64_t>(rng() % 1000);
    out.push_back({t, "C" + std::to_string(rng() % 6), static_cast<int>(rng() % 4)});
  }
  return out;
}

TEST(BacklogTest, StaggerRowsAppearWhileLaggingAndEqualAnUnlaggedRun) {
  const std::vector<Ev> events = Events();
  const int64_t end = events.back().at + 10 * 60'000'000;

  Pipeline live("live", 2000);
  for (const Ev& e : events) {
    live.Append(e.at, e.customer, e.weight);
    live.clock.SetMicros(e.at + 1);
    live.Poll();
  }
  live.clock.SetMicros(end);
  live.Poll();
  const std::string expected = live.Output();
  ASSERT_FALSE(expected.empty());

  Pipeline lagged("lagged", 4);
  for (const Ev& e : events) lagged.Append(e.at, e.customer, e.weight);
  lagged.clock.SetMicros(events.back().at + 1);
  int polls = 0;
  uint64_t rows_while_lagging = 0;
  while (!lagged.processor->caught_up()) {
    lagged.Poll();
    ASSERT_LT(++polls, 10000);
    if (!lagged.processor->caught_up()) {
      rows_while_lagging = lagged.processor->stats().rows_delivered;
    }
  }
  EXPECT_GT(polls, 40) << "the backlog took many small polls";
  EXPECT_GT(rows_while_lagging, 10u) << "stagger windows closed while the processor lagged";
  lagged.clock.SetMicros(end);
  lagged.Poll();
  EXPECT_EQ(lagged.Output(), expected);
}

}  // namespace
}  // namespace pantry::stream
