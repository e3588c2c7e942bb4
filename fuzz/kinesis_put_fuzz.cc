// libFuzzer harness: a Kinesis PutRecords body through the real HTTP route
// (parse, base64, partition keys, value sizes) into an in-memory ingest.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pantry/common/clock.h"
#include "pantry/server/http_service.h"
#include "pantry/server/kinesis_api.h"
#include "pantry/server/memory_event_ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pantry::server;
  static pantry::FakeClock clock(1'800'000'000'000'000);
  static MemoryEventIngest ingest(&clock, {"click_stream"}, 2, 1000);
  static pantry::MetricsRegistry metrics;
  static HttpService* service = [] {
    HttpService::Options options;
    options.access_log = false;
    options.metrics = &metrics;
    auto* s = new HttpService(options);
    (void)RegisterKinesisApi(s, &ingest, KinesisApiOptions{}, &metrics);
    return s;
  }();
  for (const char* op : {"PutRecord", "PutRecords"}) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.path = "/";
    request.headers.emplace_back("x-amz-target", std::string("Kinesis_20131202.") + op);
    request.headers.emplace_back("content-type", "application/x-amz-json-1.1");
    request.body.assign(reinterpret_cast<const char*>(data), size);
    HttpResponse response;
    service->Handle(&request, &response);
  }
  return 0;
}
