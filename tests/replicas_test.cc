// Two `pantry serve` replicas on the same backends (issue 14): Redis online
// store, PostgreSQL offline store and a Redis Streams event log, all real
// servers started by the test. Events posted to one replica change the live
// features the other serves; a feature store PutRecord on one is seen by a
// boto3 GetRecord on the other, and a Kinesis stream created through one
// takes records through the other; the replica holding the stream processors'
// leases is killed with SIGKILL mid-stream and the other takes over within
// 10 s, with no acknowledged event lost or counted twice.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/http_client.h"
#include "pantry/testing/boto3.h"
#include "pantry/testing/postgres_server.h"
#include "pantry/testing/redis_server.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kLiveLease = "pantry:{click_stream:click_stream_live_2m}:lease";

// `pantry serve` on port 0 with the shared backends.
class Replica {
 public:
  Replica(const fs::path& home, const std::vector<std::string>& backends, const fs::path& log)
      : process_(testing::PantryBinary(), Args(home, backends),
                 {.pipe_stdout = true, .stderr_path = log}) {
    EXPECT_TRUE(process_.started()) << process_.error();
    const std::string line = process_.ReadLine().value_or("");
    const size_t colon = line.rfind(':');
    port_ = line.find("serving on") == std::string::npos || colon == std::string::npos
                ? 0
                : std::atoi(line.c_str() + colon + 1);
    EXPECT_GT(port_, 0) << "no port in \"" << line << "\"; see " << log;
  }
  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  int Stop(int signal) { return process_.Stop(signal); }

 private:
  static std::vector<std::string> Args(const fs::path& home,
                                       const std::vector<std::string>& backends) {
    std::vector<std::string> args = {"--home", home.string()};
    args.insert(args.end(), backends.begin(), backends.end());
    for (const char* a : {"serve", "--port", "0", "--no-access-log"}) args.emplace_back(a);
    return args;
  }
  testing::Subprocess process_;
  int port_ = 0;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// POST /v1/events with one event of weight 1 for `customer`; true on 200.
bool PostEvent(server::HttpClient& client, const std::string& customer) {
  const std::string body = R"([{"event_time":"2026-11-27T03:00:00Z","customer_id":")" + customer +
                           R"(","product_id":"P1","product_category":"snacks",)"
                           R"("activity_type":"added_to_cart","activity_weight":1,)"
                           R"("product_health_index":0.5}])";
  auto r = client.Send("POST", "/v1/events", {}, body);
  return r.ok() && r->status == 200;
}

// The live feature sum_activity_weight_last_2m of `customer` served by
// `client` (-1 if absent).
int64_t LiveSum(server::HttpClient& client, const std::string& customer) {
  auto r = client.Send("GET",
                       "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=" + customer);
  if (!r.ok() || r->status != 200) return -1;
  auto j = ParseJson(r->body, "GetRecord");
  if (!j.ok() || !j->contains("Record")) return -1;
  for (const Json& f : (*j)["Record"]) {
    if (f["FeatureName"] == "sum_activity_weight_last_2m") {
      return std::stoll(f["ValueAsString"].get<std::string>());
    }
  }
  return -1;
}

// Waits until `customer`'s live sum on `client` is `want`; false after
// `seconds`.
bool WaitForLiveSum(server::HttpClient& client, const std::string& customer, int64_t want,
                    int seconds, int64_t* last) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    *last = LiveSum(client, customer);
    if (*last == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

constexpr char kBoto3Script[] = R"PY(
import json, sys
import boto3
from botocore.config import Config

session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="unused",
                                region_name="us-east-1")
config = Config(retries={"max_attempts": 1})
a = session.client("sagemaker-featurestore-runtime",
                   endpoint_url="http://127.0.0.1:%s" % sys.argv[1], config=config)
b = session.client("sagemaker-featurestore-runtime",
                   endpoint_url="http://127.0.0.1:%s" % sys.argv[2], config=config)
a.put_record(FeatureGroupName="scores",
             Record=[{"FeatureName": "customer_id", "ValueAsString": "42"},
                     {"FeatureName": "event_time", "ValueAsString": "1700000000.5"},
                     {"FeatureName": "score", "ValueAsString": "0.75"}])
r = b.get_record(FeatureGroupName="scores", RecordIdentifierValueAsString="42")
seen = {f["FeatureName"]: f["ValueAsString"] for f in r.get("Record", [])}
# A stream created through A takes records through B.
ka = session.client("kinesis", endpoint_url="http://127.0.0.1:%s" % sys.argv[1], config=config)
kb = session.client("kinesis", endpoint_url="http://127.0.0.1:%s" % sys.argv[2], config=config)
ka.create_stream(StreamName="orders", ShardCount=2)
put = kb.put_record(StreamName="orders", Data=b"{}", PartitionKey="k")
seen["orders_shard"] = put["ShardId"]
seen["orders_listed_on_b"] = "orders" in kb.list_streams()["StreamNames"]
seen["orders_shards_on_b"] = len(kb.describe_stream(StreamName="orders")["StreamDescription"]["Shards"])
print(json.dumps(seen))
)PY";

// A redis-server and PostgreSQL (database "pantry") started for one test,
// and the flags that put pantry's online store and event log in that Redis
// and its offline store in that PostgreSQL.
struct SharedBackends {
  std::unique_ptr<testing::RedisServer> redis;
  std::unique_ptr<testing::PostgresServer> pg;
  std::vector<std::string> flags;
};

void StartSharedBackends(SharedBackends* shared) {
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  shared->redis = std::move(*redis);
  auto pg = testing::PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  shared->pg = std::move(*pg);
  ASSERT_TRUE(shared->pg->CreateDatabase("pantry").ok());
  shared->flags = {"--online-store",          shared->redis->url(), "--offline-store",
                   shared->pg->Url("pantry"), "--event-log",        shared->redis->url()};
}

// Creates the feature group `scores` (customer_id, event_time, score) in
// `home` on `backends`, with `pantry fg create`.
void CreateScoresGroup(const fs::path& dir, const fs::path& home,
                       const std::vector<std::string>& backends) {
  std::ofstream(dir / "defs.json")
      << R"({"FeatureDefinitions":[{"FeatureName":"customer_id","FeatureType":"Integral"},
              {"FeatureName":"event_time","FeatureType":"String"},
              {"FeatureName":"score","FeatureType":"Fractional"}]})";
  std::vector<std::string> args = {"--home", home.string(), "--quiet"};
  args.insert(args.end(), backends.begin(), backends.end());
  for (const char* a : {"fg", "create", "scores", "--record-id", "customer_id", "--definitions"}) {
    args.emplace_back(a);
  }
  args.push_back((dir / "defs.json").string());
  auto r = testing::RunPantry(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(ReplicasTest, TwoReplicasShareFeaturesEventsAndTakeOverAfterSigkill) {
  if (auto why = testing::Boto3Unavailable()) FAIL() << *why;
  SharedBackends shared;
  ASSERT_NO_FATAL_FAILURE(StartSharedBackends(&shared));
  const std::vector<std::string>& backends = shared.flags;
  testing::TempDir dir;
  const fs::path home_a = dir.path() / "a", home_b = dir.path() / "b";
  CreateScoresGroup(dir.path(), home_a, backends);
  if (::testing::Test::HasFatalFailure()) return;
  // A first, so that A takes the processors' leases and B stands by.
  auto a = std::make_unique<Replica>(home_a, backends, dir.path() / "a.log");
  ASSERT_GT(a->port(), 0);
  Replica b(home_b, backends, dir.path() / "b.log");
  ASSERT_GT(b.port(), 0);
  server::HttpClient client_a("127.0.0.1", a->port());
  server::HttpClient client_b("127.0.0.1", b.port());

  // Events posted to A show up in the live features B serves.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(PostEvent(client_a, "X1"));
  int64_t last = 0;
  EXPECT_TRUE(WaitForLiveSum(client_b, "X1", 3, 10, &last)) << "B serves sum " << last;

  // A feature store PutRecord on A, a boto3 GetRecord on B.
  {
    std::string out, err;
    const fs::path script = dir.path() / "boto3_replicas.py";
    std::ofstream(script) << kBoto3Script;
    int code = testing::RunBoto3Python(
        {script.string(), std::to_string(a->port()), std::to_string(b.port())}, &out, &err);
    ASSERT_EQ(code, 0) << out << err;
    auto seen = ParseJson(out, "boto3 output");
    ASSERT_TRUE(seen.ok()) << out;
    EXPECT_EQ((*seen)["score"], "0.75") << out;
    EXPECT_EQ((*seen)["orders_listed_on_b"], true) << out;
    EXPECT_EQ((*seen)["orders_shards_on_b"], 2) << out;
  }

  // A holds the processors' leases (it started first).
  auto holder = shared.redis->Cli({"GET", kLiveLease});
  ASSERT_TRUE(holder.ok());
  ASSERT_NE(holder->find(":" + std::to_string(a->pid()) + ":"), std::string::npos) << *holder;

  // Mid-stream: events go to both replicas; A is killed halfway through.
  // Only acknowledged (200) events are counted.
  std::map<std::string, int64_t> acked;
  Clock::time_point killed_at;
  for (int i = 0; i < 400; ++i) {
    const std::string customer = "K" + std::to_string(i % 8);
    if (i == 200) {
      a->Stop(SIGKILL);
      killed_at = Clock::now();
    }
    server::HttpClient& to = (i < 200 && i % 2 == 0) ? client_a : client_b;
    if (PostEvent(to, customer)) ++acked[customer];
    if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // B takes the leases over within 10 s of the kill.
  bool taken = false;
  while (Clock::now() - killed_at < std::chrono::seconds(10)) {
    auto h = shared.redis->Cli({"GET", kLiveLease});
    if (h.ok() && h->find(":" + std::to_string(b.pid()) + ":") != std::string::npos) {
      taken = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(taken) << "B did not take the lease within 10 s of the kill";
  const auto takeover = Clock::now() - killed_at;
  // Every acknowledged event counted exactly once in B's live features.
  for (const auto& [customer, n] : acked) {
    EXPECT_TRUE(WaitForLiveSum(client_b, customer, n, 15, &last))
        << customer << ": " << n << " acknowledged, live sum " << last;
  }
  // And in the offline store: one row per event (the sliding window emits a
  // row per event), so a replayed event written twice would show.
  auto rows = shared.pg->Psql("pantry",
                              "SELECT customer_id || '=' || COUNT(*) FROM click_stream_live "
                              "WHERE customer_id LIKE 'K%' GROUP BY customer_id ORDER BY 1");
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::string lines = "\n" + *rows;
  int64_t total = 0;
  for (const auto& [customer, n] : acked) {
    total += n;
    EXPECT_NE(lines.find("\n" + customer + "=" + std::to_string(n) + "\n"), std::string::npos)
        << customer << " acknowledged " << n << "; offline rows:\n"
        << *rows;
  }
  EXPECT_GE(total, 390) << "most posts should be acknowledged";
  std::cerr << "takeover after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count() << " ms\n";
  client_b.Close();
  EXPECT_EQ(b.Stop(SIGTERM), 0);
  // A clean shutdown releases the lease.
  auto after = shared.redis->Cli({"EXISTS", kLiveLease});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->substr(0, 1), "0");
}

// GET /v1/recommendations/<customer> on `client` (null on any failure).
Json Recommendations(server::HttpClient& client, const std::string& customer) {
  auto r = client.Send("GET", "/v1/recommendations/" + customer + "?k=5");
  if (!r.ok() || r->status != 200) return Json();
  auto j = ParseJson(r->body, "recommendations");
  return j.ok() ? *j : Json();
}

// Waits until `done(response)` holds for B's recommendations; false after
// `seconds`.
template <typename Done>
bool WaitForRecommendations(server::HttpClient& client, const std::string& customer, int seconds,
                            Json* last, Done done) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    *last = Recommendations(client, customer);
    if (!last->is_null() && done(*last)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The models come from the shared registry: trained on a third home (the
// demo, then a second `pantry train rank`), served by both replicas
// without a restart; events posted to A move the recommendations B serves.
TEST(ReplicasTest, ModelTrainedAnywhereAndEventsOnAMoveRecommendationsOnB) {
  SharedBackends shared;
  ASSERT_NO_FATAL_FAILURE(StartSharedBackends(&shared));
  const std::vector<std::string>& backends = shared.flags;
  testing::TempDir dir;
  const fs::path trainer = dir.path() / "trainer";
  std::vector<std::string> demo = {"--home", trainer.string(), "--quiet"};
  demo.insert(demo.end(), backends.begin(), backends.end());
  for (const char* a :
       {"demo", "--exit", "--customers", "300", "--products", "500", "--click-rows", "20000"}) {
    demo.emplace_back(a);
  }
  auto trained = testing::RunPantry(demo);
  ASSERT_EQ(trained.exit_code, 0) << trained.out << trained.err;

  Replica a(dir.path() / "a", backends, dir.path() / "a.log");
  ASSERT_GT(a.port(), 0);
  Replica b(dir.path() / "b", backends, dir.path() / "b.log");
  ASSERT_GT(b.port(), 0);
  server::HttpClient client_a("127.0.0.1", a.port());
  server::HttpClient client_b("127.0.0.1", b.port());

  // C7 has not browsed in the last two minutes (the demo's shopper is C1).
  Json before = Recommendations(client_b, "C7");
  ASSERT_FALSE(before.is_null()) << Slurp(dir.path() / "b.log");
  ASSERT_EQ(before["items"].size(), 5u) << before.dump();
  EXPECT_EQ(before["live_features"]["sum_activity_weight_last_2m"], 0) << before.dump();
  const Json rank_before = before["model_versions"]["rank"];
  ASSERT_FALSE(rank_before.get<std::string>().empty()) << before.dump();
  EXPECT_EQ(Recommendations(client_a, "C7")["model_versions"], before["model_versions"]);

  // An unhealthy browse posted to A (arrival time: now).
  for (int i = 0; i < 6; ++i) {
    const std::string body = R"([{"customer_id":"C7","product_id":"P)" + std::to_string(i + 1) +
                             R"(","product_category":"snacks","activity_type":"added_to_cart",)"
                             R"("activity_weight":2,"product_health_index":0.05}])";
    auto r = client_a.Send("POST", "/v1/events", {{"Content-Type", "application/json"}}, body);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::vector<double> before_scores;
  for (const Json& item : before["items"]) before_scores.push_back(item["propensity_to_buy"]);
  Json after;
  EXPECT_TRUE(WaitForRecommendations(client_b, "C7", 10, &after, [](const Json& j) {
    return j["live_features"]["sum_activity_weight_last_2m"] == 12;
  })) << after.dump();
  EXPECT_EQ(after["live_features"]["source"], "click_stream_live") << after.dump();
  EXPECT_LT(after["live_features"]["avg_product_health_index_last_2m"].get<double>(), 0.1);
  std::vector<double> after_scores;
  for (const Json& item : after["items"]) after_scores.push_back(item["propensity_to_buy"]);
  EXPECT_NE(after_scores, before_scores)
      << "B's ranking ignored the browse posted to A: " << after.dump();

  // A new ranker trained on the third home reaches both replicas.
  std::vector<std::string> retrain = {"--home", trainer.string(), "--quiet"};
  retrain.insert(retrain.end(), backends.begin(), backends.end());
  retrain.insert(retrain.end(), {"train", "rank"});
  auto second = testing::RunPantry(retrain);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  for (server::HttpClient* client : {&client_a, &client_b}) {
    Json served;
    EXPECT_TRUE(WaitForRecommendations(
        *client, "C7", 10, &served,
        [&](const Json& j) { return j["model_versions"]["rank"] != rank_before; }))
        << "still serving rank " << rank_before << ": " << served.dump();
  }
  client_a.Close();
  client_b.Close();
  EXPECT_EQ(a.Stop(SIGTERM), 0) << Slurp(dir.path() / "a.log");
  EXPECT_EQ(b.Stop(SIGTERM), 0) << Slurp(dir.path() / "b.log");
}

// Redis stopped under a running server (online store and event log in it):
// requests get 503 meanwhile and succeed again within 5 s of its return,
// without restarting pantry.
TEST(ReplicasTest, RedisOutageGives503AndRecoversWithoutRestart) {
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const std::vector<std::string> backends = {"--online-store", (*redis)->url(), "--event-log",
                                             (*redis)->url()};
  testing::TempDir dir;
  Replica replica(dir.path() / "home", backends, dir.path() / "serve.log");
  ASSERT_GT(replica.port(), 0);
  server::HttpClient client("127.0.0.1", replica.port());
  ASSERT_TRUE(PostEvent(client, "C1"));
  int64_t last = 0;
  ASSERT_TRUE(WaitForLiveSum(client, "C1", 1, 10, &last)) << last;

  (*redis)->Kill();
  auto get = client.Send("GET", "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=C1");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->status, 503) << get->body;
  const std::string event = R"([{"event_time":"2026-11-27T03:00:00Z","customer_id":"C2",)"
                            R"("product_id":"P1","activity_type":"added_to_cart",)"
                            R"("activity_weight":1,"product_health_index":0.5}])";
  auto post = client.Send("POST", "/v1/events", {}, event);
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->status, 503) << post->body;
  auto ready = client.Send("GET", "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_NE(ready->body.find("online store"), std::string::npos) << ready->body;

  ASSERT_TRUE((*redis)->Restart().ok());
  const auto back = Clock::now();
  bool get_ok = false, post_ok = false;
  while (Clock::now() - back < std::chrono::seconds(5) && !(get_ok && post_ok)) {
    // The restarted server is empty (the test runs it without
    // persistence): the record is gone (404), but the store answers.
    if (!get_ok) {
      auto r =
          client.Send("GET", "/FeatureGroup/click_stream_live?RecordIdentifierValueAsString=C1");
      get_ok = r.ok() && (r->status == 200 || r->status == 404);
    }
    if (!post_ok) {
      auto r = client.Send("POST", "/v1/events", {}, event);
      post_ok = r.ok() && r->status == 200;
    }
    if (!(get_ok && post_ok)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(get_ok) << "GetRecord still failing 5 s after Redis returned";
  EXPECT_TRUE(post_ok) << "events still refused 5 s after Redis returned";
  client.Close();
  EXPECT_EQ(replica.Stop(SIGTERM), 0) << Slurp(dir.path() / "serve.log");
}

// PUT /FeatureGroup/scores for customer `id`: the HTTP status, or 0 if
// the request got no answer.
int PutScore(server::HttpClient& client, int id, std::string* body) {
  const std::string record = R"({"Record":[{"FeatureName":"customer_id","ValueAsString":")" +
                             std::to_string(id) +
                             R"("},{"FeatureName":"event_time","ValueAsString":"1700000000.5"},)"
                             R"({"FeatureName":"score","ValueAsString":"0.5"}]})";
  auto r =
      client.Send("PUT", "/FeatureGroup/scores", {{"Content-Type", "application/json"}}, record);
  if (!r.ok()) return 0;
  *body = r->body;
  return r->status;
}

// The value of /readyz's "backends" check ("" if there is none).
std::string BackendsCheck(server::HttpClient& client) {
  auto r = client.Send("GET", "/readyz");
  if (!r.ok()) return "";
  auto j = ParseJson(r->body, "/readyz");
  if (!j.ok() || !j->contains("checks")) return "";
  return (*j)["checks"].value("backends", "");
}

// PostgreSQL (the offline store) stopped under a running server: PutRecord
// (offline commit first) and /readyz (its backends check) answer 503 with a message naming the
// offline store meanwhile, and both succeed again within 5 s of its
// return, without restarting pantry.
TEST(ReplicasTest, PostgresOutageGives503AndRecoversWithoutRestart) {
  SharedBackends shared;
  ASSERT_NO_FATAL_FAILURE(StartSharedBackends(&shared));
  const std::vector<std::string>& backends = shared.flags;
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  CreateScoresGroup(dir.path(), home, backends);
  if (::testing::Test::HasFatalFailure()) return;
  Replica replica(home, backends, dir.path() / "serve.log");
  ASSERT_GT(replica.port(), 0);
  server::HttpClient client("127.0.0.1", replica.port());
  std::string body;
  ASSERT_EQ(PutScore(client, 1, &body), 200) << body;
  // No model is trained here, so /readyz is 503 throughout; its backends
  // check is what the outage changes.
  EXPECT_EQ(BackendsCheck(client), "ok");

  ASSERT_TRUE(shared.pg->Stop().ok());
  // Twice: the first write finds the connection lost, the second cannot
  // reconnect; both are the same 503.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(PutScore(client, 2, &body), 503) << body;
    auto j = ParseJson(body, "PutRecord 503");
    ASSERT_TRUE(j.ok()) << body;
    EXPECT_NE(body.find("PostgreSQL"), std::string::npos) << body;
  }
  auto ready = client.Send("GET", "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->status, 503) << ready->body;
  const std::string backend_check = BackendsCheck(client);
  EXPECT_NE(backend_check.find("offline store"), std::string::npos) << backend_check;
  EXPECT_NE(backend_check.find("PostgreSQL"), std::string::npos) << backend_check;
  // Reads served by Redis alone still work.
  auto get = client.Send("GET", "/FeatureGroup/scores?RecordIdentifierValueAsString=1");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->status, 200) << get->body;

  ASSERT_TRUE(shared.pg->Restart().ok());
  const auto back = Clock::now();
  bool put_ok = false, ready_ok = false;
  while (Clock::now() - back < std::chrono::seconds(5) && !(put_ok && ready_ok)) {
    if (!put_ok) put_ok = PutScore(client, 3, &body) == 200;
    if (!ready_ok) ready_ok = BackendsCheck(client) == "ok";
    if (!(put_ok && ready_ok)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(put_ok) << "PutRecord still failing 5 s after PostgreSQL returned: " << body;
  EXPECT_TRUE(ready_ok) << "/readyz backends check still failing 5 s after PostgreSQL returned";
  // The rows written before and after the outage are there, the refused
  // one is not.
  auto rows = shared.pg->Psql("pantry",
                              "SELECT string_agg(customer_id::text, ',' ORDER BY "
                              "customer_id) FROM scores");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->substr(0, 3), "1,3") << *rows;
  client.Close();
  EXPECT_EQ(replica.Stop(SIGTERM), 0) << Slurp(dir.path() / "serve.log");
}

}  // namespace
}  // namespace pantry
