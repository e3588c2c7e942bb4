// The SageMaker control plane's feature group operations over HTTP (AWS
// JSON 1.1, X-Amz-Target SageMaker.*), as boto3's sagemaker client sends
// them.
#include "pantry/server/sagemaker_api.h"

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using testing::TestServer;
using testing::TestServerOptions;

Json CustomersRequest(const std::string& name = "customers") {
  return Json{{"FeatureGroupName", name},
              {"RecordIdentifierFeatureName", "customer_id"},
              {"EventTimeFeatureName", "event_time"},
              {"FeatureDefinitions",
               Json::array({{{"FeatureName", "customer_id"}, {"FeatureType", "Integral"}},
                            {{"FeatureName", "event_time"}, {"FeatureType", "Fractional"}},
                            {{"FeatureName", "state"}, {"FeatureType", "String"}}})},
              {"OnlineStoreConfig",
               {{"EnableOnlineStore", true},
                {"SecurityConfig", {{"KmsKeyId", "alias/ignored"}}},
                {"TtlDuration", {{"Unit", "Days"}, {"Value", 2}}}}},
              {"OfflineStoreConfig",
               {{"S3StorageConfig", {{"S3Uri", "s3://bucket/prefix"}}},
                {"DisableGlueTableCreation", false}}},
              {"RoleArn", "arn:aws:iam::123456789012:role/sm"},
              {"Description", "customer profiles"},
              {"Tags", Json::array({{{"Key", "team"}, {"Value", "grocery"}}})}};
}

class SageMakerApiTest : public ::testing::Test {
 protected:
  SageMakerApiTest() : server_(Options()), client_(server_.Client()) {}

  static TestServerOptions Options() {
    TestServerOptions options;
    options.feature_store = true;
    return options;
  }

  // Returns {status, body, __type}.
  std::tuple<int, Json, std::string> Call(const std::string& op, const Json& body) {
    auto response = client_->Send(
        "POST", "/",
        {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "SageMaker." + op}},
        DumpJson(body));
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return {0, Json(), ""};
    auto json = ParseJson(response->body, "response");
    EXPECT_TRUE(json.ok()) << response->body;
    Json parsed = json.ok() ? *json : Json();
    std::string type = parsed.is_object() && parsed.contains("__type") ? parsed["__type"] : "";
    return {response->status, parsed, type};
  }

  TestServer server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SageMakerApiTest, CreateThenDescribeIsCreatedWithEverythingRecorded) {
  auto [status, created, type] = Call("CreateFeatureGroup", CustomersRequest());
  ASSERT_EQ(status, 200) << created.dump();
  EXPECT_EQ(created["FeatureGroupArn"],
            "arn:aws:sagemaker:us-east-1:000000000000:feature-group/customers");

  auto [s2, d, t2] = Call("DescribeFeatureGroup", {{"FeatureGroupName", "customers"}});
  ASSERT_EQ(s2, 200) << d.dump();
  EXPECT_EQ(d["FeatureGroupStatus"], "Created");
  EXPECT_EQ(d["FeatureGroupName"], "customers");
  EXPECT_EQ(d["FeatureGroupArn"], created["FeatureGroupArn"]);
  EXPECT_EQ(d["RecordIdentifierFeatureName"], "customer_id");
  EXPECT_EQ(d["EventTimeFeatureName"], "event_time");
  ASSERT_EQ(d["FeatureDefinitions"].size(), 3u);
  EXPECT_EQ(d["FeatureDefinitions"][0]["FeatureType"], "Integral");
  EXPECT_EQ(d["FeatureDefinitions"][2]["FeatureName"], "state");
  EXPECT_EQ(d["OnlineStoreConfig"]["EnableOnlineStore"], true);
  EXPECT_EQ(d["OnlineStoreConfig"]["TtlDuration"], (Json{{"Unit", "Days"}, {"Value", 2}}));
  EXPECT_EQ(d["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"], "s3://bucket/prefix");
  EXPECT_EQ(d["OfflineStoreStatus"]["Status"], "Active");
  EXPECT_EQ(d["RoleArn"], "arn:aws:iam::123456789012:role/sm");
  EXPECT_EQ(d["Description"], "customer profiles");
  EXPECT_DOUBLE_EQ(d["CreationTime"].get<double>(), server_.clock().NowSeconds());

  // The registry behind it is the one the runtime API and `pantry fg` use.
  auto def = server_.store()->DescribeFeatureGroup("customers");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->ttl_micros, 2 * 86400 * 1000000LL);
  EXPECT_TRUE(def->online_enabled && def->offline_enabled);
  // An ARN names the group too.
  auto [s3, by_arn, t3] =
      Call("DescribeFeatureGroup", {{"FeatureGroupName", created["FeatureGroupArn"]}});
  EXPECT_EQ(s3, 200);
  EXPECT_EQ(by_arn["FeatureGroupName"], "customers");
}

TEST_F(SageMakerApiTest, ErrorsUseSageMakerTypes) {
  ASSERT_EQ(std::get<0>(Call("CreateFeatureGroup", CustomersRequest())), 200);
  auto [s1, b1, t1] = Call("CreateFeatureGroup", CustomersRequest());
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(t1, "ResourceInUse") << b1.dump();
  auto [s2, b2, t2] = Call("DescribeFeatureGroup", {{"FeatureGroupName", "nope"}});
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(t2, "ResourceNotFound");
  auto [s3, b3, t3] = Call("DeleteFeatureGroup", {{"FeatureGroupName", "nope"}});
  EXPECT_EQ(t3, "ResourceNotFound");

  Json bad_type = CustomersRequest("other");
  bad_type["FeatureDefinitions"][2]["FeatureType"] = "Boolean";
  EXPECT_EQ(std::get<2>(Call("CreateFeatureGroup", bad_type)), "ValidationException");
  Json no_event_time = CustomersRequest("other");
  no_event_time["EventTimeFeatureName"] = "missing";
  auto [s4, b4, t4] = Call("CreateFeatureGroup", no_event_time);
  EXPECT_EQ(t4, "ValidationException");
  EXPECT_NE(b4["message"].get<std::string>().find("missing"), std::string::npos);
  Json no_stores = CustomersRequest("other");
  no_stores.erase("OnlineStoreConfig");
  no_stores.erase("OfflineStoreConfig");
  EXPECT_EQ(std::get<2>(Call("CreateFeatureGroup", no_stores)), "ValidationException");
  Json bad_ttl = CustomersRequest("other");
  bad_ttl["OnlineStoreConfig"]["TtlDuration"] = {{"Unit", "Fortnights"}, {"Value", 1}};
  EXPECT_EQ(std::get<2>(Call("CreateFeatureGroup", bad_ttl)), "ValidationException");
  EXPECT_EQ(std::get<2>(Call("ListFeatureGroups", {{"SortBy", "Size"}})), "ValidationException");
  EXPECT_EQ(std::get<2>(Call("ListFeatureGroups", {{"MaxResults", 0}})), "ValidationException");
  // None of the failed creates left a group behind.
  EXPECT_EQ(server_.store()->ListFeatureGroups().size(), 1u);
}

TEST_F(SageMakerApiTest, OfflineOnlyGroupHasNoOnlineStoreConfig) {
  Json request = CustomersRequest("history");
  request.erase("OnlineStoreConfig");
  ASSERT_EQ(std::get<0>(Call("CreateFeatureGroup", request)), 200);
  auto [s, d, t] = Call("DescribeFeatureGroup", {{"FeatureGroupName", "history"}});
  EXPECT_FALSE(d.contains("OnlineStoreConfig"));
  EXPECT_FALSE(server_.store()->DescribeFeatureGroup("history")->online_enabled);
}

TEST_F(SageMakerApiTest, ListFiltersSortsAndPages) {
  for (const char* name : {"b-orders", "a-customers", "c-products", "d-customers"}) {
    ASSERT_EQ(std::get<0>(Call("CreateFeatureGroup", CustomersRequest(name))), 200);
    server_.clock().AdvanceSeconds(10);
  }
  auto names = [](const Json& list) {
    std::vector<std::string> out;
    for (const Json& s : list["FeatureGroupSummaries"]) out.push_back(s["FeatureGroupName"]);
    return out;
  };
  // Default: CreationTime, Descending.
  auto [s1, all, t1] = Call("ListFeatureGroups", Json::object());
  EXPECT_EQ(names(all),
            (std::vector<std::string>{"d-customers", "c-products", "a-customers", "b-orders"}));
  EXPECT_EQ(all["FeatureGroupSummaries"][0]["FeatureGroupStatus"], "Created");
  EXPECT_EQ(all["FeatureGroupSummaries"][0]["OfflineStoreStatus"]["Status"], "Active");
  EXPECT_FALSE(all.contains("NextToken"));

  auto [s2, filtered, t2] =
      Call("ListFeatureGroups",
           {{"NameContains", "CUSTOMERS"}, {"SortBy", "Name"}, {"SortOrder", "Ascending"}});
  EXPECT_EQ(names(filtered), (std::vector<std::string>{"a-customers", "d-customers"}));

  // Paging by name, two at a time.
  std::vector<std::string> paged;
  Json request = {{"SortBy", "Name"}, {"SortOrder", "Ascending"}, {"MaxResults", 2}};
  for (int page = 0; page < 5; ++page) {
    auto [s, body, t] = Call("ListFeatureGroups", request);
    ASSERT_EQ(s, 200) << body.dump();
    for (const std::string& n : names(body)) paged.push_back(n);
    if (!body.contains("NextToken")) break;
    request["NextToken"] = body["NextToken"];
  }
  EXPECT_EQ(paged,
            (std::vector<std::string>{"a-customers", "b-orders", "c-products", "d-customers"}));

  const double second = 1'764'000'000 + 10;  // the test server's clock, after the first group
  auto [s3, window, t3] = Call("ListFeatureGroups", {{"CreationTimeAfter", second - 1},
                                                     {"CreationTimeBefore", second + 11}});
  EXPECT_EQ(names(window), (std::vector<std::string>{"c-products", "a-customers"}));
}

TEST_F(SageMakerApiTest, UpdateAddsFeaturesAndChangesTtlThenDelete) {
  ASSERT_EQ(std::get<0>(Call("CreateFeatureGroup", CustomersRequest())), 200);
  Json update = {
      {"FeatureGroupName", "customers"},
      {"FeatureAdditions", Json::array({{{"FeatureName", "age"}, {"FeatureType", "Integral"}}})},
      {"OnlineStoreConfig", {{"TtlDuration", {{"Unit", "Hours"}, {"Value", 6}}}}}};
  auto [s1, b1, t1] = Call("UpdateFeatureGroup", update);
  ASSERT_EQ(s1, 200) << b1.dump();
  EXPECT_EQ(b1["FeatureGroupArn"],
            "arn:aws:sagemaker:us-east-1:000000000000:feature-group/customers");
  auto [s2, d, t2] = Call("DescribeFeatureGroup", {{"FeatureGroupName", "customers"}});
  ASSERT_EQ(d["FeatureDefinitions"].size(), 4u);
  EXPECT_EQ(d["FeatureDefinitions"][3]["FeatureName"], "age");
  EXPECT_EQ(d["OnlineStoreConfig"]["TtlDuration"], (Json{{"Unit", "Hours"}, {"Value", 6}}));

  // A duplicate feature changes nothing, including the TTL in the same call.
  update["FeatureAdditions"][0]["FeatureName"] = "STATE";
  update["OnlineStoreConfig"]["TtlDuration"]["Value"] = 1;
  EXPECT_EQ(std::get<2>(Call("UpdateFeatureGroup", update)), "ValidationException");
  EXPECT_EQ(server_.store()->DescribeFeatureGroup("customers")->ttl_micros, 6 * 3600 * 1000000LL);
  EXPECT_EQ(std::get<2>(Call("UpdateFeatureGroup", {{"FeatureGroupName", "nope"}})),
            "ResourceNotFound");

  auto [s3, b3, t3] = Call("DeleteFeatureGroup", {{"FeatureGroupName", "customers"}});
  EXPECT_EQ(s3, 200) << b3.dump();
  EXPECT_EQ(std::get<2>(Call("DescribeFeatureGroup", {{"FeatureGroupName", "customers"}})),
            "ResourceNotFound");
  EXPECT_TRUE(server_.store()->ListFeatureGroups().empty());
}

TEST(FeatureGroupNameTest, NamesAndArns) {
  EXPECT_EQ(FeatureGroupNameOf("customers"), "customers");
  EXPECT_EQ(FeatureGroupNameOf("arn:aws:sagemaker:eu-west-1:123456789012:feature-group/fg-1"),
            "fg-1");
  EXPECT_EQ(FeatureGroupArn({"eu-west-1", "123456789012"}, "fg-1"),
            "arn:aws:sagemaker:eu-west-1:123456789012:feature-group/fg-1");
}

}  // namespace
}  // namespace pantry::server
