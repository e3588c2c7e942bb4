// In-process cost of the server's request handling, without sockets: the
// Kinesis PutRecords handler (JSON parse, base64 decode, append, response)
// and its body parsing alone (nlohmann tree vs the simdjson fast parser),
// the native events handler over an in-memory log, and GetRecord /
// BatchGetRecord over a memory feature store (the worker's path and the
// event loop's fast path, and the response written from a Json tree vs
// directly).
//   build/release/bin/server_bench --benchmark_filter=PutRecords
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/record_json.h"
#include "pantry/server/base64.h"
#include "pantry/server/events_api.h"
#include "pantry/server/featurestore_api.h"
#include "pantry/server/http_service.h"
#include "pantry/server/kinesis_api.h"
#include "pantry/server/kinesis_put_body.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::server {
namespace {

std::string Event(int i) {
  return fmt::format(
      R"({{"event_time":"2026-11-27T03:00:00Z","customer_id":"C{}","product_id":"P{}",)"
      R"("product_category":"snacks","activity_type":"liked","activity_weight":1,)"
      R"("product_health_index":0.3}})",
      i % 10000, i % 17000);
}

HttpService::Options QuietOptions(MetricsRegistry* metrics) {
  HttpService::Options options;
  options.access_log = false;
  options.metrics = metrics;
  return options;
}

std::string PutRecordsBody() {
  Json records = Json::array();
  for (int i = 0; i < 500; ++i) {
    records.push_back({{"Data", Base64Encode(Event(i))}, {"PartitionKey", fmt::format("C{}", i)}});
  }
  return DumpJson(Json{{"StreamName", "click_stream"}, {"Records", records}});
}

void BM_KinesisPutRecords500(benchmark::State& state) {
  MetricsRegistry metrics;
  MemoryEventIngest ingest(Clock::Real(), {"click_stream"}, 4);
  HttpService service(QuietOptions(&metrics));
  if (!RegisterKinesisApi(&service, &ingest, {}, &metrics).ok()) state.SkipWithError("register");
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"x-amz-target", "Kinesis_20131202.PutRecords"}};
  request.body = PutRecordsBody();
  for (auto _ : state) {
    HttpRequest copy = request;
    HttpResponse response;
    service.Handle(&copy, &response);
    if (response.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_KinesisPutRecords500)->Unit(benchmark::kMicrosecond);

// Body parsing and base64 decoding only. Arg 0: nlohmann tree and a string
// per decoded record (the route before the fast parser, still taken for
// unusual bodies); 1: the simdjson fast parser decoding into one buffer.
void BM_PutRecordsParse500(benchmark::State& state) {
  const std::string body = PutRecordsBody();
  const bool fast = state.range(0) == 1;
  for (auto _ : state) {
    size_t bytes = 0;
    if (fast) {
      KinesisPutBody parsed;
      if (!ParseKinesisPutFast(body, /*batch=*/true, &parsed)) state.SkipWithError("declined");
      std::string decoded;
      for (const KinesisRecordFields& r : parsed.records) {
        if (!Base64DecodeAppend(r.data.text, &decoded).ok()) state.SkipWithError("base64");
        bytes += r.partition_key.text.size();
      }
      bytes += decoded.size();
    } else {
      StatusOr<Json> parsed = ParseJson(body, "request body");
      if (!parsed.ok()) state.SkipWithError("parse");
      std::vector<std::string> data;
      for (const Json& r : (*parsed)["Records"]) {
        StatusOr<std::string> decoded = Base64Decode(r["Data"].get_ref<const std::string&>());
        if (!decoded.ok()) state.SkipWithError("base64");
        data.push_back(std::move(*decoded));
        bytes += data.back().size() + r["PartitionKey"].get_ref<const std::string&>().size();
      }
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * 500);
  state.SetLabel(fast ? "simdjson" : "nlohmann");
}
BENCHMARK(BM_PutRecordsParse500)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A memory feature store with 1,000 customers behind the feature store
// routes.
struct FeatureStoreFixture {
  FeatureStoreFixture() : service(QuietOptions(&metrics)) {
    featurestore::FeatureStoreOptions options;
    options.home = home.path();
    options.online_backend = featurestore::OnlineBackend::kMemory;
    store = std::move(featurestore::FeatureStore::Open(options).value());
    featurestore::FeatureGroupDefinition group;
    group.name = "customers";
    group.record_identifier_name = "customer_id";
    group.event_time_name = "event_time";
    using featurestore::FeatureType;
    group.features = {
        {"customer_id", FeatureType::kString}, {"name", FeatureType::kString},
        {"state", FeatureType::kString},       {"age", FeatureType::kIntegral},
        {"health", FeatureType::kFractional},  {"event_time", FeatureType::kFractional}};
    ok = store->CreateFeatureGroup(group).ok();
    std::vector<featurestore::Record> records;
    for (int i = 0; i < 1000; ++i) records.push_back(Customer(i));
    ok = ok && store->PutRecords("customers", records).ok();
    ok = ok && RegisterFeatureStoreApi(&service, store.get(), &metrics).ok();
  }

  static featurestore::Record Customer(int i) {
    using featurestore::FeatureValue;
    featurestore::Record r;
    r.Add("customer_id", FeatureValue::String(fmt::format("C{}", i)));
    r.Add("name", FeatureValue::String(fmt::format("customer number {}", i)));
    r.Add("state", FeatureValue::String("washington"));
    r.Add("age", FeatureValue::Int(20 + i % 50));
    r.Add("health", FeatureValue::Double(0.25 + i % 7 * 0.1));
    r.Add("event_time", FeatureValue::Double(1700000000));
    return r;
  }

  testing::TempDir home{"pantry_server_bench"};
  MetricsRegistry metrics;
  std::unique_ptr<featurestore::FeatureStore> store;
  HttpService service;
  bool ok = false;
};

// GetRecord through the service. Arg 0: Handle() (what a worker runs);
// 1: TryHandleOnIoThread() (the event loop's fast path).
void BM_GetRecordHandler(benchmark::State& state) {
  FeatureStoreFixture fixture;
  if (!fixture.ok) state.SkipWithError("fixture");
  const bool io = state.range(0) == 1;
  HttpRequest request;
  request.method = "GET";
  int i = 0;
  for (auto _ : state) {
    request.path = "/FeatureGroup/customers";
    request.query = {{"RecordIdentifierValueAsString", fmt::format("C{}", i++ % 1000)}};
    request.path_params.clear();
    HttpResponse response;
    if (io) {
      if (!fixture.service.TryHandleOnIoThread(&request, &response))
        state.SkipWithError("declined");
    } else {
      fixture.service.Handle(&request, &response);
    }
    if (response.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetLabel(io ? "event loop" : "worker");
}
BENCHMARK(BM_GetRecordHandler)->Arg(0)->Arg(1);

// BatchGetRecord of 100 ids through Handle().
void BM_BatchGetRecordHandler100(benchmark::State& state) {
  FeatureStoreFixture fixture;
  if (!fixture.ok) state.SkipWithError("fixture");
  Json ids = Json::array();
  for (int i = 0; i < 100; ++i) ids.push_back(fmt::format("C{}", i * 7));
  HttpRequest request;
  request.method = "POST";
  request.body =
      DumpJson(Json{{"Identifiers", Json::array({{{"FeatureGroupName", "customers"},
                                                  {"RecordIdentifiersValueAsString", ids}}})}});
  for (auto _ : state) {
    request.path = "/BatchGetRecord";
    HttpResponse response;
    fixture.service.Handle(&request, &response);
    if (response.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(response.body.data());
  }
}
BENCHMARK(BM_BatchGetRecordHandler100)->Unit(benchmark::kMicrosecond);

// A GetRecord response. Arg 0: built as a Json tree and dumped (before);
// 1: written directly (AppendRecordJsonList).
void BM_GetRecordResponse(benchmark::State& state) {
  const featurestore::Record record = FeatureStoreFixture::Customer(42);
  const bool direct = state.range(0) == 1;
  for (auto _ : state) {
    std::string body;
    if (direct) {
      body.assign("{\"Record\":");
      featurestore::AppendRecordJsonList(record, &body);
      body.push_back('}');
    } else {
      OrderedJson out = OrderedJson::object();
      out["Record"] = featurestore::RecordToJsonList(record);
      body = DumpJson(out);
    }
    benchmark::DoNotOptimize(body.data());
  }
  state.SetLabel(direct ? "direct" : "json tree");
}
BENCHMARK(BM_GetRecordResponse)->Arg(0)->Arg(1);

void BM_NativeEvents500(benchmark::State& state) {
  MetricsRegistry metrics;
  MemoryEventIngest ingest(Clock::Real(), {"click_stream"}, 4);
  HttpService service(QuietOptions(&metrics));
  if (!RegisterEventsApi(&service, &ingest, {}, &metrics).ok()) state.SkipWithError("register");
  std::string body = "[";
  for (int i = 0; i < 500; ++i) body += (i ? "," : "") + Event(i);
  body += "]";
  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/events";
  request.body = body;
  for (auto _ : state) {
    HttpRequest copy = request;
    HttpResponse response;
    service.Handle(&copy, &response);
    if (response.status != 200) state.SkipWithError("not 200");
  }
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_NativeEvents500)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pantry::server

BENCHMARK_MAIN();
