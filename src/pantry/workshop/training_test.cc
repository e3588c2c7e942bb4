#include "pantry/workshop/training.h"

#include <gtest/gtest.h>

#include "pantry/models/model_store.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/test_dataset.h"

namespace pantry::workshop {
namespace {

class TrainingTest : public WorkshopTest {
 protected:
  void SetUp() override {
    WorkshopTest::SetUp();
    Generate();
    auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(LoadDataset(**store, data(), TrainingGroupNames()).ok());
  }

  static CfTrainingRequest SmallCf(models::CfTarget target) {
    CfTrainingRequest request = CfTrainingRequest::For(target);
    request.hyperparameters.num_factors = 4;
    request.hyperparameters.epochs = 2;
    request.hyperparameters.num_threads = 1;
    return request;
  }
};

TEST_F(TrainingTest, CfTrainsWithPantrysDefaultsAndPublishesMetrics) {
  CfTrainingRequest request = SmallCf(models::CfTarget::kImplicit);
  size_t rows_loaded = 0;
  int epochs_seen = 0;
  request.on_rows_loaded = [&](size_t rows) { rows_loaded = rows; };
  request.on_epoch = [&](const models::FmEpochReport&) { ++epochs_seen; };
  FakeClock clock(1'800'000'000'000'000LL);
  models::CfTrainingMetrics metrics;
  auto dir = TrainAndPublishCf(home(), &clock, request, &metrics);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_GT(rows_loaded, 0u);
  EXPECT_EQ(epochs_seen, 2);
  // Implicit feedback: every purchase plus 4 sampled negatives.
  EXPECT_EQ(metrics.rows, rows_loaded * 5);
  EXPECT_EQ(metrics.metric_name(), "logloss");
  // pantry's defaults where the request did not change them.
  EXPECT_DOUBLE_EQ(metrics.hyperparameters.factors_lr, 0.01);
  EXPECT_EQ(metrics.hyperparameters.mini_batch_size, 1000);

  auto current = models::CurrentModelVersion(home(), "cf");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(*current, *dir);
  EXPECT_TRUE(models::CfModel::Load(*dir).ok());
  auto json = ReadJsonFile(*dir / "metrics.json");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["kind"], "cf");
  EXPECT_EQ((*json)["metric"], "logloss");
  EXPECT_EQ((*json)["rows"].get<size_t>(), metrics.rows);
  EXPECT_EQ((*json)["epochs"].size(), 2u);
  EXPECT_TRUE((*json)["test_metric"].is_number());
  EXPECT_EQ((*json)["hyperparameters"]["num_factors"], 4);
}

TEST_F(TrainingTest, RankTrainsAndPublishesMetrics) {
  RankTrainingRequest request;
  request.params.num_round = 5;
  request.params.nthread = 1;
  models::RankTrainingMetrics metrics;
  auto dir = TrainAndPublishRank(home(), nullptr, request, &metrics);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(metrics.params.seed, models::kDefaultRankSeed);
  EXPECT_EQ(metrics.features.front(), "healthy_activity_last_2m");
  auto model = models::RankModel::Load(*dir);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_TRUE(model->uses_click_features());
  auto json = ReadJsonFile(*dir / "metrics.json");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["kind"], "rank");
  EXPECT_EQ((*json)["test"]["rows"].get<size_t>(), metrics.test->rows);
  EXPECT_EQ((*json)["params"]["num_round"], 5);
}

TEST_F(TrainingTest, BadRequestsAreClearErrors) {
  auto store = OpenHomeStore(home(), nullptr, /*read_only=*/true);
  ASSERT_TRUE(store.ok());
  CfTrainingRequest no_negatives = SmallCf(models::CfTarget::kImplicit);
  no_negatives.negatives = 0;
  EXPECT_EQ(TrainCf(**store, no_negatives).status().code(), StatusCode::kInvalidArgument);
  CfTrainingRequest bad_time = SmallCf(models::CfTarget::kRating);
  bad_time.clicks = ClickRange::Before("yesterday");
  auto bad = TrainCf(**store, bad_time);
  EXPECT_NE(bad.status().message().find("'yesterday' is not an ISO-8601 time"), std::string::npos)
      << bad.status();
  CfTrainingRequest nothing = SmallCf(models::CfTarget::kRating);
  nothing.clicks = ClickRange::Before("2000-01-01T00:00:00Z");
  EXPECT_EQ(TrainCf(**store, nothing).status().code(), StatusCode::kInvalidArgument);
  // No store in an empty home.
  EXPECT_FALSE(TrainAndPublishRank(root_ / "empty", nullptr, {}).ok());
}

}  // namespace
}  // namespace pantry::workshop
