#include "pantry/workshop/workshop_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "pantry/common/json.h"
#include "pantry/featurestore/online_store.h"
#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/stream/event_log.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

WorkshopServerOptions Options(const std::filesystem::path& home) {
  WorkshopServerOptions options;
  options.home = home;
  options.server.http.port = 0;
  options.server.http.threads = 2;
  options.server.access_log = false;
  options.stream_poll_interval_ms = 5;
  return options;
}

StatusOr<Json> Readiness(server::HttpClient& client, int* status) {
  ASSIGN_OR_RETURN(auto response, client.Send("GET", "/readyz"));
  *status = response.status;
  return ParseJson(response.body, "/readyz");
}

Status PutClick(server::HttpClient& client, const std::string& customer) {
  const std::string event = R"({"event_time":"2026-11-27T03:00:00Z","customer_id":")" + customer +
                            R"(","product_id":"P2","product_category":"snacks",)"
                            R"("activity_type":"added_to_cart","activity_weight":2,)"
                            R"("product_health_index":0.5})";
  Json body{{"StreamName", "click_stream"},
            {"PartitionKey", customer},
            {"Data", server::Base64Encode(event)}};
  ASSIGN_OR_RETURN(auto response, client.Send("POST", "/",
                                              {{"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                                               {"Content-Type", "application/x-amz-json-1.1"}},
                                              DumpJson(body)));
  if (response.status != 200) return InternalError(response.body);
  return Status::Ok();
}

TEST_F(WorkshopTest, ServesWithoutModelsAndStopDrainsTheStream) {
  auto server = WorkshopServer::Start(Options(home()));
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  int status = 0;
  auto ready = Readiness(client, &status);
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(status, 503);
  EXPECT_EQ((*ready)["checks"]["feature_store"], "ok");
  EXPECT_EQ((*ready)["checks"]["event_log"], "ok");
  EXPECT_EQ((*ready)["checks"]["home"], "ok");
  EXPECT_NE((*ready)["checks"]["models"], "ok");
  // The stream groups exist as declared before any event arrives.
  auto live = (*server)->store().DescribeFeatureGroup("click_stream_live");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->features, (*FindWorkshopGroup("click_stream_live"))->definition.features);

  ASSERT_TRUE(PutClick(client, "C7").ok());
  // The embedded processor turns the event into a live row (bounded wait
  // for an asynchronous condition).
  bool delivered = false;
  for (int attempt = 0; attempt < 500 && !delivered; ++attempt) {
    auto row = (*server)->store().GetRecord("click_stream_live", "C7");
    ASSERT_TRUE(row.ok()) << row.status();
    delivered = row->has_value();
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(delivered);
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
  EXPECT_TRUE((*server)->Stop().ok());  // idempotent
  server->reset();

  // The processors checkpointed before the store closed: after a restart
  // the event is not delivered again.
  server = WorkshopServer::Start(Options(home()));
  ASSERT_TRUE(server.ok()) << server.status();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE((*server)->Stop().ok());
  server->reset();
  auto store = OpenHomeStore(home(), nullptr, /*read_only=*/true);
  ASSERT_TRUE(store.ok()) << store.status();
  auto rows = (*store)->Query("SELECT COUNT(*) FROM click_stream_live WHERE customer_id = 'C7'");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows[0][0].int_value(), 1);
  auto log = stream::EventLog::OpenFile(home(), "click_stream", stream::EventLogOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->shard_count(), 4);
}

// --live-online-only: click_stream_live has no offline store and still gets
// its rows (latest per customer); lag per spec and shard is on /metrics and
// the backlog check on /readyz.
TEST_F(WorkshopTest, DescribeStreamReportsTheConfiguredRetention) {
  WorkshopServerOptions options = Options(home());
  options.stream_retention_micros = 48LL * 3'600'000'000;
  auto server = WorkshopServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  auto response = client.Send("POST", "/",
                              {{"X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary"},
                               {"Content-Type", "application/x-amz-json-1.1"}},
                              R"({"StreamName":"click_stream"})");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  auto body = ParseJson(response->body, "DescribeStreamSummary");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["StreamDescriptionSummary"]["RetentionPeriodHours"], 48) << response->body;
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
}

TEST_F(WorkshopTest, LiveOnlineOnlyWithLagMetrics) {
  MetricsRegistry metrics;
  WorkshopServerOptions options = Options(home());
  options.live_online_only = true;
  options.server.metrics = &metrics;
  auto server = WorkshopServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto live = (*server)->store().DescribeFeatureGroup("click_stream_live");
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->offline_enabled);
  server::HttpClient client("127.0.0.1", (*server)->port());
  ASSERT_TRUE(PutClick(client, "C7").ok());
  ASSERT_TRUE(PutClick(client, "C7").ok());
  std::optional<featurestore::Record> row;
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto got = (*server)->store().GetRecord("click_stream_live", "C7");
    ASSERT_TRUE(got.ok()) << got.status();
    row = *got;
    const featurestore::FeatureValue* sum =
        row ? row->Find("sum_activity_weight_last_2m") : nullptr;
    if (sum != nullptr && sum->double_value() == 4.0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Find("sum_activity_weight_last_2m")->double_value(), 4.0);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("pantry_stream_lag_events{"), std::string::npos) << text;
  EXPECT_NE(text.find("pantry_stream_lag_seconds{"), std::string::npos) << text;
  EXPECT_NE(text.find("shard=\"3\""), std::string::npos) << text;
  int status = 0;
  auto ready = Readiness(client, &status);
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ((*ready)["checks"]["stream_backlog"], "ok");
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
  server->reset();
  // A restart replays nothing into the online-only group that changes it.
  server = WorkshopServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto again = (*server)->store().GetRecord("click_stream_live", "C7");
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->Find("stream_emission_id")->int_value(),
            row->Find("stream_emission_id")->int_value());
  ASSERT_TRUE((*server)->Stop().ok());
}

TEST_F(WorkshopTest, ReadyWithModelsUntilTheStoreRefusesWrites) {
  Generate();
  {
    auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(LoadDataset(**store, data(), {}).ok());
  }
  CfTrainingRequest cf = CfTrainingRequest::For(models::CfTarget::kImplicit);
  cf.hyperparameters.num_factors = 4;
  cf.hyperparameters.epochs = 1;
  cf.hyperparameters.num_threads = 1;
  ASSERT_TRUE(TrainAndPublishCf(home(), nullptr, cf).ok());
  RankTrainingRequest rank;
  rank.params.num_round = 3;
  rank.params.nthread = 1;
  ASSERT_TRUE(TrainAndPublishRank(home(), nullptr, rank).ok());
  {
    // An online record the next batch write of "orders" cannot plan around
    // once it has committed the batch offline.
    auto online = featurestore::OnlineStore::OpenRocksDb(home() / "featurestore" / "online", {});
    ASSERT_TRUE(online.ok()) << online.status();
    std::vector<featurestore::OnlineWrite> writes = {{"orders", "C1", std::string("garbage")}};
    ASSERT_TRUE((*online)->Write(writes, 0).ok());
  }

  auto server = WorkshopServer::Start(Options(home()));
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  int status = 0;
  auto ready = Readiness(client, &status);
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(status, 200) << DumpJson(*ready);
  auto recs = client.Send("GET", "/v1/recommendations/C2?k=3");
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ(recs->status, 200) << recs->body;

  std::vector<featurestore::Record> batch;
  for (int i = 1; i <= 1500; ++i) {
    featurestore::Record r;
    r.Add("customer_id", featurestore::FeatureValue::String("C" + std::to_string(i)));
    r.Add("product_id", featurestore::FeatureValue::String("P1"));
    r.Add("event_time", featurestore::FeatureValue::String("2030-01-01T00:00:00Z"));
    batch.push_back(std::move(r));
  }
  auto put = (*server)->store().PutRecords("orders", batch);
  ASSERT_EQ(put.status().code(), StatusCode::kUnavailable) << put.status();
  ready = Readiness(client, &status);
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(status, 503);
  EXPECT_NE((*ready)["checks"]["feature_store"].get<std::string>().find("reopen the store"),
            std::string::npos)
      << DumpJson(*ready);
  EXPECT_EQ((*ready)["checks"]["models"], "ok");
  client.Close();
  EXPECT_TRUE((*server)->Stop().ok());
}

// A size retention also sizes the segments (a quarter of the bound, at least
// 1 MiB): retention deletes whole segments, so 64 MiB segments would let a
// shard grow far past a small bound.
TEST_F(WorkshopTest, SizeRetentionKeepsEachShardNearItsBound) {
  WorkshopServerOptions options = Options(home());
  options.stream_retention_bytes_per_shard = 2 << 20;
  auto server = WorkshopServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  const std::string event = R"({"event_time":"2026-11-27T03:00:00Z","customer_id":"C9",)"
                            R"("product_id":"P2","product_category":"snacks",)"
                            R"("activity_type":"added_to_cart","activity_weight":2,)"
                            R"("product_health_index":0.5})";
  Json records = Json::array();
  for (int i = 0; i < 500; ++i) {
    records.push_back({{"PartitionKey", "C9"}, {"Data", server::Base64Encode(event)}});
  }
  const std::string body = DumpJson(Json{{"StreamName", "click_stream"}, {"Records", records}});
  // 25k events of ~190 bytes into one shard: about twice the bound.
  for (int call = 0; call < 50; ++call) {
    auto response = client.Send("POST", "/",
                                {{"X-Amz-Target", "Kinesis_20131202.PutRecords"},
                                 {"Content-Type", "application/x-amz-json-1.1"}},
                                body);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
  }
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
  int64_t largest = 0;
  int most_segments = 0;
  for (const auto& shard :
       std::filesystem::directory_iterator(home() / "stream" / "click_stream")) {
    if (!shard.is_directory() || shard.path().filename().string().rfind("shard-", 0) != 0) continue;
    int64_t bytes = 0;
    int segments = 0;
    for (const auto& file : std::filesystem::directory_iterator(shard.path())) {
      if (file.path().extension() != ".log") continue;
      bytes += static_cast<int64_t>(file.file_size());
      ++segments;
    }
    largest = std::max(largest, bytes);
    most_segments = std::max(most_segments, segments);
  }
  EXPECT_GE(most_segments, 2);
  EXPECT_GT(largest, 1 << 20);
  EXPECT_LE(largest, (2 << 20) + (1 << 20));  // the bound plus the segment being written
}

}  // namespace
}  // namespace pantry::workshop
