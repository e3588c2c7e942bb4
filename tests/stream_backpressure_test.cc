// Backpressure like Kinesis (docs/stream.md, "Backpressure"): past the
// backlog bound, PutRecords refuses records one by one with
// ProvisionedThroughputExceededException, PutRecord and POST /v1/events
// refuse too, and everything is accepted again once the processor caught
// up. boto3's kinesis client sees the documented error.

#include <fstream>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/event_log_ingest.h"
#include "pantry/server/http_client.h"
#include "pantry/server/server.h"
#include "pantry/stream/stream_service.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

constexpr int64_t kStart = 1'800'000'000'000'000;

// A stream service that is polled by hand (not started), behind a server
// whose event APIs ask it for admission.
class BackpressureTest : public ::testing::Test {
 protected:
  void StartServer(stream::BacklogLimits limits) {
    stream::StreamServiceOptions so;
    so.home = home_.path();
    so.specs.push_back(*stream::WindowSpec::FromString(stream::WorkshopStaggerSpecJson(), "w"));
    so.sink_factory = stream::JsonLinesSinkFactory(home_.path() / "out");
    so.log_options.shards = 2;
    so.log_options.fsync = stream::FsyncMode::kNever;
    so.clock = &clock_;
    so.backlog_limits = limits;
    auto service = stream::StreamService::Create(std::move(so));
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(*service);
    ingest_ = std::make_unique<server::EventLogIngest>(
        std::map<std::string, stream::EventLog*>{{"click_stream", service_->log("click_stream")}},
        &clock_);
    ingest_->set_admission([this](std::string_view s, size_t n, std::string* why) {
      return service_->Admit(s, n, why);
    });
    server::ServerOptions options;
    options.http.port = 0;
    options.access_log = false;
    options.metrics = &metrics_;
    server::ServerComponents components;
    components.events = ingest_.get();
    auto server = server::PantryServer::Start(options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  Json PutRecords(int n, int* status) {
    Json records = Json::array();
    for (int i = 0; i < n; ++i) {
      const std::string id = "C" + std::to_string(next_++ % 7);
      records.push_back({{"Data", server::Base64Encode(
                                      R"({"customer_id": ")" + id +
                                      R"(", "activity_weight": 1, "product_health_index": 0.5})")},
                         {"PartitionKey", id}});
    }
    return Send("PutRecords", Json{{"StreamName", "click_stream"}, {"Records", records}}, status);
  }

  Json Send(const std::string& op, const Json& body, int* status) {
    server::HttpClient client("127.0.0.1", server_->port());
    auto response = client.Send("POST", "/",
                                {{"X-Amz-Target", "Kinesis_20131202." + op},
                                 {"Content-Type", "application/x-amz-json-1.1"}},
                                DumpJson(body));
    EXPECT_TRUE(response.ok());
    *status = response->status;
    return *ParseJson(response->body, "response");
  }

  // Polls until the processor has consumed everything appended so far.
  void CatchUp() {
    clock_.AdvanceMicros(1000);  // records stamped now are processed once the clock passed them
    for (int i = 0; i < 100 && !service_->caught_up(); ++i) ASSERT_TRUE(service_->PollOnce().ok());
    ASSERT_TRUE(service_->PollOnce().ok());
    ASSERT_TRUE(service_->caught_up());
  }

  testing::TempDir home_;
  FakeClock clock_{kStart};
  MetricsRegistry metrics_;
  std::unique_ptr<stream::StreamService> service_;
  std::unique_ptr<server::EventLogIngest> ingest_;
  std::unique_ptr<server::PantryServer> server_;
  int next_ = 0;
};

TEST_F(BackpressureTest, PutRecordsRefusesPastTheEventBoundAndAcceptsAfterCatchingUp) {
  StartServer({.max_events = 10, .max_micros = 0});
  int status = 0;
  Json r = PutRecords(8, &status);
  ASSERT_EQ(status, 200) << r;
  EXPECT_EQ(r["FailedRecordCount"], 0);
  // 8 waiting: 2 more fit, the rest are refused record by record.
  r = PutRecords(5, &status);
  ASSERT_EQ(status, 200) << r;
  EXPECT_EQ(r["FailedRecordCount"], 3);
  for (int i = 0; i < 5; ++i) {
    const Json& entry = r["Records"][i];
    if (i < 2) {
      EXPECT_TRUE(entry.contains("SequenceNumber")) << entry;
    } else {
      EXPECT_EQ(entry["ErrorCode"], "ProvisionedThroughputExceededException") << entry;
      EXPECT_NE(entry["ErrorMessage"].get<std::string>().find("unprocessed events"),
                std::string::npos)
          << entry;
    }
  }
  r = Send("PutRecord",
           Json{{"StreamName", "click_stream"},
                {"Data", server::Base64Encode("{}")},
                {"PartitionKey", "k"}},
           &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(r["__type"], "ProvisionedThroughputExceededException") << r;
  auto lag = service_->Lag();
  uint64_t behind = 0;
  for (const auto& l : lag) behind += l.lag.events;
  EXPECT_EQ(behind, 10u);
  EXPECT_FALSE(service_->BacklogHealth().ok());

  CatchUp();
  EXPECT_TRUE(service_->BacklogHealth().ok());
  for (const auto& l : service_->Lag()) EXPECT_EQ(l.lag.events, 0u);
  r = PutRecords(10, &status);
  ASSERT_EQ(status, 200) << r;
  EXPECT_EQ(r["FailedRecordCount"], 0);
}

TEST_F(BackpressureTest, RefusesWhileSecondsBehindAndNativeApiAnswers503) {
  StartServer({.max_events = 0, .max_micros = 5'000'000});
  int status = 0;
  Json r = PutRecords(3, &status);
  EXPECT_EQ(r["FailedRecordCount"], 0);
  clock_.AdvanceMicros(1000);
  ASSERT_TRUE(service_->PollOnce().ok());
  r = PutRecords(3, &status);  // waiting, but only just
  EXPECT_EQ(r["FailedRecordCount"], 0);
  clock_.AdvanceMicros(10'000'000);  // nobody polled for 10 s
  r = PutRecords(3, &status);
  EXPECT_EQ(r["FailedRecordCount"], 3);
  EXPECT_EQ(r["Records"][0]["ErrorCode"], "ProvisionedThroughputExceededException");
  server::HttpClient client("127.0.0.1", server_->port());
  auto native = client.Send("POST", "/v1/events", {{"Content-Type", "application/json"}},
                            R"([{"customer_id": "C1", "product_id": "P1"}])");
  ASSERT_TRUE(native.ok());
  EXPECT_EQ(native->status, 503) << native->body;
  CatchUp();
  r = PutRecords(3, &status);
  EXPECT_EQ(r["FailedRecordCount"], 0);
}

constexpr char kScript[] = R"PY(
import json, sys
import boto3
from botocore.config import Config

endpoint = "http://127.0.0.1:%s" % sys.argv[1]
session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                region_name="us-east-1")
kinesis = session.client("kinesis", endpoint_url=endpoint,
                         config=Config(retries={"max_attempts": 1}))
out = {}
r = kinesis.put_records(StreamName="click_stream",
                        Records=[{"Data": b'{"customer_id": "C%d"}' % i, "PartitionKey": "C%d" % i}
                                 for i in range(int(sys.argv[2]))])
out["failed"] = r["FailedRecordCount"]
out["codes"] = sorted(set(e.get("ErrorCode", "ok") for e in r["Records"]))
try:
    kinesis.put_record(StreamName="click_stream", Data=b"{}", PartitionKey="k")
    out["put_record"] = "ok"
except kinesis.exceptions.ProvisionedThroughputExceededException as e:
    out["put_record"] = e.response["Error"]["Code"]
print(json.dumps(out))
)PY";

TEST_F(BackpressureTest, Boto3SeesProvisionedThroughputExceeded) {
  if (auto missing = testing::Boto3Unavailable()) {
    FAIL() << *missing;
  }
  std::string out, err;
  StartServer({.max_events = 4, .max_micros = 0});
  testing::TempDir scratch;
  const std::string script = (scratch.path() / "client.py").string();
  std::ofstream(script) << kScript;
  const std::string port = std::to_string(server_->port());
  ASSERT_EQ(testing::RunBoto3Python({script, port, "6"}, &out, &err), 0) << out << err;
  Json seen = *ParseJson(out, "script output");
  EXPECT_EQ(seen["failed"], 2);
  EXPECT_EQ(seen["codes"], Json({"ProvisionedThroughputExceededException", "ok"}));
  EXPECT_EQ(seen["put_record"], "ProvisionedThroughputExceededException");
  CatchUp();
  ASSERT_EQ(testing::RunBoto3Python({script, port, "3"}, &out, &err), 0) << out << err;
  seen = *ParseJson(out, "script output");
  EXPECT_EQ(seen["failed"], 0);
  EXPECT_EQ(seen["put_record"], "ok");
}

}  // namespace
}  // namespace pantry
