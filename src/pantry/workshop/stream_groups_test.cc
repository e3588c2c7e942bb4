// Issue 13, item 2: a client cannot silence the stream by writing a huge
// stream_emission_id into a group a processor writes. Such writes answer
// 403 by default; with the groups opened to clients the write lands, and
// the stream still delivers, because the processor's high-water mark is a
// private store mark no record write can move.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/workshop_server.h"

namespace pantry::workshop {
namespace {

WorkshopServerOptions Options(const std::filesystem::path& home, bool open_groups) {
  WorkshopServerOptions options;
  options.home = home;
  options.server.http.port = 0;
  options.server.http.threads = 2;
  options.server.access_log = false;
  options.stream_poll_interval_ms = 5;
  options.open_stream_groups = open_groups;
  return options;
}

int PutClick(server::HttpClient& client, const std::string& customer) {
  const std::string event = R"({"event_time":"2026-11-27T03:00:00Z","customer_id":")" + customer +
                            R"(","product_id":"P2","product_category":"snacks",)"
                            R"("activity_type":"added_to_cart","activity_weight":2,)"
                            R"("product_health_index":0.5})";
  Json body{{"StreamName", "click_stream"},
            {"PartitionKey", customer},
            {"Data", server::Base64Encode(event)}};
  auto response = client.Send("POST", "/",
                              {{"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                               {"Content-Type", "application/x-amz-json-1.1"}},
                              DumpJson(body));
  return response.ok() ? response->status : -1;
}

int PutForged(server::HttpClient& client, const std::string& customer) {
  Json record = Json::array(
      {{{"FeatureName", "customer_id"}, {"ValueAsString", customer}},
       {{"FeatureName", "event_time"}, {"ValueAsString", "1764212400"}},
       {{"FeatureName", "stream_emission_id"}, {"ValueAsString", "9000000000000000000"}}});
  auto response =
      client.Send("PUT", "/FeatureGroup/click_stream_live", {{"Content-Type", "application/json"}},
                  DumpJson(Json{{"Record", record}}));
  EXPECT_TRUE(!response.ok() || response->status != 403 ||
              response->body.find("written by a stream processor") != std::string::npos)
      << response->body;
  return response.ok() ? response->status : -1;
}

// Bounded wait for the processor to deliver `customer`'s live row.
bool Delivered(WorkshopServer& server, const std::string& customer) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto row = server.store().GetRecord("click_stream_live", customer);
    if (row.ok() && row->has_value()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class StreamGroupsTest : public WorkshopTest {};

TEST_F(StreamGroupsTest, ForgedEmissionIdIsRefusedWith403) {
  auto server = WorkshopServer::Start(Options(home(), /*open_groups=*/false));
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  ASSERT_EQ(PutClick(client, "C1"), 200);
  ASSERT_TRUE(Delivered(**server, "C1"));
  EXPECT_EQ(PutForged(client, "FORGED"), 403);
  auto del = client.Send("DELETE",
                         "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=C1&"
                         "EventTime=1764212400");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 403) << del->body;
  auto forged = (*server)->store().GetRecord("click_stream_live", "FORGED");
  ASSERT_TRUE(forged.ok());
  EXPECT_FALSE(forged->has_value()) << "nothing written";
  // Other groups still take client writes.
  Json record = Json::array({{{"FeatureName", "customer_id"}, {"ValueAsString", "C9"}},
                             {{"FeatureName", "name"}, {"ValueAsString", "Ann"}},
                             {{"FeatureName", "event_time"}, {"ValueAsString", "1764212400"}}});
  auto put = client.Send("PUT", "/FeatureGroup/customers", {{"Content-Type", "application/json"}},
                         DumpJson(Json{{"Record", record}}));
  ASSERT_TRUE(put.ok());
  EXPECT_NE(put->status, 403) << put->body;
  EXPECT_EQ(PutClick(client, "C2"), 200);
  EXPECT_TRUE(Delivered(**server, "C2"));
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
}

TEST_F(StreamGroupsTest, OpenedGroupTakesTheForgedRowAndTheStreamKeepsDelivering) {
  auto server = WorkshopServer::Start(Options(home(), /*open_groups=*/true));
  ASSERT_TRUE(server.ok()) << server.status();
  {
    server::HttpClient client("127.0.0.1", (*server)->port());
    ASSERT_EQ(PutClick(client, "C1"), 200);
    ASSERT_TRUE(Delivered(**server, "C1"));
    ASSERT_EQ(PutForged(client, "FORGED"), 200);
    ASSERT_EQ(PutClick(client, "C2"), 200);
    EXPECT_TRUE(Delivered(**server, "C2")) << "the forged id must not count as delivered";
  }
  ASSERT_TRUE((*server)->Stop().ok());
  server->reset();
  // After a restart the processor re-reads its mark, not MAX(stream_emission_id).
  server = WorkshopServer::Start(Options(home(), /*open_groups=*/true));
  ASSERT_TRUE(server.ok()) << server.status();
  server::HttpClient client("127.0.0.1", (*server)->port());
  ASSERT_EQ(PutClick(client, "C3"), 200);
  EXPECT_TRUE(Delivered(**server, "C3"));
  client.Close();
  ASSERT_TRUE((*server)->Stop().ok());
}

}  // namespace
}  // namespace pantry::workshop
