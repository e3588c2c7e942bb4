// The feature-store sink: creates the click_stream groups, writes rows online
// and offline, and knows after a reopen what it has delivered.
#include "pantry/stream/feature_store_sink.h"

#include <unistd.h>

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/stream/stream_service.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;
using featurestore::FeatureStore;
using featurestore::FeatureType;

class FeatureStoreSinkTest : public ::testing::Test {
 protected:
  void OpenStore() {
    store_.reset();
    featurestore::FeatureStoreOptions o;
    o.home = home_;
    o.clock = &clock_;
    auto s = FeatureStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }

  testing::TempDir tmp_{"pantry_fs_sink_test"};
  const fs::path& home_ = tmp_.path();
  FakeClock clock_{1'800'000'000'000'000};
  std::unique_ptr<FeatureStore> store_;
};

TEST_F(FeatureStoreSinkTest, WorkshopStaggerRowsLandInClickStream) {
  OpenStore();
  WindowSpec spec = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
  auto sink = OpenFeatureStoreSink(store_.get(), spec);
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto def = store_->DescribeFeatureGroup("click_stream");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->record_identifier_name, "customer_id");
  EXPECT_EQ(def->event_time_name, "event_time");
  EXPECT_EQ(def->FindFeature("sum_activity_weight_last_2m")->type, FeatureType::kFractional);
  EXPECT_EQ(def->FindFeature(kEmissionIdFeature)->type, FeatureType::kIntegral);
  EXPECT_EQ(*(*sink)->DeliveredUpTo(), 0u);

  ParsedEvent e;
  Rejection r;
  EventParser parser(spec);
  ASSERT_TRUE(
      parser.Parse(R"({"customer_id": "C1", "activity_weight": 2, "product_health_index": 0.25})",
                   1'800'000'000'000'000, &e, &r));
  auto agg = WindowAggregator::Create(spec);
  std::vector<EmittedRow> rows;
  agg->Add(e, &rows);
  agg->Flush(&rows);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE((*sink)->Write(rows).ok());
  auto got = store_->GetRecord("click_stream", "C1");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 2.0);
  EXPECT_EQ((*got)->Find("avg_product_health_index_last_2m")->double_value(), 0.25);
  EXPECT_EQ((*got)->Find("event_time")->double_value(), 1'800'000'120.0);

  // After a restart the sink knows what it delivered.
  sink->reset();
  OpenStore();
  auto again = OpenFeatureStoreSink(store_.get(), spec);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*(*again)->DeliveredUpTo(), 1u);
  auto count = store_->Query("SELECT COUNT(*) FROM click_stream");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0].int_value(), 1);
}

TEST_F(FeatureStoreSinkTest, IncompatibleGroupIsRefused) {
  OpenStore();
  featurestore::FeatureGroupDefinition def;
  def.name = "click_stream_live";
  def.record_identifier_name = "customer_id";
  def.event_time_name = "event_time";
  def.features = {{"customer_id", FeatureType::kString},
                  {"event_time", FeatureType::kFractional},
                  {"sum_activity_weight_last_2m", FeatureType::kString}};
  ASSERT_TRUE(store_->CreateFeatureGroup(def).ok());
  WindowSpec spec = *WindowSpec::FromString(WorkshopSlidingSpecJson(), "live");
  auto sink = OpenFeatureStoreSink(store_.get(), spec);
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.status().message(), ::testing::HasSubstr("sum_activity_weight_last_2m"));
}

TEST_F(FeatureStoreSinkTest, ServiceWritesLiveFeaturesThroughTheStore) {
  OpenStore();
  StreamServiceOptions so;
  so.home = home_;
  so.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "live"));
  so.sink_factory = FeatureStoreSinkFactory(store_.get());
  so.clock = &clock_;
  so.checkpoint_interval_micros = 0;
  auto service = StreamService::Create(std::move(so));
  ASSERT_TRUE(service.ok()) << service.status();
  EventLog* log = (*service)->log("click_stream");
  for (double w : {2.0, 1.0}) {
    clock_.AdvanceSeconds(10);
    std::string payload =
        R"({"customer_id": "C5", "product_health_index": 0.5, "activity_weight": )";
    payload += std::to_string(w);
    payload += "}";
    AppendRecord rec{"C5", payload};
    ASSERT_TRUE(log->Append({&rec, 1}).ok());
  }
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE((*service)->PollOnce().ok());
  auto got = store_->GetRecord("click_stream_live", "C5");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 3.0);
  // Two minutes after the first event it has expired from the live window.
  clock_.AdvanceSeconds(110);
  ASSERT_TRUE((*service)->PollOnce().ok());
  got = store_->GetRecord("click_stream_live", "C5");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 1.0);
  clock_.AdvanceSeconds(10);
  ASSERT_TRUE((*service)->PollOnce().ok());
  got = store_->GetRecord("click_stream_live", "C5");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 0.0);
  EXPECT_EQ((*got)->Find("avg_product_health_index_last_2m"), nullptr);
}

}  // namespace
}  // namespace pantry::stream

namespace pantry::stream {
namespace {

// A poll's rows go to the store as one batch: online holds the newest row
// per key, offline every row; a replay after a restart without a checkpoint
// writes nothing twice.
TEST_F(FeatureStoreSinkTest, PollIsOneBatchOnlineLatestOfflineEveryRowExactlyOnce) {
  OpenStore();
  auto open_service = [&](int64_t checkpoint_interval) -> std::unique_ptr<StreamService> {
    StreamServiceOptions so;
    so.home = home_;
    so.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "live"));
    so.sink_factory = FeatureStoreSinkFactory(store_.get());
    so.clock = &clock_;
    so.checkpoint_interval_micros = checkpoint_interval;
    auto service = StreamService::Create(std::move(so));
    EXPECT_TRUE(service.ok()) << service.status();
    return std::move(*service);
  };
  auto service = open_service(0);
  std::vector<std::string> payloads;
  std::vector<AppendRecord> recs;
  std::map<std::string, double> sums;
  for (int i = 0; i < 600; ++i) {
    const std::string c = "C" + std::to_string(i % 7);
    const double w = i % 5;
    sums[c] += w;
    payloads.push_back(R"({"customer_id": ")" + c +
                       R"(", "product_health_index": 0.5, "activity_weight": )" +
                       std::to_string(w) + "}");
  }
  for (int i = 0; i < 600; ++i) {
    clock_.AdvanceMicros(1000);
    AppendRecord rec{"k", payloads[i]};
    ASSERT_TRUE(service->log("click_stream")->Append({&rec, 1}).ok());
  }
  clock_.AdvanceMicros(1000);
  ASSERT_TRUE(service->PollOnce().ok());
  for (const auto& [c, sum] : sums) {
    auto got = store_->GetRecord("click_stream_live", c);
    ASSERT_TRUE(got.ok() && got->has_value()) << c;
    EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), sum) << c;
  }
  auto count = [&] {
    return store_->Query("SELECT COUNT(*), MAX(stream_emission_id) FROM click_stream_live")
        ->rows[0];
  };
  EXPECT_EQ(count()[0].int_value(), 600);
  EXPECT_EQ(count()[1].int_value(), 600);

  // Restart as after a crash before any checkpoint: the 600 rows are
  // regenerated with the same ids and skipped; new events continue the ids.
  service.reset();
  ASSERT_TRUE(
      fs::remove(home_ / "stream" / "click_stream" / "processors" / "click_stream_live_2m.ckpt"));
  service = open_service(0);
  clock_.AdvanceMicros(1000);
  AppendRecord rec{"k", payloads[0]};
  ASSERT_TRUE(service->log("click_stream")->Append({&rec, 1}).ok());
  clock_.AdvanceMicros(1000);
  ASSERT_TRUE(service->PollOnce().ok());
  EXPECT_EQ(count()[0].int_value(), 601);
  EXPECT_EQ(count()[1].int_value(), 601);
  EXPECT_EQ(service->stats()[0].second.rows_delivered, 1u);
}

}  // namespace
}  // namespace pantry::stream
