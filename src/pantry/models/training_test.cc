#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "pantry/common/clock.h"
#include "pantry/common/file_util.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/model_store.h"
#include "pantry/models/rank_model.h"

namespace pantry::models {
namespace {

class TrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pantry_training_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

std::vector<CfExample> CfExamples() {
  const char* names[] = {"organic whole milk", "skim milk",          "whole wheat bread",
                         "rye bread",          "dark chocolate bar", "milk chocolate bar"};
  std::mt19937_64 rng(1);
  std::vector<CfExample> out;
  for (int c = 0; c < 30; ++c) {
    for (int p = 0; p < 6; ++p) {
      if ((c + p) % 3 == 0) continue;
      out.push_back({"C" + std::to_string(c), std::to_string(c % 2), c % 3 ? "ohio" : "texas",
                     "P" + std::to_string(p), names[p],
                     static_cast<float>(1 + (c * 7 + p * 3) % 5)});
    }
  }
  return out;
}

TEST_F(TrainingTest, CfModelTrainsSavesLoadsAndRetrieves) {
  std::vector<CfExample> examples = CfExamples();
  CfTrainOptions options;
  options.hyperparameters.num_factors = 4;
  options.hyperparameters.epochs = 5;
  options.hyperparameters.mini_batch_size = 16;
  options.hyperparameters.num_threads = 1;
  CfTrainingMetrics metrics;
  auto model = CfModel::Train(examples, options, &metrics);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(metrics.metric_name(), "rmse");
  EXPECT_EQ(metrics.epochs.size(), 5u);
  EXPECT_EQ(metrics.train_rows + metrics.test_rows, examples.size());
  EXPECT_EQ(metrics.rows, examples.size());
  ASSERT_TRUE(metrics.test_metric.has_value());
  EXPECT_TRUE(std::isfinite(*metrics.test_metric));
  EXPECT_EQ(metrics.features, model->fm().num_features());
  EXPECT_EQ(metrics.customer_features, model->customer_encoder().output_dim());
  EXPECT_EQ(metrics.vocabulary, 5u);
  EXPECT_EQ(metrics.hyperparameters.num_factors, 4);
  // Words in >= 2 distinct names: milk, whole, bread, chocolate, bar.
  EXPECT_EQ(model->tfidf().vocabulary(),
            (std::vector<std::string>{"bar", "bread", "chocolate", "milk", "whole"}));
  ASSERT_TRUE(model->Save(dir_).ok());
  auto loaded = CfModel::Load(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  CsrMatrix x = model->Encode(examples);
  EXPECT_EQ(loaded->fm().PredictBatch(x, 1), model->fm().PredictBatch(x, 1));

  // Retrieval over a catalog with an unseen product (name terms only).
  std::vector<std::string> ids = {"P0", "P1", "P9"},
                           names = {"organic whole milk", "skim milk", "whole chocolate milk"};
  auto index = loaded->BuildCatalogIndex(ids, names);
  ASSERT_TRUE(index.ok()) << index.status();
  std::vector<uint32_t> indices;
  std::vector<float> values;
  loaded->EncodeCustomer("C4", "0", "ohio", &indices, &values);
  EXPECT_EQ(indices.size(), 3u);
  auto top = index->TopK(FmCatalogIndex::EncodeCustomer(loaded->fm(), {indices, values}), 3);
  ASSERT_EQ(top.size(), 3u);
  for (const auto& item : top) {
    std::vector<uint32_t> row = indices;
    std::vector<float> row_values = values;
    loaded->EncodeProduct(ids[item.product], names[item.product], &row, &row_values);
    EXPECT_NEAR(item.score, loaded->fm().PredictRaw({row, row_values}), 1e-4);
  }

  EXPECT_FALSE(CfModel::Train({}, options, nullptr).ok());

  // Implicit feedback: purchases against negatives sampled from a catalog.
  CfTrainOptions implicit = options;
  implicit.hyperparameters.predictor_type = PredictorType::kBinaryClassifier;
  implicit.negatives_per_positive = 3;
  EXPECT_FALSE(CfModel::Train(examples, implicit, nullptr).ok());  // no catalog
  implicit.catalog_ids = ids;
  implicit.catalog_names = names;
  auto implicit_model = CfModel::Train(examples, implicit, &metrics);
  ASSERT_TRUE(implicit_model.ok()) << implicit_model.status();
  EXPECT_EQ(metrics.rows, examples.size() * 4);
  EXPECT_EQ(metrics.metric_name(), "logloss");
  std::filesystem::remove(dir_ / "encoders.json");
  EXPECT_FALSE(CfModel::Load(dir_).ok());
}

TEST(CfDefaultsTest, DefaultOptionsArePantrysNotSageMakers) {
  CfTrainOptions options;
  const FmHyperparameters& h = options.hyperparameters;
  EXPECT_EQ(h.optimizer, FmOptimizer::kAdam);
  EXPECT_EQ(h.predictor_type, PredictorType::kRegressor);
  EXPECT_EQ(h.num_factors, 64);
  EXPECT_EQ(h.epochs, 20);
  EXPECT_EQ(h.mini_batch_size, 1000);
  EXPECT_DOUBLE_EQ(h.bias_lr, 0.01);
  EXPECT_DOUBLE_EQ(h.linear_lr, 0.01);
  EXPECT_DOUBLE_EQ(h.factors_lr, 0.01);
  EXPECT_DOUBLE_EQ(h.bias_wd, 0);
  EXPECT_DOUBLE_EQ(h.linear_wd, 1e-4);
  EXPECT_DOUBLE_EQ(h.factors_wd, 1e-4);
  EXPECT_DOUBLE_EQ(h.factors_init_sigma, 0.01);
  EXPECT_EQ(h.seed, kDefaultCfSeed);
  EXPECT_EQ(options.split_seed, kDefaultCfSeed);
  EXPECT_TRUE(h.Validate().ok());
  // A plain FmHyperparameters keeps SageMaker's documented defaults.
  EXPECT_DOUBLE_EQ(FmHyperparameters().factors_lr, 0.0001);
  EXPECT_EQ(FmHyperparameters().epochs, 1);
}

TEST(CfDefaultsTest, TargetsParseAndChooseThePredictor) {
  for (CfTarget target : {CfTarget::kRating, CfTarget::kBought, CfTarget::kImplicit}) {
    auto parsed = ParseCfTarget(CfTargetName(target));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, target);
  }
  EXPECT_EQ(CfTargetPredictor(CfTarget::kRating), PredictorType::kRegressor);
  EXPECT_EQ(CfTargetPredictor(CfTarget::kImplicit), PredictorType::kBinaryClassifier);
  auto bad = ParseCfTarget("clicks");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'clicks' is not rating, bought or implicit"),
            std::string::npos);
}

TEST_F(TrainingTest, RankModelWithAndWithoutClickFeatures) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<float> unit(0, 1);
  std::vector<RankExample> examples;
  const char* categories[] = {"tea", "coffee", "juice"};
  for (int i = 0; i < 600; ++i) {
    RankExample e{unit(rng) * 5, unit(rng), unit(rng), unit(rng), categories[i % 3], 0};
    e.bought = unit(rng) < (e.sum_activity_weight_last_2m > 2.5f ? 0.8f : 0.2f) ? 1.0f : 0.0f;
    examples.push_back(e);
  }
  RankTrainOptions options;
  options.params.num_round = 10;
  options.params.nthread = 1;
  RankTrainingMetrics metrics;
  auto model = RankModel::Train(examples, options, &metrics);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(metrics.features.size(), 7u);  // 2 live, 2 profile, 3 categories
  EXPECT_EQ(metrics.rows, 600u);
  EXPECT_EQ(metrics.train_rows, 420u);
  ASSERT_TRUE(metrics.validation.has_value());
  ASSERT_TRUE(metrics.test.has_value());
  EXPECT_EQ(metrics.validation->rows, 120u);
  EXPECT_EQ(metrics.test->rows, 60u);
  ASSERT_TRUE(metrics.test->auc.has_value());
  EXPECT_GT(*metrics.test->auc, 0.7);
  EXPECT_TRUE(metrics.test->logloss.has_value());
  EXPECT_EQ(metrics.params.num_round, 10);
  ASSERT_TRUE(model->Save(dir_).ok());
  auto loaded = RankModel::Load(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded->Predict(examples), *model->Predict(examples));

  options.use_click_features = false;
  auto without = RankModel::Train(examples, options, &metrics);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->ranker().feature_names()[0], "product_health_index");
  ASSERT_TRUE(metrics.test.has_value() && metrics.test->auc.has_value());
  EXPECT_LT(*metrics.test->auc, 0.7);
  EXPECT_FALSE(RankModel::Train({}, options, nullptr).ok());
}

TEST_F(TrainingTest, RankModelTrainConsumingMatchesTrainAndFreesTheExamples) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> unit(0, 1);
  std::vector<RankExample> examples;
  const char* categories[] = {"tea", "coffee", "juice", "vitamins_supplements"};
  for (int i = 0; i < 800; ++i) {
    RankExample e{unit(rng) * 5, unit(rng), unit(rng), unit(rng), categories[i % 4], 0};
    e.bought = unit(rng) < (e.sum_activity_weight_last_2m > 2.5f ? 0.7f : 0.2f) ? 1.0f : 0.0f;
    examples.push_back(e);
  }
  RankTrainOptions options;
  options.params.num_round = 8;
  options.params.nthread = 1;
  RankTrainingMetrics kept_metrics, consumed_metrics;
  auto kept = RankModel::Train(examples, options, &kept_metrics);
  ASSERT_TRUE(kept.ok()) << kept.status();
  std::vector<RankExample> copy = examples;
  auto consumed = RankModel::TrainConsuming(std::move(copy), options, &consumed_metrics);
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(consumed->ranker().feature_names(), kept->ranker().feature_names());
  EXPECT_EQ(*consumed->Predict(examples), *kept->Predict(examples));
  ASSERT_TRUE(kept_metrics.test.has_value() && consumed_metrics.test.has_value());
  EXPECT_EQ(consumed_metrics.test->logloss, kept_metrics.test->logloss);
  EXPECT_EQ(consumed_metrics.train_rows, kept_metrics.train_rows);
}

TEST_F(TrainingTest, ModelStorePublishesAtomically) {
  FakeClock clock(1'800'000'000'000'000);
  auto v1 = PublishModelVersion(dir_, "cf", clock, [](const std::filesystem::path& d) {
    return WriteFileAtomic(d / "model", "one");
  });
  ASSERT_TRUE(v1.ok()) << v1.status();
  auto current = CurrentModelVersion(dir_, "cf");
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(*current, *v1);
  EXPECT_EQ(*ReadFileToString(*current / "model"), "one");
  EXPECT_EQ(v1->filename().string().substr(0, 17), "20270115T080000Z-");

  // A failed write publishes nothing and leaves `current` alone.
  clock.AdvanceMicros(1'000'000);
  auto failed = PublishModelVersion(
      dir_, "cf", clock, [](const std::filesystem::path& d) { return InternalError("disk full"); });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(*CurrentModelVersion(dir_, "cf"), *v1);
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "models" / "cf")) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2u);  // v1 and current

  auto v2 = PublishModelVersion(dir_, "cf", clock, [](const std::filesystem::path& d) {
    return WriteFileAtomic(d / "model", "two");
  });
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*CurrentModelVersion(dir_, "cf"), *v2);
  EXPECT_LT(v1->filename().string(), v2->filename().string());
  EXPECT_EQ(CurrentModelVersion(dir_, "rank").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pantry::models
