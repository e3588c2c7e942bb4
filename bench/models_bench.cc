// Benchmarks of pantry's models: FM training, XGBoost training, full-catalog
// FM retrieval and ranker prediction. The heavy ones (FmTrain, RankerTrain)
// run once (Iterations(1)); see docs/benchmarks.md for the commands.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "pantry/models/fm_retrieval.h"
#include "pantry/models/fm_trainer.h"
#include "pantry/models/ranker.h"

namespace pantry::models {
namespace {

// Synthetic data with the workshop CF shape: one-hot customer_id (10k),
// product_id (17k), is_married (2), state (50), and the TF-IDF of the
// product name (6-12 terms of a 3k vocabulary, unit norm); ratings from a
// planted rank-8 interaction plus noise, clipped to 1..5.
struct CfData {
  CsrMatrix train_x, test_x;
  std::vector<float> train_y, test_y;
};

constexpr uint32_t kCustomers = 10000, kProducts = 17000, kStates = 50, kVocabulary = 3000;

CfData MakeCfData(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  const int rank = 8;
  std::vector<float> cu(kCustomers * rank), pv(kProducts * rank);
  for (float& x : cu) x = normal(rng) * 0.5f;
  for (float& x : pv) x = normal(rng) * 0.5f;
  std::vector<std::vector<uint32_t>> terms(kProducts);
  std::vector<std::vector<float>> weights(kProducts);
  std::uniform_int_distribution<uint32_t> term(0, kVocabulary - 1), nterms(6, 12);
  for (uint32_t p = 0; p < kProducts; ++p) {
    uint32_t count = nterms(rng);
    while (terms[p].size() < count) {
      uint32_t t = term(rng);
      if (std::find(terms[p].begin(), terms[p].end(), t) == terms[p].end()) terms[p].push_back(t);
    }
    std::sort(terms[p].begin(), terms[p].end());
    float norm = 0;
    for (size_t j = 0; j < count; ++j) {
      weights[p].push_back(0.5f + std::abs(normal(rng)));
      norm += weights[p].back() * weights[p].back();
    }
    for (float& w : weights[p]) w /= std::sqrt(norm);
  }
  const uint32_t married_offset = kCustomers + kProducts, state_offset = married_offset + 2,
                 term_offset = state_offset + kStates;
  CfData d;
  d.train_x.cols = d.test_x.cols = term_offset + kVocabulary;
  std::uniform_int_distribution<uint32_t> customer(0, kCustomers - 1), product(0, kProducts - 1);
  std::uniform_real_distribution<float> coin(0, 1);
  std::vector<uint32_t> idx;
  std::vector<float> val;
  for (size_t r = 0; r < rows; ++r) {
    uint32_t c = customer(rng), p = product(rng);
    idx = {c, kCustomers + p, married_offset + c % 2, state_offset + c % kStates};
    val = {1, 1, 1, 1};
    for (size_t j = 0; j < terms[p].size(); ++j) {
      idx.push_back(term_offset + terms[p][j]);
      val.push_back(weights[p][j]);
    }
    float y = 3.0f + 0.3f * normal(rng);
    for (int f = 0; f < rank; ++f) y += cu[c * rank + f] * pv[p * rank + f];
    y = std::clamp(std::round(y), 1.0f, 5.0f);
    bool test = coin(rng) < 0.2f;
    (test ? d.test_x : d.train_x).AppendRow(idx, val);
    (test ? d.test_y : d.train_y).push_back(y);
  }
  return d;
}

void BM_FmTrain(benchmark::State& state) {
  const size_t train_rows = static_cast<size_t>(state.range(0));
  CfData data = MakeCfData(train_rows * 5 / 4, 1);
  FmHyperparameters h;
  h.num_factors = 64;
  h.epochs = 20;
  h.mini_batch_size = 1000;
  h.optimizer = FmOptimizer::kAdam;
  h.bias_lr = 0.01;
  h.linear_lr = 0.01;
  h.factors_lr = 0.01;
  h.bias_wd = 0;
  h.linear_wd = 1e-4;
  h.factors_wd = 1e-4;
  h.factors_init_sigma = 0.01;
  h.num_threads = static_cast<int>(state.range(1));
  double rmse = 0;
  for (auto _ : state) {
    auto result = TrainFm(data.train_x, data.train_y, h);
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      return;
    }
    rmse = FmMetric(result->model, data.test_x, data.test_y);
  }
  double sum = 0, sum_sq = 0;
  for (float y : data.test_y) {
    sum += y;
    sum_sq += y * y;
  }
  double mean = sum / data.test_y.size();
  state.counters["train_rows"] = static_cast<double>(data.train_x.rows());
  state.counters["test_rmse"] = rmse;
  state.counters["test_std"] = std::sqrt(sum_sq / data.test_y.size() - mean * mean);
  state.counters["nnz_per_row"] = static_cast<double>(data.train_x.nnz()) / data.train_x.rows();
}
BENCHMARK(BM_FmTrain)->Args({1000000, 2})->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_FmTrain)->Args({100000, 2})->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// Ranking rows: healthy_activity_last_2m, product_health_index,
// customer_health_index and a one-hot of 10 product categories.
struct RankData {
  DenseMatrix x;
  std::vector<float> y;
  std::vector<std::string> names;
};

RankData MakeRankData(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0, 1);
  std::uniform_int_distribution<int> category(0, 9);
  RankData d;
  d.names = {"healthy_activity_last_2m", "product_health_index", "customer_health_index"};
  for (int c = 0; c < 10; ++c) d.names.push_back("product_category_" + std::to_string(c));
  d.x = {rows, d.names.size(), {}};
  d.x.values.reserve(rows * d.names.size());
  for (size_t r = 0; r < rows; ++r) {
    float activity = unit(rng) < 0.5f ? 0.0f : unit(rng) * 8, phi = unit(rng), chi = unit(rng);
    int cat = category(rng);
    d.x.values.insert(d.x.values.end(), {activity, phi, chi});
    for (int c = 0; c < 10; ++c) d.x.values.push_back(c == cat ? 1.0f : 0.0f);
    float logit = 0.4f * activity - 3 * std::abs(phi - chi) + 0.1f * cat - 0.5f;
    d.y.push_back(unit(rng) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return d;
}

void BM_RankerTrain(benchmark::State& state) {
  RankData data = MakeRankData(static_cast<size_t>(state.range(0)), 2);
  RankerParams params;  // workshop defaults, 50 rounds
  params.nthread = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto ranker = Ranker::Train(data.x, data.y, data.names, params);
    if (!ranker.ok()) {
      state.SkipWithError(ranker.status().ToString().c_str());
      return;
    }
  }
}
BENCHMARK(BM_RankerTrain)
    ->Args({1000000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

// Scores state.range(0) candidates with the workshop's 50-round model: the
// flat trees the server uses (Predict) and, as the anchor, XGBoost's own
// in-place prediction (PredictWithLibrary).
template <bool kLibrary>
void BM_RankerPredict(benchmark::State& state) {
  RankData train = MakeRankData(20000, 3);
  RankerParams params;
  params.nthread = 1;
  auto ranker = Ranker::Train(train.x, train.y, train.names, params);
  if (!ranker.ok()) {
    state.SkipWithError(ranker.status().ToString().c_str());
    return;
  }
  RankData candidates = MakeRankData(static_cast<size_t>(state.range(0)), 4);
  for (auto _ : state) {
    auto p =
        kLibrary ? (*ranker)->PredictWithLibrary(candidates.x) : (*ranker)->Predict(candidates.x);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RankerPredict<false>)
    ->Name("BM_RankerPredict/flat")
    ->Arg(200)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RankerPredict<true>)
    ->Name("BM_RankerPredict/xgboost")
    ->Arg(200)
    ->Unit(benchmark::kMicrosecond);

void BM_TopK(benchmark::State& state) {
  const uint32_t products = static_cast<uint32_t>(state.range(0));
  const int k = 64;
  const uint32_t customer_features = 10052;
  FmModel model(PredictorType::kRegressor, customer_features + products + kVocabulary, k);
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal(0, 0.1f);
  for (float& w : model.mutable_linear()) w = normal(rng);
  for (float& v : model.mutable_factors()) v = normal(rng);
  CsrMatrix catalog;
  catalog.cols = model.num_features();
  std::uniform_int_distribution<uint32_t> term(0, kVocabulary - 1);
  for (uint32_t p = 0; p < products; ++p) {
    std::vector<uint32_t> idx = {customer_features + p};
    for (int t = 0; t < 6; ++t) idx.push_back(customer_features + products + term(rng));
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    std::vector<float> val(idx.size(), 0.4f);
    catalog.AppendRow(idx, val);
  }
  auto index = FmCatalogIndex::Build(model, catalog);
  if (!index.ok()) {
    state.SkipWithError(index.status().ToString().c_str());
    return;
  }
  std::vector<uint32_t> cidx = {7, 10000, 10010};
  std::vector<float> cval = {1, 1, 1};
  CustomerVector u = FmCatalogIndex::EncodeCustomer(model, {cidx, cval});
  for (auto _ : state) {
    auto top = index->TopK(u, 100);
    benchmark::DoNotOptimize(top);
  }
}
BENCHMARK(BM_TopK)->Arg(17000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pantry::models

BENCHMARK_MAIN();
