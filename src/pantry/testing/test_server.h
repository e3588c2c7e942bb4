// A real PantryServer on 127.0.0.1 port 0 backed by a MemoryEventIngest,
// with its own metrics, for server tests. Header only: it reports setup
// failures with GoogleTest's EXPECT, and pantry_testing itself does not link
// GoogleTest (benchmarks use the library without it).
#ifndef PANTRY_TESTING_TEST_SERVER_H_
#define PANTRY_TESTING_TEST_SERVER_H_

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/http_client.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {

struct TestServerOptions {
  std::string token;
  size_t max_body_bytes = 1 << 20;
  size_t capacity_per_shard = 0;
  int shards = 2;
  int threads = 8;
  // Opens a FeatureStore (memory online store, SQLite offline store in a
  // temporary directory) with the feature store API.
  bool feature_store = false;
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {})
      : clock_(1'764'000'000'000'000),
        ingest_(&clock_, {"click_stream", "other_stream"}, options.shards,
                options.capacity_per_shard) {
    server::ServerOptions server_options;
    server_options.http.port = 0;
    server_options.http.threads = options.threads;
    server_options.http.max_body_bytes = options.max_body_bytes;
    server_options.token = options.token;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    server::ServerComponents components;
    components.events = &ingest_;
    if (options.feature_store) {
      home_.emplace("pantry_server_test");
      featurestore::FeatureStoreOptions store_options;
      store_options.home = home_->path();
      store_options.online_backend = featurestore::OnlineBackend::kMemory;
      store_options.clock = &clock_;
      auto store = featurestore::FeatureStore::Open(store_options);
      EXPECT_TRUE(store.ok()) << store.status();
      if (store.ok()) store_ = std::move(*store);
      components.features = store_.get();
    }
    components.readiness.emplace_back("events", [this] {
      return ready_ ? Status::Ok() : UnavailableError("event log not open");
    });
    auto server = server::PantryServer::Start(server_options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    if (server.ok()) server_ = std::move(*server);
  }

  ~TestServer() {
    if (server_) server_->Shutdown();
    server_.reset();
    store_.reset();
  }

  int port() const { return server_->port(); }
  std::unique_ptr<server::HttpClient> Client() const {
    return std::make_unique<server::HttpClient>("127.0.0.1", port());
  }
  server::MemoryEventIngest& ingest() { return ingest_; }
  MetricsRegistry& metrics() { return metrics_; }
  featurestore::FeatureStore* store() { return store_.get(); }
  FakeClock& clock() { return clock_; }
  server::PantryServer& server() { return *server_; }
  void set_ready(bool ready) { ready_ = ready; }

 private:
  FakeClock clock_;
  server::MemoryEventIngest ingest_;
  MetricsRegistry metrics_;
  std::atomic<bool> ready_{true};
  std::optional<TempDir> home_;  // before store_: outlives it
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::unique_ptr<server::PantryServer> server_;
};

inline server::HttpFields KinesisHeaders(const std::string& operation) {
  return {{"Content-Type", "application/x-amz-json-1.1"},
          {"X-Amz-Target", "Kinesis_20131202." + operation}};
}

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_TEST_SERVER_H_
