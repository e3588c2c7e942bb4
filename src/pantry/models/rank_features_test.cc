#include "pantry/models/rank_features.h"

#include <gtest/gtest.h>

namespace pantry::models {
namespace {

TEST(RankFeaturesTest, NamesResolveAndRoundTrip) {
  std::vector<std::string> names = {
      "sum_activity_weight_last_2m", "avg_product_health_index_last_2m",
      "healthy_activity_last_2m",    "live_health_alignment",
      "product_health_index",        "customer_health_index",
      "product_category_tea",        "product_category_juice"};
  auto columns = ResolveRankColumns(names);
  ASSERT_TRUE(columns.ok()) << columns.status();
  ASSERT_EQ(columns->size(), names.size());
  for (size_t c = 0; c < names.size(); ++c) EXPECT_EQ(RankColumnName((*columns)[c]), names[c]);
  auto categories = CategoryColumns(*columns);
  EXPECT_EQ(categories.at("tea"), 6);
  EXPECT_EQ(categories.at("juice"), 7);
  EXPECT_EQ(DefaultRankFeatureNames(true),
            (std::vector<std::string>{"healthy_activity_last_2m", "live_health_alignment",
                                      "product_health_index", "customer_health_index"}));
  EXPECT_EQ(DefaultRankFeatureNames(false),
            (std::vector<std::string>{"product_health_index", "customer_health_index"}));
}

TEST(RankFeaturesTest, UnknownNameIsRefused) {
  std::vector<std::string> names = {"product_health_index", "retrieval_score_v9"};
  auto columns = ResolveRankColumns(names);
  EXPECT_EQ(columns.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(columns.status().message().find("retrieval_score_v9"), std::string::npos);
  names = {"product_category_"};
  EXPECT_FALSE(ResolveRankColumns(names).ok());
}

TEST(RankFeaturesTest, RowValues) {
  std::vector<std::string> names = {
      "sum_activity_weight_last_2m", "avg_product_health_index_last_2m",
      "healthy_activity_last_2m",    "live_health_alignment",
      "product_health_index",        "customer_health_index",
      "product_category_tea",        "product_category_juice"};
  auto columns = ResolveRankColumns(names);
  ASSERT_TRUE(columns.ok());
  RankInputs in;
  in.sum_activity_weight_last_2m = 10;
  in.avg_product_health_index_last_2m = 0.2f;
  in.product_health_index = 0.9f;
  in.customer_health_index = 0.4f;
  in.category_column = 7;
  std::vector<float> row(names.size(), -1);
  EncodeRankRow(*columns, in, row.data());
  EXPECT_FLOAT_EQ(row[0], 10);
  EXPECT_FLOAT_EQ(row[1], 0.2f);
  EXPECT_FLOAT_EQ(row[2], 2.0f);                                // healthy_activity = W·ā
  EXPECT_FLOAT_EQ(row[3], 10 * (0.2f - 0.5f) * (0.9f - 0.5f));  // unhealthy browse, healthy item
  EXPECT_LT(row[3], 0);
  EXPECT_FLOAT_EQ(row[4], 0.9f);
  EXPECT_FLOAT_EQ(row[5], 0.4f);
  EXPECT_EQ(row[6], 0);
  EXPECT_EQ(row[7], 1);
  in.product_health_index = 0.1f;  // unhealthy item: aligned with the browse
  in.category_column = -1;
  EncodeRankRow(*columns, in, row.data());
  EXPECT_GT(row[3], 0);
  EXPECT_EQ(row[6], 0);
  EXPECT_EQ(row[7], 0);
}

}  // namespace
}  // namespace pantry::models
