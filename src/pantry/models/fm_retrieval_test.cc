#include "pantry/models/fm_retrieval.h"

#include <gtest/gtest.h>

#include <algorithm>
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
