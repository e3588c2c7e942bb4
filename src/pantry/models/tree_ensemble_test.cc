#include "pantry/models/tree_ensemble.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "pantry/models/ranker.h"

namespace pantry::models {
namespace {

// Labels depend on interactions and on exact feature values so that the
// trees split on many thresholds, including values the random test inputs
// hit exactly (integers).
struct Data {
  DenseMatrix x;
  std::vector<float> y;
};

Data MakeData(size_t rows, uint64_t seed, bool regression) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::uniform_int_distribution<int> small_int(0, 4);
  std::uniform_real_distribution<float> uniform(0, 1);
  Data d{{rows, 5, {}}, {}};
  for (size_t r = 0; r < rows; ++r) {
    float f[5] = {normal(rng), normal(rng), static_cast<float>(small_int(rng)), uniform(rng),
                  normal(rng) * 100};
    d.x.values.insert(d.x.values.end(), f, f + 5);
    double logit = 2 * f[0] - f[1] * f[2] + (f[3] > 0.5 ? 1 : -1) + 0.01 * f[4];
    d.y.push_back(regression ? static_cast<float>(logit)
                             : (uniform(rng) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f));
  }
  return d;
}

const std::vector<std::string> kNames = {"a", "b", "c", "d", "e"};

void ExpectSamePredictions(const Ranker& ranker, const DenseMatrix& x) {
  auto flat = ranker.Predict(x);
  auto library = ranker.PredictWithLibrary(x);
  ASSERT_TRUE(flat.ok()) << flat.status();
  ASSERT_TRUE(library.ok()) << library.status();
  ASSERT_EQ(flat->size(), library->size());
  size_t exact = 0;
  for (size_t i = 0; i < flat->size(); ++i) {
    ASSERT_NEAR((*flat)[i], (*library)[i], 1e-6f * std::max(1.0f, std::abs((*library)[i])))
        << "row " << i;
    exact += (*flat)[i] == (*library)[i];
  }
  // Same trees, same float accumulation order: nearly all bit-identical.
  EXPECT_GE(exact, flat->size() * 99 / 100);
  // The ranker must indeed be serving from the flat form.
  auto json = ranker.SerializeJson();
  ASSERT_TRUE(json.ok());
  auto ensemble = TreeEnsemble::FromXgboostJson(*json);
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  EXPECT_EQ(ensemble->num_features(), x.cols);
  std::vector<float> direct(x.rows);
  ensemble->Predict(x.values, direct);
  EXPECT_EQ(direct, *flat);
}

TEST(TreeEnsembleTest, MatchesXgboostOnRandomInputs) {
  for (int depth : {1, 3, 6}) {
    for (bool monotone : {false, true}) {
      SCOPED_TRACE("depth " + std::to_string(depth) + (monotone ? " monotone" : ""));
      Data train = MakeData(3000, 10 + depth, false);
      RankerParams params;
      params.max_depth = depth;
      params.num_round = 30;
      params.nthread = 1;
      RankerTrainOptions options;
      if (monotone) options.monotone_constraints = {1, -1, 0, 1, 0};
      auto ranker = Ranker::Train(train.x, train.y, kNames, params, options);
      ASSERT_TRUE(ranker.ok()) << ranker.status();
      // Inputs from the training rows (so the thresholds are hit exactly)
      // and fresh random rows.
      ExpectSamePredictions(**ranker, train.x);
      ExpectSamePredictions(**ranker, MakeData(2000, 99, false).x);
    }
  }
}

TEST(TreeEnsembleTest, MatchesXgboostForRegressionAndAfterReload) {
  Data train = MakeData(3000, 5, true);
  RankerParams params;
  params.objective = "reg:squarederror";
  params.num_round = 25;
  params.nthread = 1;
  auto ranker = Ranker::Train(train.x, train.y, kNames, params);
  ASSERT_TRUE(ranker.ok()) << ranker.status();
  ExpectSamePredictions(**ranker, train.x);
  auto json = (*ranker)->SerializeJson();
  ASSERT_TRUE(json.ok());
  auto reloaded = Ranker::FromJson(*json, "test model");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  ExpectSamePredictions(**reloaded, MakeData(1000, 6, true).x);
}

TEST(TreeEnsembleTest, MissingValuesFollowTheDefaultDirection) {
  // A stump on feature 0 whose missing values go right.
  const char* json = R"({"learner": {
    "gradient_booster": {"name": "gbtree", "model": {"trees": [{
      "tree_param": {"num_nodes": "3"},
      "left_children": [1, -1, -1], "right_children": [2, -1, -1],
      "split_indices": [0, 0, 0], "split_conditions": [0.5, -1.0, 2.0],
      "default_left": [0, 0, 0], "split_type": [0, 0, 0]}]}},
    "learner_model_param": {"base_score": "1E0", "num_class": "0", "num_feature": "1"},
    "objective": {"name": "reg:squarederror"}}})";
  auto ensemble = TreeEnsemble::FromXgboostJson(json);
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  std::vector<float> rows = {0.25f, 0.5f, NAN}, out(3);
  ensemble->Predict(rows, out);
  EXPECT_EQ(out[0], 0.0f);  // 1 + (-1): 0.25 < 0.5 goes left
  EXPECT_EQ(out[1], 3.0f);  // 1 + 2: not less than the threshold
  EXPECT_EQ(out[2], 3.0f);  // missing goes right (default_left = 0)
}

TEST(TreeEnsembleTest, UnbalancedTreesAndRowsWithAndWithoutNaNInOneBatch) {
  // Node 0: f0 < 0.5 ? leaf 1 (-1) : node 2; node 2: f1 < 2 ? leaf 3 (4)
  // : leaf 4 (8); missing values go left at node 0 and right at node 2. The
  // leaf at depth 1 is walked as if it were a subtree of depth 2.
  const char* json = R"({"learner": {
    "gradient_booster": {"name": "gbtree", "model": {"trees": [{
      "tree_param": {"num_nodes": "5"},
      "left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1],
      "split_indices": [0, 0, 1, 0, 0], "split_conditions": [0.5, -1.0, 2.0, 4.0, 8.0],
      "default_left": [1, 0, 0, 0, 0]}]}},
    "learner_model_param": {"base_score": "1E0", "num_class": "0", "num_feature": "2"},
    "objective": {"name": "reg:squarederror"}}})";
  auto ensemble = TreeEnsemble::FromXgboostJson(json);
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  // 19 rows: more than one block of rows, with and without NaN.
  std::vector<float> rows, expected;
  for (int i = 0; i < 19; ++i) {
    const float f0 = (i % 3 == 0) ? 0.0f : 1.0f;
    const float f1 = (i % 2 == 0) ? 1.0f : 2.0f;
    rows.push_back(i == 11 ? NAN : f0);
    rows.push_back(i == 17 ? NAN : f1);
    float leaf = f0 < 0.5f ? -1.0f : (f1 < 2.0f ? 4.0f : 8.0f);
    if (i == 11) leaf = -1.0f;               // missing f0 goes left
    if (i == 17 && f0 >= 0.5f) leaf = 8.0f;  // missing f1 goes right
    expected.push_back(1.0f + leaf);
  }
  std::vector<float> out(19);
  ensemble->Predict(rows, out);
  EXPECT_EQ(out, expected);
  // Row by row gives the same.
  for (size_t r = 0; r < 19; ++r) {
    float one = 0;
    ensemble->Predict(std::span<const float>(rows.data() + 2 * r, 2), std::span<float>(&one, 1));
    EXPECT_EQ(one, expected[r]) << "row " << r;
  }
}

TEST(TreeEnsembleTest, RefusesModelsItDoesNotCoverAndMalformedOnes) {
  const std::string tree =
      R"("trees": [{"tree_param": {"num_nodes": "3"}, "left_children": [1, -1, -1],
      "right_children": [2, -1, -1], "split_indices": [0, 0, 0],
      "split_conditions": [0.5, 1, 2], "default_left": [1, 0, 0]}])";
  auto document = [&](std::string booster, std::string objective, std::string trees) {
    return R"({"learner": {"gradient_booster": {"name": ")" + booster + R"(", "model": {)" + trees +
           R"(}}, "learner_model_param": {"base_score": "5E-1", "num_class": "0",
           "num_feature": "1"}, "objective": {"name": ")" +
           objective + R"("}}})";
  };
  EXPECT_TRUE(TreeEnsemble::FromXgboostJson(document("gbtree", "binary:logistic", tree)).ok());
  EXPECT_EQ(
      TreeEnsemble::FromXgboostJson(document("dart", "binary:logistic", tree)).status().code(),
      StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      TreeEnsemble::FromXgboostJson(document("gbtree", "rank:pairwise", tree)).status().code(),
      StatusCode::kFailedPrecondition);
  // A child pointing backwards would make the walk loop forever.
  std::string cycle = tree;
  cycle.replace(cycle.find("[1, -1, -1]"), 11, "[0, -1, -1]");
  EXPECT_EQ(
      TreeEnsemble::FromXgboostJson(document("gbtree", "binary:logistic", cycle)).status().code(),
      StatusCode::kCorruption);
  // A split on a feature the model does not have.
  std::string feature = tree;
  feature.replace(feature.find("[0, 0, 0]"), 9, "[7, 0, 0]");
  EXPECT_EQ(
      TreeEnsemble::FromXgboostJson(document("gbtree", "binary:logistic", feature)).status().code(),
      StatusCode::kCorruption);
  EXPECT_FALSE(TreeEnsemble::FromXgboostJson("{not json").ok());
  EXPECT_FALSE(TreeEnsemble::FromXgboostJson("[]").ok());
}

}  // namespace
}  // namespace pantry::models
