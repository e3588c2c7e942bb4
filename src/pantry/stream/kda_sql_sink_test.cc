// Rows of compiled KDA SQL applications in the feature store: the workshop's
// application writes the workshop's click_stream group, and a query with a
// projection writes its SELECT columns with their declared types.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/kda_sql_compiler.h"
#include "pantry/stream/window_aggregator.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;
using featurestore::FeatureStore;
using featurestore::FeatureType;

class KdaSinkTest : public ::testing::Test {
 protected:
  KdaSinkTest() {
    home_ = fs::temp_directory_path() / ("pantry_kda_sink_test_" + std::to_string(::getpid()));
    fs::remove_all(home_);
    fs::create_directories(home_);
    featurestore::FeatureStoreOptions o;
    o.home = home_;
    o.clock = &clock_;
    auto s = FeatureStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) store_ = std::move(*s);
  }
  ~KdaSinkTest() override {
    store_.reset();
    fs::remove_all(home_);
  }

  // Runs `events` (JSON, arrival micros) through `spec` into the store.
  void Deliver(const WindowSpec& spec, const std::vector<std::pair<std::string, int64_t>>& events) {
    auto sink = OpenFeatureStoreSink(store_.get(), spec);
    ASSERT_TRUE(sink.ok()) << sink.status();
    EventParser parser(spec);
    auto agg = WindowAggregator::Create(spec);
    std::vector<EmittedRow> rows;
    for (const auto& [json, arrival] : events) {
      ParsedEvent e;
      Rejection r;
      ASSERT_TRUE(parser.Parse(json, arrival, &e, &r)) << r.message;
      agg->Add(e, &rows);
    }
    agg->Flush(&rows);
    ASSERT_TRUE((*sink)->Write(rows).ok());
  }

  fs::path home_;
  FakeClock clock_{1'800'000'000'000'000};
  std::unique_ptr<FeatureStore> store_;
};

TEST_F(KdaSinkTest, WorkshopApplicationWritesTheWorkshopGroup) {
  kda::CompileOptions o;
  o.sinks["DESTINATION_SQL_STREAM"] = {"click_stream", ""};
  auto compiled = kda::CompileSql(R"sql(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CUSTOMER_ID,
       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,
       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' MINUTE);)sql",
                                  o);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const int64_t t = 1'800'000'000'000'000;
  Deliver(
      (*compiled)[0].spec,
      {{R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.25})", t},
       {R"({"customer_id": "C1", "activity_weight": 1, "product_health_index": 0.75})", t + 1}});
  auto def = store_->DescribeFeatureGroup("click_stream");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->record_identifier_name, "customer_id");
  EXPECT_EQ(def->FindFeature("sum_activity_weight_last_2m")->type, FeatureType::kFractional)
      << "the same group the built-in workshop spec writes";
  auto got = store_->GetRecord("click_stream", "C1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 3.0);
  EXPECT_EQ((*got)->Find("avg_product_health_index_last_2m")->double_value(), 0.5);
}

TEST_F(KdaSinkTest, ProjectedColumnsAreWrittenWithTheirTypes) {
  kda::CompileOptions o;
  o.sinks["SCORES"] = {"scores", ""};
  auto compiled = kda::CompileSql(R"sql(
CREATE OR REPLACE STREAM "SCORES" (customer_id VARCHAR(8), score INTEGER, n BIGINT,
                                   ratio DOUBLE, minute_start TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "SCORES"
SELECT STREAM customer_id, CAST(SUM(w) * 10 AS INTEGER), COUNT(*), SUM(w) / COUNT(*),
       FLOOR(ROWTIME TO MINUTE)
FROM "SOURCE_SQL_STREAM_001" GROUP BY customer_id, FLOOR(ROWTIME TO MINUTE);)sql",
                                  o);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const int64_t t = 1'800'000'000'000'000;
  Deliver((*compiled)[0].spec, {{R"({"customer_id": "C2", "w": 0.25})", t},
                                {R"({"customer_id": "C2", "w": 0.5})", t + 1}});
  auto def = store_->DescribeFeatureGroup("scores");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->FindFeature("score")->type, FeatureType::kIntegral);
  EXPECT_EQ(def->FindFeature("n")->type, FeatureType::kIntegral);
  EXPECT_EQ(def->FindFeature("ratio")->type, FeatureType::kFractional);
  EXPECT_EQ(def->FindFeature("minute_start")->type, FeatureType::kString);
  auto got = store_->GetRecord("scores", "C2");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("score")->int_value(), 8);
  EXPECT_EQ((*got)->Find("n")->int_value(), 2);
  EXPECT_EQ((*got)->Find("ratio")->double_value(), 0.375);
  EXPECT_EQ((*got)->Find("minute_start")->string_value(), "2027-01-15T08:00:00Z");
}

TEST_F(KdaSinkTest, RecordIdentifierMustBeASelectedColumn) {
  kda::CompileOptions o;
  o.sinks["D"] = {"g", "k2"};
  auto compiled = kda::CompileSql(R"sql(
CREATE OR REPLACE STREAM "D" (k VARCHAR(8), n BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D"
SELECT STREAM k, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' MINUTE);)sql",
                                  o);
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(), ::testing::HasSubstr("sink.record_identifier"));
}

}  // namespace
}  // namespace pantry::stream
