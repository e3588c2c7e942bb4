#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/sql_quote.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pantry/common/clock.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/store_backends.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

FeatureGroupDefinition Customers() {
  return testing::GroupDefinition("customers", "customer_id",
                                  {{"customer_id", FeatureType::kIntegral},
                                   {"event_time", FeatureType::kFractional},
                                   {"state", FeatureType::kString},
                                   {"age", FeatureType::kIntegral},
                                   {"score", FeatureType::kFractional}});
}

Record Cust(int64_t id, double t, std::string state, int64_t age = 30) {
  Record r;
  r.Add("customer_id", FeatureValue::Int(id));
  r.Add("event_time", FeatureValue::Double(t));
  r.Add("state", FeatureValue::String(std::move(state)));
  r.Add("age", FeatureValue::Int(age));
  return r;
}

class FeatureStoreTest : public ::testing::TestWithParam<testing::StoreBackends> {
 protected:
  void SetUp() override {
    Status s = testing::PrepareStoreBackends(GetParam(), &backends_);
    ASSERT_TRUE(s.ok()) << s;
    Reopen();
  }
  void Reopen(FeatureStoreHooks hooks = {}) {
    store_.reset();
    auto s = testing::OpenPreparedStore(backends_, home_.path(), &clock_, std::move(hooks));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  // A second, read-only store over the offline store (as `pantry query` opens).
  StatusOr<std::unique_ptr<FeatureStore>> OpenOfflineReader() {
    FeatureStoreOptions o;
    o.home = home_.path();
    o.offline_backend = backends_.offline_backend;
    o.offline_url = backends_.offline_url;
    o.read_only = true;
    o.offline_only = true;
    return FeatureStore::Open(o);
  }
  std::string State(int64_t id) {
    auto r = store_->GetRecord("customers", std::to_string(id));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) return "<absent>";
    return (*r)->Find("state")->string_value();
  }
  int64_t Count(const std::string& where) {
    auto r = store_->Query("SELECT count(*) FROM customers WHERE " + where);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->rows[0][0].int_value() : -1;
  }

  FeatureStoreOptions backends_;  // the backend fields, set once per test
  testing::TempDir home_;
  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<FeatureStore> store_;
};

TEST_P(FeatureStoreTest, CreateDescribeListAndDurableRegistry) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  EXPECT_EQ(store_->CreateFeatureGroup(Customers()).code(), StatusCode::kAlreadyExists);
  auto d = store_->DescribeFeatureGroup("customers");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->features.size(), 5u);
  EXPECT_EQ(d->creation_time_micros, clock_.NowMicros());
  Reopen();
  auto list = store_->ListFeatureGroups();
  ASSERT_EQ(list.size(), 1u);
  FeatureGroupDefinition expected = Customers();
  expected.creation_time_micros = clock_.NowMicros();
  EXPECT_EQ(list[0], expected);
  EXPECT_EQ(store_->DescribeFeatureGroup("nope").status().code(), StatusCode::kNotFound);
}

TEST_P(FeatureStoreTest, EventTimeOrderingAndTies) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA")).ok());
  EXPECT_EQ(State(1), "WA");
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 200, "OR")).ok());
  EXPECT_EQ(State(1), "OR");
  // Older: offline only.
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 150, "CA")).ok());
  EXPECT_EQ(State(1), "OR");
  // Equal: offline only (documented tie rule).
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 200, "NV")).ok());
  EXPECT_EQ(State(1), "OR");
  EXPECT_EQ(Count("customer_id = 1"), 4);
  EXPECT_EQ(Count("customer_id = 1 AND is_deleted = 0"), 4);
  // Batch: the newest of the batch wins.
  std::vector<Record> batch = {Cust(2, 10, "A"), Cust(2, 30, "C"), Cust(2, 20, "B")};
  auto summary = store_->PutRecords("customers", batch);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->records, 3);
  EXPECT_EQ(summary->online_updated, 1);
  EXPECT_EQ(State(2), "C");
  Reopen();
  if (GetParam().online_durable()) {
    EXPECT_EQ(State(1), "OR");
  }
  EXPECT_EQ(Count("1 = 1"), 7);
}

TEST_P(FeatureStoreTest, TtlExpiryWithFakeClock) {
  FeatureGroupDefinition d = Customers();
  d.ttl_micros = 60'000'000;  // 60 s
  ASSERT_TRUE(store_->CreateFeatureGroup(d).ok());
  const double now = clock_.NowSeconds();
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, now, "WA")).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(2, now, "OR"), 600'000'000).ok());
  EXPECT_EQ(State(1), "WA");
  clock_.AdvanceSeconds(59);
  EXPECT_EQ(State(1), "WA");
  clock_.AdvanceSeconds(1);  // ExpiresAt = EventTime + TTL: expired at exactly that time
  EXPECT_EQ(State(1), "<absent>");
  EXPECT_EQ(State(2), "OR");  // per-record TTL overrides the group's
  clock_.AdvanceSeconds(600);
  EXPECT_EQ(State(2), "<absent>");
  // An expired record is still history.
  EXPECT_EQ(Count("1 = 1"), 2);
}

TEST_P(FeatureStoreTest, SoftAndHardDelete) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA")).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(2, 100, "OR")).ok());
  ASSERT_TRUE(store_->DeleteRecord("customers", "1", 150'000'000, DeleteMode::kSoft).ok());
  EXPECT_EQ(State(1), "<absent>");
  // An older put after a soft delete does not resurrect it.
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 120, "XX")).ok());
  EXPECT_EQ(State(1), "<absent>");
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 160, "NEW")).ok());
  EXPECT_EQ(State(1), "NEW");
  // Hard delete older than the stored record: rejected, nothing written.
  Status s = store_->DeleteRecord("customers", "2", 50'000'000, DeleteMode::kHard);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("older"), std::string::npos);
  EXPECT_EQ(State(2), "OR");
  EXPECT_EQ(Count("customer_id = 2 AND is_deleted = 1"), 0);
  ASSERT_TRUE(store_->DeleteRecord("customers", "2", 100'000'000, DeleteMode::kHard).ok());
  EXPECT_EQ(State(2), "<absent>");
  // Markers: id and event time, other features null.
  EXPECT_EQ(Count("is_deleted = 1"), 2);
  EXPECT_EQ(Count("is_deleted = 1 AND state IS NULL AND event_time IS NOT NULL"), 2);
  EXPECT_EQ(store_->DeleteRecord("nope", "1", 1, DeleteMode::kSoft).code(), StatusCode::kNotFound);
}

TEST_P(FeatureStoreTest, GetSubsetAndBatchGet) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA", 41)).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(3, 100, "OR", 42)).ok());
  std::vector<std::string> subset = {"age"};
  auto r = store_->GetRecord("customers", "1", subset);
  ASSERT_TRUE(r.ok() && r->has_value());
  ASSERT_EQ((*r)->size(), 1u);
  EXPECT_EQ((*r)->Find("age")->int_value(), 41);
  std::vector<std::string> bad = {"nope"};
  EXPECT_EQ(store_->GetRecord("customers", "1", bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRecord("customers", "abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRecord("nope", "1").status().code(), StatusCode::kNotFound);

  std::vector<BatchGetEntry> entries = {{"customers", {"1", "2", "3", "x"}, {"state"}},
                                        {"missing", {"1"}, {}}};
  auto b = store_->BatchGetRecord(entries);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(b->records[0].record_id, "1");
  EXPECT_EQ(b->records[0].record.Find("state")->string_value(), "WA");
  EXPECT_EQ(b->records[1].record_id, "3");
  ASSERT_EQ(b->unprocessed.size(), 1u);
  EXPECT_EQ(b->unprocessed[0].second, "2");
  ASSERT_EQ(b->errors.size(), 2u);  // "x" is not an Integral; unknown group
  EXPECT_EQ(b->errors[0].record_id, "x");
  EXPECT_EQ(b->errors[1].status.code(), StatusCode::kNotFound);
}

TEST_P(FeatureStoreTest, AddFeatures) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA")).ok());
  EXPECT_EQ(store_->AddFeatures("customers", {{"state", FeatureType::kString}}).code(),
            StatusCode::kInvalidArgument);  // duplicate
  ASSERT_TRUE(store_->AddFeatures("customers", {{"loyalty", FeatureType::kFractional}}).ok());
  Record r = Cust(2, 100, "OR");
  r.Add("loyalty", FeatureValue::Double(0.5));
  ASSERT_TRUE(store_->PutRecord("customers", r).ok());
  if (GetParam().online_durable()) Reopen();  // memory does not survive
  auto got = store_->GetRecord("customers", "2");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("loyalty")->double_value(), 0.5);
  auto old = store_->GetRecord("customers", "1");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->Find("loyalty"), nullptr);
  EXPECT_EQ(Count("loyalty IS NULL"), 1);
  EXPECT_EQ(Count("loyalty = 0.5"), 1);
}

TEST_P(FeatureStoreTest, BadRecordsWriteNothing) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  Record unknown = Cust(1, 100, "WA");
  unknown.Add("nope", FeatureValue::Int(1));
  Record no_id;
  no_id.Add("event_time", FeatureValue::Double(1));
  Record no_time;
  no_time.Add("customer_id", FeatureValue::Int(1));
  Record wrong_type = Cust(1, 100, "WA");
  wrong_type.Set("age", FeatureValue::String("abc"));
  Record big = Cust(1, 100, std::string(kMaxValueBytes + 1, 'x'));
  for (const Record& r : {unknown, no_id, no_time, wrong_type, big}) {
    Status s = store_->PutRecord("customers", r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  }
  // A bad record in a batch: nothing of the batch is written.
  std::vector<Record> batch = {Cust(5, 1, "A"), wrong_type};
  auto s = store_->PutRecords("customers", batch);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("record 1"), std::string::npos) << s.status();
  EXPECT_EQ(Count("1 = 1"), 0);
  EXPECT_EQ(State(5), "<absent>");
  EXPECT_EQ(store_->PutRecord("nope", Cust(1, 1, "A")).code(), StatusCode::kNotFound);
}

TEST_P(FeatureStoreTest, QueryIsReadOnly) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  for (const char* sql : {"DELETE FROM customers", "INSERT INTO customers (customer_id) VALUES (1)",
                          "DROP TABLE customers", "CREATE TABLE x (a)",
                          "ATTACH DATABASE '/tmp/x.db' AS x", "SELECT 1; DELETE FROM customers"}) {
    auto r = store_->Query(sql);
    EXPECT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << sql;
  }
  EXPECT_NE(store_->Query("DELETE FROM customers").status().message().find("read-only"),
            std::string::npos);
  auto r = store_->Query("SELECT 1 AS one, NULL AS n, 'x' AS s, 2.5 AS d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->column_names, (std::vector<std::string>{"one", "n", "s", "d"}));
  EXPECT_EQ(r->rows[0][0].int_value(), 1);
  EXPECT_TRUE(r->rows[0][1].is_null());
}

TEST_P(FeatureStoreTest, DeleteGroup) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  Status put = store_->PutRecord("customers", Cust(1, 100, "WA"));
  ASSERT_TRUE(put.ok()) << put;
  ASSERT_TRUE(store_->DeleteFeatureGroup("customers").ok());
  EXPECT_EQ(store_->GetRecord("customers", "1").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  EXPECT_EQ(State(1), "<absent>");
  EXPECT_EQ(Count("1 = 1"), 0);
  Reopen();
  EXPECT_EQ(store_->ListFeatureGroups().size(), 1u);
}

TEST_P(FeatureStoreTest, ConcurrentReadersAndWriter) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  constexpr int kIds = 50;
  constexpr int kRounds = 40;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      std::vector<int64_t> last_age(kIds, -1);
      while (!done.load()) {
        for (int id = 0; id < kIds; ++id) {
          auto r = store_->GetRecord("customers", std::to_string(id));
          if (!r.ok()) {
            ++failures;
            continue;
          }
          if (!r->has_value()) continue;
          // Ages only grow with event time: a reader never sees one go back.
          const int64_t age = (*r)->Find("age")->int_value();
          if (age < last_age[id]) ++failures;
          last_age[id] = age;
        }
        std::vector<BatchGetEntry> entries = {{"customers", {"1", "2", "3"}, {}}};
        if (!store_->BatchGetRecord(entries).ok()) ++failures;
        if (t == 0) store_->ListFeatureGroups();
      }
    });
  }
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Record> batch;
    for (int id = 0; id < kIds; ++id) batch.push_back(Cust(id, 100 + round, "S", round));
    ASSERT_TRUE(store_->PutRecords("customers", batch).ok());
    if (round % 10 == 0) {
      ASSERT_TRUE(
          store_->AddFeatures("customers", {{"f" + std::to_string(round), FeatureType::kString}})
              .ok());
    }
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("1 = 1"), kIds * kRounds);
}

TEST_P(FeatureStoreTest, ReadOnlyOpenAlongsideWriter) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA")).ok());
  auto reader = OpenOfflineReader();
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto q = (*reader)->Query("SELECT state FROM customers");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->rows.at(0).at(0).string_value(), "WA");
  EXPECT_EQ((*reader)->PutRecord("customers", Cust(2, 1, "X")).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->GetRecord("customers", "1").status().code(),
            StatusCode::kFailedPrecondition);
  if (GetParam().online == "rocksdb") {
    FeatureStoreOptions rw;
    rw.home = home_.path();
    auto second = FeatureStore::Open(rw);
    EXPECT_FALSE(second.ok());  // RocksDB's lock: one writer process
  }
}

// The crash tests' hook point: after the offline commit of each batch,
// before its online write, and only for groups with an offline store.
TEST_P(FeatureStoreTest, AfterOfflineCommitHookSeesTheBatchOfflineOnly) {
  std::vector<int64_t> offline_rows_at_hook;
  FeatureStoreHooks hooks;
  hooks.after_offline_commit = [&] {
    auto offline = OpenOfflineReader();
    ASSERT_TRUE(offline.ok()) << offline.status();
    auto n = (*offline)->Query("SELECT count(*) FROM customers");
    ASSERT_TRUE(n.ok()) << n.status();
    offline_rows_at_hook.push_back(n->rows[0][0].int_value());
  };
  Reopen(std::move(hooks));
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "WA")).ok());
  std::vector<Record> batch;  // large enough for the overlapped write path
  for (int i = 2; i < 1202; ++i) batch.push_back(Cust(i, 100, "OR"));
  ASSERT_TRUE(store_->PutRecords("customers", batch).ok());
  ASSERT_TRUE(store_->DeleteRecord("customers", "1", 200'000'000, DeleteMode::kSoft).ok());
  EXPECT_EQ(offline_rows_at_hook, (std::vector<int64_t>{1, 1201, 1202}));
  FeatureGroupDefinition online_only = Customers();
  online_only.name = "online_only";
  online_only.offline_enabled = false;
  ASSERT_TRUE(store_->CreateFeatureGroup(online_only).ok());
  ASSERT_TRUE(store_->PutRecord("online_only", Cust(1, 100, "WA")).ok());
  EXPECT_EQ(offline_rows_at_hook.size(), 3u) << "no offline commit, no hook";
}

INSTANTIATE_TEST_SUITE_P(Backends, FeatureStoreTest,
                         ::testing::ValuesIn(testing::ContractTestBackends()),
                         [](const auto& info) { return info.param.name; });

TEST(FeatureGroupTest, NameValidation) {
  EXPECT_TRUE(ValidateName("click_stream-2", "n").ok());
  for (const char* bad : {"", "_a", "a_", "a b", "a.b", "write_time", "IS_DELETED"}) {
    EXPECT_FALSE(ValidateName(bad, "n").ok()) << bad;
  }
  EXPECT_FALSE(ValidateName(std::string(65, 'a'), "n").ok());
  EXPECT_TRUE(ValidateName(std::string(64, 'a'), "n").ok());
  FeatureGroupDefinition d = Customers();
  d.features.push_back({"State", FeatureType::kString});
  EXPECT_NE(d.Validate().message().find("duplicate"), std::string::npos);
}

TEST(FeatureGroupTest, JsonRoundTripAndValues) {
  FeatureGroupDefinition d = Customers();
  d.ttl_micros = 7 * 86400'000'000LL;
  d.online_enabled = false;
  d.description = "x";
  auto back = FeatureGroupDefinition::FromJson(d.ToJson(), "t");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, d);
  EXPECT_FALSE(ParseFeatureValue(FeatureType::kIntegral, "abc").ok());
  EXPECT_FALSE(ParseFeatureValue(FeatureType::kIntegral, "1.5").ok());
  EXPECT_FALSE(ParseFeatureValue(FeatureType::kFractional, "nan").ok());
  EXPECT_EQ(ParseFeatureValue(FeatureType::kFractional, "0.1")->ToString(), "0.1");
  EXPECT_EQ(ParseFeatureValue(FeatureType::kIntegral, "-42")->int_value(), -42);
}

TEST(FeatureGroupTest, DefinitionsFromJsonAndSpecs) {
  auto defs = ParseFeatureDefinitions(
      R"([{"FeatureName":"id","FeatureType":"String"},{"FeatureName":"n","FeatureType":"Integral"}])",
      "defs.json");
  ASSERT_TRUE(defs.ok()) << defs.status();
  EXPECT_EQ(*defs, (std::vector<FeatureDefinition>{{"id", FeatureType::kString},
                                                   {"n", FeatureType::kIntegral}}));
  // A whole group definition, as `fg describe` prints it, works too.
  auto from_group = ParseFeatureDefinitions(Customers().ToJson(), "group.json");
  ASSERT_TRUE(from_group.ok()) << from_group.status();
  EXPECT_EQ(*from_group, Customers().features);
  for (const char* bad :
       {R"({"x":1})", R"([1])", R"([{"FeatureName":"a","FeatureType":"Int"}])", "[", R"("a")"}) {
    auto parsed = ParseFeatureDefinitions(bad, "defs.json");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_TRUE(parsed.status().message().starts_with("defs.json")) << parsed.status();
  }
  auto spec = ParseFeatureSpec("a:b:Fractional");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(*spec, (FeatureDefinition{"a:b", FeatureType::kFractional}));
  EXPECT_NE(ParseFeatureSpec("name").status().message().find("expected NAME:"), std::string::npos);
  EXPECT_FALSE(ParseFeatureSpec("name:Decimal").ok());
}

TEST(FeatureGroupTest, SqlQuoting) {
  EXPECT_EQ(QuoteSqlIdentifier("click_stream"), "\"click_stream\"");
  EXPECT_EQ(QuoteSqlIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteSqlString("it's"), "'it''s'");
  EXPECT_EQ(QuoteSqlString(""), "''");
}

TEST_P(FeatureStoreTest, QuotedNamesWorkInQueries) {
  ASSERT_TRUE(store_->CreateFeatureGroup(Customers()).ok());
  ASSERT_TRUE(store_->PutRecord("customers", Cust(1, 100, "it's")).ok());
  auto r =
      store_->Query("SELECT " + QuoteSqlIdentifier("state") + " FROM " +
                    QuoteSqlIdentifier("customers") + " WHERE state = " + QuoteSqlString("it's"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0].string_value(), "it's");
}

TEST(FeatureGroupTest, TtlDurationUnits) {
  EXPECT_EQ(*TtlDurationMicros("Seconds", 5), 5'000'000);
  EXPECT_EQ(*TtlDurationMicros("Minutes", 2), 120'000'000);
  EXPECT_EQ(*TtlDurationMicros("Hours", 1), 3'600'000'000);
  EXPECT_EQ(*TtlDurationMicros("Days", 1), 86'400'000'000);
  EXPECT_EQ(*TtlDurationMicros("Weeks", 1), 604'800'000'000);
  EXPECT_NE(TtlDurationMicros("Fortnights", 1).status().message().find("not one of"),
            std::string::npos);
  EXPECT_FALSE(TtlDurationMicros("Days", 0).ok());
  EXPECT_FALSE(TtlDurationMicros("Seconds", 2'000'000'000'000).ok());
  // Group definitions written by hand may use TtlDuration; the same rules.
  auto def = FeatureGroupDefinition::FromJson(
      R"({"FeatureGroupName":"g","RecordIdentifierFeatureName":"id",
          "EventTimeFeatureName":"t","FeatureDefinitions":[],
          "OnlineStoreConfig":{"TtlDuration":{"Unit":"Hours","Value":2}}})",
      "g.json");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->ttl_micros, 7'200'000'000);
}

TEST(FeatureGroupTest, InfersDefinitionsFromCsvWithFractionalEventTime) {
  testing::TempDir dir;
  std::ofstream(dir / "with_time.csv")
      << "id,n,x,event_time\nC1,1,0.5,1700000000\nC2,2,,1700000001\n";
  std::ofstream(dir / "without_time.csv") << "id,label\n1,a\n";
  auto with_time = InferFeatureDefinitionsFromCsv(dir / "with_time.csv", "event_time");
  ASSERT_TRUE(with_time.ok()) << with_time.status();
  EXPECT_EQ(*with_time, (std::vector<FeatureDefinition>{{"id", FeatureType::kString},
                                                        {"n", FeatureType::kIntegral},
                                                        {"x", FeatureType::kFractional},
                                                        {"event_time", FeatureType::kFractional}}));
  auto without_time = InferFeatureDefinitionsFromCsv(dir / "without_time.csv", "ts");
  ASSERT_TRUE(without_time.ok()) << without_time.status();
  EXPECT_EQ(*without_time, (std::vector<FeatureDefinition>{{"id", FeatureType::kIntegral},
                                                           {"label", FeatureType::kString},
                                                           {"ts", FeatureType::kFractional}}));
  EXPECT_FALSE(InferFeatureDefinitionsFromCsv(dir / "missing.csv", "t").ok());
}

}  // namespace
}  // namespace pantry::featurestore
