#include "pantry/models/rank_features.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "pantry/common/file_util.h"
#include "pantry/models/category_affinity.h"

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

TEST(RankFeaturesTest, TwoStageValues) {
  const std::vector<std::string> names = TwoStageRankFeatureNames(true);
  auto columns = ResolveRankColumns(names);
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_TRUE(UsesRetrievalScores(*columns));
  EXPECT_TRUE(UsesCategoryAffinity(*columns));
  EXPECT_FALSE(UsesRetrievalScores(*ResolveRankColumns(DefaultRankFeatureNames(true))));
  RankInputs in;
  in.sum_activity_weight_last_2m = 3;
  in.avg_product_health_index_last_2m = 0.7f;
  in.customer_category_affinity = 0.25f;
  in.retrieval_scores = {1.5f, 0.3f, 0.02f};
  std::vector<float> row(names.size(), -1);
  EncodeRankRow(*columns, in, row.data());
  auto at = [&](std::string_view name) {
    return row[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  EXPECT_FLOAT_EQ(at("sum_activity_weight_last_2m"), 3);
  EXPECT_FLOAT_EQ(at("avg_product_health_index_last_2m"), 0.7f);
  EXPECT_FLOAT_EQ(at("customer_category_affinity"), 0.25f);
  EXPECT_FLOAT_EQ(at("retrieval_score_als"), 1.5f);
  EXPECT_FLOAT_EQ(at("retrieval_score_item_knn"), 0.3f);
  EXPECT_FLOAT_EQ(at("retrieval_score_popularity"), 0.02f);
}

TEST(RankFeaturesTest, ComputedColumnsOverloadEncodesTheSameRow) {
  std::vector<std::string> names = TwoStageRankFeatureNames(true);
  for (const char* category : {"product_category_tea", "product_category_juice"}) {
    names.insert(names.begin() + 2, category);  // one-hots between other columns
  }
  auto columns = ResolveRankColumns(names);
  ASSERT_TRUE(columns.ok()) << columns.status();
  const std::vector<uint32_t> computed = ComputedRankColumns(*columns);
  EXPECT_EQ(computed.size() + 2, names.size());
  RankInputs in;
  in.sum_activity_weight_last_2m = 3;
  in.avg_product_health_index_last_2m = 0.7f;
  in.product_health_index = 0.2f;
  in.customer_health_index = 0.6f;
  in.customer_category_affinity = 0.25f;
  in.retrieval_scores = {1.5f, 0.3f, 0.02f};
  for (int32_t category : {-1, 0, 1, 2, 3, static_cast<int32_t>(names.size())}) {
    in.category_column = category;
    std::vector<float> want(names.size(), -1), got(names.size(), -2);
    EncodeRankRow(*columns, in, want.data());
    EncodeRankRow(*columns, computed, in, got.data());
    EXPECT_EQ(got, want) << "category column " << category;
    EXPECT_EQ(std::count(want.begin(), want.end(), 1.0f), category == 2 || category == 3 ? 1 : 0);
  }
}

TEST(CategoryAffinityTest, SmoothedShareOverOverallShare) {
  // a bought 3 tea and 1 juice; b bought 4 juice. Overall: 3 tea, 5 juice.
  auto table = CategoryAffinity::Build({"a", "b"}, {"tea", "juice"}, {3, 1, 0, 4}, 5.0);
  ASSERT_TRUE(table.ok()) << table.status();
  const double tea = (3.0 + 1) / (8 + 2), juice = (5.0 + 1) / (8 + 2);
  EXPECT_NEAR(table->Value("a", "tea"), std::log((3 + 5 * tea) / (4 + 5)) - std::log(tea), 1e-6);
  EXPECT_GT(table->Value("a", "tea"), 0);
  EXPECT_LT(table->Value("b", "tea"), 0);
  EXPECT_NEAR(table->Value("b", "juice"), std::log((4 + 5 * juice) / (4 + 5)) - std::log(juice),
              1e-6);
  // Unknown customers and categories are neutral.
  EXPECT_EQ(table->Value("nobody", "tea"), 0);
  EXPECT_EQ(table->Value("a", "coffee"), 0);
  EXPECT_FALSE(CategoryAffinity::Build({"a", "a"}, {"tea"}, {1, 1}).ok());
  EXPECT_FALSE(CategoryAffinity::Build({"a"}, {"tea"}, {1, 1}).ok());

  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("pantry_affinity_" + std::to_string(::getpid()) + ".tsv");
  ASSERT_TRUE(table->Save(path).ok());
  auto loaded = CategoryAffinity::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const char* customer : {"a", "b", "c"}) {
    for (const char* category : {"tea", "juice"}) {
      EXPECT_EQ(loaded->Value(customer, category), table->Value(customer, category));
    }
  }
  ASSERT_TRUE(
      WriteFileAtomic(path, "pantry-category-affinity\t1\t5\ncustomer_id\ttea\na\tx\n").ok());
  EXPECT_EQ(CategoryAffinity::Load(path).status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pantry::models
