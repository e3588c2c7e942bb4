// Issue 13, item 4: a journaled batch that can no longer be applied online
// (here a row with an out-of-range event time, as versions before the range
// check could write) is quarantined with a clear message when the store
// opens, instead of keeping the store from opening.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "pantry/common/clock.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/online_store.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

class JournalQuarantineTest : public ::testing::Test {
 protected:
  StatusOr<std::unique_ptr<FeatureStore>> Open() {
    FeatureStoreOptions options;
    options.home = home_.path();
    options.online_backend = OnlineBackend::kRocksDb;
    options.clock = &clock_;
    return FeatureStore::Open(options);
  }

  static Record Row(const std::string& id, double event_time) {
    Record r;
    r.Add("id", FeatureValue::String(id));
    r.Add("event_time", FeatureValue::Double(event_time));
    r.Add("v", FeatureValue::Int(7));
    return r;
  }

  // Runs one statement against the offline SQLite file, as an older
  // version's write would have left it.
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((home_.path() / "featurestore" / "offline.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  testing::TempDir home_{"pantry_quarantine"};
  FakeClock clock_{1'800'000'000'000'000LL};
};

TEST_F(JournalQuarantineTest, UnappliableBatchIsQuarantinedAndTheStoreOpens) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(
        (*store)
            ->CreateFeatureGroup(testing::GroupDefinition("g", "id",
                                                          {{"id", FeatureType::kString},
                                                           {"event_time", FeatureType::kFractional},
                                                           {"v", FeatureType::kIntegral}}))
            .ok());
    ASSERT_TRUE((*store)->PutRecord("g", Row("a", 100)).ok());  // sequence 1
    ASSERT_TRUE((*store)->PutRecord("g", Row("b", 200)).ok());  // sequence 2
    ASSERT_TRUE((*store)->PutRecord("g", Row("c", 300)).ok());  // sequence 3
  }
  {
    // A crash after the offline commit of batches 2 and 3: online applied
    // only up to 1. Batch 2's row carries an event time no version accepts
    // any longer.
    auto online = OnlineStore::OpenRocksDb(home_.path() / "featurestore" / "online", {});
    ASSERT_TRUE(online.ok()) << online.status();
    ASSERT_TRUE((*online)->Write({}, /*sequence=*/1).ok());
  }
  Sql("UPDATE g SET event_time = 1e300 WHERE id = 'b'");

  auto store = Open();
  ASSERT_TRUE(store.ok()) << "the store must open despite the bad batch: " << store.status();
  // Batch 3 after the quarantined one was still replayed, and writes go on.
  EXPECT_TRUE((*store)->Health().ok());
  ASSERT_TRUE((*store)->PutRecord("g", Row("d", 400)).ok());
  auto d = (*store)->GetRecord("g", "d");
  ASSERT_TRUE(d.ok() && d->has_value());

  const fs::path quarantine = home_.path() / "featurestore" / "quarantine.jsonl";
  auto text = ReadFileToString(quarantine);
  ASSERT_TRUE(text.ok()) << text.status();
  auto line = ParseJson(text->substr(0, text->find('\n')), "quarantine line");
  ASSERT_TRUE(line.ok()) << *text;
  EXPECT_EQ((*line)["sequence"], 2);
  EXPECT_EQ((*line)["feature_group"], "g");
  EXPECT_EQ((*line)["op"], "put");
  EXPECT_EQ((*line)["rows"], 1);
  EXPECT_NE((*line)["reason"].get<std::string>().find("out of range"), std::string::npos) << *line;
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 1) << "one batch quarantined";

  // Reopening does not quarantine it again: the batch counts as handled.
  store->reset();
  store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  text = ReadFileToString(quarantine);
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 1);
}

}  // namespace
}  // namespace pantry::featurestore
