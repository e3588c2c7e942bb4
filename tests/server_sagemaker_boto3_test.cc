// boto3 against pantry, the SageMaker side of the workshop's notebooks with
// only endpoint_url and credentials changed: notebook 1 creates the feature
// groups with the sagemaker client and waits for Created, lists them, and
// puts and gets records with sagemaker-featurestore-runtime; notebook 4
// invokes both model endpoints with sagemaker-runtime. Skipped (with the
// reason) when /usr/bin/python3 has no boto3. Parameters Debian's botocore
// 1.29 does not know (TargetStores, TtlDuration, ExpirationTimeResponse) are
// tried only when the installed botocore has them; the C++ server tests
// cover them over plain HTTP.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/sagemaker_runtime_api.h"
#include "pantry/server/server.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/recommend_fixture.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"
#include "pantry/workshop/feature_groups.h"

namespace pantry {
namespace {

using pantry::testing::RankRow;

constexpr char kCfAlias[] = "factorization-machines-2026-11-30-12-00-00-000";
constexpr char kRankAlias[] = "xgboost-2026-11-30-12-05-00-000";

// The notebooks' calls; prints one JSON object with what it saw.
constexpr char kScript[] = R"PY(
import json, sys, time
import boto3
from botocore.config import Config

port, token, spec_path = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.load(open(spec_path))
endpoint = "http://127.0.0.1:%s" % port
session = boto3.session.Session(aws_access_key_id=token, aws_secret_access_key="unused",
                                region_name="us-east-1")
config = Config(retries={"max_attempts": 1})
role = "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole"
s3_uri = "s3://sagemaker-us-east-1-123456789012/feature-store"
out = {}

sm = session.client("sagemaker", endpoint_url=endpoint, config=config)
for g in spec["groups"]:
    args = dict(FeatureGroupName=g["name"], RecordIdentifierFeatureName=g["record_id"],
                EventTimeFeatureName=g["event_time"], FeatureDefinitions=g["features"],
                OfflineStoreConfig={"S3StorageConfig": {"S3Uri": s3_uri},
                                    "DisableGlueTableCreation": False},
                RoleArn=role, Description="workshop group " + g["name"],
                Tags=[{"Key": "workshop", "Value": "grocery"}])
    if g["online"]:
        args["OnlineStoreConfig"] = {"EnableOnlineStore": True}
    sm.create_feature_group(**args)
statuses = {}
for g in spec["groups"]:
    # Notebook 1's wait loop.
    status = "Creating"
    for _ in range(50):
        d = sm.describe_feature_group(FeatureGroupName=g["name"])
        status = d["FeatureGroupStatus"]
        if status != "Creating":
            break
        time.sleep(0.1)
    statuses[g["name"]] = status
out["statuses"] = statuses
d = sm.describe_feature_group(FeatureGroupName="customers")
out["describe"] = {"arn": d["FeatureGroupArn"], "s3": d["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"],
                   "online": d["OnlineStoreConfig"]["EnableOnlineStore"], "role": d["RoleArn"],
                   "features": len(d["FeatureDefinitions"]),
                   "creation_time": type(d["CreationTime"]).__name__}
listed = sm.list_feature_groups(SortBy="Name", SortOrder="Ascending")
out["listed"] = [s["FeatureGroupName"] for s in listed["FeatureGroupSummaries"]]
pages = sm.get_paginator("list_feature_groups").paginate(
    NameContains="click", SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 1})
out["pages"] = [[s["FeatureGroupName"] for s in p["FeatureGroupSummaries"]] for p in pages]
try:
    sm.create_feature_group(FeatureGroupName="customers", RecordIdentifierFeatureName="customer_id",
                            EventTimeFeatureName="event_time",
                            FeatureDefinitions=spec["groups"][0]["features"],
                            OnlineStoreConfig={"EnableOnlineStore": True})
    out["duplicate"] = "no error"
except sm.exceptions.ResourceInUse as e:
    out["duplicate"] = e.response["Error"]["Code"]
try:
    sm.describe_feature_group(FeatureGroupName="nope")
    out["missing"] = "no error"
except sm.exceptions.ResourceNotFound as e:
    out["missing"] = e.response["Error"]["Code"]
sm.update_feature_group(FeatureGroupName="customers",
                        FeatureAdditions=[{"FeatureName": "loyalty_tier", "FeatureType": "String"}])
d = sm.describe_feature_group(FeatureGroupName="customers")
out["after_update"] = d["FeatureDefinitions"][-1]["FeatureName"]

fs = session.client("sagemaker-featurestore-runtime", endpoint_url=endpoint, config=config)
record = [{"FeatureName": k, "ValueAsString": v} for k, v in spec["customer"].items()]
fs.put_record(FeatureGroupName="customers", Record=record)
r = fs.get_record(FeatureGroupName="customers",
                  RecordIdentifierValueAsString=spec["customer"]["customer_id"])
out["get_record"] = {f["FeatureName"]: f["ValueAsString"] for f in r["Record"]}
put_members = fs.meta.service_model.operation_model("PutRecord").input_shape.members
out["target_stores_supported"] = "TargetStores" in put_members
if "TargetStores" in put_members:
    newer = [dict(f) for f in record]
    for f in newer:
        if f["FeatureName"] == "event_time":
            f["ValueAsString"] = spec["newer_event_time"]
        if f["FeatureName"] == "state":
            f["ValueAsString"] = "offline-only"
    fs.put_record(FeatureGroupName="customers", Record=newer, TargetStores=["OfflineStore"])
    r = fs.get_record(FeatureGroupName="customers",
                      RecordIdentifierValueAsString=spec["customer"]["customer_id"])
    out["after_offline_only"] = {f["FeatureName"]: f["ValueAsString"] for f in r["Record"]}["state"]

rt = session.client("sagemaker-runtime", endpoint_url=endpoint, config=config)
body = json.dumps({"instances": [{"features": row} for row in spec["cf_rows"]]})
r = rt.invoke_endpoint(EndpointName=spec["cf_endpoint"], ContentType="application/json", Body=body)
out["cf_content_type"] = r["ContentType"]
out["cf_scores"] = [p["score"] for p in json.loads(r["Body"].read())["predictions"]]
r = rt.invoke_endpoint(EndpointName=spec["rank_endpoint"], ContentType="text/csv",
                       Body=spec["rank_csv"])
out["rank_content_type"] = r["ContentType"]
out["rank_scores"] = [float(x) for x in r["Body"].read().decode("utf-8").split("\n")]
try:
    rt.invoke_endpoint(EndpointName="no-such-endpoint", ContentType="text/csv", Body="1")
    out["unknown_endpoint"] = "no error"
except rt.exceptions.ValidationError as e:
    out["unknown_endpoint"] = e.response["Error"]["Code"]
try:
    rt.invoke_endpoint(EndpointName="pantry-rank", ContentType="text/csv", Body="1,2")
    out["bad_rows"] = "no error"
except rt.exceptions.ModelError as e:
    out["bad_rows"] = [e.response["Error"]["Code"], e.response.get("OriginalStatusCode")]

sm.delete_feature_group(FeatureGroupName="orders")
out["after_delete"] = [s["FeatureGroupName"] for s in
                       sm.list_feature_groups(MaxResults=100)["FeatureGroupSummaries"]]
print(json.dumps(out))
)PY";

// Notebook 1's five groups, as the workshop declares them.
Json WorkshopGroupsJson() {
  Json groups = Json::array();
  for (const workshop::WorkshopGroup& g : workshop::WorkshopGroups()) {
    const featurestore::FeatureGroupDefinition& d = g.definition;
    if (d.name == "click_stream_live") continue;
    Json features = Json::array();
    for (const auto& f : d.features) {
      features.push_back(
          {{"FeatureName", f.name}, {"FeatureType", std::string(FeatureTypeName(f.type))}});
    }
    groups.push_back({{"name", d.name},
                      {"record_id", d.record_identifier_name},
                      {"event_time", d.event_time_name},
                      {"features", features},
                      {"online", d.online_enabled}});
  }
  return groups;
}

class SageMakerBoto3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = testing::Boto3Unavailable()) {
      FAIL() << *missing;
    }
    std::string out, err;
    auto fixture = testing::RecommendFixture::Create({});
    ASSERT_TRUE(fixture.ok()) << fixture.status();
    fixture_ = std::move(*fixture);
    recommend::RecommenderOptions recommender_options;
    recommender_options.store = &fixture_->store();
    recommender_options.clock = &fixture_->clock();
    auto recommender = recommend::Recommender::Open(recommender_options);
    ASSERT_TRUE(recommender.ok()) << recommender.status();
    recommender_ = std::move(*recommender);
    ASSERT_TRUE(recommender_->Install(fixture_->cf(), "cf-1", fixture_->rank(), "rank-1").ok());

    // A fresh home for the groups the script creates.
    featurestore::FeatureStoreOptions store_options;
    store_options.home = home_.path();
    store_options.online_backend = featurestore::OnlineBackend::kMemory;
    store_options.clock = &clock_;
    auto store = featurestore::FeatureStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);

    server::SageMakerRuntimeOptions runtime;
    ASSERT_TRUE(server::AddEndpointAlias(std::string(kCfAlias) + "=pantry-cf", &runtime).ok());
    ASSERT_TRUE(server::AddEndpointAlias(std::string(kRankAlias) + "=pantry-rank", &runtime).ok());
    server::ServerOptions options;
    options.http.port = 0;
    options.token = "pantry-token";
    options.access_log = false;
    options.metrics = &metrics_;
    server::ServerComponents components;
    components.features = store_.get();
    components.extra_routes.push_back([this, runtime](server::HttpService* s) {
      return server::RegisterSageMakerRuntimeApi(s, recommender_.get(), runtime);
    });
    auto server = server::PantryServer::Start(options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  testing::TempDir home_;
  FakeClock clock_{1'800'000'000'000'000};
  MetricsRegistry metrics_;
  std::unique_ptr<testing::RecommendFixture> fixture_;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::unique_ptr<server::PantryServer> server_;
};

TEST_F(SageMakerBoto3Test, WorkshopNotebookCallsRunUnchanged) {
  // Rows for the endpoints, and what the models themselves say about them.
  const models::CfModel& cf = *fixture_->cf();
  Json cf_rows = Json::array();
  std::vector<double> cf_expected;
  for (int i = 0; i < 3; ++i) {
    std::vector<uint32_t> indices;
    std::vector<float> values;
    cf.EncodeCustomer("c" + std::to_string(i), "N", "texas", &indices, &values);
    cf.EncodeProduct("p" + std::to_string(i * 7), "organic bananas", &indices, &values);
    std::vector<float> dense(cf.fm().num_features(), 0.0f);
    for (size_t k = 0; k < indices.size(); ++k) dense[indices[k]] = values[k];
    cf_rows.push_back(dense);
    cf_expected.push_back(cf.fm().Predict({indices, values}));
  }
  std::vector<models::RankExample> examples = {
      RankRow(0.0f, 1.0f, 0.3f, 0.7f, "produce"), RankRow(4.0f, 1.0f, 0.9f, 0.9f, "produce"),
      RankRow(1.0f, 1.0f, 0.1f, 0.2f, "snacks"), RankRow(2.0f, 1.0f, 0.6f, 0.4f, "dairy")};
  models::DenseMatrix x = fixture_->rank()->Encode(examples);
  std::ostringstream csv;
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t c = 0; c < x.cols; ++c) csv << (c ? "," : "") << x.row(r)[c];
    if (r + 1 < x.rows) csv << "\n";
  }
  auto rank_expected = fixture_->rank()->Predict(examples);
  ASSERT_TRUE(rank_expected.ok());

  Json spec = {{"groups", WorkshopGroupsJson()},
               {"customer",
                {{"customer_id", "C42"},
                 {"event_time", "2027-01-15T08:00:00Z"},
                 {"state", "texas"},
                 {"is_married", "1"},
                 {"customer_health_index", "0.72"},
                 {"sex", "F"},
                 {"age", "31"}}},
               {"newer_event_time", "2027-01-15T09:00:00Z"},
               {"cf_endpoint", kCfAlias},
               {"cf_rows", cf_rows},
               {"rank_endpoint", kRankAlias},
               {"rank_csv", csv.str()}};
  // Keep only the customer fields the declared group has.
  auto customers = workshop::FindWorkshopGroup("customers");
  ASSERT_TRUE(customers.ok());
  Json kept = Json::object();
  for (const auto& [name, value] : spec["customer"].items()) {
    if ((*customers)->definition.FindFeature(name) != nullptr) kept[name] = value;
  }
  spec["customer"] = kept;

  testing::TempDir scratch;
  std::filesystem::path script = scratch.path() / "notebooks.py";
  std::filesystem::path spec_file = scratch.path() / "spec.json";
  std::ofstream(script) << kScript;
  std::ofstream(spec_file) << DumpJson(spec);
  std::string out, err;
  int code = testing::RunBoto3Python(
      {script.string(), std::to_string(server_->port()), "pantry-token", spec_file.string()}, &out,
      &err);
  ASSERT_EQ(code, 0) << "stdout: " << out << "\nstderr: " << err;
  StatusOr<Json> seen = ParseJson(out, "script output");
  ASSERT_TRUE(seen.ok()) << out << err;
  const Json& r = *seen;

  const std::vector<std::string> created = {"click_stream", "click_stream_historical", "customers",
                                            "orders", "products"};
  for (const std::string& name : created) EXPECT_EQ(r["statuses"][name], "Created") << name;
  EXPECT_EQ(r["listed"], Json(created));
  EXPECT_EQ(r["pages"],
            Json::array({Json::array({"click_stream"}), Json::array({"click_stream_historical"})}));
  EXPECT_EQ(r["describe"]["arn"],
            "arn:aws:sagemaker:us-east-1:000000000000:feature-group/customers");
  EXPECT_EQ(r["describe"]["s3"], "s3://sagemaker-us-east-1-123456789012/feature-store");
  EXPECT_EQ(r["describe"]["online"], true);
  EXPECT_EQ(r["describe"]["creation_time"], "datetime");
  EXPECT_EQ(r["describe"]["features"], (*customers)->definition.features.size());
  EXPECT_EQ(r["duplicate"], "ResourceInUse");
  EXPECT_EQ(r["missing"], "ResourceNotFound");
  EXPECT_EQ(r["after_update"], "loyalty_tier");
  EXPECT_EQ(r["get_record"], spec["customer"]);
  if (r["target_stores_supported"].get<bool>()) {
    EXPECT_EQ(r["after_offline_only"], "texas");
  }

  // The groups are pantry's: the offline-only one has no online store.
  auto historical = store_->DescribeFeatureGroup("click_stream_historical");
  ASSERT_TRUE(historical.ok());
  EXPECT_FALSE(historical->online_enabled);
  EXPECT_TRUE(historical->offline_enabled);

  EXPECT_EQ(r["cf_content_type"], "application/json");
  ASSERT_EQ(r["cf_scores"].size(), cf_expected.size());
  for (size_t i = 0; i < cf_expected.size(); ++i) {
    EXPECT_NEAR(r["cf_scores"][i].get<double>(), cf_expected[i], 1e-5);
  }
  EXPECT_EQ(r["rank_content_type"], "text/csv");
  ASSERT_EQ(r["rank_scores"].size(), rank_expected->size());
  for (size_t i = 0; i < rank_expected->size(); ++i) {
    EXPECT_NEAR(r["rank_scores"][i].get<double>(), (*rank_expected)[i], 1e-6);
  }
  EXPECT_EQ(r["unknown_endpoint"], "ValidationError");
  EXPECT_EQ(r["bad_rows"], Json::array({"ModelError", 400}));
  EXPECT_EQ(r["after_delete"].size(), 4u);
}

}  // namespace
}  // namespace pantry
