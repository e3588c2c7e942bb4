#include "pantry/models/ranker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <thread>

#include "pantry/common/file_util.h"
#include "pantry/models/metrics.h"

namespace pantry::models {
namespace {

struct Data {
  DenseMatrix x;
  std::vector<float> y;
};

// label ~ Bernoulli(sigmoid(3*f0 - 2*f1 + f0*f2)); f3 is noise.
Data MakeData(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::uniform_real_distribution<float> uniform(0, 1);
  Data d;
  d.x = {rows, 4, {}};
  for (size_t r = 0; r < rows; ++r) {
    float f[4] = {normal(rng), normal(rng), normal(rng), normal(rng)};
    d.x.values.insert(d.x.values.end(), f, f + 4);
    double logit = 3 * f[0] - 2 * f[1] + f[0] * f[2];
    d.y.push_back(uniform(rng) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return d;
}

const std::vector<std::string> kNames = {"healthy_activity_last_2m", "product_health_index",
                                         "customer_health_index", "noise"};

RankerParams SmallParams() {
  RankerParams params;
  params.num_round = 20;
  params.nthread = 1;  // OpenMP spin-waits badly on a shared 2-core machine
  return params;
}

TEST(RankerTest, TrainsWithWorkshopDefaultsAndPredicts) {
  RankerParams defaults;
  EXPECT_EQ(defaults.max_depth, 5);
  EXPECT_EQ(defaults.num_round, 50);
  EXPECT_EQ(defaults.objective, "binary:logistic");
  Data train = MakeData(4000, 1), test = MakeData(1000, 2);
  int rounds = 0;
  std::string last_eval;
  RankerTrainOptions options;
  options.validation_x = &test.x;
  options.validation_y = test.y;
  options.on_round = [&](int, const std::string& eval) {
    ++rounds;
    last_eval = eval;
  };
  auto ranker = Ranker::Train(train.x, train.y, kNames, SmallParams(), options);
  ASSERT_TRUE(ranker.ok()) << ranker.status();
  EXPECT_EQ(rounds, 20);
  EXPECT_NE(last_eval.find("validation-auc"), std::string::npos) << last_eval;
  EXPECT_EQ((*ranker)->feature_names(), kNames);
  EXPECT_EQ((*ranker)->num_rounds(), 20);
  auto p = (*ranker)->Predict(test.x);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 1000u);
  EXPECT_GT(*Auc(*p, test.y), 0.85);
  for (float v : *p) EXPECT_TRUE(v > 0 && v < 1);
}

TEST(RankerTest, TrainingFromAMovedMatrixFreesItAndGivesTheSameModel) {
  Data train = MakeData(3000, 3), test = MakeData(500, 4);
  RankerTrainOptions options;
  options.validation_x = &test.x;
  options.validation_y = test.y;
  auto kept = Ranker::Train(train.x, train.y, kNames, SmallParams(), options);
  ASSERT_TRUE(kept.ok()) << kept.status();
  DenseMatrix moved = train.x;
  auto released = Ranker::Train(std::move(moved), train.y, kNames, SmallParams(), options);
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_TRUE(moved.values.empty());
  EXPECT_EQ(*(*released)->Predict(test.x), *(*kept)->Predict(test.x));
}

// Rows of `d` as RankerRows, copied into the buffer `batch` rows at a time.
RankerRows Batched(const Data& d, size_t batch) {
  RankerRows rows;
  rows.rows = d.x.rows;
  rows.cols = d.x.cols;
  rows.batch_rows = batch;
  rows.batch = [&d](size_t begin, size_t end, std::vector<float>& buffer,
                    std::vector<float>& labels) {
    buffer.assign(d.x.values.begin() + begin * d.x.cols, d.x.values.begin() + end * d.x.cols);
    labels.assign(d.y.begin() + begin, d.y.begin() + end);
    return static_cast<const float*>(buffer.data());
  };
  return rows;
}

TEST(RankerTest, TrainsFromBatchesWithABinnedValidationSet) {
  Data train = MakeData(4000, 1), test = MakeData(1000, 2);
  RankerTrainOptions options;
  options.validation_x = &test.x;
  options.validation_y = test.y;
  std::string whole_eval, batched_eval;
  options.on_round = [&](int, const std::string& eval) { whole_eval = eval; };
  auto whole = Ranker::Train(train.x, train.y, kNames, SmallParams(), options);
  ASSERT_TRUE(whole.ok()) << whole.status();
  // One batch of all rows: the same model as from the matrix.
  RankerTrainOptions batched_options;
  const RankerRows validation = Batched(test, 300);
  batched_options.validation_rows = &validation;
  batched_options.on_round = [&](int, const std::string& eval) { batched_eval = eval; };
  auto single = Ranker::Train(Batched(train, 0), kNames, SmallParams(), batched_options);
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(*(*single)->SerializeJson(), *(*whole)->SerializeJson());
  // The validation set, binned with the training cuts, evaluates as its
  // rows predict.
  EXPECT_EQ(batched_eval, whole_eval);
  const size_t at = batched_eval.find("validation-auc:");
  ASSERT_NE(at, std::string::npos) << batched_eval;
  EXPECT_NEAR(std::stod(batched_eval.substr(at + 15)), *Auc(*(*single)->Predict(test.x), test.y),
              1e-5)
      << batched_eval;
  // Many batches: the cuts are sketched in parts, the model barely moves.
  auto batched = Ranker::Train(Batched(train, 512), kNames, SmallParams(), batched_options);
  ASSERT_TRUE(batched.ok()) << batched.status();
  const double whole_auc = *Auc(*(*whole)->Predict(test.x), test.y);
  const double batched_auc = *Auc(*(*batched)->Predict(test.x), test.y);
  EXPECT_NEAR(batched_auc, whole_auc, 0.01);
  EXPECT_GT(batched_auc, 0.85);
  // A bad value in a later batch is reported at its row in the whole set.
  Data nan = train;
  nan.x.values[2100 * 4 + 2] = std::nanf("");
  auto bad = Ranker::Train(Batched(nan, 512), kNames, SmallParams());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("row 2100, feature customer_health_index: value is NaN"),
            std::string::npos)
      << bad.status();
  RankerParams exact = SmallParams();
  exact.tree_method = "exact";  // gathers the rows into a DMatrix
  auto gathered = Ranker::Train(Batched(train, 512), kNames, exact, batched_options);
  ASSERT_TRUE(gathered.ok()) << gathered.status();
  EXPECT_GT(*Auc(*(*gathered)->Predict(test.x), test.y), 0.85);
}

TEST(RankerTest, ContributionsSumToTheMargin) {
  Data train = MakeData(2000, 3);
  auto ranker = Ranker::Train(train.x, train.y, kNames, SmallParams());
  ASSERT_TRUE(ranker.ok()) << ranker.status();
  DenseMatrix few = train.x.SelectRows(std::vector<size_t>{0, 1, 2, 3, 4});
  auto contributions = (*ranker)->PredictContributions(few);
  ASSERT_TRUE(contributions.ok()) << contributions.status();
  ASSERT_EQ(contributions->size(), 5u * 5u);
  auto p = (*ranker)->Predict(few);
  ASSERT_TRUE(p.ok());
  for (size_t r = 0; r < 5; ++r) {
    double margin = 0;
    for (size_t c = 0; c < 5; ++c) margin += (*contributions)[r * 5 + c];
    EXPECT_NEAR(1 / (1 + std::exp(-margin)), (*p)[r], 1e-5);
  }
  // The noise feature matters least on average.
  double abs_sum[4] = {0, 0, 0, 0};
  for (size_t r = 0; r < 5; ++r) {
    for (size_t c = 0; c < 4; ++c) abs_sum[c] += std::abs((*contributions)[r * 5 + c]);
  }
  EXPECT_LT(abs_sum[3], abs_sum[0]);
}

TEST(RankerTest, SaveLoadKeepsPredictionsAndFeatureNames) {
  Data train = MakeData(2000, 4);
  auto ranker = Ranker::Train(train.x, train.y, kNames, SmallParams());
  ASSERT_TRUE(ranker.ok());
  auto dir = std::filesystem::temp_directory_path() / ("pantry_ranker_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE((*ranker)->Save(dir / "ranker.json").ok());
  auto loaded = Ranker::Load(dir / "ranker.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->feature_names(), kNames);
  EXPECT_EQ(*(*loaded)->Predict(train.x), *(*ranker)->Predict(train.x));

  ASSERT_TRUE(WriteFileAtomic(dir / "bad.json", "{\"learner\": 3}").ok());
  auto bad = Ranker::Load(dir / "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.json"), std::string::npos) << bad.status();
  ASSERT_TRUE(WriteFileAtomic(dir / "text.json", "hello").ok());
  EXPECT_FALSE(Ranker::Load(dir / "text.json").ok());
  std::filesystem::remove_all(dir);
}

TEST(RankerTest, ConcurrentPredictionsMatchSequential) {
  Data train = MakeData(2000, 5), test = MakeData(200, 6);
  auto ranker = Ranker::Train(train.x, train.y, kNames, SmallParams());
  ASSERT_TRUE(ranker.ok());
  std::vector<float> expected = *(*ranker)->Predict(test.x);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto p = (*ranker)->Predict(test.x);
        if (!p.ok() || *p != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(RankerTest, BadInputIsAClearError) {
  Data train = MakeData(200, 7);
  EXPECT_FALSE(Ranker::Train(DenseMatrix{0, 4, {}}, {}, kNames, SmallParams()).ok());
  EXPECT_FALSE(Ranker::Train(train.x, train.y, {"a", "b"}, SmallParams()).ok());
  EXPECT_FALSE(Ranker::Train(train.x, train.y, {"a", "a", "b", "c"}, SmallParams()).ok());
  Data nan = train;
  nan.x.values[5] = std::nanf("");
  auto r = Ranker::Train(nan.x, nan.y, kNames, SmallParams());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("row 1, feature product_health_index: value is NaN"),
            std::string::npos)
      << r.status();
  Data bad_label = train;
  bad_label.y[3] = 2;
  EXPECT_FALSE(Ranker::Train(bad_label.x, bad_label.y, kNames, SmallParams()).ok());

  // An XGBoost failure carries XGBoost's own message.
  RankerParams params = SmallParams();
  params.objective = "binary:nonsense";
  r = Ranker::Train(train.x, train.y, kNames, params);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("XGBoost"), std::string::npos);
  EXPECT_NE(r.status().message().find("nonsense"), std::string::npos) << r.status();

  EXPECT_FALSE(params.Set("max_dept", "3").ok());
  EXPECT_FALSE(params.Set("eta", "fast").ok());
  EXPECT_TRUE(params.Set("eta", "0.3").ok());

  auto ranker = Ranker::Train(train.x, train.y, kNames, SmallParams());
  ASSERT_TRUE(ranker.ok());
  DenseMatrix wrong{1, 3, {0, 0, 0}};
  EXPECT_FALSE((*ranker)->Predict(wrong).ok());
  DenseMatrix inf{1, 4, {0, INFINITY, 0, 0}};
  EXPECT_FALSE((*ranker)->Predict(inf).ok());
}

}  // namespace
}  // namespace pantry::models
