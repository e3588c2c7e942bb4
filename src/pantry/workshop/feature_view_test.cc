// Training and serving encode the same ranking row for the same inputs: the
// row the recommender fed its ranker (RecommendRequest::include_features)
// equals the row RankModel::Encode makes from a ranking-query row
// (RankExampleFromRow) that holds the same values, column for column.
#include <gtest/gtest.h>

#include "pantry/recommend/recommender.h"
#include "pantry/testing/recommend_fixture.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureValue;

TEST(FeatureViewTest, ServingRowsEqualTrainingRows) {
  auto fixture = testing::RecommendFixture::Create(testing::FixtureOptions{});
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  ASSERT_TRUE((*fixture)->PutClicks("click_stream_live", "c3", 6.0, 0.2).ok());
  recommend::RecommenderOptions options;
  options.store = &(*fixture)->store();
  options.clock = &(*fixture)->clock();
  auto recommender = recommend::Recommender::Open(options);
  ASSERT_TRUE(recommender.ok()) << recommender.status();
  ASSERT_TRUE((*recommender)->Install((*fixture)->cf(), "cf", (*fixture)->rank(), "rank").ok());

  recommend::RecommendRequest request{"c3", 10, 40, false};
  request.include_features = true;
  auto result = (*recommender)->Recommend(request);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->live.source, "click_stream_live");
  ASSERT_EQ(result->feature_names, (*fixture)->rank()->ranker().feature_names());
  ASSERT_FALSE(result->items.empty());
  for (const recommend::RecommendedItem& item : result->items) {
    // What the ranking query returns for this (customer, product, live) row.
    std::vector<FeatureValue> row = {
        FeatureValue::Int(0),
        FeatureValue::Double(result->live.sum_activity_weight_last_2m),
        FeatureValue::Double(result->live.avg_product_health_index_last_2m),
        FeatureValue::Double(item.product_health_index),
        FeatureValue::Double(result->customer_health_index),
        FeatureValue::String(item.product_category)};
    auto example = RankExampleFromRow(row, 0);
    ASSERT_TRUE(example.ok()) << example.status();
    models::DenseMatrix training = (*fixture)->rank()->Encode(std::span(&*example, 1));
    EXPECT_EQ(training.values, item.features) << item.product_id;
  }
  // The live activity reached the row: W = 6, ā = 0.2, W·ā = 1.2.
  const auto& names = result->feature_names;
  const auto& first = result->items.front().features;
  auto at = [&](const char* name) {
    return first[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  EXPECT_FLOAT_EQ(at("healthy_activity_last_2m"), 1.2f);
  const float health = static_cast<float>(result->items.front().product_health_index);
  EXPECT_FLOAT_EQ(at("live_health_alignment"), 6.0f * (0.2f - 0.5f) * (health - 0.5f));
}

}  // namespace
}  // namespace pantry::workshop
