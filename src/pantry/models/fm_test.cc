#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pantry/common/checksum.h"
#include "pantry/common/file_util.h"
#include "pantry/models/fm_gradient.h"
#include "pantry/models/fm_model.h"
#include "pantry/models/fm_trainer.h"
#include "pantry/models/model_json.h"

namespace pantry::models {
namespace {

std::filesystem::path TempPath(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("pantry_fm_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

FmModel RandomModel(PredictorType type, size_t n, int k, uint64_t seed) {
  FmModel model(type, n, k);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0, 0.3f);
  model.mutable_bias() = dist(rng);
  for (float& w : model.mutable_linear()) w = dist(rng);
  for (float& v : model.mutable_factors()) v = dist(rng);
  return model;
}

double Loss(const FmModel& model, const SparseRow& row, double target) {
  return FmLoss(model.predictor_type(), model.PredictRaw(row), target).loss;
}

// Central finite differences of the loss against the analytic gradient the
// trainer uses, for both predictor types.
TEST(FmGradientTest, MatchesFiniteDifferences) {
  for (PredictorType type : {PredictorType::kRegressor, PredictorType::kBinaryClassifier}) {
    const size_t n = 12;
    const int k = 5;
    FmModel model = RandomModel(type, n, k, 7);
    std::vector<uint32_t> indices = {1, 4, 5, 9};
    std::vector<float> values = {1.0f, 0.5f, -1.5f, 2.0f};
    SparseRow row{indices, values};
    double target = 1.0;
    // One gradient buffer per entry, as a mini-batch of one row would use.
    float bias_grad = 0;
    std::vector<float> linear_grad(indices.size(), 0.0f);
    std::vector<float> factor_grad(indices.size() * k, 0.0f);
    std::vector<float*> linear_ptrs, factor_ptrs;
    for (size_t j = 0; j < indices.size(); ++j) {
      linear_ptrs.push_back(&linear_grad[j]);
      factor_ptrs.push_back(&factor_grad[j * k]);
    }
    std::vector<float> scratch(2 * k);
    FmRowGradient(model.bias(), model.linear().data(), model.all_factors().data(), n, k, row,
                  target, type, scratch.data(),
                  {&bias_grad, linear_ptrs.data(), factor_ptrs.data()});
    const float h = 1e-2f;
    auto check = [&](float* param, double analytic, const std::string& what) {
      float saved = *param;
      *param = saved + h;
      double plus = Loss(model, row, target);
      *param = saved - h;
      double minus = Loss(model, row, target);
      *param = saved;
      double numeric = (plus - minus) / (2 * h);
      EXPECT_NEAR(analytic, numeric, 2e-3 * std::max(1.0, std::abs(numeric)))
          << what << " (" << PredictorTypeName(type) << ")";
    };
    check(&model.mutable_bias(), bias_grad, "bias");
    for (size_t j = 0; j < indices.size(); ++j) {
      check(&model.mutable_linear()[indices[j]], linear_grad[j], "w" + std::to_string(indices[j]));
      for (int f = 0; f < k; ++f) {
        check(&model.mutable_factors()[indices[j] * k + f], factor_grad[j * k + f],
              "v" + std::to_string(indices[j]) + "," + std::to_string(f));
      }
    }
  }
}

TEST(FmModelTest, PredictMatchesNaivePairSum) {
  FmModel model = RandomModel(PredictorType::kRegressor, 8, 3, 3);
  std::vector<uint32_t> indices = {0, 2, 7};
  std::vector<float> values = {1.0f, 2.0f, -0.5f};
  double expected = model.bias();
  for (size_t a = 0; a < 3; ++a) {
    expected += model.linear()[indices[a]] * values[a];
    for (size_t b = a + 1; b < 3; ++b) {
      double dot = 0;
      for (int f = 0; f < 3; ++f) {
        dot += model.factors(indices[a])[f] * model.factors(indices[b])[f];
      }
      expected += dot * values[a] * values[b];
    }
  }
  EXPECT_NEAR(model.PredictRaw({indices, values}), expected, 1e-6);
}

// Users x items ratings generated from planted rank-3 factors plus biases;
// the FM, trained on one-hot (user, item) rows, must predict held-out pairs.
struct Planted {
  CsrMatrix train_x, test_x;
  std::vector<float> train_y, test_y;
  double test_std = 0;
};

Planted MakePlanted(int users, int items, int rank, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(0, 1);
  std::vector<std::vector<double>> u(users, std::vector<double>(rank)),
      v(items, std::vector<double>(rank));
  for (auto& row : u)
    for (double& x : row) x = dist(rng);
  for (auto& row : v)
    for (double& x : row) x = dist(rng);
  std::vector<double> ub(users), ib(items);
  for (double& b : ub) b = 0.5 * dist(rng);
  for (double& b : ib) b = 0.5 * dist(rng);
  Planted p;
  p.train_x.cols = p.test_x.cols = users + items;
  std::uniform_real_distribution<double> coin(0, 1);
  double sum = 0, sum_sq = 0;
  for (int a = 0; a < users; ++a) {
    for (int b = 0; b < items; ++b) {
      double y = 3.0 + ub[a] + ib[b];
      for (int f = 0; f < rank; ++f) y += u[a][f] * v[b][f];
      std::vector<uint32_t> idx = {static_cast<uint32_t>(a), static_cast<uint32_t>(users + b)};
      std::vector<float> ones = {1.0f, 1.0f};
      if (coin(rng) < 0.8) {
        p.train_x.AppendRow(idx, ones);
        p.train_y.push_back(static_cast<float>(y));
      } else {
        p.test_x.AppendRow(idx, ones);
        p.test_y.push_back(static_cast<float>(y));
        sum += y;
        sum_sq += y * y;
      }
    }
  }
  double mean = sum / p.test_y.size();
  p.test_std = std::sqrt(sum_sq / p.test_y.size() - mean * mean);
  return p;
}

FmHyperparameters PlantedHyperparameters() {
  FmHyperparameters h;
  h.num_factors = 8;
  h.epochs = 150;
  h.mini_batch_size = 32;
  h.optimizer = FmOptimizer::kAdam;
  h.bias_lr = 0.05;
  h.linear_lr = 0.02;
  h.factors_lr = 0.02;
  h.bias_wd = 0;
  h.linear_wd = 1e-4;
  h.factors_wd = 1e-4;
  h.factors_init_sigma = 0.1;
  h.num_threads = 1;
  h.seed = 42;
  return h;
}

TEST(FmTrainerTest, RecoversPlantedFactors) {
  Planted p = MakePlanted(60, 60, 3, 1);
  auto result = TrainFm(p.train_x, p.train_y, PlantedHyperparameters());
  ASSERT_TRUE(result.ok()) << result.status();
  double rmse = FmMetric(result->model, p.test_x, p.test_y);
  // A model without the interactions cannot get below ~the planted
  // interaction's spread (about 1.7 here).
  EXPECT_LT(rmse, 0.15 * p.test_std) << "test std " << p.test_std;
}

TEST(FmTrainerTest, DeterministicWithOneThreadAndSeed) {
  Planted p = MakePlanted(20, 20, 2, 2);
  FmHyperparameters h = PlantedHyperparameters();
  h.epochs = 5;
  auto a = TrainFm(p.train_x, p.train_y, h);
  auto b = TrainFm(p.train_x, p.train_y, h);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->model.Serialize(), b->model.Serialize());
  h.seed = 43;
  auto c = TrainFm(p.train_x, p.train_y, h);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->model.Serialize(), c->model.Serialize());
}

TEST(FmTrainerTest, MultiThreadedHogwildAndEveryOptimizerLearn) {
  Planted p = MakePlanted(40, 40, 2, 3);
  for (FmOptimizer optimizer : {FmOptimizer::kSgd, FmOptimizer::kAdagrad, FmOptimizer::kAdam}) {
    FmHyperparameters h = PlantedHyperparameters();
    h.optimizer = optimizer;
    h.num_threads = 2;
    h.epochs = 60;
    if (optimizer == FmOptimizer::kSgd) {
      h.bias_lr = h.linear_lr = h.factors_lr = 0.5;
    } else if (optimizer == FmOptimizer::kAdagrad) {
      h.bias_lr = h.linear_lr = h.factors_lr = 0.2;
    }
    auto result = TrainFm(p.train_x, p.train_y, h);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_LT(result->epochs.back().train_metric, 0.5 * result->epochs.front().train_metric)
        << FmOptimizerName(optimizer);
  }
}

TEST(FmTrainerTest, BinaryClassifierLearnsSeparableInteraction) {
  // label = 1 iff user and item share parity: a pure interaction.
  CsrMatrix x;
  x.cols = 40;
  std::vector<float> y;
  for (uint32_t a = 0; a < 20; ++a) {
    for (uint32_t b = 0; b < 20; ++b) {
      std::vector<uint32_t> idx = {a, 20 + b};
      std::vector<float> ones = {1, 1};
      x.AppendRow(idx, ones);
      y.push_back((a % 2) == (b % 2) ? 1.0f : 0.0f);
    }
  }
  FmHyperparameters h = PlantedHyperparameters();
  h.predictor_type = PredictorType::kBinaryClassifier;
  h.epochs = 100;
  auto result = TrainFm(x, y, h);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(result->epochs.back().train_metric, 0.1);  // log-loss
  std::vector<float> p = result->model.PredictBatch(x, 1);
  for (size_t r = 0; r < y.size(); ++r) EXPECT_EQ(p[r] > 0.5f, y[r] > 0.5f) << r;
}

TEST(FmTrainerTest, EarlyStoppingKeepsBestEpoch) {
  Planted p = MakePlanted(20, 20, 2, 4);
  FmHyperparameters h = PlantedHyperparameters();
  h.epochs = 400;
  h.factors_lr = h.linear_lr = 0.1;
  h.factors_wd = h.linear_wd = 0;
  h.early_stopping_patience = 3;
  FmTrainOptions options;
  options.validation_x = &p.test_x;
  options.validation_y = p.test_y;
  int callbacks = 0;
  options.on_epoch = [&](const FmEpochReport&) { ++callbacks; };
  auto result = TrainFm(p.train_x, p.train_y, h, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->stopped_early);
  EXPECT_EQ(callbacks, static_cast<int>(result->epochs.size()));
  double best = result->epochs[result->best_epoch - 1].validation_metric;
  for (const auto& e : result->epochs) EXPECT_GE(e.validation_metric, best);
  EXPECT_NEAR(FmMetric(result->model, p.test_x, p.test_y), best, 1e-9);
}

TEST(FmTrainerTest, BadInputIsAClearError) {
  FmHyperparameters h;
  CsrMatrix empty;
  empty.cols = 3;
  auto r = TrainFm(empty, {}, h);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty training set"), std::string::npos);

  CsrMatrix x;
  x.cols = 3;
  std::vector<uint32_t> idx = {0, 2};
  std::vector<float> good = {1, 1}, bad = {1, std::nanf("")}, inf = {INFINITY, 1};
  x.AppendRow(idx, good);
  x.AppendRow(idx, bad);
  std::vector<float> y = {1, 0};
  r = TrainFm(x, y, h);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("row 1, column 2: feature value is NaN"), std::string::npos)
      << r.status();
  CsrMatrix x2;
  x2.cols = 3;
  x2.AppendRow(idx, inf);
  std::vector<float> y1 = {1};
  r = TrainFm(x2, y1, h);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("infinite"), std::string::npos);

  CsrMatrix x3;
  x3.cols = 3;
  x3.AppendRow(idx, good);
  std::vector<float> y_nan = {std::nanf("")};
  EXPECT_FALSE(TrainFm(x3, y_nan, h).ok());
  FmHyperparameters classifier;
  classifier.predictor_type = PredictorType::kBinaryClassifier;
  std::vector<float> y_two = {2};
  r = TrainFm(x3, y_two, classifier);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not 0 or 1"), std::string::npos);

  FmHyperparameters early;
  early.early_stopping_patience = 2;
  EXPECT_FALSE(TrainFm(x3, y1, early).ok());
}

TEST(FmHyperparametersTest, UnknownAndMalformedAreErrors) {
  FmHyperparameters h;
  Status s = h.Set("num_factorz", "8");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown factorization machine hyperparameter 'num_factorz'"),
            std::string::npos);
  EXPECT_NE(s.message().find("num_factors"), std::string::npos);  // lists known names
  EXPECT_FALSE(h.Set("epochs", "ten").ok());
  EXPECT_FALSE(h.Set("optimizer", "rmsprop").ok());
  EXPECT_FALSE(h.Set("bias_lr", "nan").ok());
  EXPECT_FALSE(FmHyperparameters::FromMap({{"num_factors", "0"}}).ok());
  EXPECT_FALSE(FmHyperparameters::FromMap({{"factors_lr", "-1"}}).ok());
  auto ok = FmHyperparameters::FromMap({{"num_factors", "16"},
                                        {"predictor_type", "binary_classifier"},
                                        {"optimizer", "adagrad"},
                                        {"factors_wd", "1e-5"},
                                        {"seed", "18446744073709551615"}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->num_factors, 16);
  EXPECT_EQ(ok->seed, UINT64_MAX);
  auto round_trip = ModelJson::HyperparametersFromJson(ModelJson::ToJson(*ok));
  ASSERT_TRUE(round_trip.ok()) << round_trip.status();
  EXPECT_EQ(ModelJson::ToJson(*round_trip), ModelJson::ToJson(*ok));
  // SageMaker's documented defaults.
  FmHyperparameters d;
  EXPECT_EQ(d.bias_lr, 0.1);
  EXPECT_EQ(d.bias_wd, 0.01);
  EXPECT_EQ(d.bias_init_sigma, 0.01);
  EXPECT_EQ(d.mini_batch_size, 1000);
}

TEST(FmHyperparametersTest, JsonFormNamesExactlyTheHyperparametersSetKnows) {
  FmHyperparameters h;
  const std::string message = h.Set("no_such_name", "1").message();
  const std::string open = "(known: ";
  const size_t begin = message.find(open);
  ASSERT_NE(begin, std::string::npos) << message;
  std::set<std::string> known;
  std::string list = message.substr(begin + open.size());
  list.erase(list.find(')'));
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(", ", start);
    if (end == std::string::npos) end = list.size();
    known.insert(list.substr(start, end - start));
    start = end + 2;
  }
  std::set<std::string> stored;
  const Json json = ModelJson::ToJson(h);
  for (const auto& [name, value] : json.items()) stored.insert(name);
  EXPECT_EQ(stored, known);
  EXPECT_EQ(known.size(), 22u);
}

TEST(FmModelTest, SaveLoadRoundTripGivesIdenticalPredictions) {
  Planted p = MakePlanted(15, 15, 2, 5);
  FmHyperparameters h = PlantedHyperparameters();
  h.epochs = 3;
  auto result = TrainFm(p.train_x, p.train_y, h);
  ASSERT_TRUE(result.ok());
  auto path = TempPath("round_trip.fm");
  ASSERT_TRUE(result->model.Save(path).ok());
  auto loaded = FmModel::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->PredictBatch(p.test_x), result->model.PredictBatch(p.test_x));
  EXPECT_EQ(ModelJson::ToJson(loaded->hyperparameters()), ModelJson::ToJson(h));
  EXPECT_EQ(loaded->num_factors(), 8);
}

TEST(FmModelTest, CorruptTruncatedOrOtherVersionIsAClearError) {
  FmModel model = RandomModel(PredictorType::kRegressor, 10, 4, 9);
  std::string bytes = model.Serialize();
  ASSERT_TRUE(FmModel::Deserialize(bytes).ok());

  auto expect_error = [](const std::string& data, const std::string& needle) {
    auto r = FmModel::Deserialize(data, "m.fm");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find("m.fm"), std::string::npos);
  };
  expect_error(bytes.substr(0, bytes.size() / 2), "checksum mismatch");
  expect_error(bytes.substr(0, 10), "header");
  expect_error("", "header");
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x01;
  expect_error(flipped, "checksum mismatch");
  std::string other_version = bytes;
  other_version[8] = 2;
  expect_error(other_version, "file format version 2, this build reads version 1");
  expect_error("not a model at all, just some text", "missing PANTRYFM header");
  // A header whose sizes multiply past 2^64 (wrapping to one float) is
  // refused before anything is allocated for it.
  std::string huge = "PANTRYFM";
  auto put32 = [&huge](uint32_t v) { huge.append(reinterpret_cast<const char*>(&v), 4); };
  const std::string header =
      R"({"predictor_type":"regressor","num_features":4611686018427387904,"num_factors":3})";
  put32(1);
  put32(static_cast<uint32_t>(header.size()));
  huge += header;
  put32(0);  // one float
  put32(Crc32(huge));
  expect_error(huge, "more than the file holds");

  auto path = TempPath("corrupt.fm");
  ASSERT_TRUE(WriteFileAtomic(path, flipped).ok());
  auto loaded = FmModel::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(path.string()), std::string::npos);
  EXPECT_FALSE(FmModel::Load(TempPath("missing.fm")).ok());
}

}  // namespace
}  // namespace pantry::models
