// boto3 with AWS credentials configured on both sides: pantry verifies the
// SigV4 signatures botocore computes (an implementation independent of
// pantry's), accepts the correctly signed calls of both clients, and answers
// a wrong secret, an unknown access key id and a signing time outside the
// clock-skew window with 403 and the error types botocore parses. Skipped
// (with the reason) when /usr/bin/python3 has no boto3.

#include <fstream>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

constexpr char kKeyId[] = "AKIDPANTRYBOTO3";
constexpr char kSecret[] = "wJalrXUtnFEMI/pantry+SECRET";

// argv: port, key id, secret. Prints one JSON object with what it saw.
constexpr char kScript[] = R"PY(
import json, sys
import boto3
from botocore.config import Config

port, key, secret = sys.argv[1], sys.argv[2], sys.argv[3]
endpoint = "http://127.0.0.1:%s" % port
config = Config(retries={"max_attempts": 1})
def client(service, key_id, secret_key):
    return boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret_key,
                                 region_name="eu-west-1").client(
        service, endpoint_url=endpoint, config=config)
def error(call):
    try:
        call()
        return "no error"
    except Exception as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]

out = {}
kinesis = client("kinesis", key, secret)
out["put_record"] = error(lambda: kinesis.put_record(
    StreamName="click_stream", Data=b'{"customer_id":"C1"}', PartitionKey="C1"))
out["list_streams"] = error(lambda: kinesis.list_streams())
fs = client("sagemaker-featurestore-runtime", key, secret)
out["fs_put"] = error(lambda: fs.put_record(
    FeatureGroupName="customers",
    Record=[{"FeatureName": "customer_id", "ValueAsString": "C 1/+"},
            {"FeatureName": "event_time", "ValueAsString": "1700000000"}]))
try:
    r = fs.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="C 1/+",
                      FeatureNames=["customer_id", "event_time"])
    out["fs_get"] = {f["FeatureName"]: f["ValueAsString"] for f in r["Record"]}
except Exception as e:
    out["fs_get"] = str(e)
out["wrong_secret"] = error(lambda: client("kinesis", key, "guessed").put_record(
    StreamName="click_stream", Data=b"x", PartitionKey="k"))
out["unknown_key"] = error(lambda: client("kinesis", "AKIDNOBODY", secret).put_record(
    StreamName="click_stream", Data=b"x", PartitionKey="k"))
out["fs_wrong_secret"] = error(lambda: client(
    "sagemaker-featurestore-runtime", key, "guessed").get_record(
    FeatureGroupName="customers", RecordIdentifierValueAsString="C1"))
print(json.dumps(out))
)PY";

class Boto3SigV4Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = testing::Boto3Unavailable()) {
      FAIL() << *missing;
    }
    std::string out, err;
    featurestore::FeatureStoreOptions store_options;
    store_options.home = home_.path();
    store_options.online_backend = featurestore::OnlineBackend::kMemory;
    store_options.clock = &clock_;
    auto store = featurestore::FeatureStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    featurestore::FeatureGroupDefinition customers;
    customers.name = "customers";
    customers.record_identifier_name = "customer_id";
    customers.event_time_name = "event_time";
    customers.features = {{"customer_id", featurestore::FeatureType::kString},
                          {"event_time", featurestore::FeatureType::kFractional}};
    ASSERT_TRUE(store_->CreateFeatureGroup(customers).ok());
  }

  // Serves with the server's clock `skew_seconds` away from the real time,
  // runs the script and returns what it printed.
  Json Run(int64_t skew_seconds) {
    clock_.SetMicros(Clock::Real()->NowMicros() + skew_seconds * 1'000'000);
    MetricsRegistry metrics;
    server::ServerOptions options;
    options.http.port = 0;
    options.aws = {kKeyId, kSecret};
    options.clock = &clock_;
    options.access_log = false;
    options.metrics = &metrics;
    server::ServerComponents components;
    components.events = &ingest_;
    components.features = store_.get();
    auto server = server::PantryServer::Start(options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return Json();
    testing::TempDir scratch;
    std::filesystem::path script = scratch.path() / "sigv4_client.py";
    std::ofstream(script) << kScript;
    std::string out, err;
    int code = testing::RunBoto3Python(
        {script.string(), std::to_string((*server)->port()), kKeyId, kSecret}, &out, &err);
    (*server)->Shutdown();
    EXPECT_EQ(code, 0) << "stdout: " << out << "\nstderr: " << err;
    StatusOr<Json> seen = ParseJson(out, "script output");
    EXPECT_TRUE(seen.ok()) << out << err;
    return seen.ok() ? *seen : Json();
  }

  testing::TempDir home_;
  FakeClock clock_;
  server::MemoryEventIngest ingest_{&clock_, {"click_stream"}, 2};
  std::unique_ptr<featurestore::FeatureStore> store_;
};

TEST_F(Boto3SigV4Test, SignedCallsWorkAndForgeriesGet403) {
  Json r = Run(0);
  EXPECT_EQ(r["put_record"], "no error");
  EXPECT_EQ(r["list_streams"], "no error");
  EXPECT_EQ(r["fs_put"], "no error");
  EXPECT_EQ(r["fs_get"]["customer_id"], "C 1/+")
      << "a query with characters that SigV4 encodes: " << r["fs_get"];
  EXPECT_EQ(r["wrong_secret"], Json({"InvalidSignatureException", 403}));
  EXPECT_EQ(r["unknown_key"], Json({"UnrecognizedClientException", 403}));
  EXPECT_EQ(r["fs_wrong_secret"], Json({"InvalidSignatureException", 403}));
  EXPECT_EQ(ingest_.Records("click_stream").size(), 1u) << "only the signed put landed";
}

TEST_F(Boto3SigV4Test, SignaturesOutsideTheClockSkewWindowGet403) {
  Json r = Run(20 * 60);  // the server's clock is 20 minutes ahead
  EXPECT_EQ(r["put_record"], Json({"InvalidSignatureException", 403}));
  EXPECT_EQ(r["fs_put"], Json({"InvalidSignatureException", 403}));
  EXPECT_TRUE(ingest_.Records("click_stream").empty());
  Json within = Run(10 * 60);
  EXPECT_EQ(within["put_record"], "no error");
}

}  // namespace
}  // namespace pantry
