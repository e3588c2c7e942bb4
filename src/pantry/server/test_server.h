// Test support (header only, used by *_test.cc): a real PantryServer on
// 127.0.0.1 port 0 backed by a MemoryEventIngest, with its own metrics.
#ifndef PANTRY_SERVER_TEST_SERVER_H_
#define PANTRY_SERVER_TEST_SERVER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
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
    ServerOptions server_options;
    server_options.http.port = 0;
    server_options.http.threads = options.threads;
    server_options.http.max_body_bytes = options.max_body_bytes;
    server_options.token = options.token;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    ServerComponents components;
    components.events = &ingest_;
    if (options.feature_store) {
      home_ = std::filesystem::temp_directory_path() /
              ("pantry_server_test_" + std::to_string(::getpid()) + "_" +
               std::to_string(reinterpret_cast<uintptr_t>(this)));
      std::filesystem::remove_all(home_);
      featurestore::FeatureStoreOptions store_options;
      store_options.home = home_;
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
    auto server = PantryServer::Start(server_options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    if (server.ok()) server_ = std::move(*server);
  }

  ~TestServer() {
    if (server_) server_->Shutdown();
    server_.reset();
    store_.reset();
    if (!home_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(home_, ec);
    }
  }

  int port() const { return server_->port(); }
  std::unique_ptr<HttpClient> Client() const {
    return std::make_unique<HttpClient>("127.0.0.1", port());
  }
  MemoryEventIngest& ingest() { return ingest_; }
  MetricsRegistry& metrics() { return metrics_; }
  featurestore::FeatureStore* store() { return store_.get(); }
  FakeClock& clock() { return clock_; }
  PantryServer& server() { return *server_; }
  void set_ready(bool ready) { ready_ = ready; }

 private:
  FakeClock clock_;
  MemoryEventIngest ingest_;
  MetricsRegistry metrics_;
  std::atomic<bool> ready_{true};
  std::filesystem::path home_;
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::unique_ptr<PantryServer> server_;
};

inline HttpFields KinesisHeaders(const std::string& operation) {
  return {{"Content-Type", "application/x-amz-json-1.1"},
          {"X-Amz-Target", "Kinesis_20131202." + operation}};
}

}  // namespace pantry::server::testing

#endif  // PANTRY_SERVER_TEST_SERVER_H_
