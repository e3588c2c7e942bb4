// Issue 13, item 4: event times out of the accepted range (years 0001-9999)
// are refused where they enter over HTTP with 400, and nothing is written.
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using featurestore::FeatureType;
using testing::TestServer;
using testing::TestServerOptions;

class EventTimeRangeTest : public ::testing::Test {
 protected:
  EventTimeRangeTest() : server_(Options()) {
    for (auto [name, type] :
         {std::pair{"frac", FeatureType::kFractional}, std::pair{"text", FeatureType::kString}}) {
      EXPECT_TRUE(
          server_.store()
              ->CreateFeatureGroup(testing::GroupDefinition(name, "id",
                                                            {{"id", FeatureType::kString},
                                                             {"event_time", type},
                                                             {"v", FeatureType::kIntegral}}))
              .ok());
    }
    client_ = server_.Client();
  }

  static TestServerOptions Options() {
    TestServerOptions options;
    options.feature_store = true;
    return options;
  }

  ClientResponse Call(const std::string& method, const std::string& target,
                      const std::string& body = "") {
    auto response = client_->Send(method, target, {{"Content-Type", "application/json"}}, body);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : ClientResponse();
  }

  static std::string Put(const std::string& id, const std::string& time) {
    Json record = Json::array({{{"FeatureName", "id"}, {"ValueAsString", id}},
                               {{"FeatureName", "event_time"}, {"ValueAsString", time}},
                               {{"FeatureName", "v"}, {"ValueAsString", "1"}}});
    return DumpJson(Json{{"Record", record}});
  }

  int64_t OfflineRows(const std::string& group) {
    auto result = server_.store()->Query("SELECT count(*) FROM " + group);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->rows[0][0].int_value() : -1;
  }

  TestServer server_;
  std::unique_ptr<HttpClient> client_;
};

// The issue's reproduction: these deletes wrote marker rows dated in the
// years 11476 and 32103, after which `pantry dataset` failed for good.
TEST_F(EventTimeRangeTest, DeleteWithOutOfRangeEventTimeIs400AndWritesNothing) {
  for (const std::string group : {"frac", "text"}) {
    ASSERT_EQ(Call("PUT", "/FeatureGroup/" + group, Put("C1", "100")).status, 200);
    for (const char* time : {"300000000000", "1e300", "-1e300", "10000-01-01T00:00:00Z",
                             "0000-12-31T00:00:00Z", "-62135596801"}) {
      ClientResponse response =
          Call("DELETE", "/FeatureGroup/" + group + "?RecordIdentifierValueAsString=C1&EventTime=" +
                             time + "&DeletionMode=HardDelete");
      EXPECT_EQ(response.status, 400) << group << " " << time << ": " << response.body;
      EXPECT_NE(response.body.find("EventTime"), std::string::npos) << response.body;
    }
    EXPECT_EQ(OfflineRows(group), 1) << group << ": no marker row written";
    ClientResponse get =
        Call("GET", "/FeatureGroup/" + group + "?RecordIdentifierValueAsString=C1");
    EXPECT_NE(get.body.find("C1"), std::string::npos) << "the record is still there";
  }
}

TEST_F(EventTimeRangeTest, PutWithOutOfRangeEventTimeIs400AndWritesNothing) {
  for (const char* time : {"1e300", "300000000000", "-1e13", "nan"}) {
    ClientResponse response = Call("PUT", "/FeatureGroup/frac", Put("C1", time));
    EXPECT_EQ(response.status, 400) << time << ": " << response.body;
  }
  for (const char* time : {"10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1e300"}) {
    ClientResponse response = Call("PUT", "/FeatureGroup/text", Put("C1", time));
    EXPECT_EQ(response.status, 400) << time << ": " << response.body;
  }
  EXPECT_EQ(OfflineRows("frac"), 0);
  EXPECT_EQ(OfflineRows("text"), 0);
  // The bounds themselves are accepted.
  EXPECT_EQ(Call("PUT", "/FeatureGroup/text", Put("C1", "9999-12-31T23:59:59Z")).status, 200);
  EXPECT_EQ(Call("PUT", "/FeatureGroup/frac", Put("C1", "-62135596800")).status, 200);
}

// event_time + TTL is checked arithmetic: a sum past int64 is refused
// before anything is written.
TEST_F(EventTimeRangeTest, TtlOverflowIs400AndWritesNothing) {
  Json body = *ParseJson(Put("C1", "9999-12-31T23:59:59Z"), "body");
  body["TtlDuration"] = {{"Unit", "Weeks"}, {"Value", 1000}};
  EXPECT_EQ(Call("PUT", "/FeatureGroup/text", DumpJson(body)).status, 200);
  auto store = server_.store();
  featurestore::Record record;
  record.Add("id", featurestore::FeatureValue::String("C2"));
  record.Add("event_time", featurestore::FeatureValue::String("9999-12-31T23:59:59Z"));
  Status put = store->PutRecord("text", record, INT64_MAX - 5);
  EXPECT_EQ(put.code(), StatusCode::kInvalidArgument) << put;
  EXPECT_NE(put.message().find("overflows"), std::string::npos) << put;
  EXPECT_EQ(OfflineRows("text"), 1);
}

TEST_F(EventTimeRangeTest, EventsApiRefusesOutOfRangeTimes) {
  for (const char* event : {R"([{"event_time":1e300,"customer_id":"C1","product_id":"P1"}])",
                            R"([{"event_time":300000000000,"customer_id":"C1","product_id":"P1"}])",
                            R"([{"event_time":"10000-01-01T00:00:00Z","customer_id":"C1",
                                 "product_id":"P1"}])"}) {
    auto response =
        client_->Send("POST", "/v1/events", {{"Content-Type", "application/json"}}, event);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 400) << event << ": " << response->body;
  }
  EXPECT_TRUE(server_.ingest().Records("click_stream").empty());
}

}  // namespace
}  // namespace pantry::server
