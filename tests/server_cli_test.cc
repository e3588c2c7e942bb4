// `pantry serve` as a real process: starts on port 0, answers HTTP, and
// exits cleanly on SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/stream/event_log.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

// `pantry serve ARGS...` in the background, stdout readable line by line.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args)
      : process_(testing::PantryBinary(), WithServe(std::move(args)), {.pipe_stdout = true}) {
    EXPECT_TRUE(process_.started()) << process_.error();
  }

  // The next line of stdout ("" at EOF).
  std::string ReadLine() { return process_.ReadLine().value_or(""); }

  // Sends `signal` and returns the exit code.
  int Stop(int signal) { return process_.Stop(signal); }

 private:
  static std::vector<std::string> WithServe(std::vector<std::string> args) {
    args.insert(args.begin(), "serve");
    return args;
  }

  testing::Subprocess process_;
};

int PortOf(const std::string& line) {
  // "pantry: serving on http://127.0.0.1:PORT"
  size_t colon = line.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(line.c_str() + colon + 1);
}

TEST(ServeCommandTest, ServesOnAnyPortAndStopsOnSigterm) {
  testing::TempDir home;
  ServeProcess serve(
      {"--home", home.path().string(), "--port", "0", "--threads", "4", "--token", "t0ken"});
  std::string line = serve.ReadLine();
  ASSERT_NE(line.find("serving on http://127.0.0.1:"), std::string::npos) << line;
  int port = PortOf(line);
  ASSERT_GT(port, 0);
  server::HttpClient client("127.0.0.1", port);
  auto health = client.Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  auto ready = client.Send("GET", "/readyz");
  ASSERT_TRUE(ready.ok());
  // Stores are open but no model has been trained in this home: not ready,
  // and the body says which check failed.
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_NE(ready->body.find("models"), std::string::npos) << ready->body;
  const server::HttpFields auth = {{"Authorization", "Bearer t0ken"}};
  auto unknown = client.Send("GET", "/FeatureGroup/none?RecordIdentifierValueAsString=1", auth);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(*unknown->Header("x-amzn-errortype"), "ResourceNotFound");
  auto unauthorized = client.Send("PUT", "/FeatureGroup/none", {}, "{}");
  ASSERT_TRUE(unauthorized.ok());
  EXPECT_EQ(unauthorized->status, 401);
  auto put =
      client.Send("POST", "/",
                  {{"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                   {"Content-Type", "application/x-amz-json-1.1"},
                   {"Authorization", "Bearer t0ken"}},
                  R"({"StreamName":"click_stream","PartitionKey":"C1","Data":")" +
                      server::Base64Encode(R"({"customer_id":"C1","product_id":"P1"})") + "\"}");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->status, 200) << put->body;
  auto events = client.Send("POST", "/v1/events", {{"Authorization", "Bearer t0ken"}},
                            R"([{"event_time":"2026-11-27T03:00:00Z","customer_id":"C2",)"
                            R"("product_id":"P2","product_category":"snacks",)"
                            R"("activity_type":"added_to_cart","activity_weight":2,)"
                            R"("product_health_index":0.5}])");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->status, 200) << events->body;
  // The in-process stream processor turns the event into a live (sliding
  // window) feature row, readable through the feature store API. Bounded
  // wait for an asynchronous condition, not a timing assumption.
  bool live = false;
  for (int attempt = 0; attempt < 500 && !live; ++attempt) {
    auto row = client.Send(
        "GET", "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=C2", auth);
    ASSERT_TRUE(row.ok());
    live = row->status == 200 && row->body.find("sum_activity_weight_last_2m") != std::string::npos;
    if (!live) usleep(10000);
  }
  EXPECT_TRUE(live) << "no click_stream_live row for C2 within 5 s";
  client.Close();
  EXPECT_EQ(serve.Stop(SIGTERM), 0);

  // Both acknowledged events are in the durable log after the process ended.
  auto log = stream::EventLog::OpenFile(home.path(), "click_stream", stream::EventLogOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  size_t total = 0;
  for (int shard = 0; shard < (*log)->shard_count(); ++shard) {
    auto records = (*log)->Read(shard, 0, 100);
    ASSERT_TRUE(records.ok());
    total += records->size();
  }
  EXPECT_EQ(total, 2u);
}

TEST(ServeCommandTest, SageMakerRoutesAndEndpointAliases) {
  testing::TempDir home;
  ServeProcess serve({"--home", home.path().string(), "--port", "0", "--endpoint-alias",
                      "fm-2026=pantry-cf", "--endpoint-alias", "xgb-2026=pantry-rank"});
  int port = PortOf(serve.ReadLine());
  ASSERT_GT(port, 0);
  server::HttpClient client("127.0.0.1", port);
  // The stream-written groups the server created, seen by the control plane.
  auto described = client.Send("POST", "/",
                               {{"X-Amz-Target", "SageMaker.DescribeFeatureGroup"},
                                {"Content-Type", "application/x-amz-json-1.1"}},
                               R"({"FeatureGroupName":"click_stream"})");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->status, 200) << described->body;
  EXPECT_NE(described->body.find(R"("FeatureGroupStatus":"Created")"), std::string::npos)
      << described->body;
  // No models in this home: the aliases exist but have nothing to serve yet;
  // other names are unknown endpoints.
  for (const std::string endpoint : {"pantry-cf", "fm-2026", "xgb-2026"}) {
    auto invoked = client.Send("POST", "/endpoints/" + endpoint + "/invocations",
                               {{"Content-Type", "text/csv"}}, "1,2,3");
    ASSERT_TRUE(invoked.ok());
    EXPECT_EQ(invoked->status, 503) << endpoint << ": " << invoked->body;
  }
  auto unknown =
      client.Send("POST", "/endpoints/other/invocations", {{"Content-Type", "text/csv"}}, "1,2,3");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(*unknown->Header("x-amzn-errortype"), "ValidationError");
  auto models = client.Send("GET", "/v1/models");
  ASSERT_TRUE(models.ok());
  EXPECT_EQ(models->status, 200);
  EXPECT_NE(models->body.find(R"("ready":false)"), std::string::npos) << models->body;
  client.Close();
  EXPECT_EQ(serve.Stop(SIGTERM), 0);

  auto bad_alias = testing::RunPantry(
      {"serve", "--home", home.path().string(), "--port", "0", "--endpoint-alias", "x=other"});
  EXPECT_NE(bad_alias.exit_code, 0);
  EXPECT_NE(bad_alias.err.find("pantry-cf or pantry-rank"), std::string::npos) << bad_alias.err;
}

TEST(ServeCommandTest, BadFlagsAndBusyPortFail) {
  testing::TempDir home;
  auto bad_port = testing::RunPantry({"serve", "--home", home.path().string(), "--port", "70000"});
  EXPECT_EQ(bad_port.exit_code, 2) << bad_port.err;
  auto bad_threads =
      testing::RunPantry({"serve", "--home", home.path().string(), "--threads", "0"});
  EXPECT_EQ(bad_threads.exit_code, 2) << bad_threads.err;

  testing::TempDir other_home;
  ServeProcess first({"--home", other_home.path().string(), "--port", "0"});
  int port = PortOf(first.ReadLine());
  ASSERT_GT(port, 0);
  auto busy =
      testing::RunPantry({"serve", "--home", home.path().string(), "--port", std::to_string(port)});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("cannot bind"), std::string::npos) << busy.err;
  EXPECT_EQ(first.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace pantry
