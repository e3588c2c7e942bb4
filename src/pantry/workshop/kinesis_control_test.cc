// The Kinesis stream-management and Kinesis Analytics operations of
// `pantry serve` (server/kinesis_admin_api.h, server/kinesis_analytics_api.h)
// over HTTP against a real WorkshopServer, including what survives a restart.
#include <gtest/gtest.h>

#include <thread>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/workshop/kda_outputs.h"
#include "pantry/workshop/streams.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/workshop_server.h"

namespace pantry::workshop {
namespace {

constexpr char kSql[] = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CUSTOMER_ID,
       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,
       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '1' SECOND);
)sql";

struct Reply {
  int status = 0;
  Json body;
  std::string type() const { return body.value("__type", ""); }
};

class KinesisControlTest : public WorkshopTest {
 protected:
  void StartServer() {
    WorkshopServerOptions options = options_;
    options.home = home();
    options.server.http.port = 0;
    options.server.http.threads = 2;
    options.server.access_log = false;
    options.stream_poll_interval_ms = 5;
    options.kda_outputs = {{"my-fn", "click_stream_live"}};
    auto server = WorkshopServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<server::HttpClient>("127.0.0.1", server_->port());
  }
  void StopServer() {
    client_.reset();
    ASSERT_TRUE(server_->Stop().ok());
    server_.reset();
  }
  void SetUp() override {
    WorkshopTest::SetUp();
    StartServer();
  }
  void TearDown() override {
    if (server_) StopServer();
    WorkshopTest::TearDown();
  }

  Reply Call(const std::string& target, const Json& body) {
    auto response = client_->Send(
        "POST", "/", {{"X-Amz-Target", target}, {"Content-Type", "application/x-amz-json-1.1"}},
        DumpJson(body));
    EXPECT_TRUE(response.ok()) << response.status();
    Reply r;
    if (!response.ok()) return r;
    r.status = response->status;
    auto parsed = ParseJson(response->body, "reply");
    if (parsed.ok()) r.body = *parsed;
    return r;
  }
  Reply Kinesis(const std::string& op, const Json& body) {
    return Call("Kinesis_20131202." + op, body);
  }
  Reply Kda(const std::string& op, const Json& body) {
    return Call("KinesisAnalytics_20150814." + op, body);
  }

  Json App(const std::string& name, const std::string& stream, const std::string& code) {
    return {
        {"ApplicationName", name},
        {"ApplicationCode", code},
        {"Inputs",
         {{{"NamePrefix", "SOURCE_SQL_STREAM"},
           {"KinesisStreamsInput",
            {{"ResourceARN", "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream},
             {"RoleARN", "arn:aws:iam::000000000000:role/r"}}},
           {"InputSchema",
            {{"RecordFormat",
              {{"RecordFormatType", "JSON"},
               {"MappingParameters", {{"JSONMappingParameters", {{"RecordRowPath", "$"}}}}}}},
             {"RecordColumns",
              {{{"Name", "CUSTOMER_ID"}, {"Mapping", "$.customer_id"}, {"SqlType", "VARCHAR(8)"}},
               {{"Name", "ACTIVITY_WEIGHT"},
                {"Mapping", "$.activity_weight"},
                {"SqlType", "INTEGER"}},
               {{"Name", "PRODUCT_HEALTH_INDEX"},
                {"Mapping", "$.product_health_index"},
                {"SqlType", "DOUBLE"}}}}}}}}},
        {"Outputs",
         {{{"Name", "DESTINATION_SQL_STREAM"},
           {"LambdaOutput",
            {{"ResourceARN", "arn:aws:lambda:us-east-1:000000000000:function:my-fn"},
             {"RoleARN", "arn:aws:iam::000000000000:role/r"}}},
           {"DestinationSchema", {{"RecordFormatType", "JSON"}}}}}}};
  }

  void Put(const std::string& stream, const std::string& customer, int weight) {
    const std::string event = R"({"customer_id":")" + customer + R"(","activity_weight":)" +
                              std::to_string(weight) + R"(,"product_health_index":0.5})";
    Reply r = Kinesis("PutRecord", {{"StreamName", stream},
                                    {"PartitionKey", customer},
                                    {"Data", server::Base64Encode(event)}});
    ASSERT_EQ(r.status, 200) << r.body.dump();
  }

  // The row of `customer` in `group` once the stream wrote it (bounded wait).
  std::optional<featurestore::Record> WaitForRow(const std::string& group,
                                                 const std::string& customer) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      auto row = server_->store().GetRecord(group, customer);
      if (row.ok() && row->has_value()) return **row;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  WorkshopServerOptions options_;  // what StartServer starts with (it sets the rest)
  std::unique_ptr<WorkshopServer> server_;
  std::unique_ptr<server::HttpClient> client_;
};

TEST_F(KinesisControlTest, CreateDescribeListShardsDeleteAndRestart) {
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "s3"}, {"ShardCount", 3}}).status, 200);
  EXPECT_EQ(Kinesis("CreateStream",
                    {{"StreamName", "od"}, {"StreamModeDetails", {{"StreamMode", "ON_DEMAND"}}}})
                .status,
            200);
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "s3"}, {"ShardCount", 1}}).type(),
            "ResourceInUseException");
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "x"}}).type(), "InvalidArgumentException");
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "x"}, {"ShardCount", 0}}).type(),
            "ValidationException");
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "x"}, {"ShardCount", 5000}}).type(),
            "LimitExceededException");
  EXPECT_EQ(Kinesis("CreateStream", {{"StreamName", "a/b"}, {"ShardCount", 1}}).type(),
            "ValidationException");

  Reply d = Kinesis("DescribeStream", {{"StreamName", "s3"}});
  ASSERT_EQ(d.status, 200) << d.body.dump();
  EXPECT_EQ(d.body["StreamDescription"]["StreamStatus"], "ACTIVE");
  EXPECT_EQ(d.body["StreamDescription"]["Shards"].size(), 3u);
  Reply summary = Kinesis("DescribeStreamSummary", {{"StreamName", "od"}});
  EXPECT_EQ(summary.body["StreamDescriptionSummary"]["OpenShardCount"], 4);
  EXPECT_EQ(summary.body["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"],
            "ON_DEMAND");
  const Json created = d.body["StreamDescription"]["StreamCreationTimestamp"];

  Reply page = Kinesis("ListShards", {{"StreamName", "s3"}, {"MaxResults", 2}});
  ASSERT_EQ(page.status, 200) << page.body.dump();
  ASSERT_EQ(page.body["Shards"].size(), 2u);
  EXPECT_EQ(page.body["Shards"][0]["ShardId"], "shardId-000000000000");
  ASSERT_TRUE(page.body.contains("NextToken"));
  Reply rest = Kinesis("ListShards", {{"NextToken", page.body["NextToken"]}});
  ASSERT_EQ(rest.body["Shards"].size(), 1u);
  EXPECT_EQ(rest.body["Shards"][0]["ShardId"], "shardId-000000000002");
  EXPECT_FALSE(rest.body.contains("NextToken"));
  EXPECT_EQ(Kinesis("ListShards",
                    {{"StreamName", "s3"}, {"ExclusiveStartShardId", "shardId-000000000000"}})
                .body["Shards"]
                .size(),
            2u);
  EXPECT_EQ(Kinesis("ListShards", {{"NextToken", "garbage"}}).type(), "InvalidArgumentException");
  EXPECT_EQ(Kinesis("ListShards", {{"StreamName", "nope"}}).type(), "ResourceNotFoundException");

  Put("s3", "C1", 1);
  Reply list = Kinesis("ListStreams", Json::object());
  EXPECT_EQ(list.body["StreamNames"], Json({"click_stream", "od", "s3"}));

  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "click_stream"}}).type(),
            "ResourceInUseException");
  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "od"}}).status, 200);
  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "od"}}).type(), "ResourceNotFoundException");
  EXPECT_EQ(Kinesis("DescribeStream", {{"StreamName", "od"}}).type(), "ResourceNotFoundException");

  // Created streams come back with their shards, creation time and events.
  StopServer();
  StartServer();
  d = Kinesis("DescribeStream",
              {{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/s3"}});
  ASSERT_EQ(d.status, 200) << d.body.dump();
  EXPECT_EQ(d.body["StreamDescription"]["Shards"].size(), 3u);
  EXPECT_EQ(d.body["StreamDescription"]["StreamCreationTimestamp"], created);
  EXPECT_EQ(Kinesis("ListStreams", Json::object()).body["StreamNames"],
            Json({"click_stream", "s3"}));
  Put("s3", "C2", 1);
}

TEST_F(KinesisControlTest, ApplicationLifecycleAndRestart) {
  ASSERT_EQ(Kinesis("CreateStream", {{"StreamName", "in"}, {"ShardCount", 2}}).status, 200);
  Reply created = Kda("CreateApplication", App("app", "in", kSql));
  ASSERT_EQ(created.status, 200) << created.body.dump();
  EXPECT_EQ(created.body["ApplicationSummary"]["ApplicationStatus"], "READY");
  EXPECT_EQ(created.body["ApplicationSummary"]["ApplicationARN"],
            "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app");
  EXPECT_EQ(Kda("CreateApplication", App("app", "in", kSql)).type(), "ResourceInUseException");
  EXPECT_EQ(Kda("CreateApplication", App("bad", "in", "SELECT STREAM * FROM nowhere;")).type(),
            "CodeValidationException");
  EXPECT_EQ(Kda("DescribeApplication", {{"ApplicationName", "nope"}}).type(),
            "ResourceNotFoundException");

  Reply d = Kda("DescribeApplication", {{"ApplicationName", "app"}});
  ASSERT_EQ(d.status, 200) << d.body.dump();
  const Json& detail = d.body["ApplicationDetail"];
  EXPECT_EQ(detail["ApplicationStatus"], "READY");
  EXPECT_EQ(detail["ApplicationVersionId"], 1);
  EXPECT_EQ(detail["InputDescriptions"][0]["InputId"], "1.1");
  EXPECT_EQ(detail["InputDescriptions"][0]["InputSchema"]["RecordColumns"].size(), 3u);
  EXPECT_EQ(detail["OutputDescriptions"][0]["OutputId"], "1.1");
  EXPECT_EQ(detail["OutputDescriptions"][0]["LambdaOutputDescription"]["ResourceARN"],
            "arn:aws:lambda:us-east-1:000000000000:function:my-fn");
  EXPECT_EQ(detail["ApplicationCode"], kSql);
  const double create_timestamp = detail["CreateTimestamp"].get<double>();

  Put("in", "C0", 9);  // before the start: TRIM_HORIZON reads it
  const Json start = {
      {"ApplicationName", "app"},
      {"InputConfigurations",
       {{{"Id", "1.1"},
         {"InputStartingPositionConfiguration", {{"InputStartingPosition", "TRIM_HORIZON"}}}}}}};
  ASSERT_EQ(Kda("StartApplication", start).status, 200);
  EXPECT_EQ(Kda("StartApplication", start).type(), "ResourceInUseException");
  EXPECT_EQ(Kda("DescribeApplication", {{"ApplicationName", "app"}})
                .body["ApplicationDetail"]["ApplicationStatus"],
            "RUNNING");
  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "in"}}).type(), "ResourceInUseException");
  // --lambda-output my-fn=click_stream_live chose the group.
  auto row = WaitForRow("click_stream_live", "C0");
  ASSERT_TRUE(row.has_value());

  Reply list = Kda("ListApplications", Json::object());
  ASSERT_EQ(list.body["ApplicationSummaries"].size(), 1u);
  EXPECT_EQ(list.body["ApplicationSummaries"][0]["ApplicationStatus"], "RUNNING");
  EXPECT_FALSE(list.body["HasMoreApplications"].get<bool>());

  // A running application starts again with the server and reads on.
  StopServer();
  StartServer();
  EXPECT_EQ(Kda("DescribeApplication", {{"ApplicationName", "app"}})
                .body["ApplicationDetail"]["ApplicationStatus"],
            "RUNNING");
  Put("in", "C1", 2);
  ASSERT_TRUE(WaitForRow("click_stream_live", "C1").has_value());

  ASSERT_EQ(Kda("StopApplication", {{"ApplicationName", "app"}}).status, 200);
  EXPECT_EQ(Kda("DescribeApplication", {{"ApplicationName", "app"}})
                .body["ApplicationDetail"]["ApplicationStatus"],
            "READY");
  EXPECT_EQ(Kda("DeleteApplication",
                {{"ApplicationName", "app"}, {"CreateTimestamp", create_timestamp - 100}})
                .type(),
            "InvalidArgumentException");
  ASSERT_EQ(
      Kda("DeleteApplication", {{"ApplicationName", "app"}, {"CreateTimestamp", create_timestamp}})
          .status,
      200);
  EXPECT_EQ(Kda("ListApplications", Json::object()).body["ApplicationSummaries"], Json::array());
  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "in"}}).status, 200);
}

// A spec given at start (`pantry serve --sql`) whose source is another
// stream: the stream service opens that log and lends it to the registry, so
// the Kinesis API appends to the same log the spec reads (not a second copy).
TEST_F(KinesisControlTest, StartupSpecSourcesAreServedAndCannotBeDeleted) {
  StopServer();
  auto spec = BuiltinWindowSpec("workshop");
  ASSERT_TRUE(spec.ok()) << spec.status();
  spec->name = "other_stagger";
  spec->source = "other";
  spec->sink_feature_group = "other_agg";
  options_.extra_specs = {*spec};
  StartServer();
  EXPECT_EQ(Kinesis("ListStreams", Json::object()).body["StreamNames"],
            Json({"click_stream", "other"}));
  Put("other", "C5", 3);
  // The spec reads what the API appended (the window closes 2 minutes
  // later, so look at what the processor consumed).
  bool consumed = false;
  for (int attempt = 0; attempt < 500 && !consumed; ++attempt) {
    auto metrics = client_->Send("GET", "/metrics");
    ASSERT_TRUE(metrics.ok());
    consumed = metrics->body.find("pantry_stream_records_consumed{spec=\"other_stagger\"} 1") !=
               std::string::npos;
    if (!consumed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(consumed);
  EXPECT_EQ(Kinesis("DeleteStream", {{"StreamName", "other"}}).type(), "ResourceInUseException");
}

TEST(KdaOutputsTest, FlagMappingThenTheWorkshopLambdaThenJsonLines) {
  const std::map<std::string, std::string> mapping = {{"scorer", "scores"}};
  EXPECT_EQ(OutputResourceName("arn:aws:lambda:us-east-1:1:function:scorer:PROD"), "scorer");
  EXPECT_EQ(KdaOutputGroup(mapping, "LambdaOutput", "arn:aws:lambda:us-east-1:1:function:scorer"),
            "scores");
  EXPECT_EQ(KdaOutputGroup(mapping, "LambdaOutput",
                           "arn:aws:lambda:us-east-1:1:function:fs-Click-Stream-Lambda"),
            "click_stream");
  EXPECT_EQ(KdaOutputGroup(mapping, "LambdaOutput", "arn:aws:lambda:us-east-1:1:function:other"),
            "");
  EXPECT_EQ(KdaOutputGroup(mapping, "KinesisStreamsOutput",
                           "arn:aws:kinesis:us-east-1:1:stream/clickstream-out"),
            "");
  std::map<std::string, std::string> parsed;
  EXPECT_TRUE(AddKdaOutputMapping("arn:aws:lambda:r:1:function:f=g", &parsed).ok());
  EXPECT_EQ(parsed["arn:aws:lambda:r:1:function:f"], "g");
  EXPECT_FALSE(AddKdaOutputMapping("no-equals", &parsed).ok());
}

}  // namespace
}  // namespace pantry::workshop
