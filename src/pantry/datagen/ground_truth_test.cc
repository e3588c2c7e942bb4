#include "pantry/datagen/ground_truth.h"

#include <cmath>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "pantry/datagen/rng.h"

namespace pantry::datagen {
namespace {

TEST(AucTest, PerfectInvertedAndTied) {
  const std::vector<uint8_t> labels = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(*Auc(std::vector<double>{0.1, 0.2, 0.8, 0.9}, labels), 1.0);
  EXPECT_DOUBLE_EQ(*Auc(std::vector<double>{0.9, 0.8, 0.2, 0.1}, labels), 0.0);
  EXPECT_DOUBLE_EQ(*Auc(std::vector<double>{0.5, 0.5, 0.5, 0.5}, labels), 0.5);
  // One positive above both negatives, one tied with one negative: (2 + 1.5) / 4.
  EXPECT_DOUBLE_EQ(*Auc(std::vector<double>{0.1, 0.5, 0.5, 0.9}, labels), 0.875);
}

TEST(AucTest, RejectsDegenerateInput) {
  EXPECT_FALSE(Auc(std::vector<double>{0.1, 0.2}, std::vector<uint8_t>{1, 1}).ok());
  EXPECT_FALSE(Auc(std::vector<double>{0.1}, std::vector<uint8_t>{1, 0}).ok());
}

TEST(AucTest, HistogramAgreesWithExact) {
  Rng rng(11);
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  AucHistogram histogram;
  AucHistogram half_a, half_b;
  for (int i = 0; i < 50000; ++i) {
    const bool positive = rng.Bernoulli(0.3);
    const double score = rng.Normal(positive ? 0.8 : 0.0, 1.5);
    scores.push_back(score);
    labels.push_back(positive);
    histogram.Add(score, positive);
    (i % 2 ? half_a : half_b).Add(score, positive);
  }
  half_a.Merge(half_b);
  const double exact = *Auc(scores, labels);
  EXPECT_NEAR(histogram.Auc(), exact, 1e-3);
  EXPECT_DOUBLE_EQ(half_a.Auc(), histogram.Auc());
  EXPECT_TRUE(std::isnan(AucHistogram().Auc()));
}

TEST(RecallTest, CountsDistinctHitsInTopK) {
  const std::vector<int64_t> ranked = {5, 3, 9, 3, 1};
  const std::unordered_set<int64_t> relevant = {3, 1, 7, 8};
  EXPECT_DOUBLE_EQ(RecallAtK<int64_t>(ranked, relevant, 1), 0.0);
  EXPECT_DOUBLE_EQ(RecallAtK<int64_t>(ranked, relevant, 2), 0.25);
  EXPECT_DOUBLE_EQ(RecallAtK<int64_t>(ranked, relevant, 4), 0.25);  // repeat counted once
  EXPECT_DOUBLE_EQ(RecallAtK<int64_t>(ranked, relevant, 100), 0.5);
  EXPECT_DOUBLE_EQ(RecallAtK<int64_t>(ranked, std::unordered_set<int64_t>{}, 10), 0.0);
}

}  // namespace
}  // namespace pantry::datagen
