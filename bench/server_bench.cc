// In-process cost of the server's request handling, without sockets: the
// Kinesis PutRecords handler (JSON parse, base64 decode, append, response)
// and the native events handler, over an in-memory log.
//   build/release/bin/server_bench --benchmark_filter=PutRecords
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/events_api.h"
#include "pantry/server/http_service.h"
#include "pantry/server/kinesis_api.h"
#include "pantry/server/memory_event_ingest.h"

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

void BM_KinesisPutRecords500(benchmark::State& state) {
  MetricsRegistry metrics;
  MemoryEventIngest ingest(Clock::Real(), {"click_stream"}, 4);
  HttpService service(QuietOptions(&metrics));
  if (!RegisterKinesisApi(&service, &ingest, {}, &metrics).ok()) state.SkipWithError("register");
  Json records = Json::array();
  for (int i = 0; i < 500; ++i) {
    records.push_back({{"Data", Base64Encode(Event(i))}, {"PartitionKey", fmt::format("C{}", i)}});
  }
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"x-amz-target", "Kinesis_20131202.PutRecords"}};
  request.body = DumpJson(Json{{"StreamName", "click_stream"}, {"Records", records}});
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
