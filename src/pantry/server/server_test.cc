// The real server on port 0, spoken to over HTTP.
#include "pantry/server/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/stream/kinesis_ids.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using testing::KinesisHeaders;
using testing::TestServer;
using testing::TestServerOptions;

Json BodyOf(const ClientResponse& response) {
  StatusOr<Json> json = ParseJson(response.body, "response");
  EXPECT_TRUE(json.ok()) << response.body;
  return json.ok() ? *json : Json();
}

TEST(ServerTest, HealthReadinessAndKeepAlive) {
  TestServer server;
  auto client = server.Client();
  for (int i = 0; i < 5; ++i) {  // one connection, several requests
    auto health = client->Send("GET", "/healthz");
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(health->status, 200);
    EXPECT_FALSE(health->connection_close);
  }
  auto ready = client->Send("GET", "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(BodyOf(*ready)["checks"]["events"], "ok");
  server.set_ready(false);
  ready = client->Send("GET", "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 503);
  EXPECT_FALSE(BodyOf(*ready)["ready"].get<bool>());
}

TEST(ServerTest, MetricsInPrometheusFormat) {
  TestServer server;
  auto client = server.Client();
  ASSERT_TRUE(client->Send("GET", "/healthz").ok());
  ASSERT_TRUE(client->Send("GET", "/nope").ok());
  ASSERT_TRUE(client
                  ->Send("POST", "/v1/events", {},
                         R"([{"customer_id":"C1","product_id":"P1","activity_weight":2}])")
                  .ok());
  auto metrics = client->Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->Header("content-type")->find("text/plain"), std::string::npos);
  const std::string& text = metrics->body;
  EXPECT_NE(text.find("pantry_http_requests_total{route=\"/healthz\",status=\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("pantry_http_requests_total{route=\"(unmatched)\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pantry_events_accepted_total{api=\"native\"} 1"), std::string::npos);
  EXPECT_NE(text.find("# TYPE pantry_http_request_duration_seconds histogram"), std::string::npos);
}

TEST(ServerTest, KinesisPutRecordStoresDecodedData) {
  TestServer server;
  auto client = server.Client();
  Json request = {{"StreamName", "click_stream"},
                  {"Data", Base64Encode("{\"customer_id\":\"C9\"}")},
                  {"PartitionKey", "C9"}};
  auto response = client->Send("POST", "/", KinesisHeaders("PutRecord"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(*response->Header("content-type"), "application/x-amz-json-1.1");
  Json body = BodyOf(*response);
  int shard = MemoryEventIngest::ShardFor("C9", 2);
  EXPECT_EQ(body["ShardId"], stream::KinesisShardId(shard));
  EXPECT_EQ(body["SequenceNumber"], std::to_string(shard)) << "offset 0 << 16 | shard";
  auto records = server.ingest().Records("click_stream");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].data, "{\"customer_id\":\"C9\"}");
  EXPECT_EQ(records[0].partition_key, "C9");

  // The same stream by ARN; an unknown stream is ResourceNotFoundException.
  request.erase("StreamName");
  request["StreamARN"] = "arn:aws:kinesis:us-east-1:000000000000:stream/click_stream";
  response = client->Send("POST", "/", KinesisHeaders("PutRecord"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
  request["StreamARN"] = "arn:aws:kinesis:us-east-1:000000000000:stream/missing";
  response = client->Send("POST", "/", KinesisHeaders("PutRecord"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(BodyOf(*response)["__type"], "ResourceNotFoundException");
}

TEST(ServerTest, KinesisPutRecordsReportsPerRecordFailures) {
  TestServerOptions options;
  options.shards = 1;
  options.capacity_per_shard = 3;
  TestServer server(options);
  auto client = server.Client();
  Json records = Json::array();
  for (int i = 0; i < 5; ++i) {
    records.push_back({{"Data", Base64Encode(fmt::format("event {}", i))},
                       {"PartitionKey", fmt::format("C{}", i)}});
  }
  Json request = {{"StreamName", "click_stream"}, {"Records", records}};
  auto response = client->Send("POST", "/", KinesisHeaders("PutRecords"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200) << response->body;
  Json body = BodyOf(*response);
  EXPECT_EQ(body["FailedRecordCount"], 2);
  ASSERT_EQ(body["Records"].size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(body["Records"][i]["ShardId"], "shardId-000000000000");
    EXPECT_EQ(body["Records"][i]["SequenceNumber"], std::to_string(i << 16));
    EXPECT_FALSE(body["Records"][i].contains("ErrorCode"));
  }
  for (int i = 3; i < 5; ++i) {
    EXPECT_EQ(body["Records"][i]["ErrorCode"], "ProvisionedThroughputExceededException");
    EXPECT_TRUE(body["Records"][i]["ErrorMessage"].is_string());
    EXPECT_FALSE(body["Records"][i].contains("SequenceNumber"));
  }
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 3u);
}

TEST(ServerTest, KinesisDescribeAndListStreams) {
  TestServer server;
  auto client = server.Client();
  auto response = client->Send("POST", "/", KinesisHeaders("DescribeStream"),
                               R"({"StreamName":"click_stream"})");
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200) << response->body;
  Json description = BodyOf(*response)["StreamDescription"];
  EXPECT_EQ(description["StreamStatus"], "ACTIVE");
  ASSERT_EQ(description["Shards"].size(), 2u);
  EXPECT_EQ(description["Shards"][0]["HashKeyRange"]["StartingHashKey"], "0");
  EXPECT_EQ(description["Shards"][1]["HashKeyRange"]["EndingHashKey"],
            "340282366920938463463374607431768211455");
  EXPECT_EQ(description["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/click_stream");

  response = client->Send("POST", "/", KinesisHeaders("DescribeStreamSummary"),
                          R"({"StreamName":"click_stream"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(BodyOf(*response)["StreamDescriptionSummary"]["OpenShardCount"], 2);

  response = client->Send("POST", "/", KinesisHeaders("ListStreams"), "{}");
  ASSERT_TRUE(response.ok());
  Json list = BodyOf(*response);
  EXPECT_EQ(list["StreamNames"], Json({"click_stream", "other_stream"}));
  EXPECT_FALSE(list["HasMoreStreams"].get<bool>());
  response = client->Send("POST", "/", KinesisHeaders("ListStreams"), R"({"Limit":1})");
  ASSERT_TRUE(response.ok());
  list = BodyOf(*response);
  EXPECT_EQ(list["StreamNames"], Json({"click_stream"}));
  EXPECT_TRUE(list["HasMoreStreams"].get<bool>());
}

TEST(ServerTest, NativeEventsApi) {
  TestServer server;
  auto client = server.Client();
  auto response =
      client->Send("POST", "/v1/events", {{"Content-Type", "application/json"}},
                   R"([{"event_time":"2026-11-27T03:00:00Z","customer_id":"C1","product_id":"P1",
           "activity_type":"liked","activity_weight":1,"product_health_index":0.3},
          {"event_time":1764212400.5,"customer_id":42,"product_id":"P2"}])");
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(BodyOf(*response)["accepted"], 2);
  auto records = server.ingest().Records("click_stream");
  ASSERT_EQ(records.size(), 2u);
  std::set<std::string> keys = {records[0].partition_key, records[1].partition_key};
  EXPECT_EQ(keys, (std::set<std::string>{"C1", "42"}));

  response = client->Send("POST", "/v1/events?stream=other_stream", {},
                          R"([{"customer_id":"C1","product_id":"P1"}])");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.ingest().Records("other_stream").size(), 1u);
  response = client->Send("POST", "/v1/events?stream=nope", {},
                          R"([{"customer_id":"C1","product_id":"P1"}])");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
}

TEST(ServerTest, TokenProtectsEveryRouteButHealthAndReadiness) {
  TestServerOptions options;
  options.token = "letmein";
  TestServer server(options);
  auto client = server.Client();
  const std::string event = R"([{"customer_id":"C1","product_id":"P1"}])";
  auto response = client->Send("POST", "/v1/events", {}, event);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(BodyOf(*response)["error"], "Unauthorized");
  response = client->Send("POST", "/v1/events", {{"Authorization", "Bearer wrong"}}, event);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  response = client->Send("POST", "/v1/events", {{"Authorization", "Bearer letmein"}}, event);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);

  HttpFields kinesis = KinesisHeaders("PutRecord");
  const std::string put = R"({"StreamName":"click_stream","Data":"eA==","PartitionKey":"k"})";
  response = client->Send("POST", "/", kinesis, put);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(BodyOf(*response)["__type"], "AccessDeniedException");
  kinesis.emplace_back("Authorization",
                       "AWS4-HMAC-SHA256 Credential=letmein/20261127/us-east-1/kinesis/"
                       "aws4_request, SignedHeaders=host, Signature=0123");
  response = client->Send("POST", "/", kinesis, put);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
  // Reads need the token too (every route is enumerated in http_auth_test);
  // health and readiness probes do not.
  response = client->Send("GET", "/metrics");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  response = client->Send("GET", "/metrics", {{"Authorization", "Bearer letmein"}});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  response = client->Send("POST", "/", KinesisHeaders("ListStreams"), "{}");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  response = client->Send("GET", "/healthz");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  response = client->Send("GET", "/readyz");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 2u);
}

TEST(ServerTest, BodyLimitAnswers413AndKeepsServing) {
  TestServerOptions options;
  options.max_body_bytes = 1024;
  TestServer server(options);
  auto client = server.Client();
  auto response = client->Send("POST", "/v1/events", {}, std::string(4096, '['));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(BodyOf(*response)["error"], "PayloadTooLarge");
  response = client->Send("POST", "/", KinesisHeaders("PutRecords"), std::string(4096, ' '));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(BodyOf(*response)["__type"], "ValidationException");
  response = client->Send("GET", "/healthz");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
}

// Clients keep posting events while the server shuts down: every event the
// server acknowledged with 200 must be in the log.
TEST(ServerTest, GracefulShutdownLosesNoAcknowledgedEvent) {
  TestServer server;
  std::mutex mutex;
  std::condition_variable enough;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client("127.0.0.1", server.port());
      for (int i = 0; !stop.load(); ++i) {
        std::string product = fmt::format("P{}_{}", c, i);
        auto response =
            client.Send("POST", "/v1/events", {},
                        fmt::format(R"([{{"customer_id":"C{}","product_id":"{}"}}])", c, product));
        if (!response.ok()) break;  // the server has stopped
        if (response->status == 200) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.insert(product);
          enough.notify_all();
        }
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    enough.wait(lock, [&] { return acknowledged.size() >= 200; });
  }
  server.server().Shutdown();
  stop.store(true);
  for (auto& thread : clients) thread.join();
  std::set<std::string> stored;
  for (const auto& record : server.ingest().Records("click_stream")) {
    Json event = *ParseJson(record.data, "record");
    stored.insert(event["product_id"].get<std::string>());
  }
  for (const std::string& product : acknowledged) {
    EXPECT_TRUE(stored.contains(product)) << product << " was acknowledged but is not stored";
  }
  EXPECT_GE(stored.size(), acknowledged.size());
  // After shutdown nothing listens.
  HttpClient late("127.0.0.1", server.port());
  EXPECT_FALSE(late.Send("GET", "/healthz").ok());
}

}  // namespace
}  // namespace pantry::server
