#include "pantry/models/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pantry::models {
namespace {

TEST(MetricsTest, Rmse) {
  std::vector<float> p = {1, 2, 3}, t = {1, 2, 5};
  EXPECT_NEAR(*Rmse(p, t), std::sqrt(4.0 / 3), 1e-12);
  EXPECT_FALSE(Rmse(p, std::vector<float>{1}).ok());
  EXPECT_FALSE(Rmse({}, {}).ok());
}

TEST(MetricsTest, AucWithTiesMatchesSklearn) {
  // sklearn.metrics.roc_auc_score([0,0,1,1,0,1], [0.1,0.4,0.35,0.8,0.4,0.4]) = 0.6667
  std::vector<float> labels = {0, 0, 1, 1, 0, 1};
  std::vector<float> scores = {0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f};
  EXPECT_NEAR(*Auc(scores, labels), 6.0 / 9.0, 1e-12);
  std::vector<float> same = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  EXPECT_NEAR(*Auc(same, labels), 0.5, 1e-12);
  std::vector<float> perfect = {0, 0, 1, 1, 0, 1};
  EXPECT_NEAR(*Auc(perfect, labels), 1.0, 1e-12);
  std::vector<float> one_class = {1, 1};
  EXPECT_FALSE(Auc(one_class, one_class).ok());
}

TEST(MetricsTest, LogLossClipsLikeSklearn) {
  std::vector<float> labels = {1, 0};
  std::vector<float> p = {0.9f, 0.2f};
  EXPECT_NEAR(*LogLoss(p, labels), -(std::log(0.9f) + std::log(1 - 0.2f)) / 2, 1e-7);
  std::vector<float> wrong = {0, 1};
  EXPECT_NEAR(*LogLoss(wrong, labels), -std::log(1e-15), 1e-3);
}

TEST(MetricsTest, RecallAtK) {
  std::vector<uint32_t> ranked = {5, 3, 9, 3, 1};
  EXPECT_NEAR(*RecallAtK(ranked, {3, 1, 7}, 2), 1.0 / 3, 1e-12);
  EXPECT_NEAR(*RecallAtK(ranked, {3, 1, 7}, 4), 1.0 / 3, 1e-12);  // duplicate 3 counts once
  EXPECT_NEAR(*RecallAtK(ranked, {3, 1, 7}, 100), 2.0 / 3, 1e-12);
  EXPECT_FALSE(RecallAtK(ranked, {}, 10).ok());
}

}  // namespace
}  // namespace pantry::models
