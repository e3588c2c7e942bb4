// Issue 13, item 1: events are validated where they are accepted, against
// the limit the feature-store sink enforces (string values of at most
// 350 KB): a poison event is refused with 400, or with its own ErrorCode in
// PutRecords while the other records are appended.
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using testing::KinesisHeaders;
using testing::TestServer;

std::string ClickWithCustomer(const std::string& customer) {
  return DumpJson(Json{{"customer_id", customer}, {"product_id", "P1"}, {"activity_weight", 1}});
}

Json BodyOf(const ClientResponse& response) {
  StatusOr<Json> json = ParseJson(response.body, "response");
  EXPECT_TRUE(json.ok()) << response.body;
  return json.ok() ? *json : Json();
}

const std::string kHuge(360 * 1024, 'x');  // over the 350 KB value limit

TEST(EventValidationTest, KinesisPutRecordRefusesAPoisonEvent) {
  TestServer server;
  auto client = server.Client();
  Json request = {{"StreamName", "click_stream"},
                  {"Data", Base64Encode(ClickWithCustomer(kHuge))},
                  {"PartitionKey", "C1"}};
  auto response = client->Send("POST", "/", KinesisHeaders("PutRecord"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400) << response->body.substr(0, 300);
  EXPECT_EQ(BodyOf(*response)["__type"], "InvalidArgumentException");
  EXPECT_NE(response->body.find("350 KB"), std::string::npos) << response->body.substr(0, 300);
  EXPECT_TRUE(server.ingest().Records("click_stream").empty());
  // A large payload whose values are each within the limit is fine.
  Json wide = {{"customer_id", "C1"},
               {"a", std::string(300 * 1024, 'a')},
               {"b", std::string(300 * 1024, 'b')}};
  request["Data"] = Base64Encode(DumpJson(wide));
  response = client->Send("POST", "/", KinesisHeaders("PutRecord"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body.substr(0, 300);
}

TEST(EventValidationTest, KinesisPutRecordsGivesThePoisonRecordItsOwnErrorCode) {
  TestServer server;
  auto client = server.Client();
  Json records = Json::array();
  records.push_back({{"Data", Base64Encode(ClickWithCustomer("C1"))}, {"PartitionKey", "C1"}});
  records.push_back({{"Data", Base64Encode(ClickWithCustomer(kHuge))}, {"PartitionKey", "P"}});
  records.push_back({{"Data", Base64Encode(ClickWithCustomer("C2"))}, {"PartitionKey", "C2"}});
  Json request = {{"StreamName", "click_stream"}, {"Records", records}};
  auto response = client->Send("POST", "/", KinesisHeaders("PutRecords"), DumpJson(request));
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200) << response->body.substr(0, 300);
  Json body = BodyOf(*response);
  EXPECT_EQ(body["FailedRecordCount"], 1);
  ASSERT_EQ(body["Records"].size(), 3u);
  EXPECT_TRUE(body["Records"][0].contains("SequenceNumber"));
  EXPECT_EQ(body["Records"][1]["ErrorCode"], "InvalidArgumentException");
  EXPECT_FALSE(body["Records"][1].contains("SequenceNumber"));
  EXPECT_TRUE(body["Records"][2].contains("SequenceNumber"));
  auto stored = server.ingest().Records("click_stream");
  ASSERT_EQ(stored.size(), 2u);
  for (const auto& r : stored) EXPECT_NE(r.partition_key, "P");
}

TEST(EventValidationTest, EventsApiRefusesAPoisonEvent) {
  TestServer server;
  auto client = server.Client();
  for (const Json& event :
       {Json{{"customer_id", kHuge}, {"product_id", "P1"}},
        Json{{"customer_id", "C1"}, {"product_id", "P1"}, {"product_category", kHuge}}}) {
    auto response = client->Send("POST", "/v1/events", {{"Content-Type", "application/json"}},
                                 DumpJson(Json::array({event})));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 400) << response->body.substr(0, 300);
    EXPECT_NE(response->body.find("350 KB"), std::string::npos) << response->body.substr(0, 300);
  }
  EXPECT_TRUE(server.ingest().Records("click_stream").empty());
}

}  // namespace
}  // namespace pantry::server
