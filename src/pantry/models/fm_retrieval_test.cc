#include "pantry/models/fm_retrieval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

namespace pantry::models {
namespace {

// Customer features [0, 60): 40 customer ids, 2 marital, 18 states.
// Product features [60, 60 + 300 + 50): product ids and 50 name terms.
constexpr uint32_t kCustomerFeatures = 60;
constexpr uint32_t kProducts = 300;
constexpr uint32_t kTerms = 50;

FmModel RandomModel(uint64_t seed) {
  FmModel model(PredictorType::kRegressor, kCustomerFeatures + kProducts + kTerms, 16);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0, 0.5f);
  model.mutable_bias() = dist(rng);
  for (float& w : model.mutable_linear()) w = dist(rng);
  for (float& v : model.mutable_factors()) v = dist(rng);
  return model;
}

CsrMatrix Catalog(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> term(0, kTerms - 1);
  std::uniform_real_distribution<float> weight(0.1f, 1.0f);
  CsrMatrix catalog;
  catalog.cols = kCustomerFeatures + kProducts + kTerms;
  for (uint32_t p = 0; p < kProducts; ++p) {
    std::vector<uint32_t> idx = {kCustomerFeatures + p};
    std::vector<float> val = {1.0f};
    for (int t = 0; t < 4; ++t) {
      uint32_t j = kCustomerFeatures + kProducts + term(rng);
      if (std::find(idx.begin(), idx.end(), j) != idx.end()) continue;
      idx.push_back(j);
      val.push_back(weight(rng));
    }
    catalog.AppendRow(idx, val);
  }
  return catalog;
}

TEST(FmCatalogIndexTest, RanksExactlyAsTheFullModel) {
  FmModel model = RandomModel(11);
  CsrMatrix catalog = Catalog(12);
  auto index = FmCatalogIndex::Build(model, catalog);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->num_products(), kProducts);
  for (uint32_t customer = 0; customer < 40; customer += 3) {
    std::vector<uint32_t> cidx = {customer, 40 + customer % 2, 42 + customer % 18};
    std::vector<float> cval = {1, 1, 1};
    CustomerVector u = FmCatalogIndex::EncodeCustomer(model, {cidx, cval});
    // Score every pair with the full model on the concatenated row.
    std::vector<double> full(kProducts);
    for (uint32_t p = 0; p < kProducts; ++p) {
      SparseRow product = catalog.row(p);
      std::vector<uint32_t> idx = cidx;
      std::vector<float> val = cval;
      idx.insert(idx.end(), product.indices.begin(), product.indices.end());
      val.insert(val.end(), product.values.begin(), product.values.end());
      full[p] = model.PredictRaw({idx, val});
      EXPECT_NEAR(index->Score(u, p), full[p], 1e-3 * std::max(1.0, std::abs(full[p])));
    }
    std::vector<uint32_t> expected(kProducts);
    std::iota(expected.begin(), expected.end(), 0u);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](uint32_t a, uint32_t b) { return full[a] > full[b]; });
    for (size_t k : {1u, 10u, 100u, 300u, 500u}) {
      std::vector<ScoredProduct> top = index->TopK(u, k);
      ASSERT_EQ(top.size(), std::min<size_t>(k, kProducts));
      for (size_t r = 0; r < top.size(); ++r) {
        // Identical order, except between products whose exact scores tie
        // to float precision.
        if (top[r].product != expected[r]) {
          EXPECT_NEAR(full[top[r].product], full[expected[r]], 1e-4)
              << "customer " << customer << " rank " << r;
        }
        EXPECT_NEAR(top[r].score, full[top[r].product],
                    1e-3 * std::max(1.0, std::abs(full[top[r].product])));
        if (r > 0) {
          EXPECT_GE(top[r - 1].score, top[r].score);
        }
      }
    }
  }
}

// The naive reference: every entry sorted by score (descending), ties by
// index, cut at k.
std::vector<ScoredProduct> NaiveTopK(const std::vector<float>& scores, size_t k) {
  std::vector<ScoredProduct> all;
  for (size_t i = 0; i < scores.size(); ++i) all.push_back({static_cast<uint32_t>(i), scores[i]});
  std::stable_sort(all.begin(), all.end(), [](const ScoredProduct& a, const ScoredProduct& b) {
    return a.score > b.score;
  });
  all.resize(std::min(k, all.size()));
  return all;
}

void ExpectSameTopK(const std::vector<ScoredProduct>& got, const std::vector<ScoredProduct>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].product, want[r].product) << "rank " << r;
    ASSERT_EQ(got[r].score, want[r].score) << "rank " << r;
  }
}

TEST(SelectTopKTest, EqualsAFullSortOnRandomScoresWithTies) {
  std::mt19937_64 rng(5);
  std::vector<ScoredProduct> got;
  for (size_t n : {0u, 1u, 7u, 100u, 1000u, 17000u}) {
    for (int distinct : {3, 50, 0}) {  // 0: continuous values (rare ties)
      std::vector<float> scores(n);
      std::uniform_int_distribution<int> level(0, std::max(distinct - 1, 0));
      std::normal_distribution<float> normal(0, 1);
      for (float& s : scores) {
        s = distinct > 0 ? static_cast<float>(level(rng)) * 0.25f : normal(rng);
      }
      // An ascending run, a descending run and -inf entries.
      for (size_t i = 0; i < n / 10; ++i) scores[i] = 10.0f + static_cast<float>(i) * 1e-3f;
      for (size_t i = n / 10; i < n / 5; ++i) scores[i] = -static_cast<float>(i);
      if (n > 3) scores[n - 2] = -std::numeric_limits<float>::infinity();
      for (size_t k : {1u, 2u, 10u, 200u, 999u, 2000u, 20000u}) {
        SelectTopK(scores, k, &got);
        ExpectSameTopK(got, NaiveTopK(scores, k));
        if (::testing::Test::HasFatalFailure()) {
          ADD_FAILURE() << "n " << n << " distinct " << distinct << " k " << k;
          return;
        }
      }
    }
  }
}

TEST(SelectTopKTest, AllEqualScoresKeepTheLowestIndices) {
  std::vector<float> scores(5000, 1.5f);
  std::vector<ScoredProduct> got;
  SelectTopK(scores, 200, &got);
  ExpectSameTopK(got, NaiveTopK(scores, 200));
  EXPECT_EQ(got.back().product, 199u);
}

TEST(FmCatalogIndexTest, TopKEqualsAFullSortOfScore) {
  FmModel model = RandomModel(21);
  CsrMatrix catalog = Catalog(22);
  auto index = FmCatalogIndex::Build(model, catalog);
  ASSERT_TRUE(index.ok()) << index.status();
  std::vector<uint32_t> cidx = {1, 41};
  std::vector<float> cval = {1, 1};
  CustomerVector u = FmCatalogIndex::EncodeCustomer(model, {cidx, cval});
  // Score() adds the customer's constant before the catalog terms are summed
  // in a different order, so compare against the scan's own scores: TopK of
  // the whole catalog is that full ranking.
  std::vector<ScoredProduct> all = index->TopK(u, kProducts);
  std::vector<float> scores(kProducts);
  for (const ScoredProduct& p : all) scores[p.product] = p.score;
  std::vector<ScoredProduct> reused;
  for (size_t k : {1u, 5u, 37u, 299u}) {
    index->TopK(u, k, &reused);
    ExpectSameTopK(reused, NaiveTopK(scores, k));
  }
}

TEST(FmCatalogIndexTest, RejectsFeaturesOutsideTheModel) {
  FmModel model = RandomModel(1);
  CsrMatrix catalog;
  catalog.cols = model.num_features() + 5;
  std::vector<uint32_t> idx = {static_cast<uint32_t>(model.num_features() + 1)};
  std::vector<float> val = {1};
  catalog.AppendRow(idx, val);
  EXPECT_FALSE(FmCatalogIndex::Build(model, catalog).ok());
  CsrMatrix empty;
  empty.cols = 3;
  auto index = FmCatalogIndex::Build(model, empty);
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->TopK(FmCatalogIndex::EncodeCustomer(model, {}), 10).empty());
}

}  // namespace
}  // namespace pantry::models
