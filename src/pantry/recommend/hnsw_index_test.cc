#include "pantry/recommend/hnsw_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace pantry::recommend {
namespace {

constexpr size_t kDim = 33;  // 32 factors + the bias column, as the FM's [q_i, b_i]

// FM-like item vectors with skewed norms: each row is Gaussian times a
// log-normal scale, so a few popular items have norms several times the
// median (the case where inner product and cosine rankings differ most).
std::vector<float> SkewedItems(size_t count, std::mt19937_64& rng) {
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::lognormal_distribution<float> scale(0.0f, 0.6f);
  std::vector<float> out(count * kDim);
  for (size_t i = 0; i < count; ++i) {
    const float s = scale(rng);
    for (size_t k = 0; k < kDim; ++k) out[i * kDim + k] = s * gauss(rng) * 0.2f;
  }
  return out;
}

std::vector<uint32_t> ExactTopK(const std::vector<float>& items, const std::vector<float>& q,
                                size_t k) {
  const size_t count = items.size() / kDim;
  std::vector<float> score(count);
  for (size_t i = 0; i < count; ++i) {
    score[i] = std::inner_product(q.begin(), q.end(), items.begin() + i * kDim, 0.0f);
  }
  std::vector<uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](uint32_t a, uint32_t b) { return score[a] > score[b]; });
  order.resize(k);
  return order;
}

TEST(HnswIndexTest, RejectsMismatchedInput) {
  std::vector<float> v(10);
  EXPECT_FALSE(HnswIndex::Build(v, 3, 4, HnswParams{}).ok());
  EXPECT_FALSE(HnswIndex::Build({}, 0, 4, HnswParams{}).ok());
}

TEST(HnswIndexTest, RecallAt100AgainstTheExactScanOnSkewedNorms) {
  std::mt19937_64 rng(7);
  const size_t count = 5000, k = 100, queries = 100;
  const std::vector<float> items = SkewedItems(count, rng);
  auto index = HnswIndex::Build(items, count, kDim, HnswParams{});
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ((*index)->dim(), kDim);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  size_t hits = 0;
  for (size_t n = 0; n < queries; ++n) {
    std::vector<float> q(kDim);
    for (float& x : q) x = gauss(rng);
    q.back() = 1.0f;  // the customer side of the bias column
    const std::vector<uint32_t> found = (*index)->Search(q, k);
    ASSERT_EQ(found.size(), k);
    const std::vector<uint32_t> truth = ExactTopK(items, q, k);
    EXPECT_EQ(found.front(), truth.front());
    const std::set<uint32_t> truth_set(truth.begin(), truth.end());
    for (uint32_t product : found) hits += truth_set.count(product);
  }
  const double recall = static_cast<double>(hits) / static_cast<double>(queries * k);
  EXPECT_GE(recall, 0.95);
  RecordProperty("recall_at_100", std::to_string(recall));
}

TEST(HnswIndexTest, AQueryOfTheWrongDimensionFindsNothing) {
  std::mt19937_64 rng(1);
  const std::vector<float> items = SkewedItems(200, rng);
  auto index = HnswIndex::Build(items, 200, kDim, HnswParams{});
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE((*index)->Search(std::vector<float>(kDim - 1, 1.0f), 10).empty());
  EXPECT_EQ((*index)->Search(std::vector<float>(kDim, 1.0f), 10).size(), 10u);
}

TEST(HnswIndexTest, ParallelBuildFindsTheSameBestItems) {
  std::mt19937_64 rng(3);
  const std::vector<float> items = SkewedItems(2000, rng);
  HnswParams params;
  params.build_threads = 2;
  auto index = HnswIndex::Build(items, 2000, kDim, params);
  ASSERT_TRUE(index.ok());
  std::vector<float> q(kDim, 0.5f);
  EXPECT_EQ((*index)->Search(q, 1).front(), ExactTopK(items, q, 1).front());
}

}  // namespace
}  // namespace pantry::recommend
