// boto3 against pantry: the kinesis and sagemaker-featurestore-runtime
// clients, unchanged except for endpoint_url, talk to a real in-process
// server. Skipped (with the reason) when /usr/bin/python3 has no boto3.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

extern char** environ;

namespace pantry {
namespace {

// Exercises both clients and prints one JSON object with what it saw.
constexpr char kScript[] = R"PY(
import json, sys
import boto3
from botocore.config import Config

port, token = sys.argv[1], sys.argv[2]
endpoint = "http://127.0.0.1:%s" % port
session = boto3.session.Session(aws_access_key_id=token, aws_secret_access_key="unused",
                                region_name="us-east-1")
config = Config(retries={"max_attempts": 1})
out = {}

kinesis = session.client("kinesis", endpoint_url=endpoint, config=config)
r = kinesis.put_record(StreamName="click_stream", Data=b'{"customer_id":"C1"}', PartitionKey="C1")
out["put_record"] = {"ShardId": r["ShardId"], "SequenceNumber": r["SequenceNumber"]}
r = kinesis.put_records(StreamName="click_stream",
                        Records=[{"Data": ("event %d" % i).encode(), "PartitionKey": "C%d" % i}
                                 for i in range(10)])
out["put_records"] = {"FailedRecordCount": r["FailedRecordCount"], "count": len(r["Records"])}
out["list_streams"] = kinesis.list_streams()["StreamNames"]
d = kinesis.describe_stream(StreamName="click_stream")["StreamDescription"]
out["describe_stream"] = {"status": d["StreamStatus"], "shards": len(d["Shards"])}
s = kinesis.describe_stream_summary(StreamName="click_stream")["StreamDescriptionSummary"]
out["describe_stream_summary"] = s["OpenShardCount"]
try:
    kinesis.put_record(StreamName="missing", Data=b"x", PartitionKey="k")
    out["missing_stream"] = "no error"
except kinesis.exceptions.ResourceNotFoundException as e:
    out["missing_stream"] = e.response["Error"]["Code"]
bad = session.client("kinesis", endpoint_url=endpoint, config=config,
                     aws_access_key_id="not-the-token", aws_secret_access_key="x")
try:
    bad.put_record(StreamName="click_stream", Data=b"x", PartitionKey="k")
    out["wrong_key"] = "no error"
except Exception as e:
    out["wrong_key"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]

fs = session.client("sagemaker-featurestore-runtime", endpoint_url=endpoint, config=config)
fs.put_record(FeatureGroupName="customers",
              Record=[{"FeatureName": "customer_id", "ValueAsString": "C1"},
                      {"FeatureName": "event_time", "ValueAsString": "1700000000.5"},
                      {"FeatureName": "state", "ValueAsString": "ohio"}])
r = fs.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C1")
out["get_record"] = {f["FeatureName"]: f["ValueAsString"] for f in r["Record"]}
r = fs.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C1",
                  FeatureNames=["state"])
out["get_record_subset"] = [f["FeatureName"] for f in r["Record"]]
r = fs.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="nobody")
out["get_absent"] = "Record" in r
r = fs.batch_get_record(Identifiers=[{"FeatureGroupName": "customers",
                                      "RecordIdentifiersValueAsString": ["C1", "C2"]}])
out["batch_get"] = {"records": len(r["Records"]), "errors": len(r["Errors"]),
                    "unprocessed": len(r["UnprocessedIdentifiers"])}
try:
    fs.get_record(FeatureGroupName="nope", RecordIdentifierValueAsString="C1")
    out["unknown_group"] = "no error"
except fs.exceptions.ResourceNotFound as e:
    out["unknown_group"] = e.response["Error"]["Code"]
try:
    fs.put_record(FeatureGroupName="customers",
                  Record=[{"FeatureName": "customer_id", "ValueAsString": "C1"},
                          {"FeatureName": "event_time", "ValueAsString": "not a time"}])
    out["bad_record"] = "no error"
except fs.exceptions.ValidationError as e:
    out["bad_record"] = e.response["Error"]["Code"]
fs.delete_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C1",
                 EventTime="1700000001")
r = fs.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C1")
out["after_delete"] = "Record" in r
bad_fs = session.client("sagemaker-featurestore-runtime", endpoint_url=endpoint, config=config,
                        aws_access_key_id="not-the-token", aws_secret_access_key="x")
try:
    bad_fs.delete_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C1",
                         EventTime="1700000002")
    out["fs_wrong_key"] = "no error"
except bad_fs.exceptions.AccessForbidden as e:
    out["fs_wrong_key"] = e.response["Error"]["Code"]
print(json.dumps(out))
)PY";

TEST(Boto3Test, KinesisAndFeatureStoreRuntimeClientsWorkUnchanged) {
  if (auto missing = testing::Boto3Unavailable()) {
    FAIL() << *missing;
  }
  std::string out, err;
  testing::TempDir home;
  FakeClock clock(1'700'000'000'000'000);
  server::MemoryEventIngest ingest(&clock, {"click_stream"}, 2);
  featurestore::FeatureStoreOptions store_options;
  store_options.home = home.path();
  store_options.online_backend = featurestore::OnlineBackend::kMemory;
  store_options.clock = &clock;
  auto store = featurestore::FeatureStore::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status();
  featurestore::FeatureGroupDefinition customers;
  customers.name = "customers";
  customers.record_identifier_name = "customer_id";
  customers.event_time_name = "event_time";
  customers.features = {{"customer_id", featurestore::FeatureType::kString},
                        {"event_time", featurestore::FeatureType::kFractional},
                        {"state", featurestore::FeatureType::kString}};
  ASSERT_TRUE((*store)->CreateFeatureGroup(customers).ok());

  MetricsRegistry metrics;
  server::ServerOptions options;
  options.http.port = 0;
  options.token = "pantry-token";
  options.access_log = false;
  options.metrics = &metrics;
  server::ServerComponents components;
  components.events = &ingest;
  components.features = store->get();
  auto server = server::PantryServer::Start(options, std::move(components));
  ASSERT_TRUE(server.ok()) << server.status();

  testing::TempDir scratch;
  std::filesystem::path script = scratch.path() / "boto3_client.py";
  std::ofstream(script) << kScript;
  int code = testing::RunBoto3Python(
      {script.string(), std::to_string((*server)->port()), "pantry-token"}, &out, &err);
  (*server)->Shutdown();
  ASSERT_EQ(code, 0) << "stdout: " << out << "\nstderr: " << err;
  StatusOr<Json> seen = ParseJson(out, "script output");
  ASSERT_TRUE(seen.ok()) << out << err;
  const Json& r = *seen;
  EXPECT_TRUE(r["put_record"]["ShardId"].get<std::string>().starts_with("shardId-"));
  EXPECT_EQ(r["put_records"]["FailedRecordCount"], 0);
  EXPECT_EQ(r["put_records"]["count"], 10);
  EXPECT_EQ(r["list_streams"], Json({"click_stream"}));
  EXPECT_EQ(r["describe_stream"]["status"], "ACTIVE");
  EXPECT_EQ(r["describe_stream"]["shards"], 2);
  EXPECT_EQ(r["describe_stream_summary"], 2);
  EXPECT_EQ(r["missing_stream"], "ResourceNotFoundException");
  EXPECT_EQ(r["wrong_key"], Json({"AccessDeniedException", 401}));
  EXPECT_EQ(r["get_record"]["state"], "ohio");
  EXPECT_EQ(r["get_record_subset"], Json({"state"}));
  EXPECT_FALSE(r["get_absent"].get<bool>());
  EXPECT_EQ(r["batch_get"], Json({{"records", 1}, {"errors", 0}, {"unprocessed", 0}}));
  EXPECT_EQ(r["unknown_group"], "ResourceNotFound");
  EXPECT_EQ(r["bad_record"], "ValidationError");
  EXPECT_FALSE(r["after_delete"].get<bool>());
  EXPECT_EQ(r["fs_wrong_key"], "AccessForbidden");

  auto records = ingest.Records("click_stream");
  ASSERT_EQ(records.size(), 11u);
  bool found_first = false;
  for (const auto& record : records) {
    if (record.partition_key == "C1" && record.data == R"({"customer_id":"C1"})")
      found_first = true;
  }
  EXPECT_TRUE(found_first) << "put_record's bytes arrive decoded";
}

}  // namespace
}  // namespace pantry
