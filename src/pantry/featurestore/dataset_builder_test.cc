#include "pantry/featurestore/dataset_builder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pantry/common/file_util.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

// The offline stores datasets are built from: false = SQLite, true =
// PostgreSQL (a fresh schema on the binary's server, postgres_test_env.h).
class DatasetTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    FeatureStoreOptions o;
    o.home = home_;
    if (GetParam()) {
      o.offline_url = PostgresTestEnv::FreshUrl();
      ASSERT_FALSE(o.offline_url.empty());
    }
    o.online_backend = OnlineBackend::kMemory;
    o.clock = &clock_;
    store_ = std::move(*FeatureStore::Open(o));
    ASSERT_TRUE(store_
                    ->CreateFeatureGroup(testing::GroupDefinition(
                        "clicks", "click_id",
                        testing::WithEventTime({{"click_id", FeatureType::kIntegral},
                                                {"customer_id", FeatureType::kString}})))
                    .ok());
    ASSERT_TRUE(
        store_
            ->CreateFeatureGroup(testing::GroupDefinition("customers", "customer_id",
                                                          {{"customer_id", FeatureType::kString},
                                                           {"event_time", FeatureType::kFractional},
                                                           {"age", FeatureType::kIntegral}}))
            .ok());
  }
  void Click(int64_t id, const std::string& customer, double t) {
    Record r;
    r.Add("click_id", FeatureValue::Int(id));
    r.Add("customer_id", FeatureValue::String(customer));
    r.Add("event_time", FeatureValue::Double(t));
    ASSERT_TRUE(store_->PutRecord("clicks", r).ok());
  }
  void Customer(const std::string& id, double t, int64_t age) {
    Record r;
    r.Add("customer_id", FeatureValue::String(id));
    r.Add("event_time", FeatureValue::Double(t));
    r.Add("age", FeatureValue::Int(age));
    ASSERT_TRUE(store_->PutRecord("customers", r).ok());
  }
  std::string Build(DatasetSpec spec) {
    auto stats = BuildDataset(*store_, spec, home_ / "out.csv");
    EXPECT_TRUE(stats.ok()) << stats.status();
    return *ReadFileToString(home_ / "out.csv");
  }

  FakeClock clock_{1'800'000'000'000'000};
  testing::TempDir tmp_{"pantry_ds_test"};
  const fs::path& home_ = tmp_.path();
  std::unique_ptr<FeatureStore> store_;
};

TEST_P(DatasetTest, PointInTimeJoinNeverUsesLaterRowsAndSkipsDeleted) {
  Customer("a", 100, 30);
  Customer("a", 200, 31);
  Customer("a", 200, 32);  // duplicate event time: the last written wins
  Customer("a", 300, 33);  // later than every click below
  Customer("b", 100, 40);
  ASSERT_TRUE(store_->DeleteRecord("customers", "b", 150'000'000, DeleteMode::kSoft).ok());
  Click(1, "a", 50);   // before any customer row
  Click(2, "a", 100);  // equal event time counts
  Click(3, "a", 250);
  Click(4, "b", 120);
  Click(5, "b", 160);  // after b's delete
  Click(3, "a", 250);  // duplicate base row collapses
  DatasetSpec spec;
  spec.base_group = "clicks";
  spec.joins = {{"customers", "customer_id", {"age"}}};
  EXPECT_EQ(Build(spec),
            "click_id,customer_id,event_time,age\n"
            "1,a,50,\n"
            "2,a,100,30\n"
            "4,b,120,40\n"
            "5,b,160,\n"
            "3,a,250,32\n");
  spec.max_age_micros = 30'000'000;  // 30 s
  EXPECT_EQ(Build(spec),
            "click_id,customer_id,event_time,age\n"
            "1,a,50,\n"
            "2,a,100,30\n"
            "4,b,120,40\n"
            "5,b,160,\n"
            "3,a,250,\n");
}

TEST_P(DatasetTest, ErrorsNameTheProblem) {
  DatasetSpec spec;
  spec.base_group = "clicks";
  spec.joins = {{"nope", "customer_id", {}}};
  EXPECT_EQ(BuildDataset(*store_, spec, home_ / "x.csv").status().code(), StatusCode::kNotFound);
  spec.joins = {{"customers", "missing_column", {}}};
  EXPECT_NE(BuildDataset(*store_, spec, home_ / "x.csv").status().message().find("missing_column"),
            std::string::npos);
}

TEST_P(DatasetTest, IngestBatchesAndEventTimeColumn) {
  std::ofstream(home_ / "c.csv") << "customer_id,ts,age\na,100,1\nb,100,2\na,200,3\nc,300,4\n";
  IngestOptions o;
  o.batch_size = 2;
  o.event_time_column = "ts";
  int commits = 0;
  o.on_commit = [&](int64_t, int64_t) { ++commits; };
  auto report = IngestCsv(*store_, "customers", home_ / "c.csv", o);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->rows_committed, 4);
  EXPECT_EQ(commits, 2);
  auto a = store_->GetRecord("customers", "a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->Find("age")->int_value(), 3);
  // A bad row in the second batch: the first batch stays, the second is not
  // written.
  std::ofstream(home_ / "d.csv") << "customer_id,ts,age\nd,1,1\ne,1,2\nf,1,3\ng,1,x\nh,1,5\n";
  report = IngestCsv(*store_, "customers", home_ / "d.csv", o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("d.csv:5:5"), std::string::npos) << report.status();
  EXPECT_NE(report.status().message().find("2 rows committed"), std::string::npos);
  auto q = store_->Query("SELECT customer_id FROM customers WHERE customer_id >= 'c' ORDER BY 1");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->rows.size(), 3u);  // c (earlier file), d, e
  EXPECT_EQ(q->rows[2][0].string_value(), "e");
}

INSTANTIATE_TEST_SUITE_P(Offline, DatasetTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

}  // namespace
}  // namespace pantry::featurestore
