// Training and serving encode the same ranking row for the same inputs: the
// row the recommender fed its ranker (RecommendRequest::include_features)
// equals the row RankModel::Encode makes from a ranking-query row
// (RankExampleFromRow) that holds the same values, column for column.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "pantry/models/model_store.h"
#include "pantry/models/profile_segment.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/recommend/recommender.h"
#include "pantry/testing/recommend_fixture.h"
#include "pantry/workshop/rank_context.h"
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

// The fixture's world as purchase evidence: customer c<i> bought products
// i, i+1, i+4 and i+8 (ids p1000 + n, category n % 4, as the fixture's
// catalog: three of the four in one category), and
// every customer's profile segment is the one its profile gives.
constexpr int kBoughtOffsets[] = {0, 1, 4, 8};

RetrievalEvidence FixtureEvidence() {
  static const char* const kCategories[] = {"Produce", "Snacks", "Dairy", "Beverages"};
  RetrievalEvidence e;
  for (const char* c : kCategories) e.categories.Intern(c);
  for (int p = 0; p < 60; ++p) {
    e.products.Intern("p" + std::to_string(1000 + p));
    e.product_category.push_back(p % 4);
  }
  models::InteractionMatrix::Builder builder;
  for (int c = 0; c < 30; ++c) {
    const uint32_t customer = e.customers.Intern("c" + std::to_string(c));
    e.customer_segment.push_back(models::ProfileSegment(0.5, 0));
    for (int d : kBoughtOffsets) {
      EXPECT_TRUE(builder.Add({customer, static_cast<uint32_t>((c + d) % 60), 1.0f, 0}).ok());
    }
  }
  e.matrix = std::move(builder).Build(e.customers.size(), e.products.size());
  return e;
}

std::string FixtureProduct(int p) { return "p" + std::to_string(1000 + p); }

// A two-stage ranker on rows whose label follows the evidence: customers
// buy what they bought before, and more when browsing healthy products.
std::vector<models::RankExample> TwoStageExamples() {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<models::RankExample> examples;
  for (int r = 0; r < 3000; ++r) {
    models::RankExample e;
    const int customer = r % 30, product = static_cast<int>(rng() % 60);
    e.customer_id = "c" + std::to_string(customer);
    e.product_id = FixtureProduct(product);
    e.product_category = std::array{"Produce", "Snacks", "Dairy", "Beverages"}[product % 4];
    e.sum_activity_weight_last_2m = r % 2 == 0 ? 0.0f : 4.0f;
    e.avg_product_health_index_last_2m = r % 2 == 0 ? 0.0f : 0.8f;
    e.product_health_index =
        static_cast<float>(testing::RecommendFixture::ProductHealth(product, 60));
    e.customer_health_index = 0.5f;
    const int offset = (product - customer + 60) % 60;
    const bool bought_before = std::find(std::begin(kBoughtOffsets), std::end(kBoughtOffsets),
                                         offset) != std::end(kBoughtOffsets);
    e.bought = (bought_before || unit(rng) < 0.1f) ? 1.0f : 0.0f;
    examples.push_back(std::move(e));
  }
  return examples;
}

models::RankTrainOptions TwoStageOptions(const RankContext& context) {
  models::RankTrainOptions options;
  options.two_stage = true;
  options.affinity = context.affinity;
  options.params.num_round = 20;
  options.params.nthread = 1;
  return options;
}

StatusOr<models::RankModel> TrainTwoStage(const RankContext& context) {
  std::vector<models::RankExample> examples = TwoStageExamples();
  AddTwoStageFeatures(context, examples);
  return models::RankModel::Train(examples, TwoStageOptions(context));
}

// `pantry train rank --two-stage` keeps its rows as an interned table: its
// features and its model are those of the RankExamples.
TEST(FeatureViewTest, TwoStageTableMatchesTheExamples) {
  models::RetrievalTrainOptions retrieval;
  retrieval.als.factors = 4;
  auto context = BuildRankContext(FixtureEvidence(), retrieval);
  ASSERT_TRUE(context.ok()) << context.status();
  std::vector<models::RankExample> examples = TwoStageExamples();
  models::RankExampleTable table;
  for (const models::RankExample& e : examples) table.Add(e, /*with_ids=*/true);
  AddTwoStageFeatures(*context, examples);
  AddTwoStageFeatures(*context, table);
  EXPECT_TRUE(table.customer.empty() && table.customer_ids.size() == 0);
  ASSERT_EQ(table.size(), examples.size());
  bool saw_affinity = false, saw_score = false;
  for (size_t r = 0; r < examples.size(); ++r) {
    const models::RankExample row = table.Get(r);
    EXPECT_EQ(row.customer_category_affinity, examples[r].customer_category_affinity) << r;
    EXPECT_EQ(row.retrieval_scores, examples[r].retrieval_scores) << r;
    EXPECT_EQ(row.product_category, examples[r].product_category) << r;
    saw_affinity |= row.customer_category_affinity != 0;
    saw_score |= row.retrieval_scores[0] != 0;
  }
  EXPECT_TRUE(saw_affinity);
  EXPECT_TRUE(saw_score);
  models::RankTrainingMetrics from_table, from_examples;
  auto a = models::RankModel::TrainFromTable(table, TwoStageOptions(*context), &from_table);
  auto b = models::RankModel::Train(examples, TwoStageOptions(*context), &from_examples);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a->Predict(examples), *b->Predict(examples));
  ASSERT_TRUE(from_table.test.has_value() && from_examples.test.has_value());
  EXPECT_EQ(from_table.test->auc, from_examples.test->auc);
}

// The two-stage features (retrieval source scores from the served blend,
// the category affinity table saved with the ranker) are the same at
// serving as at training, after a round trip through the model store.
TEST(FeatureViewTest, TwoStageServingRowsEqualTrainingRows) {
  auto fixture = testing::RecommendFixture::Create(testing::FixtureOptions{});
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  testing::RecommendFixture& f = **fixture;
  models::RetrievalTrainOptions retrieval;
  retrieval.als.factors = 4;
  auto context = BuildRankContext(FixtureEvidence(), retrieval);
  ASSERT_TRUE(context.ok()) << context.status();
  auto trained = TrainTwoStage(*context);
  ASSERT_TRUE(trained.ok()) << trained.status();
  auto publish = [&](const char* kind, auto save) {
    auto dir = models::PublishModelVersion(f.home(), kind, f.clock(), save);
    ASSERT_TRUE(dir.ok()) << dir.status();
    f.clock().AdvanceSeconds(1);
  };
  publish(recommend::kBlendModelKind, [&](const std::filesystem::path& d) {
    return recommend::SaveBlendModel(d, *context->blend, context->customers, context->products);
  });
  publish("rank", [&](const std::filesystem::path& d) { return trained->Save(d); });
  ASSERT_TRUE(f.PutClicks("click_stream_live", "c3", 6.0, 0.2).ok());
  recommend::RecommenderOptions options;
  options.store = &f.store();
  options.clock = &f.clock();
  options.home = f.home();
  auto recommender = recommend::Recommender::Open(options);
  ASSERT_TRUE(recommender.ok()) << recommender.status();
  ASSERT_TRUE((*recommender)->Ready().ok()) << (*recommender)->Ready();
  const auto served = (*recommender)->snapshot()->rank;  // as loaded from disk

  recommend::RecommendRequest request{"c3", 10, 40, false};
  request.include_features = true;
  auto result = (*recommender)->Recommend(request);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->retrieval, "blend");
  ASSERT_EQ(result->feature_names, trained->ranker().feature_names());
  ASSERT_FALSE(result->items.empty());
  const auto& names = result->feature_names;
  auto column = [&](const char* name) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  bool saw_affinity = false, saw_als = false;
  for (const recommend::RecommendedItem& item : result->items) {
    std::vector<FeatureValue> row = {
        FeatureValue::Int(0),
        FeatureValue::Double(result->live.sum_activity_weight_last_2m),
        FeatureValue::Double(result->live.avg_product_health_index_last_2m),
        FeatureValue::Double(item.product_health_index),
        FeatureValue::Double(result->customer_health_index),
        FeatureValue::String(item.product_category),
        FeatureValue::String("c3"),
        FeatureValue::String(item.product_id)};
    auto example = RankExampleFromRow(row, 0);
    ASSERT_TRUE(example.ok()) << example.status();
    AddTwoStageFeatures(*context, std::span(&*example, 1));
    models::DenseMatrix training = trained->Encode(std::span(&*example, 1));
    EXPECT_EQ(training.values, item.features) << item.product_id;
    EXPECT_EQ(served->Encode(std::span(&*example, 1)).values, item.features) << item.product_id;
    saw_affinity |= item.features[column("customer_category_affinity")] != 0;
    saw_als |= item.features[column("retrieval_score_als")] != 0;
  }
  EXPECT_TRUE(saw_affinity);
  EXPECT_TRUE(saw_als);
  EXPECT_FLOAT_EQ(result->items.front().features[column("sum_activity_weight_last_2m")], 6.0f);
  EXPECT_FLOAT_EQ(result->items.front().features[column("avg_product_health_index_last_2m")], 0.2f);
}

// A ranker with features the server cannot compute is refused: retrieval
// scores without a blend to compute them from, and an affinity feature
// whose table is missing from the model directory.
TEST(FeatureViewTest, TwoStageRankerNeedsItsContext) {
  auto fixture = testing::RecommendFixture::Create(testing::FixtureOptions{});
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  models::RetrievalTrainOptions retrieval;
  retrieval.als.factors = 4;
  auto context = BuildRankContext(FixtureEvidence(), retrieval);
  ASSERT_TRUE(context.ok()) << context.status();
  auto trained = TrainTwoStage(*context);
  ASSERT_TRUE(trained.ok()) << trained.status();
  recommend::RecommenderOptions options;
  options.store = &(*fixture)->store();
  options.clock = &(*fixture)->clock();
  auto recommender = recommend::Recommender::Open(options);
  ASSERT_TRUE(recommender.ok()) << recommender.status();
  Status installed = (*recommender)
                         ->Install((*fixture)->cf(), "cf",
                                   std::make_shared<const models::RankModel>(*trained), "rank");
  EXPECT_EQ(installed.code(), StatusCode::kFailedPrecondition) << installed;

  const std::filesystem::path dir = (*fixture)->home() / "two-stage";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(trained->Save(dir).ok());
  ASSERT_TRUE(models::RankModel::Load(dir).ok());
  std::filesystem::remove(dir / "category_affinity.tsv");
  auto loaded = models::RankModel::Load(dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition) << loaded.status();
}

}  // namespace
}  // namespace pantry::workshop
