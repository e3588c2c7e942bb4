#include "pantry/workshop/training_data.h"

#include <gtest/gtest.h>

#include "pantry/datagen/ground_truth.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureValue;
using models::CfTarget;

TEST(TrainingQueriesTest, BoundsAreCheckedTimesAndBecomeConditions) {
  auto all = CfQuery(CfTarget::kRating, {});
  ASSERT_TRUE(all.ok());
  EXPECT_NE(all->find("WHERE cs.bought = 1"), std::string::npos) << *all;
  EXPECT_NE(all->find("cs.rating FROM click_stream_historical cs"), std::string::npos) << *all;
  auto bought = CfQuery(CfTarget::kBought, ClickRange::Before("2026-10-01T00:00:00Z"));
  ASSERT_TRUE(bought.ok());
  EXPECT_NE(bought->find("cs.bought FROM"), std::string::npos) << *bought;
  EXPECT_NE(bought->find("WHERE 1 = 1 AND cs.event_time < '2026-10-01T00:00:00Z'"),
            std::string::npos)
      << *bought;
  auto rank = RankQuery({"2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"});
  ASSERT_TRUE(rank.ok());
  EXPECT_NE(rank->find("WHERE cs.event_time >= '2026-09-01T00:00:00Z' AND cs.event_time < "
                       "'2026-10-01T00:00:00Z'"),
            std::string::npos)
      << *rank;
  auto unbounded = RankQuery({});
  ASSERT_TRUE(unbounded.ok());
  EXPECT_EQ(unbounded->find("WHERE"), std::string::npos);
  auto injected = RankQuery(ClickRange::Before("2026' OR '1' = '1"));
  EXPECT_EQ(injected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(injected.status().message().find("is not an ISO-8601 time"), std::string::npos);
}

TEST(TrainingRowsTest, RowsMapToExamplesAndBadNumbersAreNamed) {
  std::vector<FeatureValue> cf_row = {FeatureValue::String("C1"),        FeatureValue::Int(1),
                                      FeatureValue::String("ohio"),      FeatureValue::String("P2"),
                                      FeatureValue::String("skim milk"), FeatureValue::Int(4)};
  auto cf = CfExampleFromRow(cf_row, 0);
  ASSERT_TRUE(cf.ok()) << cf.status();
  EXPECT_EQ(cf->customer_id, "C1");
  EXPECT_EQ(cf->is_married, "1");
  EXPECT_EQ(cf->state, "ohio");
  EXPECT_EQ(cf->product_id, "P2");
  EXPECT_EQ(cf->product_name, "skim milk");
  EXPECT_EQ(cf->rating, 4.0f);
  cf_row[5] = FeatureValue::String("four");
  auto bad_cf = CfExampleFromRow(cf_row, 3);
  EXPECT_EQ(bad_cf.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_cf.status().message().find("query row 3, column target"), std::string::npos)
      << bad_cf.status();

  std::vector<FeatureValue> rank_row = {FeatureValue::Int(1),      FeatureValue::Double(2.5),
                                        FeatureValue::Double(0.6), FeatureValue::Double(0.8),
                                        FeatureValue::Double(0.3), FeatureValue::String("yogurt")};
  auto rank = RankExampleFromRow(rank_row, 0);
  ASSERT_TRUE(rank.ok()) << rank.status();
  EXPECT_EQ(rank->bought, 1.0f);
  EXPECT_EQ(rank->sum_activity_weight_last_2m, 2.5f);
  EXPECT_FLOAT_EQ(rank->avg_product_health_index_last_2m, 0.6f);
  EXPECT_FLOAT_EQ(rank->product_health_index, 0.8f);
  EXPECT_FLOAT_EQ(rank->customer_health_index, 0.3f);
  EXPECT_EQ(rank->product_category, "yogurt");
  rank_row[1] = FeatureValue::Double(std::nan(""));
  auto bad_rank = RankExampleFromRow(rank_row, 7);
  EXPECT_NE(bad_rank.status().message().find("query row 7, column sum_activity_weight_last_2m"),
            std::string::npos)
      << bad_rank.status();
  EXPECT_FALSE(RankExampleFromRow(std::span(rank_row).first(5), 0).ok());
}

class TrainingDataTest : public WorkshopTest {
 protected:
  void SetUp() override {
    WorkshopTest::SetUp();
    Generate();
    {
      auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
      ASSERT_TRUE(store.ok()) << store.status();
      ASSERT_TRUE(LoadDataset(**store, data(), TrainingGroupNames()).ok());
    }
    auto store = OpenHomeStore(home(), nullptr, /*read_only=*/true);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  int64_t Count(const std::string& where) {
    auto result = store_->Query("SELECT COUNT(*) FROM click_stream_historical cs " + where);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->rows[0][0].int_value() : -1;
  }

  std::unique_ptr<featurestore::FeatureStore> store_;
};

TEST_F(TrainingDataTest, CfExamplesArePurchasesOrAllClicks) {
  auto purchases = LoadCfExamples(*store_, CfTarget::kRating, {});
  ASSERT_TRUE(purchases.ok()) << purchases.status();
  EXPECT_EQ(static_cast<int64_t>(purchases->size()), Count("WHERE cs.bought = 1"));
  ASSERT_FALSE(purchases->empty());
  for (const models::CfExample& e : *purchases) {
    EXPECT_GE(e.rating, 1.0f);
    EXPECT_LE(e.rating, 5.0f);
    EXPECT_FALSE(e.product_name.empty());
    EXPECT_TRUE(e.is_married == "0" || e.is_married == "1") << e.is_married;
  }
  auto clicks = LoadCfExamples(*store_, CfTarget::kBought, {});
  ASSERT_TRUE(clicks.ok());
  EXPECT_EQ(static_cast<int64_t>(clicks->size()), Count(""));
  for (const models::CfExample& e : *clicks) EXPECT_TRUE(e.rating == 0 || e.rating == 1);
}

TEST_F(TrainingDataTest, ClickRangesSplitTheHistory) {
  auto truth = datagen::LoadGroundTruth(data());
  ASSERT_TRUE(truth.ok()) << truth.status();
  const std::string heldout_from = truth->summary["click_heldout_from"].get<std::string>();
  auto before = LoadRankExamples(*store_, ClickRange::Before(heldout_from));
  auto after = LoadRankExamples(*store_, ClickRange::From(heldout_from));
  auto all = LoadRankExamples(*store_, {});
  ASSERT_TRUE(before.ok() && after.ok() && all.ok());
  EXPECT_GT(before->size(), 0u);
  EXPECT_GT(after->size(), 0u);
  EXPECT_EQ(before->size() + after->size(), all->size());
  EXPECT_EQ(static_cast<int64_t>(all->size()), Count(""));
}

TEST_F(TrainingDataTest, CatalogCustomersAndFirstCustomer) {
  auto catalog = LoadCatalog(*store_);
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog->ids.size(), 100u);
  EXPECT_EQ(catalog->names.size(), 100u);
  auto customers = LoadCustomerFeatures(*store_);
  ASSERT_TRUE(customers.ok());
  EXPECT_EQ(customers->size(), 60u);
  ASSERT_TRUE(customers->contains("C1"));
  auto first = FirstCustomerIds(*store_, 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (std::vector<std::string>{"C1", "C10", "C11"}));
}

}  // namespace
}  // namespace pantry::workshop
