// Test support (header only, used by *_test.cc): a real PantryServer on
// 127.0.0.1 port 0 backed by a MemoryEventIngest, with its own metrics.
#ifndef PANTRY_SERVER_TEST_SERVER_H_
#define PANTRY_SERVER_TEST_SERVER_H_

#include <gtest/gtest.h>

#include <memory>

#include "pantry/common/clock.h"
#include "pantry/server/http_client.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"

namespace pantry::server::testing {

struct TestServerOptions {
  std::string token;
  size_t max_body_bytes = 1 << 20;
  size_t capacity_per_shard = 0;
  int shards = 2;
  int threads = 8;
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {})
      : clock_(1'764'000'000'000'000),
        ingest_(&clock_, {"click_stream", "other_stream"}, options.shards,
                options.capacity_per_shard) {
    ServerOptions server_options;
    server_options.http.port = 0;
    server_options.http.threads = options.threads;
    server_options.http.max_body_bytes = options.max_body_bytes;
    server_options.token = options.token;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    ServerComponents components;
    components.events = &ingest_;
    components.readiness.emplace_back("events", [this] {
      return ready_ ? Status::Ok() : UnavailableError("event log not open");
    });
    auto server = PantryServer::Start(server_options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    if (server.ok()) server_ = std::move(*server);
  }

  int port() const { return server_->port(); }
  std::unique_ptr<HttpClient> Client() const {
    return std::make_unique<HttpClient>("127.0.0.1", port());
  }
  MemoryEventIngest& ingest() { return ingest_; }
  MetricsRegistry& metrics() { return metrics_; }
  PantryServer& server() { return *server_; }
  void set_ready(bool ready) { ready_ = ready; }

 private:
  FakeClock clock_;
  MemoryEventIngest ingest_;
  MetricsRegistry metrics_;
  std::atomic<bool> ready_{true};
  std::unique_ptr<PantryServer> server_;
};

inline HttpFields KinesisHeaders(const std::string& operation) {
  return {{"Content-Type", "application/x-amz-json-1.1"},
          {"X-Amz-Target", "Kinesis_20131202." + operation}};
}

}  // namespace pantry::server::testing

#endif  // PANTRY_SERVER_TEST_SERVER_H_
