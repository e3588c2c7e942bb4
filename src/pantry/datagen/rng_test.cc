#include "pantry/datagen/rng.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace pantry::datagen {
namespace {

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(42, RngStream::kOrders, 7), b(42, RngStream::kOrders, 7), c(42, RngStream::kOrders, 8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RngTest, KnownFirstValuesArePlatformIndependent) {
  // Pins the generator: these change only if the algorithm changes, which
  // would change every generated dataset.
  Rng rng(1);
  const uint64_t first = rng.Next();
  Rng again(1);
  EXPECT_EQ(first, again.Next());
  uint64_t s = 0;
  EXPECT_EQ(SplitMix64(&s), 0xe220a8397b1dcdafULL);
}

TEST(RngTest, DistributionsHaveTheRightMoments) {
  Rng rng(3);
  const int n = 200000;
  double sum_u = 0, sum_n = 0, sum_n2 = 0, sum_p = 0;
  int64_t below_lo = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum_u += u;
    const double z = rng.Normal();
    sum_n += z;
    sum_n2 += z * z;
    sum_p += static_cast<double>(rng.Poisson(9));
    const int64_t r = rng.UniformRange(18, 91);
    ASSERT_GE(r, 18);
    ASSERT_LE(r, 91);
    below_lo += r == 18;
  }
  EXPECT_NEAR(sum_u / n, 0.5, 0.005);
  EXPECT_NEAR(sum_n / n, 0.0, 0.01);
  EXPECT_NEAR(sum_n2 / n, 1.0, 0.02);
  EXPECT_NEAR(sum_p / n, 9.0, 0.05);
  EXPECT_NEAR(static_cast<double>(below_lo) / n, 1.0 / 74, 0.003);
}

TEST(RngTest, AliasTableMatchesWeights) {
  const std::vector<double> weights = {1, 0, 3, 6};
  AliasTable table(weights);
  Rng rng(5);
  std::vector<int> counts(4);
  const int n = 100000;
  for (int i = 0; i < n; ++i) ++counts[table.Sample(rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / double(n), 0.1, 0.01);
  EXPECT_NEAR(counts[2] / double(n), 0.3, 0.01);
  EXPECT_NEAR(counts[3] / double(n), 0.6, 0.01);
}

TEST(RngTest, SampleLinearSkipsZeroWeights) {
  const std::vector<double> weights = {0, 2, 0, 2};
  Rng rng(9);
  for (int i = 0; i < 1000; ++i) {
    const size_t k = SampleLinear(rng, weights, 4.0);
    EXPECT_TRUE(k == 1 || k == 3);
  }
}

}  // namespace
}  // namespace pantry::datagen
