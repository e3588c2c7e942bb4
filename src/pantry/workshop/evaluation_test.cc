#include "pantry/workshop/evaluation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "pantry/workshop/test_dataset.h"

namespace pantry::workshop {
namespace {

TEST_F(WorkshopTest, EvaluatesBothModelsAgainstTheTruth) {
  Generate();
  EvalRequest request;
  request.data = data();
  request.cf = CfTrainingRequest::For(models::CfTarget::kImplicit);
  request.cf.hyperparameters.num_factors = 4;
  request.cf.hyperparameters.epochs = 2;
  request.cf.hyperparameters.num_threads = 1;
  request.rank.params.num_round = 5;
  request.retrieval.als.threads = 1;
  request.retrieval.item_knn.threads = 1;
  request.rank.params.nthread = 1;
  std::vector<std::string> loaded;
  request.on_group_loaded = [&](const GroupLoad& load) { loaded.push_back(load.group); };
  auto report = RunEval(home(), nullptr, request);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(loaded, TrainingGroupNames());

  EXPECT_EQ(report->truth.customers, 60);
  EXPECT_EQ(report->truth.products, 100);
  EXPECT_TRUE(report->truth.oracle_recall_at_10.has_value());
  EXPECT_EQ(report->eval_customers, 20u);
  EXPECT_GE(report->cf.recall_at_10, 0.0);
  EXPECT_LE(report->cf.recall_at_10, report->cf.recall_at_100);
  EXPECT_LE(report->cf.recall_at_100, 1.0);
  EXPECT_EQ(report->cf.training.epochs.size(), 2u);
  // With 100 products a top 100 is the whole catalog, so recall@100 cannot
  // separate the blend from popularity here (BlendBeatsPopularity does).
  ASSERT_TRUE(report->truth.popularity_recall_at_100.has_value());
  EXPECT_GE(report->retrieval.blend.at_100, *report->truth.popularity_recall_at_100);
  EXPECT_LE(report->retrieval.blend.at_10, report->retrieval.blend.at_100);
  EXPECT_GT(report->retrieval.evidence_pairs, 0u);
  EXPECT_LE(report->retrieval.cold_customers, report->eval_customers);
  EXPECT_GT(report->rank.heldout_rows, 0u);
  EXPECT_GT(report->rank.auc, 0.0);
  EXPECT_LE(report->rank.auc, 1.0);
  // The two-stage view: live W and ā first, the context's features after
  // the profile ones; without click features it starts at the profile.
  const auto& features = report->rank.training.features;
  EXPECT_TRUE(report->rank.two_stage);
  EXPECT_EQ(features.front(), "sum_activity_weight_last_2m");
  for (const char* name : {"healthy_activity_last_2m", "customer_category_affinity",
                           "retrieval_score_als", "retrieval_score_popularity"}) {
    EXPECT_NE(std::find(features.begin(), features.end(), name), features.end()) << name;
  }
  EXPECT_EQ(report->rank.training_without_click_features.features.front(), "product_health_index");
  ASSERT_TRUE(report->rank.auc_single_stage.has_value());
  EXPECT_GT(*report->rank.auc_single_stage, 0.0);

  const std::filesystem::path file = root_ / "report.json";
  ASSERT_TRUE(WriteEvalReport(file, *report).ok());
  auto json = ReadJsonFile(file);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["customers"], 60);
  EXPECT_DOUBLE_EQ((*json)["cf"]["recall_at_100"].get<double>(), report->cf.recall_at_100);
  EXPECT_TRUE((*json)["cf"]["popularity_recall_at_100"].is_number());
  EXPECT_EQ((*json)["cf"]["training"]["kind"], "cf");
  EXPECT_DOUBLE_EQ((*json)["retrieval"]["blend"]["recall_at_100"].get<double>(),
                   report->retrieval.blend.at_100);
  EXPECT_TRUE((*json)["retrieval"]["item_knn"]["recall_at_10"].is_number());
  EXPECT_DOUBLE_EQ((*json)["rank"]["auc"].get<double>(), report->rank.auc);
  EXPECT_EQ((*json)["rank"]["training_without_click_features"]["kind"], "rank");

  // A second run finds the groups in the home and does not load them again.
  loaded.clear();
  ASSERT_TRUE(RunEval(home(), nullptr, request).ok());
  EXPECT_TRUE(loaded.empty());
}

// pantry's retrieval finds more of the held-out purchases than popularity,
// on the same customers and split (the CI guard of docs/quality.md).
TEST_F(WorkshopTest, BlendBeatsPopularity) {
  Generate(/*customers=*/600, /*products=*/1500, /*click_rows=*/40000, /*eval_customers=*/200);
  auto truth = datagen::LoadGroundTruth(data());
  ASSERT_TRUE(truth.ok()) << truth.status();
  models::RetrievalTrainOptions options;
  options.als.threads = 1;
  options.item_knn.threads = 1;
  auto blend = EvaluateBlend(data(), *truth, options);
  ASSERT_TRUE(blend.ok()) << blend.status();
  const double popularity = truth->summary["popularity_recall_at_100"].get<double>();
  EXPECT_GT(blend->blend.at_100, popularity);
  EXPECT_GT(blend->blend.at_100, 0.0);
  EXPECT_LE(blend->blend.at_10, blend->blend.at_100);
  std::printf("blend recall@100 %.4f (als %.4f, item_knn %.4f), popularity %.4f, cold %zu\n",
              blend->blend.at_100, blend->als.at_100, blend->item_knn.at_100, popularity,
              blend->cold_customers);
}

TEST_F(WorkshopTest, EvalNeedsAGeneratedDataset) {
  EvalRequest request;
  request.data = root_ / "nothing";
  auto report = RunEval(home(), nullptr, request);
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition) << report.status();
}

}  // namespace
}  // namespace pantry::workshop
