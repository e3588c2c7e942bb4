// boto3 against pantry: the calls of the workshop's notebook 3, unchanged
// except for endpoint_url and credentials. kinesis.create_stream, wait for
// ACTIVE, kinesisanalytics.create_application with the workshop's SQL and
// input schema and a LambdaOutput, describe and start it, put the click
// events with put_records, and read the aggregated row from the
// click_stream feature group once the window closed. The SQL is the
// workshop's with a 2-second stagger window instead of 2 minutes, so the
// window closes during the test. Skipped (with the reason) when
// /usr/bin/python3 has no boto3.
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"
#include "pantry/workshop/workshop_server.h"

namespace pantry {
namespace {

constexpr char kScript[] = R"PY(
import json, sys, time
import boto3
from botocore.config import Config

port, token = sys.argv[1], sys.argv[2]
endpoint = "http://127.0.0.1:%s" % port
session = boto3.session.Session(aws_access_key_id=token, aws_secret_access_key="unused",
                                region_name="us-east-1")
config = Config(retries={"max_attempts": 1})
kinesis = session.client("kinesis", endpoint_url=endpoint, config=config)
kda = session.client("kinesisanalytics", endpoint_url=endpoint, config=config)
fs = session.client("sagemaker-featurestore-runtime", endpoint_url=endpoint, config=config)
out = {}

stream_name = "sagemaker-fs-click-stream"
kinesis.create_stream(StreamName=stream_name, ShardCount=1)
for _ in range(50):
    d = kinesis.describe_stream(StreamName=stream_name)["StreamDescription"]
    if d["StreamStatus"] == "ACTIVE":
        break
    time.sleep(0.1)
out["stream_status"] = d["StreamStatus"]
out["stream_shards"] = len(d["Shards"])
stream_arn = d["StreamARN"]
try:
    kinesis.create_stream(StreamName=stream_name, ShardCount=1)
    out["create_again"] = "no error"
except kinesis.exceptions.ResourceInUseException as e:
    out["create_again"] = e.response["Error"]["Code"]

sql = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CUSTOMER_ID,
       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,
       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' SECOND);
"""
role = "arn:aws:iam::000000000000:role/service-role/kda-role"
lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:sagemaker-fs-click-stream-lambda"
r = kda.create_application(
    ApplicationName="sagemaker-fs-click-stream-app",
    ApplicationDescription="workshop notebook 3",
    ApplicationCode=sql,
    Inputs=[{
        "NamePrefix": "SOURCE_SQL_STREAM",
        "KinesisStreamsInput": {"ResourceARN": stream_arn, "RoleARN": role},
        "InputSchema": {
            "RecordFormat": {"RecordFormatType": "JSON",
                             "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
            "RecordEncoding": "UTF-8",
            "RecordColumns": [
                {"Name": "EVENT_TIME", "Mapping": "$.event_time", "SqlType": "VARCHAR(32)"},
                {"Name": "CUSTOMER_ID", "Mapping": "$.customer_id", "SqlType": "VARCHAR(8)"},
                {"Name": "PRODUCT_ID", "Mapping": "$.product_id", "SqlType": "VARCHAR(8)"},
                {"Name": "PRODUCT_CATEGORY", "Mapping": "$.product_category", "SqlType": "VARCHAR(16)"},
                {"Name": "ACTIVITY_TYPE", "Mapping": "$.activity_type", "SqlType": "VARCHAR(24)"},
                {"Name": "ACTIVITY_WEIGHT", "Mapping": "$.activity_weight", "SqlType": "INTEGER"},
                {"Name": "PRODUCT_HEALTH_INDEX", "Mapping": "$.product_health_index", "SqlType": "DOUBLE"},
            ],
        },
    }],
    Outputs=[{
        "Name": "DESTINATION_SQL_STREAM",
        "LambdaOutput": {"ResourceARN": lambda_arn, "RoleARN": role},
        "DestinationSchema": {"RecordFormatType": "JSON"},
    }])
out["create_status"] = r["ApplicationSummary"]["ApplicationStatus"]
detail = kda.describe_application(ApplicationName="sagemaker-fs-click-stream-app")["ApplicationDetail"]
out["describe"] = {"status": detail["ApplicationStatus"],
                   "version": detail["ApplicationVersionId"],
                   "input_id": detail["InputDescriptions"][0]["InputId"],
                   "in_app": detail["InputDescriptions"][0]["InAppStreamNames"],
                   "output_id": detail["OutputDescriptions"][0]["OutputId"],
                   "lambda": detail["OutputDescriptions"][0]["LambdaOutputDescription"]["ResourceARN"],
                   "code_kept": detail["ApplicationCode"] == sql}
kda.start_application(
    ApplicationName="sagemaker-fs-click-stream-app",
    InputConfigurations=[{"Id": detail["InputDescriptions"][0]["InputId"],
                          "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
for _ in range(50):
    status = kda.describe_application(
        ApplicationName="sagemaker-fs-click-stream-app")["ApplicationDetail"]["ApplicationStatus"]
    if status == "RUNNING":
        break
    time.sleep(0.1)
out["started_status"] = status

# The workshop's click events (notebook 3's simulated browsing).
events = [
    {"customer_id": "C1", "product_id": "P10", "product_category": "snacks",
     "activity_type": "added_to_cart", "activity_weight": 2, "product_health_index": 0.2},
    {"customer_id": "C1", "product_id": "P11", "product_category": "snacks",
     "activity_type": "liked", "activity_weight": 1, "product_health_index": 0.5},
    {"customer_id": "C1", "product_id": "P12", "product_category": "produce",
     "activity_type": "saved_for_later", "activity_weight": 2, "product_health_index": 0.8},
    {"customer_id": "C2", "product_id": "P13", "product_category": "produce",
     "activity_type": "added_to_wish_list", "activity_weight": 1, "product_health_index": 0.9},
]
now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
r = kinesis.put_records(StreamName=stream_name, Records=[
    {"Data": json.dumps(dict(e, event_time=now)).encode(), "PartitionKey": e["customer_id"]}
    for e in events])
out["failed_puts"] = r["FailedRecordCount"]

rows = {}
deadline = time.time() + 30
while time.time() < deadline and len(rows) < 2:
    for customer in ("C1", "C2"):
        got = fs.get_record(FeatureGroupName="click_stream", RecordIdentifierValueAsString=customer)
        if "Record" in got:
            rows[customer] = {f["FeatureName"]: f["ValueAsString"] for f in got["Record"]}
    time.sleep(0.2)
out["rows"] = rows

out["list"] = [(a["ApplicationName"], a["ApplicationStatus"])
               for a in kda.list_applications()["ApplicationSummaries"]]
kda.stop_application(ApplicationName="sagemaker-fs-click-stream-app")
out["stopped_status"] = kda.describe_application(
    ApplicationName="sagemaker-fs-click-stream-app")["ApplicationDetail"]["ApplicationStatus"]
kda.delete_application(ApplicationName="sagemaker-fs-click-stream-app",
                       CreateTimestamp=detail["CreateTimestamp"])
out["after_delete"] = kda.list_applications()["ApplicationSummaries"]
try:
    kda.describe_application(ApplicationName="sagemaker-fs-click-stream-app")
    out["describe_deleted"] = "no error"
except kda.exceptions.ResourceNotFoundException as e:
    out["describe_deleted"] = e.response["Error"]["Code"]
out["shards_listed"] = len(kinesis.list_shards(StreamName=stream_name)["Shards"])
kinesis.delete_stream(StreamName=stream_name)
out["streams_after_delete"] = kinesis.list_streams()["StreamNames"]
print(json.dumps(out))
)PY";

TEST(KdaBoto3Test, NotebookThreeRunsUnchanged) {
  if (auto missing = testing::Boto3Unavailable()) {
    FAIL() << *missing;
  }
  std::string out, err;
  testing::TempDir home;
  workshop::WorkshopServerOptions options;
  options.home = home.path();
  options.server.http.port = 0;
  options.server.http.threads = 4;
  options.server.access_log = false;
  options.server.token = "pantry-token";
  options.stream_poll_interval_ms = 5;
  auto server = workshop::WorkshopServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  testing::TempDir scratch;
  const std::filesystem::path script = scratch.path() / "notebook3.py";
  std::ofstream(script) << kScript;
  const int code = testing::RunBoto3Python(
      {script.string(), std::to_string((*server)->port()), "pantry-token"}, &out, &err);
  ASSERT_TRUE((*server)->Stop().ok());
  ASSERT_EQ(code, 0) << "stdout: " << out << "\nstderr: " << err;
  StatusOr<Json> seen = ParseJson(out, "script output");
  ASSERT_TRUE(seen.ok()) << out << err;
  const Json& r = *seen;
  EXPECT_EQ(r["stream_status"], "ACTIVE");
  EXPECT_EQ(r["stream_shards"], 1);
  EXPECT_EQ(r["create_again"], "ResourceInUseException");
  EXPECT_EQ(r["create_status"], "READY");
  EXPECT_EQ(r["describe"]["status"], "READY");
  EXPECT_EQ(r["describe"]["version"], 1);
  EXPECT_EQ(r["describe"]["input_id"], "1.1");
  EXPECT_EQ(r["describe"]["in_app"], Json({"SOURCE_SQL_STREAM_001"}));
  EXPECT_EQ(r["describe"]["output_id"], "1.1");
  EXPECT_TRUE(r["describe"]["code_kept"].get<bool>());
  EXPECT_EQ(r["started_status"], "RUNNING");
  EXPECT_EQ(r["failed_puts"], 0);
  // One stagger row per customer: C1 2+1+2 = 5, avg (0.2+0.5+0.8)/3 = 0.5;
  // C2 1, 0.9; plus the event_time the workshop's Lambda added.
  ASSERT_TRUE(r["rows"].contains("C1")) << r.dump();
  ASSERT_TRUE(r["rows"].contains("C2")) << r.dump();
  EXPECT_DOUBLE_EQ(std::stod(r["rows"]["C1"]["sum_activity_weight_last_2m"].get<std::string>()),
                   5.0);
  EXPECT_NEAR(std::stod(r["rows"]["C1"]["avg_product_health_index_last_2m"].get<std::string>()),
              0.5, 1e-9);
  EXPECT_DOUBLE_EQ(std::stod(r["rows"]["C2"]["sum_activity_weight_last_2m"].get<std::string>()),
                   1.0);
  EXPECT_TRUE(r["rows"]["C1"].contains("event_time"));
  EXPECT_EQ(r["list"], Json::array({Json::array({"sagemaker-fs-click-stream-app", "RUNNING"})}));
  EXPECT_EQ(r["stopped_status"], "READY");
  EXPECT_EQ(r["after_delete"], Json::array());
  EXPECT_EQ(r["describe_deleted"], "ResourceNotFoundException");
  EXPECT_EQ(r["shards_listed"], 1);
  EXPECT_EQ(r["streams_after_delete"], Json({"click_stream"}));
}

}  // namespace
}  // namespace pantry
