// The Redis online store below the facade, against real servers: the
// event-time rule enforced inside Redis (as when several pantry processes
// share it), TTL as a key expiry, the applied sequence, outages, and
// Redis Cluster routing (key slots, MOVED, ASK).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/online_store.h"
#include "pantry/featurestore/redis_router.h"
#include "pantry/featurestore/store_url.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/redis_server.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

using testing::RedisCluster;
using testing::RedisServer;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

OnlineWrite Put(std::string id, int64_t et, std::string state, int64_t expires_at = 0) {
  OnlineRecordHeader h;
  h.event_time_micros = et;
  h.expires_at_micros = expires_at;
  Record r;
  r.Add("state", FeatureValue::String(std::move(state)));
  OnlineWrite w{.group = "g", .record_id = std::move(id), .value = std::string()};
  EncodeOnlineRecord(h, r, &*w.value);
  w.event_time_micros = et;
  w.expires_at_micros = expires_at;
  return w;
}

OnlineWrite SoftDelete(std::string id, int64_t et) {
  OnlineRecordHeader h;
  h.event_time_micros = et;
  h.deleted = true;
  OnlineWrite w{.group = "g", .record_id = std::move(id), .value = std::string()};
  EncodeOnlineRecord(h, Record(), &*w.value);
  w.event_time_micros = et;
  w.replace_equal = true;
  return w;
}

OnlineWrite HardDelete(std::string id, int64_t et) {
  return {.group = "g", .record_id = std::move(id), .event_time_micros = et, .replace_equal = true};
}

// "state" of the stored record, "<tombstone>" or "<absent>".
std::string Stored(OnlineStore& store, const std::string& id) {
  auto v = store.Get("g", id);
  EXPECT_TRUE(v.ok()) << v.status();
  if (!v.ok() || !v->has_value()) return "<absent>";
  auto h = DecodeOnlineRecordHeader(**v);
  if (h->deleted) return "<tombstone>";
  Record r;
  EXPECT_TRUE(DecodeOnlineRecord(**v, {}, &r).ok());
  return r.Find("state")->string_value();
}

std::unique_ptr<OnlineStore> Open(const std::string& url, Clock* clock) {
  auto options = ParseRedisUrl(url);
  EXPECT_TRUE(options.ok()) << options.status();
  auto store = OnlineStore::OpenRedis(*options, clock);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

class RedisOnlineStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    a_ = Open(server_->url(), &clock_);
    b_ = Open(server_->url(), &clock_);
    ASSERT_TRUE(a_ && b_);
  }

  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<OnlineStore> a_, b_;  // two "replicas" on one Redis
};

TEST_F(RedisOnlineStoreTest, EventTimeRuleHoldsAcrossWriters) {
  // b_ writes without reading first, as a replica with a stale view would:
  // Redis itself must keep the newer record.
  std::vector<OnlineWrite> w = {Put("1", 200, "new")};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  w = {Put("1", 100, "old")};
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "1"), "new");
  w = {Put("1", 200, "tie")};  // a put never wins a tie
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "1"), "new");
  w = {HardDelete("1", 199)};  // older hard delete: ignored
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "1"), "new");
  w = {SoftDelete("1", 200)};  // a delete wins a tie
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "1"), "<tombstone>");
  w = {Put("1", 150, "resurrect?")};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*b_, "1"), "<tombstone>");
  w = {HardDelete("1", 300)};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*b_, "1"), "<absent>");
  // Negative and far-future event times compare exactly (both 32-bit halves).
  w = {Put("2", -5'000'000'000LL, "neg"), Put("3", (int64_t{1} << 53) + 1, "far")};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  w = {Put("2", -5'000'000'001LL, "older"), Put("3", int64_t{1} << 53, "older"), Put("4", 1, "x")};
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "2"), "neg");
  EXPECT_EQ(Stored(*a_, "3"), "far");
  w = {Put("3", (int64_t{1} << 53) + 2, "newer")};
  ASSERT_TRUE(b_->Write(w, 0).ok());
  EXPECT_EQ(Stored(*a_, "3"), "newer");
  std::vector<std::optional<std::string>> values;
  std::vector<std::string> ids = {"2", "nope", "4"};
  ASSERT_TRUE(a_->MultiGet("g", ids, &values).ok());
  ASSERT_EQ(values.size(), 3u);
  EXPECT_TRUE(values[0] && !values[1] && values[2]);
}

TEST_F(RedisOnlineStoreTest, TtlBecomesAKeyExpiry) {
  const int64_t now = clock_.NowMicros();
  std::vector<OnlineWrite> w = {Put("1", now, "a", now + 5'000'000), Put("2", now, "b"),
                                Put("3", now, "c", now - 1)};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  const int64_t pttl = std::stoll(Trim(*server_->Cli({"PTTL", "pantry:g:1"})));
  EXPECT_GT(pttl, 4000);
  EXPECT_LE(pttl, 5000);
  EXPECT_EQ(Trim(*server_->Cli({"PTTL", "pantry:g:2"})), "-1");  // no expiry
  EXPECT_EQ(Stored(*a_, "3"), "<absent>");                       // expired on arrival
}

TEST_F(RedisOnlineStoreTest, AppliedSequenceAndScriptCacheLoss) {
  EXPECT_EQ(*a_->AppliedSequence(), 0);
  std::vector<OnlineWrite> w = {Put("1", 1, "a")};
  ASSERT_TRUE(a_->Write(w, 7).ok());
  EXPECT_EQ(*b_->AppliedSequence(), 7);
  ASSERT_TRUE(server_->Cli({"SCRIPT", "FLUSH"}).ok());  // as after a Redis restart
  w = {Put("1", 2, "b")};
  Status s = a_->Write(w, 8);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Stored(*b_, "1"), "b");
  EXPECT_EQ(*b_->AppliedSequence(), 8);
}

TEST_F(RedisOnlineStoreTest, DeleteGroupRemovesOnlyThatGroup) {
  std::vector<OnlineWrite> w;
  for (int i = 0; i < 2500; ++i) w.push_back(Put(std::to_string(i), 1, "x"));
  OnlineWrite other = Put("1", 1, "kept");
  other.group = "g2";
  w.push_back(other);
  ASSERT_TRUE(a_->Write(w, 3).ok());
  ASSERT_TRUE(a_->DeleteGroup("g").ok());
  EXPECT_EQ(Trim(*server_->Cli({"DBSIZE"})), "2");  // g2's record and the sequence
  EXPECT_EQ(Stored(*a_, "1"), "<absent>");
  EXPECT_TRUE(a_->Get("g2", "1")->has_value());
}

TEST_F(RedisOnlineStoreTest, OutageIsUnavailableAndRecoversWithoutReopening) {
  std::vector<OnlineWrite> w = {Put("1", 1, "a")};
  ASSERT_TRUE(a_->Write(w, 0).ok());
  server_->Kill();
  EXPECT_EQ(a_->Get("g", "1").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(a_->Write(w, 0).code(), StatusCode::kUnavailable);
  EXPECT_EQ(a_->AppliedSequence().status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  // No persistence in the test server: the data is gone, the store works.
  auto got = a_->Get("g", "1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
  ASSERT_TRUE(a_->Write(w, 0).ok());  // the script is loaded again (NOSCRIPT)
  EXPECT_EQ(Stored(*a_, "1"), "a");
}

// Through the facade: a Redis outage fails writes with Unavailable, and
// reopening the store replays the journal from Redis' applied_sequence. Here
// Redis even lost everything (no persistence), so the whole journal is
// replayed and the online records are rebuilt.
TEST_F(RedisOnlineStoreTest, JournalReplayRebuildsRedisAfterAnOutage) {
  testing::TempDir home;
  FeatureStoreOptions options;
  options.home = home.path();
  options.clock = &clock_;
  options.online_backend = OnlineBackend::kRedis;
  options.online_url = server_->url();
  // Redis dies exactly between a batch's offline commit and its online write.
  bool kill_on_commit = false;
  options.hooks.after_offline_commit = [&] {
    if (kill_on_commit) server_->Kill();
  };
  auto store = FeatureStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(
      (*store)
          ->CreateFeatureGroup(testing::GroupDefinition("c", "id",
                                                        {{"id", FeatureType::kIntegral},
                                                         {"event_time", FeatureType::kFractional},
                                                         {"state", FeatureType::kString}}))
          .ok());
  auto row = [](int64_t id, double t, const char* state) {
    Record r;
    r.Add("id", FeatureValue::Int(id));
    r.Add("event_time", FeatureValue::Double(t));
    r.Add("state", FeatureValue::String(state));
    return r;
  };
  ASSERT_TRUE((*store)->PutRecord("c", row(1, 10, "a")).ok());
  ASSERT_TRUE((*store)->PutRecord("c", row(1, 20, "b")).ok());
  ASSERT_TRUE((*store)->PutRecord("c", row(2, 10, "c")).ok());
  ASSERT_TRUE((*store)->DeleteRecord("c", "2", 15'000'000, DeleteMode::kSoft).ok());
  kill_on_commit = true;
  Status put = (*store)->PutRecord("c", row(3, 10, "d"));
  EXPECT_EQ(put.code(), StatusCode::kUnavailable) << put;
  EXPECT_EQ((*store)->GetRecord("c", "1").status().code(), StatusCode::kUnavailable);
  // Later writes are refused until a reopen has replayed that batch.
  EXPECT_EQ((*store)->PutRecord("c", row(4, 10, "e")).code(), StatusCode::kUnavailable);
  store->reset();
  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_EQ(Trim(*server_->Cli({"DBSIZE"})), "0");
  kill_on_commit = false;
  store = FeatureStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto state = [&](const char* id) -> std::string {
    auto r = (*store)->GetRecord("c", id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->has_value() ? (*r)->Find("state")->string_value() : "<absent>";
  };
  EXPECT_EQ(state("1"), "b");
  EXPECT_EQ(state("2"), "<absent>");  // the tombstone came back too
  EXPECT_EQ(state("3"), "d");         // committed offline just before the outage
  EXPECT_EQ(state("4"), "<absent>");
  EXPECT_EQ(Trim(*server_->Cli({"GET", "pantry:applied_sequence"})), "5");
}

TEST(RedisOpenTest, UnreachableAndBadPassword) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Cli({"CONFIG", "SET", "requirepass", "s3cret"}).ok());
  FakeClock clock(1);
  auto options = ParseRedisUrl((*server)->url());
  auto denied = OnlineStore::OpenRedis(*options, &clock);
  EXPECT_FALSE(denied.ok());
  options->password = "wrong";
  denied = OnlineStore::OpenRedis(*options, &clock);
  EXPECT_EQ(denied.status().code(), StatusCode::kInvalidArgument) << denied.status();
  EXPECT_EQ(denied.status().message().find("wrong"), std::string::npos) << "password echoed";
  options->password = "s3cret";
  EXPECT_TRUE(OnlineStore::OpenRedis(*options, &clock).ok());
  const int port = (*server)->port();
  server->reset();
  auto down = ParseRedisUrl("redis://127.0.0.1:" + std::to_string(port));
  auto unreachable = OnlineStore::OpenRedis(*down, &clock);
  EXPECT_EQ(unreachable.status().code(), StatusCode::kUnavailable) << unreachable.status();
}

TEST(RedisSlotTest, Crc16AndHashTags) {
  EXPECT_EQ(redis::Crc16("123456789"), 0x31C3);  // the CRC16/XMODEM check value
  EXPECT_EQ(redis::KeySlot("foo"), 12182);
  EXPECT_EQ(redis::KeySlot("{user1000}.following"), redis::KeySlot("{user1000}.followers"));
  EXPECT_EQ(redis::KeySlot("foo{}{bar}"), redis::Crc16("foo{}{bar}") & 16383);
  EXPECT_EQ(redis::KeySlot("foo{{bar}}zap"), redis::Crc16("{bar") & 16383);
}

class RedisClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = RedisCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    store_ = Open(cluster_->url(), &clock_);
    ASSERT_TRUE(store_);
  }
  // The index of the master that serves `key` (the others answer MOVED).
  size_t Owner(const std::string& key) {
    for (size_t i = 0; i < cluster_->nodes().size(); ++i) {
      auto r = cluster_->nodes()[i]->Cli({"GET", key});
      if (r.ok() && !r->starts_with("MOVED") && !r->starts_with("ASK")) return i;
    }
    ADD_FAILURE() << "no owner for " << key;
    return 0;
  }
  Status Run(size_t node, const std::vector<std::string>& args) {
    return cluster_->nodes()[node]->Cli(args).status();
  }
  // After CLUSTER SETSLOT ... NODE on every master: bumps the new owner's
  // config epoch so that gossip cannot hand the slot back to the old owner,
  // then waits (up to 5 s) until every master agrees that `to` serves `key`.
  // Without this the nodes could disagree for a moment and redirect a
  // client back and forth (seen once in CI).
  bool SettleSlotOwner(const std::string& key, size_t to) {
    if (!Run(to, {"CLUSTER", "BUMPEPOCH"}).ok()) return false;
    const std::string to_port = ":" + std::to_string(cluster_->nodes()[to]->port());
    for (int attempt = 0; attempt < 100; ++attempt) {
      bool agreed = true;
      for (size_t i = 0; i < cluster_->nodes().size() && agreed; ++i) {
        auto r = cluster_->nodes()[i]->Cli({"GET", key});
        if (!r.ok()) return false;
        const bool moved = r->starts_with("MOVED") || r->starts_with("ASK");
        agreed = i == to ? !moved : (moved && r->find(to_port) != std::string::npos);
      }
      if (agreed) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string Id(size_t node) { return Trim(*cluster_->nodes()[node]->Cli({"CLUSTER", "MYID"})); }

  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<RedisCluster> cluster_;
  std::unique_ptr<OnlineStore> store_;
};

TEST_F(RedisClusterTest, SlotsMatchTheServerAndRecordsSpreadOverMasters) {
  std::vector<OnlineWrite> w;
  for (int i = 0; i < 300; ++i) w.push_back(Put(std::to_string(i), 1, "x"));
  ASSERT_TRUE(store_->Write(w, 0).ok());
  for (const std::string key : {"pantry:g:1", "pantry:g:{x}y", "a{b}c", "{}"}) {
    EXPECT_EQ(Trim(*cluster_->nodes()[0]->Cli({"CLUSTER", "KEYSLOT", key})),
              std::to_string(redis::KeySlot(key)))
        << key;
  }
  for (const auto& node : cluster_->nodes()) {
    const int keys = std::stoi(Trim(*node->Cli({"DBSIZE"})));
    EXPECT_GT(keys, 50) << "one group's records spread over every master";
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(std::to_string(i * 3));
  std::vector<std::optional<std::string>> values;
  ASSERT_TRUE(store_->MultiGet("g", ids, &values).ok());
  for (const auto& v : values) EXPECT_TRUE(v.has_value());
  ASSERT_TRUE(store_->DeleteGroup("g").ok());
  for (const auto& node : cluster_->nodes()) EXPECT_EQ(Trim(*node->Cli({"DBSIZE"})), "0");
}

TEST_F(RedisClusterTest, MovedSlotIsFollowedAndTheMapReloaded) {
  const std::string id = "moved";
  const std::string key = "pantry:g:" + id;
  const int slot = redis::KeySlot(key);
  const size_t from = Owner(key);
  const size_t to = (from + 1) % 3;
  // Moved the way redis-cli --cluster reshard does it (the slot is empty,
  // so no key migrates): the owner-to-be first, which bumps its config
  // epoch on leaving the importing state, so that gossip cannot hand the
  // slot back to `from`.
  const std::string slot_arg = std::to_string(slot);
  ASSERT_TRUE(Run(to, {"CLUSTER", "SETSLOT", slot_arg, "IMPORTING", Id(from)}).ok());
  ASSERT_TRUE(Run(from, {"CLUSTER", "SETSLOT", slot_arg, "MIGRATING", Id(to)}).ok());
  for (size_t n : {to, from, (from + 2) % 3}) {
    ASSERT_TRUE(Run(n, {"CLUSTER", "SETSLOT", slot_arg, "NODE", Id(to)}).ok());
  }
  ASSERT_TRUE(SettleSlotOwner(key, to));
  std::vector<OnlineWrite> w = {Put(id, 1, "here")};
  Status s = store_->Write(w, 0);  // the store's map still says `from`
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Owner(key), to);
  EXPECT_EQ(Trim(*cluster_->nodes()[to]->Cli({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)})),
            "1");
  EXPECT_EQ(Stored(*store_, id), "here");
}

TEST_F(RedisClusterTest, AskRedirectDuringMigration) {
  const std::string id = "asked";
  const std::string key = "pantry:g:" + id;
  const std::string slot = std::to_string(redis::KeySlot(key));
  const size_t from = Owner(key);
  const size_t to = (from + 2) % 3;
  ASSERT_TRUE(Run(to, {"CLUSTER", "SETSLOT", slot, "IMPORTING", Id(from)}).ok());
  ASSERT_TRUE(Run(from, {"CLUSTER", "SETSLOT", slot, "MIGRATING", Id(to)}).ok());
  // The key is not on `from`, so `from` answers ASK and the write (and the
  // read) must go to `to` with ASKING.
  std::vector<OnlineWrite> w = {Put(id, 1, "migrating")};
  Status s = store_->Write(w, 0);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Trim(*cluster_->nodes()[to]->Cli({"CLUSTER", "COUNTKEYSINSLOT", slot})), "1");
  EXPECT_EQ(Trim(*cluster_->nodes()[from]->Cli({"CLUSTER", "COUNTKEYSINSLOT", slot})), "0");
  EXPECT_EQ(Stored(*store_, id), "migrating");
  for (size_t n : {to, from, (from + 1) % 3}) {
    ASSERT_TRUE(Run(n, {"CLUSTER", "SETSLOT", slot, "NODE", Id(to)}).ok());
  }
  ASSERT_TRUE(SettleSlotOwner(key, to));
  EXPECT_EQ(Stored(*store_, id), "migrating");  // now by MOVED
}

}  // namespace
}  // namespace pantry::featurestore
