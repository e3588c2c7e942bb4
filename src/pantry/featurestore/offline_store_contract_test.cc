// The OfflineStore contract, run against every backend: the embedded SQLite
// store and the PostgreSQL store on a real server (postgres_test_env.h).
#include <gtest/gtest.h>

#include <chrono>

#include "pantry/featurestore/offline_store.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

// ---- The backends this contract runs against --------------------------
enum class Backend { kSqlite, kPostgres };
const Backend kBackends[] = {Backend::kSqlite, Backend::kPostgres};
// ------------------------------------------------------------------------

using testing::GroupDefinition;

FeatureGroupDefinition Group() {
  return GroupDefinition("g-1", "id",
                         {{"id", FeatureType::kString},
                          {"count", FeatureType::kIntegral},
                          {"score", FeatureType::kFractional},
                          {"note", FeatureType::kString},
                          {"event_time", FeatureType::kFractional}});
}

Record Row(std::string id, int64_t count, double score, std::string note, double t) {
  Record r;
  r.Add("id", FeatureValue::String(std::move(id)));
  r.Add("count", FeatureValue::Int(count));
  r.Add("score", FeatureValue::Double(score));
  r.Add("note", FeatureValue::String(std::move(note)));
  r.Add("event_time", FeatureValue::Double(t));
  return r;
}

class OfflineStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      url_ = PostgresTestEnv::FreshUrl();
      ASSERT_FALSE(url_.empty());
    }
    store_ = Open({});
    ASSERT_NE(store_, nullptr);
    group_ = Group();
    ASSERT_TRUE(store_->EnsureTable(group_).ok());
  }

  std::unique_ptr<OfflineStore> Open(QueryLimits limits, bool read_only = false) {
    StatusOr<std::unique_ptr<OfflineStore>> store =
        GetParam() == Backend::kSqlite
            ? OfflineStore::OpenSqlite(dir_ / "offline.db",
                                       {.read_only = read_only, .query_limits = limits})
            : OfflineStore::OpenPostgres(url_, {.read_only = read_only, .query_limits = limits});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  Status Append(std::span<const Record> rows, int64_t sequence = 0, JournalOp op = JournalOp::kPut,
                std::string_view mark_writer = {}, int64_t mark = 0) {
    OfflineBatch batch;
    batch.group = &group_;
    batch.records = rows;
    batch.op = op;
    batch.write_time_seconds = 1000.5;
    batch.api_invocation_time_seconds = 999.25;
    batch.sequence = sequence;
    if (op == JournalOp::kPut && sequence > 0) batch.ttl_micros = 60'000'000;
    batch.mark_writer = mark_writer;
    batch.mark_value = mark;
    return store_->Append(batch);
  }

  std::vector<std::vector<FeatureValue>> Rows(const std::string& sql, OfflineStore* store = nullptr,
                                              Status* status = nullptr) {
    std::vector<std::vector<FeatureValue>> rows;
    Status s = (store ? store : store_.get())
                   ->QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) {
                     rows.emplace_back(row.begin(), row.end());
                     return Status::Ok();
                   });
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s << " for " << sql;
    }
    return rows;
  }

  testing::TempDir dir_{"pantry_offline_contract"};
  std::string url_;
  std::unique_ptr<OfflineStore> store_;
  FeatureGroupDefinition group_;
};

TEST_P(OfflineStoreContractTest, ValuesKeepTheirTypesAndBytes) {
  const std::string awkward = "tab\there\nnew line \\ back 'quote' \"dq\" é 日本";
  Record partial;
  partial.Add("id", FeatureValue::String("b"));
  partial.Add("event_time", FeatureValue::Double(2));
  const Record rows[] = {Row("a", -9007199254740993LL, 0.1, awkward, 1.5), partial,
                         Row("c", INT64_MAX, 1e300, "", -2.25)};
  ASSERT_TRUE(Append(rows).ok());
  std::vector<std::string> names;
  std::vector<std::vector<FeatureValue>> got;
  ASSERT_TRUE(store_
                  ->QueryEach("SELECT id, count, score, note, event_time, write_time, "
                              "api_invocation_time, is_deleted FROM \"g-1\" ORDER BY rowid",
                              &names,
                              [&](std::span<const FeatureValue> row) {
                                got.emplace_back(row.begin(), row.end());
                                return Status::Ok();
                              })
                  .ok());
  EXPECT_EQ(names, (std::vector<std::string>{"id", "count", "score", "note", "event_time",
                                             "write_time", "api_invocation_time", "is_deleted"}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0][0], FeatureValue::String("a"));
  EXPECT_EQ(got[0][1], FeatureValue::Int(-9007199254740993LL));
  EXPECT_EQ(got[0][2], FeatureValue::Double(0.1));
  EXPECT_EQ(got[0][3], FeatureValue::String(awkward));
  EXPECT_EQ(got[0][4], FeatureValue::Double(1.5));
  EXPECT_EQ(got[0][5], FeatureValue::Double(1000.5));
  EXPECT_EQ(got[0][6], FeatureValue::Double(999.25));
  EXPECT_EQ(got[0][7], FeatureValue::Int(0));
  EXPECT_TRUE(got[1][1].is_null());  // absent features are NULL
  EXPECT_TRUE(got[1][3].is_null());
  EXPECT_EQ(got[2][1], FeatureValue::Int(INT64_MAX));
  EXPECT_EQ(got[2][2], FeatureValue::Double(1e300));
  EXPECT_EQ(got[2][3], FeatureValue::String(""));
  // Aggregates read as SQLite returns them: whole sums as int.
  auto agg = Rows("SELECT count(*), sum(event_time), max(note) FROM \"g-1\" WHERE id <> 'c'");
  ASSERT_EQ(agg.size(), 1u);
  EXPECT_EQ(agg[0][0], FeatureValue::Int(2));
  EXPECT_EQ(agg[0][1], FeatureValue::Double(3.5));
  EXPECT_EQ(agg[0][2], FeatureValue::String(awkward));
}

TEST_P(OfflineStoreContractTest, JournalReplaysJournaledBatchesInOrder) {
  EXPECT_EQ(*store_->LastSequence(), 0);
  const Record first[] = {Row("a", 1, 1, "x", 1), Row("b", 2, 2, "y", 1)};
  const Record untracked[] = {Row("z", 9, 9, "z", 9)};
  Record del;
  del.Add("id", FeatureValue::String("a"));
  del.Add("event_time", FeatureValue::Double(5));
  ASSERT_TRUE(Append(first, 1).ok());
  ASSERT_TRUE(Append(untracked).ok());  // sequence 0: not journaled
  ASSERT_TRUE(Append({&del, 1}, 2, JournalOp::kSoftDelete).ok());
  EXPECT_EQ(*store_->LastSequence(), 2);

  std::vector<JournalEntry> entries;
  auto groups = [&](std::string_view name) { return name == "g-1" ? &group_ : nullptr; };
  ASSERT_TRUE(store_
                  ->ReadJournal(0, groups,
                                [&](const JournalEntry& e) {
                                  entries.push_back(e);
                                  return Status::Ok();
                                })
                  .ok());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].sequence, 1);
  EXPECT_EQ(entries[0].group, "g-1");
  EXPECT_EQ(entries[0].op, JournalOp::kPut);
  EXPECT_EQ(entries[0].ttl_micros, 60'000'000);
  ASSERT_EQ(entries[0].records.size(), 2u);
  EXPECT_EQ(entries[0].records[1], first[1]);
  EXPECT_EQ(entries[1].op, JournalOp::kSoftDelete);
  EXPECT_FALSE(entries[1].ttl_micros.has_value());
  ASSERT_EQ(entries[1].records.size(), 1u);
  EXPECT_EQ(entries[1].records[0], del);

  entries.clear();
  ASSERT_TRUE(store_
                  ->ReadJournal(1, groups,
                                [&](const JournalEntry& e) {
                                  entries.push_back(e);
                                  return Status::Ok();
                                })
                  .ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].sequence, 2);
  // A group unknown to the caller (deleted since) is skipped.
  int seen = 0;
  ASSERT_TRUE(store_
                  ->ReadJournal(
                      0, [](std::string_view) { return nullptr; },
                      [&](const JournalEntry&) {
                        ++seen;
                        return Status::Ok();
                      })
                  .ok());
  EXPECT_EQ(seen, 0);
}

TEST_P(OfflineStoreContractTest, MarksCommitWithTheirRowsOrNotAtAll) {
  EXPECT_EQ(*store_->ReadMark("sink"), std::nullopt);
  const Record rows[] = {Row("a", 1, 1, "x", 1)};
  ASSERT_TRUE(Append(rows, 1, JournalOp::kPut, "sink", 5).ok());
  EXPECT_EQ(*store_->ReadMark("sink"), 5);
  ASSERT_TRUE(Append(rows, 2, JournalOp::kPut, "sink", 9).ok());
  EXPECT_EQ(*store_->ReadMark("sink"), 9);
  EXPECT_EQ(*store_->ReadMark("other"), std::nullopt);
  // A batch that fails midway leaves neither its rows, its journal row nor
  // its mark.
  Record bad = Row("b", 1, 1, "x", 1);
  bad.Add("no_such_feature", FeatureValue::Int(1));
  const Record batch[] = {Row("ok", 1, 1, "x", 1), bad};
  EXPECT_FALSE(Append(batch, 3, JournalOp::kPut, "sink", 11).ok());
  EXPECT_EQ(*store_->ReadMark("sink"), 9);
  EXPECT_EQ(*store_->LastSequence(), 2);
  EXPECT_EQ(Rows("SELECT count(*) FROM \"g-1\"")[0][0], FeatureValue::Int(2));
  // The store is still usable after the failed batch.
  ASSERT_TRUE(Append(rows, 3, JournalOp::kPut, "sink", 12).ok());
  EXPECT_EQ(*store_->ReadMark("sink"), 12);
}

TEST_P(OfflineStoreContractTest, EnsureTableAddsColumnsAndDropTableRemovesJournal) {
  const Record rows[] = {Row("a", 1, 1, "x", 1)};
  ASSERT_TRUE(Append(rows, 1).ok());
  group_.features.push_back({"extra", FeatureType::kIntegral});
  ASSERT_TRUE(store_->EnsureTable(group_).ok());
  ASSERT_TRUE(store_->EnsureTable(group_).ok());  // idempotent
  Record with_extra = Row("b", 2, 2, "y", 2);
  with_extra.Add("extra", FeatureValue::Int(7));
  ASSERT_TRUE(Append({&with_extra, 1}, 2).ok());
  auto got = Rows("SELECT extra FROM \"g-1\" ORDER BY rowid");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0][0].is_null());
  EXPECT_EQ(got[1][0], FeatureValue::Int(7));

  ASSERT_TRUE(store_->DropTable("g-1").ok());
  ASSERT_TRUE(store_->DropTable("g-1").ok());  // no error when missing
  EXPECT_EQ(*store_->LastSequence(), 0);
  Status s;
  Rows("SELECT * FROM \"g-1\"", nullptr, &s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
}

TEST_P(OfflineStoreContractTest, QueriesAreReadOnlySingleStatements) {
  const Record rows[] = {Row("a", 1, 1, "x", 1)};
  ASSERT_TRUE(Append(rows).ok());
  for (const char* sql :
       {"DELETE FROM \"g-1\"", "INSERT INTO \"g-1\" (id) VALUES ('q')", "DROP TABLE \"g-1\"",
        "UPDATE \"g-1\" SET note = 'y'", "CREATE TABLE t (x int)"}) {
    Status s;
    Rows(sql, nullptr, &s);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_NE(s.message().find("read-only"), std::string::npos) << sql << ": " << s;
  }
  Status s;
  Rows("SELECT 1; SELECT 2", nullptr, &s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("single"), std::string::npos) << s;
  Rows("SELEC 1", nullptr, &s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  if (store_->dialect() == SqlDialect::kPostgres) {
    // Writes hidden inside a SELECT meet the READ ONLY transaction.
    Rows("WITH d AS (DELETE FROM \"g-1\" RETURNING *) SELECT count(*) FROM d", nullptr, &s);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("read-only"), std::string::npos) << s;
    Rows("SELECT set_config('transaction_read_only', 'off', true)", nullptr, &s);
    EXPECT_FALSE(s.ok());
  }
  EXPECT_EQ(Rows("SELECT count(*) FROM \"g-1\"")[0][0], FeatureValue::Int(1));
  EXPECT_EQ(Rows("SELECT note FROM \"g-1\"")[0][0], FeatureValue::String("x"));
}

TEST_P(OfflineStoreContractTest, RunawayQueryStopsAtItsTimeLimit) {
  auto limited = Open({.timeout_ms = 300});
  ASSERT_NE(limited, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Status s;
  Rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
       limited.get(), &s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("time limit of 300 ms"), std::string::npos) << s;
  EXPECT_LT(took, std::chrono::seconds(10));
  // The store answers the next query normally.
  EXPECT_EQ(Rows("SELECT 7", limited.get())[0][0], FeatureValue::Int(7));
}

TEST_P(OfflineStoreContractTest, LongValuesStopAtTheLengthLimit) {
  auto limited = Open({.max_length_bytes = 4096});
  ASSERT_NE(limited, nullptr);
  const Record rows[] = {Row("a", 1, 1, std::string(10000, 'x'), 1)};
  ASSERT_TRUE(Append(rows).ok());
  Status s;
  Rows("SELECT note FROM \"g-1\"", limited.get(), &s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("length limit"), std::string::npos) << s;
}

TEST_P(OfflineStoreContractTest, RowsStreamAndAStoppedQueryLeavesTheStoreUsable) {
  std::vector<Record> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back(Row("r" + std::to_string(i), i, i, "n", i));
  ASSERT_TRUE(Append(rows).ok());
  int seen = 0;
  Status s = store_->QueryEach("SELECT count FROM \"g-1\" ORDER BY rowid", nullptr,
                               [&](std::span<const FeatureValue> row) {
                                 EXPECT_EQ(row[0], FeatureValue::Int(seen));
                                 return ++seen == 3 ? UnavailableError("enough") : Status::Ok();
                               });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "enough");
  EXPECT_EQ(seen, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Rows("SELECT count(*), sum(count) FROM \"g-1\"")[0],
              (std::vector<FeatureValue>{FeatureValue::Int(5000), FeatureValue::Int(12497500)}));
  }
}

TEST_P(OfflineStoreContractTest, ReadOnlyStoreRefusesWritesAndReads) {
  const Record rows[] = {Row("a", 1, 1, "x", 1)};
  ASSERT_TRUE(Append(rows, 1, JournalOp::kPut, "sink", 4).ok());
  auto reader = Open({}, /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  OfflineBatch batch;
  batch.group = &group_;
  batch.records = rows;
  EXPECT_EQ(reader->Append(batch).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->EnsureTable(group_).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->DropTable("g-1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*reader->ReadMark("sink"), 4);
  EXPECT_EQ(*reader->LastSequence(), 1);
  EXPECT_EQ(Rows("SELECT id FROM \"g-1\"", reader.get())[0][0], FeatureValue::String("a"));
}

TEST_P(OfflineStoreContractTest, DefinitionsLiveInTheStoreOnlyWhenItIsShared) {
  if (!store_->stores_definitions()) {
    EXPECT_EQ(store_->SaveDefinition("g", "{}").code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(store_->LoadDefinitions().status().code(), StatusCode::kFailedPrecondition);
    return;
  }
  EXPECT_TRUE(store_->LoadDefinitions()->empty());
  ASSERT_TRUE(store_->SaveDefinition("b", "{\"name\":\"b\"}").ok());
  ASSERT_TRUE(store_->SaveDefinition("a", "{\"name\":\"a\"}").ok());
  ASSERT_TRUE(store_->SaveDefinition("b", "{\"name\":\"b\",\"v\":2}").ok());
  EXPECT_EQ(*store_->LoadDefinitions(),
            (std::vector<std::string>{"{\"name\":\"a\"}", "{\"name\":\"b\",\"v\":2}"}));
  ASSERT_TRUE(store_->DeleteDefinition("a").ok());
  ASSERT_TRUE(store_->DeleteDefinition("a").ok());
  EXPECT_EQ(store_->LoadDefinitions()->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OfflineStoreContractTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

// PostgreSQL only: the server goes away under the store and comes back.
TEST(PostgresOfflineStoreTest, ConnectionLossIsUnavailableAndTheNextCallReconnects) {
  const std::string url = PostgresTestEnv::FreshUrl();
  ASSERT_FALSE(url.empty());
  auto store = OfflineStore::OpenPostgres(url, {});
  ASSERT_TRUE(store.ok()) << store.status();
  FeatureGroupDefinition group = Group();
  ASSERT_TRUE((*store)->EnsureTable(group).ok());
  const Record rows[] = {Row("a", 1, 1, "x", 1)};
  OfflineBatch batch;
  batch.group = &group;
  batch.records = rows;
  batch.sequence = 1;
  ASSERT_TRUE((*store)->Append(batch).ok());

  testing::PostgresServer* server = PostgresTestEnv::Server();
  ASSERT_TRUE(server->Stop().ok());
  batch.sequence = 2;
  Status s = (*store)->Append(batch);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("unreachable"), std::string::npos) << s;
  auto q = (*store)->QueryEach("SELECT 1", nullptr,
                               [](std::span<const FeatureValue>) { return Status::Ok(); });
  EXPECT_EQ(q.code(), StatusCode::kUnavailable) << q;
  EXPECT_EQ((*store)->LastSequence().status().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(server->Restart().ok());
  ASSERT_TRUE((*store)->Append(batch).ok());
  EXPECT_EQ(*(*store)->LastSequence(), 2);
  int64_t count = 0;
  ASSERT_TRUE((*store)
                  ->QueryEach("SELECT count(*) FROM \"g-1\"", nullptr,
                              [&](std::span<const FeatureValue> row) {
                                count = row[0].int_value();
                                return Status::Ok();
                              })
                  .ok());
  EXPECT_EQ(count, 2);
}

// With query_role, queries run with that role's rights only: a superuser
// URL no longer lets `pantry query` read server files.
TEST(PostgresOfflineStoreTest, QueryRoleLimitsWhatQueriesMayDo) {
  const std::string url = PostgresTestEnv::FreshUrl();
  ASSERT_FALSE(url.empty());
  auto writer = OfflineStore::OpenPostgres(url, {});
  ASSERT_TRUE(writer.ok()) << writer.status();
  FeatureGroupDefinition group = Group();
  ASSERT_TRUE((*writer)->EnsureTable(group).ok());
  std::string schema;
  ASSERT_TRUE((*writer)
                  ->QueryEach("SELECT current_schema()", nullptr,
                              [&](std::span<const FeatureValue> row) {
                                schema = row[0].ToString();
                                return Status::Ok();
                              })
                  .ok());
  const std::string role = "reader_" + schema;
  testing::PostgresServer* server = PostgresTestEnv::Server();
  ASSERT_TRUE(server->Psql(PostgresTestEnv::kDatabase, "CREATE ROLE " + role).ok());
  ASSERT_TRUE(
      server->Psql(PostgresTestEnv::kDatabase, "GRANT USAGE ON SCHEMA " + schema + " TO " + role)
          .ok());
  ASSERT_TRUE(server
                  ->Psql(PostgresTestEnv::kDatabase,
                         "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role)
                  .ok());

  // The role as the URL's pantry_query_role parameter (the same as
  // PostgresOfflineOptions::query_role).
  auto reader = OfflineStore::OpenPostgres(url + "&pantry_query_role=" + role + "&sslmode=disable",
                                           {.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto run = [&](const std::string& sql) {
    return (*reader)->QueryEach(sql, nullptr,
                                [](std::span<const FeatureValue>) { return Status::Ok(); });
  };
  EXPECT_TRUE(run("SELECT count(*) FROM \"g-1\"").ok());
  Status s = run("SELECT pg_read_file('PG_VERSION')");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("permission denied"), std::string::npos) << s;
  // Without the role the same URL (a superuser) may.
  auto unrestricted = OfflineStore::OpenPostgres(url, {.read_only = true});
  ASSERT_TRUE(unrestricted.ok());
  EXPECT_TRUE((*unrestricted)
                  ->QueryEach("SELECT pg_read_file('PG_VERSION')", nullptr,
                              [](std::span<const FeatureValue>) { return Status::Ok(); })
                  .ok());
}

TEST(PostgresOfflineStoreTest, UnreachableServerIsUnavailable) {
  auto store = OfflineStore::OpenPostgres("postgresql://postgres@127.0.0.1:1/none", {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pantry::featurestore
