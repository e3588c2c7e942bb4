// Feature store benchmarks: online Get / BatchGet / Put in process, CSV
// ingest into both stores and the workshop's two training queries.
//
//   build/release/bin/featurestore_bench --benchmark_filter=Get
//   build/release/bin/featurestore_bench --benchmark_filter=Ingest    (1M rows)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <random>

#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/record_json.h"
#include "pantry/testing/temp_dir.h"
#include "pantry/testing/workshop_fixture.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

// (Avoids GCC 12's false -Wrestrict on "literal" + std::string.)
std::string Prefixed(const char* prefix, int64_t i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

// A fresh directory, removed at exit. `dirs` is constructed before any
// static store opened in one of them, so it is destroyed after it.
fs::path FreshDir(const std::string& name) {
  static std::deque<testing::TempDir> dirs;
  return dirs.emplace_back("pantry_fs_bench_" + name).path();
}

std::unique_ptr<FeatureStore> OpenOrDie(const fs::path& home, OnlineBackend backend) {
  FeatureStoreOptions o;
  o.home = home;
  o.online_backend = backend;
  auto s = FeatureStore::Open(o);
  if (!s.ok()) {
    fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
    std::abort();
  }
  return std::move(*s);
}

void Check(const Status& s) {
  if (!s.ok()) {
    fprintf(stderr, "%s\n", s.ToString().c_str());
    std::abort();
  }
}

FeatureGroupDefinition CustomersGroup() {
  FeatureGroupDefinition d;
  d.name = "customers";
  d.record_identifier_name = "customer_id";
  d.event_time_name = "event_time";
  d.features = {
      {"customer_id", FeatureType::kString},   {"name", FeatureType::kString},
      {"state", FeatureType::kString},         {"age", FeatureType::kIntegral},
      {"is_married", FeatureType::kIntegral},  {"customer_health_index", FeatureType::kFractional},
      {"event_time", FeatureType::kFractional}};
  return d;
}

Record Customer(int64_t i, double t) {
  Record r;
  r.Add("customer_id", FeatureValue::String(Prefixed("C", i)));
  r.Add("name", FeatureValue::String(Prefixed("customer ", i)));
  r.Add("state", FeatureValue::String("washington"));
  r.Add("age", FeatureValue::Int(20 + i % 50));
  r.Add("is_married", FeatureValue::Int(i % 2));
  r.Add("customer_health_index", FeatureValue::Double(0.5));
  r.Add("event_time", FeatureValue::Double(t));
  return r;
}

constexpr int64_t kCustomers = 100000;

// A store with kCustomers customers, shared by the read benchmarks.
FeatureStore* ReadStore(OnlineBackend backend) {
  static std::unique_ptr<FeatureStore> stores[2];
  auto& s = stores[backend == OnlineBackend::kMemory ? 0 : 1];
  if (!s) {
    s = OpenOrDie(FreshDir(backend == OnlineBackend::kMemory ? "read_mem" : "read_rocks"), backend);
    Check(s->CreateFeatureGroup(CustomersGroup()));
    std::vector<Record> batch;
    for (int64_t i = 1; i <= kCustomers; ++i) {
      batch.push_back(Customer(i, 1700000000));
      if (batch.size() == 10000) {
        Check(s->PutRecords("customers", batch).status());
        batch.clear();
      }
    }
  }
  return s.get();
}

// Reports p50/p99 of single GetRecord calls as counters (microseconds).
void BM_GetRecord(benchmark::State& state) {
  const auto backend = state.range(0) == 0 ? OnlineBackend::kMemory : OnlineBackend::kRocksDb;
  FeatureStore* store = ReadStore(backend);
  std::mt19937_64 rng(1);
  std::vector<double> micros;
  micros.reserve(1 << 20);
  for (auto _ : state) {
    const std::string id = Prefixed("C", 1 + rng() % kCustomers);
    auto t0 = std::chrono::steady_clock::now();
    auto r = store->GetRecord("customers", id);
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(r);
    if (!r.ok() || !r->has_value()) state.SkipWithError("missing record");
    if (micros.size() < (1 << 20)) {
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  }
  state.SetLabel(backend == OnlineBackend::kMemory ? "memory" : "rocksdb");
}
BENCHMARK(BM_GetRecord)->Arg(0)->Arg(1)->MinTime(2.0);

void BM_BatchGet100(benchmark::State& state) {
  const auto backend = state.range(0) == 0 ? OnlineBackend::kMemory : OnlineBackend::kRocksDb;
  FeatureStore* store = ReadStore(backend);
  std::mt19937_64 rng(2);
  std::vector<BatchGetEntry> entries(1);
  entries[0].feature_group = "customers";
  for (auto _ : state) {
    state.PauseTiming();
    entries[0].record_ids.clear();
    for (int i = 0; i < 100; ++i) {
      entries[0].record_ids.push_back(Prefixed("C", 1 + rng() % kCustomers));
    }
    state.ResumeTiming();
    auto r = store->BatchGetRecord(entries);
    if (!r.ok() || r->records.size() != 100) state.SkipWithError("batch get failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(backend == OnlineBackend::kMemory ? "memory" : "rocksdb");
}
BENCHMARK(BM_BatchGet100)->Arg(0)->Arg(1)->MinTime(2.0)->Unit(benchmark::kMicrosecond);

// The JSON list of 100 stored records, written straight from their online
// encoding as BatchGetRecord does: the per-record rendering cost alone
// (callgrind: instructions in AppendOnlineRecordJsonList / 100).
void BM_RecordJsonList100(benchmark::State& state) {
  std::vector<std::string> encoded(100);
  for (int64_t i = 0; i < 100; ++i) {
    Record r = Customer(i + 1, 1796107794.872856);
    r.mutable_fields()[5].value = FeatureValue::Double(0.65);
    EncodeOnlineRecord({.event_time_micros = 1}, r, &encoded[i]);
  }
  std::vector<std::string> json(100);
  for (auto _ : state) {
    for (size_t i = 0; i < encoded.size(); ++i) {
      // A fresh string per record, as each BatchGetResult::Found has.
      std::string out;
      Check(AppendOnlineRecordJsonList(encoded[i], {}, &out));
      json[i] = std::move(out);
    }
    benchmark::DoNotOptimize(json.data());
  }
}
BENCHMARK(BM_RecordJsonList100)->Unit(benchmark::kMicrosecond);

// Single-record PutRecord (both stores, one SQLite transaction and one
// RocksDB write each).
void BM_PutRecord(benchmark::State& state) {
  const auto backend = state.range(0) == 0 ? OnlineBackend::kMemory : OnlineBackend::kRocksDb;
  auto store = OpenOrDie(FreshDir("put"), backend);
  Check(store->CreateFeatureGroup(CustomersGroup()));
  int64_t i = 0;
  for (auto _ : state) {
    ++i;
    Check(store->PutRecord("customers", Customer(i, 1700000000 + static_cast<double>(i))));
  }
  state.SetItemsProcessed(i);
  state.SetLabel(backend == OnlineBackend::kMemory ? "memory" : "rocksdb");
}
BENCHMARK(BM_PutRecord)->Arg(0)->Arg(1)->MinTime(2.0)->Unit(benchmark::kMicrosecond);

// PutRecords in batches of 1000.
void BM_PutRecordsBatch1000(benchmark::State& state) {
  auto store = OpenOrDie(FreshDir("putbatch"), OnlineBackend::kRocksDb);
  Check(store->CreateFeatureGroup(CustomersGroup()));
  int64_t i = 0;
  std::vector<Record> batch;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    for (int k = 0; k < 1000; ++k, ++i) batch.push_back(Customer(i, 1700000000 + double(i)));
    state.ResumeTiming();
    Check(store->PutRecords("customers", batch).status());
  }
  state.SetItemsProcessed(i);
}
BENCHMARK(BM_PutRecordsBatch1000)->MinTime(2.0)->Unit(benchmark::kMillisecond);

// 1M click rows: fixture generated once (not timed).
const fs::path& ClickFixture() {
  static fs::path dir;
  if (dir.empty()) {
    dir = FreshDir("fixture");
    testing::WorkshopFixtureOptions o;
    o.customers = 10000;
    o.products = 17000;
    o.clicks = 1000000;
    Check(testing::WriteWorkshopFixture(dir, o));
  }
  return dir;
}

FeatureGroupDefinition ClickGroup() {
  FeatureGroupDefinition d;
  d.name = "click_stream_historical";
  d.record_identifier_name = "customer_id";
  d.event_time_name = "event_time";
  d.features = {
      {"customer_id", FeatureType::kString}, {"product_id", FeatureType::kString},
      {"bought", FeatureType::kIntegral},    {"healthy_activity_last_2m", FeatureType::kFractional},
      {"rating", FeatureType::kIntegral},    {"event_time", FeatureType::kFractional}};
  return d;
}

FeatureGroupDefinition ProductsGroup() {
  FeatureGroupDefinition d;
  d.name = "products";
  d.record_identifier_name = "product_id";
  d.event_time_name = "event_time";
  d.features = {{"product_name", FeatureType::kString},
                {"product_category", FeatureType::kString},
                {"product_id", FeatureType::kString},
                {"product_health_index", FeatureType::kFractional},
                {"event_time", FeatureType::kFractional}};
  return d;
}

// Rows/s of IngestCsv (CSV parse + validation + RocksDB + SQLite) for the
// 1M-row click file.
void BM_Ingest1MClicks(benchmark::State& state) {
  const fs::path& fixture = ClickFixture();
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = OpenOrDie(FreshDir("ingest"), OnlineBackend::kRocksDb);
    Check(store->CreateFeatureGroup(ClickGroup()));
    state.ResumeTiming();
    IngestOptions o;
    o.workers = static_cast<int>(state.range(0));
    auto report =
        IngestCsv(*store, "click_stream_historical", fixture / "click_stream_historical.csv", o);
    Check(report.status());
    rows += report->rows_committed;
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ingest1MClicks)->Arg(1)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

FeatureStore* QueryStore() {
  static std::unique_ptr<FeatureStore> store;
  if (!store) {
    const fs::path& fixture = ClickFixture();
    store = OpenOrDie(FreshDir("query"), OnlineBackend::kRocksDb);
    Check(store->CreateFeatureGroup(ClickGroup()));
    Check(store->CreateFeatureGroup(CustomersGroup()));
    Check(store->CreateFeatureGroup(ProductsGroup()));
    for (const char* g : {"click_stream_historical", "customers", "products"}) {
      auto r = IngestCsv(*store, g, fixture / (std::string(g) + ".csv"), {});
      Check(r.status());
    }
  }
  return store.get();
}

}  // namespace

// The workshop's queries, as in docs/featurestore.md.
extern const char kCfQuery[];
extern const char kRankingQuery[];
const char kCfQuery[] =
    "SELECT click_stream_historical.customer_id, click_stream_historical.product_id, rating, "
    "state, age, is_married, product_name FROM click_stream_historical "
    "LEFT JOIN customers ON click_stream_historical.customer_id = customers.customer_id "
    "LEFT JOIN products ON click_stream_historical.product_id = products.product_id "
    "WHERE click_stream_historical.bought = 1";
const char kRankingQuery[] =
    "SELECT bought, healthy_activity_last_2m, product_health_index, customer_health_index, "
    "product_category FROM click_stream_historical "
    "LEFT JOIN customers ON click_stream_historical.customer_id = customers.customer_id "
    "LEFT JOIN products ON click_stream_historical.product_id = products.product_id";

namespace {

void BM_WorkshopQuery(benchmark::State& state) {
  FeatureStore* store = QueryStore();
  const char* sql = state.range(0) == 0 ? kCfQuery : kRankingQuery;
  int64_t rows = 0;
  for (auto _ : state) {
    Check(store->QueryEach(sql, nullptr, [&](std::span<const FeatureValue>) {
      ++rows;
      return Status::Ok();
    }));
  }
  state.counters["rows"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "cf" : "ranking");
}
BENCHMARK(BM_WorkshopQuery)->Arg(0)->Arg(1)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pantry::featurestore

BENCHMARK_MAIN();
