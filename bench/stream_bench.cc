// Stream pipeline benchmarks (docs/benchmarks.md, "## stream"):
//   WindowUpdates/*     window updates per second on one thread, workshop specs,
//                       100k customers, events pre-parsed (the hot path)
//   LogAppend/*         event log append throughput, fsync per batch of 500
//   LiveLatency         append -> sliding feature visible via the online store
//   StaggerCloseLatency stagger window close -> row visible via the online store
//   HotKeySliding/*     N events of one customer through the workshop sliding
//                       spec (parse + window): linear in N (issue 17: 100k in
//                       well under 0.3 s)
//   EndToEnd/*          a backlog of 500k events (10k customers) through both
//                       workshop specs into an embedded feature store (RocksDB +
//                       SQLite), read -> scan -> windows -> sink; arg 1 = the
//                       live group online-only, 0 = with its offline history
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include <benchmark/benchmark.h>

#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/event.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

constexpr int kCustomers = 100'000;
constexpr int kEvents = 1'000'000;

std::string CustomerId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "C%06d", i);
  return buf;
}

std::vector<ParsedEvent> WorkshopEvents(const WindowSpec& spec, int customers) {
  EventParser parser(spec);
  std::mt19937 rng(42);
  std::vector<ParsedEvent> events(kEvents);
  int64_t t = 1'800'000'000'000'000;
  for (int i = 0; i < kEvents; ++i) {
    // ~5 events per customer per 2-minute window: 100k customers * 5 / 120 s.
    t += 240 * kCustomers / customers;
    std::string json = R"({"customer_id": ")" + CustomerId(static_cast<int>(rng() % customers)) +
                       R"(", "activity_weight": )" + std::to_string(1 + rng() % 2) +
                       R"(, "product_health_index": 0.)" + std::to_string(rng() % 10) + "}";
    Rejection r;
    if (!parser.Parse(json, t, &events[i], &r)) std::abort();
  }
  return events;
}

void RunWindowUpdates(benchmark::State& state, std::string_view spec_json) {
  WindowSpec spec = *WindowSpec::FromString(spec_json, "bench");
  const int customers = static_cast<int>(state.range(0));
  std::vector<ParsedEvent> events = WorkshopEvents(spec, customers);
  std::vector<EmittedRow> rows;
  rows.reserve(4096);
  int64_t emitted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto agg = WindowAggregator::Create(spec);
    state.ResumeTiming();
    for (const ParsedEvent& e : events) {
      agg->Add(e, &rows);
      if (rows.size() >= 4096) {
        emitted += static_cast<int64_t>(rows.size());
        rows.clear();
      }
    }
    emitted += static_cast<int64_t>(rows.size());
    rows.clear();
    benchmark::DoNotOptimize(agg.get());
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.counters["rows_per_event"] =
      static_cast<double>(emitted) / static_cast<double>(state.iterations() * kEvents);
}

void BM_WindowUpdates_WorkshopStagger(benchmark::State& state) {
  RunWindowUpdates(state, WorkshopStaggerSpecJson());
}
BENCHMARK(BM_WindowUpdates_WorkshopStagger)
    ->Arg(kCustomers)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond);

void BM_WindowUpdates_WorkshopSliding(benchmark::State& state) {
  RunWindowUpdates(state, WorkshopSlidingSpecJson());
}
BENCHMARK(BM_WindowUpdates_WorkshopSliding)->Arg(kCustomers)->Unit(benchmark::kMillisecond);

void BM_LogAppend_Batch500_FsyncPerBatch(benchmark::State& state) {
  testing::TempDir dir("pantry_stream_bench_log");
  const fs::path& home = dir.path();
  EventLogOptions o;
  o.shards = static_cast<int>(state.range(0));
  o.fsync = FsyncMode::kEveryBatch;
  auto log = std::move(*EventLog::OpenFile(home, "click_stream", o));
  std::mt19937 rng(1);
  std::vector<std::string> keys, payloads;
  for (int i = 0; i < 500 * 16; ++i) {
    keys.push_back(CustomerId(static_cast<int>(rng() % kCustomers)));
    payloads.push_back(R"({"event_time": "2026-11-27T03:17:42.123456Z", "customer_id": ")" +
                       keys.back() +
                       R"(", "product_id": "P00123", "product_category": "Snacks", )"
                       R"("activity_type": "added_to_cart", "activity_weight": 2, )"
                       R"("product_health_index": 0.3})");
  }
  std::vector<AppendRecord> batch(500);
  size_t round = 0;
  for (auto _ : state) {
    size_t base = (round++ % 16) * 500;
    for (size_t i = 0; i < 500; ++i) batch[i] = {keys[base + i], payloads[base + i]};
    auto offsets = log->Append(batch);
    if (!offsets.ok()) state.SkipWithError(offsets.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * 500);
  state.SetBytesProcessed(state.iterations() * 500 * static_cast<int64_t>(payloads[0].size()));
  log.reset();
}
BENCHMARK(BM_LogAppend_Batch500_FsyncPerBatch)->Arg(1)->Arg(4)->UseRealTime();

struct Percentiles {
  double p50, p99, max;
};
Percentiles Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.50), at(0.99), v.back()};
}

int64_t NowMicros() { return Clock::Real()->NowMicros(); }

// Append one event, then poll the online store until the live row shows it.
void BM_LiveLatency(benchmark::State& state) {
  testing::TempDir dir("pantry_stream_bench_live");
  const fs::path& home = dir.path();
  featurestore::FeatureStoreOptions fo;
  fo.home = home;
  auto store = std::move(*featurestore::FeatureStore::Open(fo));
  StreamServiceOptions so;
  so.home = home;
  so.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "live"));
  so.sink_factory = FeatureStoreSinkFactory(store.get());
  so.poll_interval_ms = 20;
  // Arg 0: fsync every append (Append returns once durable); 1: fsync every
  // 10 ms in the background (Append returns once written).
  so.log_options.fsync = state.range(0) == 0 ? FsyncMode::kEveryBatch : FsyncMode::kInterval;
  so.log_options.fsync_interval_ms = 10;
  auto service = std::move(*StreamService::Create(std::move(so)));
  EventLog* log = service->log("click_stream");
  if (!service->Start().ok()) std::abort();
  std::vector<double> latencies;
  int i = 0;
  for (auto _ : state) {
    std::string id = CustomerId(i % 1000);
    // Each event's weight makes the expected sum unique for this customer.
    std::string payload = R"({"customer_id": ")" + id + R"(", "activity_weight": )" +
                          std::to_string(i + 1) + R"(, "product_health_index": 0.5})";
    const double want_at_least = i + 1;
    ++i;
    const int64_t start = NowMicros();
    AppendRecord r{id, payload};
    if (!log->Append({&r, 1}).ok()) std::abort();
    service->Notify();
    while (true) {
      auto got = store->GetRecord("click_stream_live", id);
      if (got.ok() && got->has_value()) {
        const auto* v = (*got)->Find("sum_activity_weight_last_2m");
        if (v != nullptr && v->is_double() && v->double_value() >= want_at_least) break;
      }
      if (NowMicros() - start > 5'000'000) {
        state.SkipWithError("row not visible within 5 s");
        break;
      }
    }
    latencies.push_back(static_cast<double>(NowMicros() - start) / 1000.0);
  }
  Percentiles p = Summarize(latencies);
  state.counters["p50_ms"] = p.p50;
  state.counters["p99_ms"] = p.p99;
  state.counters["max_ms"] = p.max;
  if (!service->Stop().ok()) std::abort();
  service.reset();
  store.reset();
}
BENCHMARK(BM_LiveLatency)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(2000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A 50 ms stagger window: time from its close (first arrival + 50 ms) until
// its row is readable through the online store.
constexpr std::string_view kShortStagger = R"({
  "name": "short_stagger", "source": "click_stream", "partition_by": ["customer_id"],
  "window": {"type": "stagger", "size": "50ms"},
  "aggregations": ["SUM(activity_weight) AS sum_activity_weight_last_2m",
                   "AVG(product_health_index) AS avg_product_health_index_last_2m"],
  "sink": {"feature_group": "click_stream", "record_identifier": "customer_id"}})";

void BM_StaggerCloseLatency(benchmark::State& state) {
  testing::TempDir dir("pantry_stream_bench_stagger");
  const fs::path& home = dir.path();
  featurestore::FeatureStoreOptions fo;
  fo.home = home;
  auto store = std::move(*featurestore::FeatureStore::Open(fo));
  StreamServiceOptions so;
  so.home = home;
  so.specs.push_back(*WindowSpec::FromString(kShortStagger, "short"));
  so.sink_factory = FeatureStoreSinkFactory(store.get());
  so.poll_interval_ms = 20;
  auto service = std::move(*StreamService::Create(std::move(so)));
  EventLog* log = service->log("click_stream");
  if (!service->Start().ok()) std::abort();
  std::vector<double> latencies;
  int i = 0;
  for (auto _ : state) {
    std::string id = CustomerId(i++);
    std::string payload =
        R"({"customer_id": ")" + id + R"(", "activity_weight": 2, "product_health_index": 0.5})";
    AppendRecord r{id, payload};
    auto off = log->Append({&r, 1});
    if (!off.ok()) std::abort();
    auto rec = log->Read((*off)[0].shard, (*off)[0].sequence, 1);
    const int64_t close = (*rec)[0].arrival_micros + 50'000;
    service->Notify();
    while (true) {
      auto got = store->GetRecord("click_stream", id);
      if (got.ok() && got->has_value()) break;
      if (NowMicros() - close > 5'000'000) {
        state.SkipWithError("row not visible within 5 s");
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    latencies.push_back(static_cast<double>(NowMicros() - close) / 1000.0);
  }
  Percentiles p = Summarize(latencies);
  state.counters["p50_ms"] = p.p50;
  state.counters["p99_ms"] = p.p99;
  state.counters["max_ms"] = p.max;
  if (!service->Stop().ok()) std::abort();
  service.reset();
  store.reset();
}
BENCHMARK(BM_StaggerCloseLatency)->Iterations(200)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HotKeySliding(benchmark::State& state) {
  const WindowSpec spec = *WindowSpec::FromString(WorkshopSlidingSpecJson(), "live");
  const int n = static_cast<int>(state.range(0));
  std::vector<std::string> payloads;
  for (int i = 0; i < n; ++i) {
    payloads.push_back(R"({"customer_id": "C1", "activity_weight": )" + std::to_string(i % 3) +
                       R"(, "product_health_index": 0.)" + std::to_string(i % 10) + "}");
  }
  EventParser parser(spec);
  std::vector<EmittedRow> rows;
  for (auto _ : state) {
    auto agg = WindowAggregator::Create(spec);
    ParsedEvent e;
    Rejection r;
    int64_t t = 1'800'000'000'000'000;
    for (const std::string& p : payloads) {
      t += 100;  // all within one 2-minute window
      if (!parser.Parse(p, t, &e, &r)) std::abort();
      agg->Add(e, &rows);
      rows.clear();
    }
    benchmark::DoNotOptimize(agg.get());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_HotKeySliding)
    ->RangeMultiplier(4)
    ->Range(10'000, 160'000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

constexpr int kEndToEndEvents = 500'000;
constexpr int kEndToEndCustomers = 10'000;

// Appends the backlog (outside the timing) and returns the service.
std::unique_ptr<StreamService> EndToEndSetup(const fs::path& home,
                                             featurestore::FeatureStore* store,
                                             bool live_online_only) {
  for (const char* group : {"click_stream", "click_stream_live"}) {
    featurestore::FeatureGroupDefinition def;
    def.name = group;
    def.record_identifier_name = "customer_id";
    def.event_time_name = "event_time";
    def.features = {{"customer_id", featurestore::FeatureType::kString},
                    {"sum_activity_weight_last_2m", featurestore::FeatureType::kFractional},
                    {"avg_product_health_index_last_2m", featurestore::FeatureType::kFractional},
                    {"event_time", featurestore::FeatureType::kFractional},
                    {"stream_emission_id", featurestore::FeatureType::kIntegral}};
    def.offline_enabled = !(live_online_only && def.name == "click_stream_live");
    if (!store->CreateFeatureGroup(def).ok()) std::abort();
  }
  StreamServiceOptions so;
  so.home = home;
  so.specs.push_back(*WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop"));
  so.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "workshop-live"));
  so.sink_factory = FeatureStoreSinkFactory(store);
  so.log_options.fsync = FsyncMode::kNever;
  auto service = std::move(*StreamService::Create(std::move(so)));
  EventLog* log = service->log("click_stream");
  std::mt19937 rng(3);
  std::vector<std::string> keys, payloads;
  std::vector<AppendRecord> batch;
  for (int i = 0; i < kEndToEndEvents; ++i) {
    keys.push_back("C" + std::to_string(1 + rng() % kEndToEndCustomers));
    payloads.push_back(R"({"event_time": "2026-11-27T03:00:00Z", "customer_id": ")" + keys.back() +
                       R"(", "product_id": "P)" + std::to_string(1 + rng() % 17000) +
                       R"(", "product_category": "snacks", "activity_type": "liked", )"
                       R"("activity_weight": 1, "product_health_index": 0.3})");
    if (keys.size() == 5000) {
      for (size_t k = 0; k < keys.size(); ++k) batch.push_back({keys[k], payloads[k]});
      if (!log->Append(batch).ok()) std::abort();
      batch.clear();
      keys.clear();
      payloads.clear();
    }
  }
  // Every record stamped before the clock reading of the first poll.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return service;
}

void BM_EndToEnd(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<testing::TempDir>("pantry_stream_bench_e2e");
    featurestore::FeatureStoreOptions fo;
    fo.home = dir->path();
    auto store = std::move(*featurestore::FeatureStore::Open(fo));
    auto service = EndToEndSetup(dir->path(), store.get(), state.range(0) == 1);
    state.ResumeTiming();
    // Drain the backlog as the service thread would, checkpoints included.
    while (true) {
      auto n = service->PollOnce();
      if (!n.ok()) state.SkipWithError(n.status().ToString().c_str());
      if (!n.ok() || (*n == 0 && service->caught_up())) break;
    }
    if (!service->CheckpointAll().ok()) state.SkipWithError("checkpoint");
    state.PauseTiming();
    service.reset();
    store.reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEndToEndEvents);
}
BENCHMARK(BM_EndToEnd)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pantry::stream

BENCHMARK_MAIN();
