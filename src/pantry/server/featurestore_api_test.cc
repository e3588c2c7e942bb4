// SageMaker Feature Store Runtime routes over HTTP, with SageMaker's edge
// cases.
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using featurestore::FeatureType;
using testing::TestServer;
using testing::TestServerOptions;

class FeatureStoreApiTest : public ::testing::Test {
 protected:
  FeatureStoreApiTest() : server_(Options()) {
    EXPECT_TRUE(
        server_.store()
            ->CreateFeatureGroup(testing::GroupDefinition("customers", "customer_id",
                                                          {{"customer_id", FeatureType::kString},
                                                           {"event_time", FeatureType::kFractional},
                                                           {"state", FeatureType::kString},
                                                           {"age", FeatureType::kIntegral}}))
            .ok());
    client_ = server_.Client();
  }

  static TestServerOptions Options() {
    TestServerOptions options;
    options.feature_store = true;
    return options;
  }

  static std::string PutBody(const std::string& id, double time, const std::string& state,
                             const std::string& age = "30") {
    Json record =
        Json::array({{{"FeatureName", "customer_id"}, {"ValueAsString", id}},
                     {{"FeatureName", "event_time"}, {"ValueAsString", std::to_string(time)}},
                     {{"FeatureName", "state"}, {"ValueAsString", state}},
                     {{"FeatureName", "age"}, {"ValueAsString", age}}});
    return DumpJson(Json{{"Record", record}});
  }

  ClientResponse Call(const std::string& method, const std::string& target,
                      const std::string& body = "") {
    auto response = client_->Send(method, target, {{"Content-Type", "application/json"}}, body);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : ClientResponse();
  }

  static Json BodyOf(const ClientResponse& response) {
    StatusOr<Json> json = ParseJson(response.body, "response");
    EXPECT_TRUE(json.ok()) << response.body;
    return json.ok() ? *json : Json();
  }

  static std::string ErrorType(const ClientResponse& response) {
    const std::string* type = response.Header("x-amzn-errortype");
    return type == nullptr ? "" : *type;
  }

  std::map<std::string, std::string> Values(const Json& record) {
    std::map<std::string, std::string> out;
    for (const Json& field : record) out[field["FeatureName"]] = field["ValueAsString"];
    return out;
  }

  TestServer server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(FeatureStoreApiTest, PutThenGetWithAndWithoutFeatureNames) {
  ClientResponse put = Call("PUT", "/FeatureGroup/customers", PutBody("C1", 100, "ohio"));
  ASSERT_EQ(put.status, 200) << put.body;
  ClientResponse get = Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1");
  ASSERT_EQ(get.status, 200) << get.body;
  auto values = Values(BodyOf(get)["Record"]);
  EXPECT_EQ(values["state"], "ohio");
  EXPECT_EQ(values["age"], "30");
  get = Call("GET",
             "/FeatureGroup/customers?RecordIdentifierValueAsString=C1&FeatureName=state&"
             "FeatureName=age");
  ASSERT_EQ(get.status, 200);
  values = Values(BodyOf(get)["Record"]);
  EXPECT_EQ(values.size(), 2u);
  EXPECT_EQ(values["state"], "ohio");
}

TEST_F(FeatureStoreApiTest, AbsentRecordIsEmptyObject) {
  ClientResponse get = Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=nobody");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(BodyOf(get), Json::object());
}

TEST_F(FeatureStoreApiTest, OlderEventTimeDoesNotReplaceTheOnlineRecord) {
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C1", 200, "ohio")).status, 200);
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C1", 100, "texas")).status, 200);
  ClientResponse get = Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1");
  EXPECT_EQ(Values(BodyOf(get)["Record"])["state"], "ohio");
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C1", 300, "iowa")).status, 200);
  get = Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1");
  EXPECT_EQ(Values(BodyOf(get)["Record"])["state"], "iowa");
}

TEST_F(FeatureStoreApiTest, ErrorsCarryTheSageMakerType) {
  ClientResponse unknown = Call("PUT", "/FeatureGroup/nope", PutBody("C1", 1, "ohio"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorType(unknown), "ResourceNotFound");
  EXPECT_FALSE(BodyOf(unknown)["message"].get<std::string>().empty());
  unknown = Call("GET", "/FeatureGroup/nope?RecordIdentifierValueAsString=C1");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorType(unknown), "ResourceNotFound");

  ClientResponse wrong_type =
      Call("PUT", "/FeatureGroup/customers", PutBody("C1", 1, "ohio", "abc"));
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(ErrorType(wrong_type), "ValidationError");
  EXPECT_NE(BodyOf(wrong_type)["message"].get<std::string>().find("age"), std::string::npos);

  for (const std::string& body :
       {std::string("not json"), std::string("{}"), std::string(R"({"Record":[]})"),
        std::string(R"({"Record":[{"FeatureName":"state"}]})"),
        std::string(R"({"Record":[{"FeatureName":"unknown","ValueAsString":"x"}]})")}) {
    ClientResponse bad = Call("PUT", "/FeatureGroup/customers", body);
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_EQ(ErrorType(bad), "ValidationError") << body;
  }
  ClientResponse no_id = Call("GET", "/FeatureGroup/customers");
  EXPECT_EQ(no_id.status, 400);
  ClientResponse bad_feature =
      Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1&FeatureName=zzz");
  EXPECT_EQ(bad_feature.status, 400);
  EXPECT_EQ(ErrorType(bad_feature), "ValidationError");
}

TEST_F(FeatureStoreApiTest, BatchGetRecordReportsRecordsAndErrors) {
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C1", 1, "ohio")).status, 200);
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C2", 1, "utah")).status, 200);
  Json request = {
      {"Identifiers", Json::array({{{"FeatureGroupName", "customers"},
                                    {"RecordIdentifiersValueAsString", {"C1", "C2", "C3"}},
                                    {"FeatureNames", {"state"}}},
                                   {{"FeatureGroupName", "missing_group"},
                                    {"RecordIdentifiersValueAsString", {"X"}}}})}};
  ClientResponse response = Call("POST", "/BatchGetRecord", DumpJson(request));
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = BodyOf(response);
  ASSERT_EQ(body["Records"].size(), 2u);
  EXPECT_EQ(body["Records"][0]["FeatureGroupName"], "customers");
  EXPECT_EQ(body["Records"][0]["RecordIdentifierValueAsString"], "C1");
  EXPECT_EQ(Values(body["Records"][0]["Record"]),
            (std::map<std::string, std::string>{{"state", "ohio"}}));
  ASSERT_EQ(body["Errors"].size(), 1u);
  EXPECT_EQ(body["Errors"][0]["ErrorCode"], "ResourceNotFound");
  EXPECT_EQ(body["Errors"][0]["RecordIdentifierValueAsString"], "X");
  EXPECT_EQ(body["UnprocessedIdentifiers"], Json::array());

  ClientResponse bad = Call("POST", "/BatchGetRecord", R"({"Identifiers":[]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ErrorType(bad), "ValidationError");
}

TEST_F(FeatureStoreApiTest, SoftAndHardDelete) {
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C1", 100, "ohio")).status, 200);
  ClientResponse response =
      Call("DELETE", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1&EventTime=150");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(BodyOf(Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1")),
            Json::object());

  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C2", 100, "ohio")).status, 200);
  response = Call("DELETE",
                  "/FeatureGroup/customers?RecordIdentifierValueAsString=C2&EventTime=50&"
                  "DeletionMode=HardDelete");
  EXPECT_EQ(response.status, 400) << "a hard delete older than the record is rejected";
  EXPECT_EQ(ErrorType(response), "ValidationError");
  response = Call("DELETE",
                  "/FeatureGroup/customers?RecordIdentifierValueAsString=C2&"
                  "EventTime=2026-11-27T00:00:00Z&DeletionMode=HardDelete");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(BodyOf(Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C2")),
            Json::object());

  EXPECT_EQ(Call("DELETE", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1").status, 400);
  EXPECT_EQ(
      Call("DELETE", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1&EventTime=x").status,
      400);
  EXPECT_EQ(Call("DELETE",
                 "/FeatureGroup/customers?RecordIdentifierValueAsString=C1&EventTime=1&"
                 "DeletionMode=Shred")
                .status,
            400);
}

TEST_F(FeatureStoreApiTest, TtlDurationExpiresTheRecord) {
  double now = server_.clock().NowSeconds();
  Json body = *ParseJson(PutBody("C1", now, "ohio"), "body");
  body["TtlDuration"] = {{"Unit", "Minutes"}, {"Value", 2}};
  body["TargetStores"] = {"OnlineStore", "OfflineStore"};
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", DumpJson(body)).status, 200);
  EXPECT_NE(BodyOf(Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1")),
            Json::object());
  server_.clock().AdvanceSeconds(121);
  EXPECT_EQ(BodyOf(Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1")),
            Json::object());
  body["TtlDuration"] = {{"Unit", "Fortnights"}, {"Value", 2}};
  EXPECT_EQ(Call("PUT", "/FeatureGroup/customers", DumpJson(body)).status, 400);
  body["TtlDuration"] = {{"Unit", "Days"}, {"Value", 1}};
  body["TargetStores"] = {"Elsewhere"};
  EXPECT_EQ(Call("PUT", "/FeatureGroup/customers", DumpJson(body)).status, 400);
}

TEST_F(FeatureStoreApiTest, TargetStoresChooseWhereTheRecordGoes) {
  auto put = [&](double time, const std::string& state, const Json& stores) {
    Json body = *ParseJson(PutBody("C1", time, state), "body");
    if (!stores.is_null()) body["TargetStores"] = stores;
    return Call("PUT", "/FeatureGroup/customers", DumpJson(body));
  };
  auto online_state = [&] {
    Json got = BodyOf(Call("GET", "/FeatureGroup/customers?RecordIdentifierValueAsString=C1"));
    return got.contains("Record") ? Values(got["Record"])["state"] : "<absent>";
  };
  auto offline_states = [&] {
    auto rows = server_.store()->Query(
        "SELECT state FROM customers WHERE customer_id = 'C1' ORDER BY event_time");
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> out;
    for (const auto& row : rows.ok() ? rows->rows : decltype(rows->rows){}) {
      out.push_back(row[0].string_value());
    }
    return out;
  };
  ASSERT_EQ(put(100, "v1", Json()).status, 200);
  // The issue's case: offline only with a newer event time leaves v1 online.
  ASSERT_EQ(put(300, "v3", Json::array({"OfflineStore"})).status, 200);
  EXPECT_EQ(online_state(), "v1");
  // Online only: replaces the online record, adds no history.
  ASSERT_EQ(put(200, "v2", Json::array({"OnlineStore"})).status, 200);
  EXPECT_EQ(online_state(), "v2");
  EXPECT_EQ(offline_states(), (std::vector<std::string>{"v1", "v3"}));
  // Both, listed explicitly.
  ASSERT_EQ(put(400, "v4", Json::array({"OfflineStore", "OnlineStore"})).status, 200);
  EXPECT_EQ(online_state(), "v4");
  EXPECT_EQ(offline_states(), (std::vector<std::string>{"v1", "v3", "v4"}));
  for (const Json& bad : {Json::array(), Json::array({"Elsewhere"}), Json("OnlineStore")}) {
    ClientResponse response = put(500, "bad", bad);
    EXPECT_EQ(response.status, 400) << bad.dump();
    EXPECT_EQ(ErrorType(response), "ValidationError");
  }
  EXPECT_EQ(online_state(), "v4");
}

TEST_F(FeatureStoreApiTest, ExpirationTimeResponseReturnsExpiresAt) {
  const double now = 1'764'000'000;  // the test server's clock
  Json body = *ParseJson(PutBody("C1", now, "ohio"), "body");
  body["TtlDuration"] = {{"Unit", "Hours"}, {"Value", 1}};
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", DumpJson(body)).status, 200);
  ASSERT_EQ(Call("PUT", "/FeatureGroup/customers", PutBody("C2", now, "utah")).status, 200);
  const std::string get = "/FeatureGroup/customers?RecordIdentifierValueAsString=";
  Json with = BodyOf(Call("GET", get + "C1&ExpirationTimeResponse=Enabled"));
  // 1764000000 + 3600 seconds.
  EXPECT_EQ(with["ExpiresAt"], "2025-11-24T17:00:00Z") << with.dump();
  EXPECT_FALSE(BodyOf(Call("GET", get + "C1")).contains("ExpiresAt"));
  EXPECT_FALSE(
      BodyOf(Call("GET", get + "C1&ExpirationTimeResponse=Disabled")).contains("ExpiresAt"));
  // No TTL: no ExpiresAt even when asked.
  Json never = BodyOf(Call("GET", get + "C2&ExpirationTimeResponse=Enabled"));
  EXPECT_TRUE(never.contains("Record"));
  EXPECT_FALSE(never.contains("ExpiresAt"));
  EXPECT_EQ(Call("GET", get + "C1&ExpirationTimeResponse=Sometimes").status, 400);

  Json request = {
      {"Identifiers", Json::array({{{"FeatureGroupName", "customers"},
                                    {"RecordIdentifiersValueAsString", {"C1", "C2"}}}})},
      {"ExpirationTimeResponse", "Enabled"}};
  Json batch = BodyOf(Call("POST", "/BatchGetRecord", DumpJson(request)));
  ASSERT_EQ(batch["Records"].size(), 2u) << batch.dump();
  EXPECT_EQ(batch["Records"][0]["ExpiresAt"], "2025-11-24T17:00:00Z");
  EXPECT_FALSE(batch["Records"][1].contains("ExpiresAt"));
  request.erase("ExpirationTimeResponse");
  batch = BodyOf(Call("POST", "/BatchGetRecord", DumpJson(request)));
  EXPECT_FALSE(batch["Records"][0].contains("ExpiresAt"));
}

TEST_F(FeatureStoreApiTest, NativeFeatureGroupRoutes) {
  ClientResponse list = Call("GET", "/v1/feature-groups");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(BodyOf(list)["FeatureGroups"].size(), 1u);
  ClientResponse describe = Call("GET", "/v1/feature-groups/customers");
  ASSERT_EQ(describe.status, 200);
  EXPECT_EQ(BodyOf(describe)["FeatureGroupName"], "customers");
  EXPECT_EQ(Call("GET", "/v1/feature-groups/nope").status, 404);
}

}  // namespace
}  // namespace pantry::server
