#include "pantry/server/event_log_ingest.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/server/server.h"
#include "pantry/stream/kinesis_ids.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::server {
namespace {

// Kinesis PutRecords over HTTP lands in the durable log, readable after a
// reopen, with the shard and sequence the response reported.
TEST(EventLogIngestTest, KinesisRecordsLandInTheDurableLog) {
  testing::TempDir home;
  FakeClock clock(1'764'000'000'000'000);
  stream::EventLogOptions log_options;
  log_options.shards = 2;
  log_options.clock = &clock;
  Json response_body;
  {
    auto log = stream::EventLog::OpenFile(home.path(), "click_stream", log_options);
    ASSERT_TRUE(log.ok()) << log.status();
    int notified = 0;
    EventLogIngest ingest({{"click_stream", log->get()}}, &clock, [&notified] { ++notified; });
    MetricsRegistry metrics;
    ServerOptions options;
    options.http.port = 0;
    options.access_log = false;
    options.metrics = &metrics;
    ServerComponents components;
    components.events = &ingest;
    auto server = PantryServer::Start(options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status();
    HttpClient client("127.0.0.1", (*server)->port());
    Json records = Json::array();
    for (int i = 0; i < 6; ++i) {
      records.push_back({{"Data", Base64Encode("{\"n\":" + std::to_string(i) + "}")},
                         {"PartitionKey", "C" + std::to_string(i % 3)}});
    }
    auto response =
        client.Send("POST", "/",
                    {{"X-Amz-Target", "Kinesis_20131202.PutRecords"},
                     {"Content-Type", "application/x-amz-json-1.1"}},
                    DumpJson(Json{{"StreamName", "click_stream"}, {"Records", records}}));
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200) << response->body;
    response_body = *ParseJson(response->body, "response");
    EXPECT_EQ(response_body["FailedRecordCount"], 0);
    EXPECT_EQ(notified, 1);
    auto describe =
        client.Send("POST", "/", {{"X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary"}},
                    R"({"StreamName":"click_stream"})");
    ASSERT_TRUE(describe.ok());
    EXPECT_EQ(ParseJson(describe->body, "")->at("StreamDescriptionSummary")["OpenShardCount"], 2);
    client.Close();  // an idle keep-alive connection would hold the drain for its timeout
    (*server)->Shutdown();
  }
  auto reopened = stream::EventLog::OpenFile(home.path(), "click_stream", log_options);
  ASSERT_TRUE(reopened.ok());
  size_t total = 0;
  for (int shard = 0; shard < 2; ++shard) {
    auto read = (*reopened)->Read(shard, 0, 100);
    ASSERT_TRUE(read.ok());
    total += read->size();
    for (const auto& record : *read) {
      EXPECT_EQ(stream::ShardForKey(record.partition_key, 2), shard);
    }
  }
  EXPECT_EQ(total, 6u);
  for (const Json& entry : response_body["Records"]) {
    auto shard = stream::ParseKinesisShardId(entry["ShardId"].get<std::string>());
    auto offset = stream::ParseKinesisSequenceNumber(entry["SequenceNumber"].get<std::string>());
    ASSERT_TRUE(shard.ok() && offset.ok()) << entry;
    EXPECT_EQ(offset->shard, *shard);
    auto read = (*reopened)->Read(*shard, offset->sequence, 1);
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(read->size(), 1u);
    EXPECT_EQ((*read)[0].sequence, offset->sequence);
  }
}

}  // namespace
}  // namespace pantry::server
