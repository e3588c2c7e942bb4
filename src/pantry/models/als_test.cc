// The ALS retrieval scan (tiled, vectorised) against a plain dot product and
// against the Eigen matrix-vector product it replaced.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pantry/models/als.h"
#include "pantry/models/interactions.h"

namespace pantry::models {
namespace {

// Random purchases over a catalog that is not a whole number of scan tiles.
InteractionMatrix RandomMatrix(uint32_t customers, uint32_t products, uint64_t seed) {
  std::mt19937_64 rng(seed);
  InteractionMatrix::Builder b;
  for (uint32_t c = 0; c < customers; ++c) {
    for (int n = 0; n < 8; ++n) {
      const uint32_t p = static_cast<uint32_t>(rng() % products);
      EXPECT_TRUE(b.Add({c, p, 1.0f + static_cast<float>(rng() % 3), int64_t{n}}).ok());
    }
  }
  return std::move(b).Build(customers, products);
}

// products × x as retrieval computed it before the tiled scan.
std::vector<float> EigenScores(const AlsModel& als, std::span<const float> x) {
  using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int64_t n = als.num_products(), f = als.factors();
  const Eigen::Map<const RowMatrix> y(als.ProductVector(0).data(), n, f);
  const Eigen::VectorXf scores = y * Eigen::Map<const Eigen::VectorXf>(x.data(), f);
  return std::vector<float>(scores.data(), scores.data() + n);
}

double PlainScore(std::span<const float> x, std::span<const float> y) {
  double s = 0;
  for (size_t j = 0; j < x.size(); ++j) s += static_cast<double>(x[j]) * y[j];
  return s;
}

TEST(AlsScanTest, RetrieveScoresEveryProductLikeAPlainDotProduct) {
  for (int factors : {1, 7, 16, 33}) {
    const uint32_t products = 203;  // three tiles and a partial one
    const InteractionMatrix m = RandomMatrix(60, products, 7 + factors);
    AlsOptions o;
    o.factors = factors;
    o.iterations = 3;
    o.threads = 1;
    auto als = AlsModel::Train(m, o);
    ASSERT_TRUE(als.ok()) << als.status();
    const uint32_t recent[] = {5, 77, 202};
    for (int query = 0; query < 4; ++query) {
      RetrievalQuery q;
      if (query < 3) {
        q.customer = static_cast<uint32_t>(query * 17);
      } else {
        q.recent_products = recent;  // fold-in
      }
      const std::vector<float> x = (*als)->CustomerVector(q);
      ASSERT_EQ(x.size(), static_cast<size_t>(factors));
      const std::vector<float> eigen = EigenScores(**als, x);
      const std::vector<Candidate> all = (*als)->Retrieve(q, products + 10);
      ASSERT_EQ(all.size(), products);
      std::vector<bool> seen(products, false);
      std::vector<uint32_t> ids;
      for (size_t r = 0; r < all.size(); ++r) {
        const Candidate& c = all[r];
        ASSERT_LT(c.product, products);
        EXPECT_FALSE(seen[c.product]);
        seen[c.product] = true;
        ids.push_back(c.product);
        const double want = PlainScore(x, (*als)->ProductVector(c.product));
        EXPECT_NEAR(c.score, want, 1e-5 * std::max(1.0, std::abs(want)))
            << "factors " << factors << " product " << c.product;
#ifndef EIGEN_VECTORIZE_AVX
        // Built without -march flags Eigen sums in SSE packets, and the scan
        // reproduces that order bit for bit.
        EXPECT_EQ(c.score, eigen[c.product]) << "factors " << factors << " product " << c.product;
#endif
        if (r > 0) {
          const Candidate& prev = all[r - 1];
          EXPECT_TRUE(prev.score > c.score || (prev.score == c.score && prev.product < c.product));
        }
      }
      std::vector<float> scored(ids.size());
      (*als)->ScoreProducts(q, ids, scored);
      for (size_t r = 0; r < all.size(); ++r) {
        EXPECT_NEAR(scored[r], all[r].score, 1e-5 * std::max(1.0f, std::abs(all[r].score)));
      }
      // A shorter list is the prefix of the full ranking.
      const std::vector<Candidate> top = (*als)->Retrieve(q, 11);
      ASSERT_EQ(top.size(), 11u);
      for (size_t r = 0; r < top.size(); ++r) EXPECT_EQ(top[r].product, all[r].product);
    }
  }
}

}  // namespace
}  // namespace pantry::models
