#include "pantry/models/score_accumulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include "pantry/models/rank_key.h"

namespace pantry::models {
namespace {

TEST(ScoreAccumulatorTest, SumsInFirstTouchOrderAndStartsEmptyEachTime) {
  ScoreAccumulator& a = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, 10);
  a.Add(7, 1.0f);
  a.Add(2, 0.5f);
  a.Add(7, 2.0f);
  EXPECT_EQ(a.Sum(7), 3.0f);
  EXPECT_EQ(a.Sum(3), 0.0f);
  const std::vector<Candidate> taken = a.Take();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].product, 7u);
  EXPECT_EQ(taken[0].score, 3.0f);
  EXPECT_EQ(taken[1].product, 2u);
  EXPECT_EQ(a.Sum(7), 0.0f);  // taken: empty again

  a.Add(4, 1.0f);
  ScoreAccumulator& again = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, 10);
  EXPECT_EQ(&again, &a);
  EXPECT_EQ(again.Sum(4), 0.0f);  // handed out empty
  EXPECT_TRUE(again.Take().empty());
}

TEST(ScoreAccumulatorTest, SlotsAndThreadsAreIndependent) {
  ScoreAccumulator& knn = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, 5);
  knn.Add(1, 1.0f);
  ScoreAccumulator& blend = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kBlend, 5);
  blend.Add(1, 5.0f);
  EXPECT_EQ(knn.Sum(1), 1.0f);
  float other_thread_sum = -1;
  std::thread t([&] {
    ScoreAccumulator& mine = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, 5);
    other_thread_sum = mine.Sum(1);
  });
  t.join();
  EXPECT_EQ(other_thread_sum, 0.0f);
  // A different catalog size resizes the scratch.
  ScoreAccumulator& big = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, 1000);
  big.Add(999, 2.0f);
  EXPECT_EQ(big.Take().size(), 1u);
}

bool Better(const Candidate& a, const Candidate& b) {
  return a.score != b.score ? a.score > b.score : a.product < b.product;
}

TEST(RankKeyTest, OrdersLikeScoreThenProductAndRoundTripsTheScore) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores = {-inf,   -3.5f, -1e-30f, -0.0f, 0.0f,  1e-38f,
                                     1e-30f, 0.25f, 0.5f,    7.0f,  3e38f, inf};
  for (float a : scores) {
    for (float b : scores) {
      for (uint32_t pa : {0u, 5u, 0xffffffffu}) {
        for (uint32_t pb : {0u, 5u, 0xffffffffu}) {
          EXPECT_EQ(RankKey(a, pa) < RankKey(b, pb), Better({pa, a}, {pb, b}))
              << a << "/" << pa << " vs " << b << "/" << pb;
        }
      }
    }
    EXPECT_EQ(RankKeyScore(RankKey(a, 3)), a);
    EXPECT_EQ(RankKeyProduct(RankKey(a, 3)), 3u);
  }
}

TEST(ScoreAccumulatorTest, TakeBestEqualsTakeSortedAndCut) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 40; ++round) {
    const uint32_t n = 1 + static_cast<uint32_t>(rng() % 3000);
    const size_t k = rng() % 500;
    const int levels = round % 2 == 0 ? 4 : 1000000;  // many ties or almost none
    std::vector<std::pair<uint32_t, float>> votes;
    for (uint32_t v = 0; v < n; ++v) {
      const float w = static_cast<float>(static_cast<int>(rng() % levels) - levels / 4) * 0.125f;
      votes.emplace_back(static_cast<uint32_t>(rng() % n), w);
    }
    ScoreAccumulator& a = ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kBlend, n);
    for (const auto& [p, w] : votes) a.Add(p, w);
    std::vector<Candidate> want = a.Take();
    std::sort(want.begin(), want.end(), Better);
    want.resize(std::min(want.size(), k));
    for (const auto& [p, w] : votes) a.Add(p, w);
    const std::vector<Candidate> got = a.TakeBest(k);
    ASSERT_EQ(got.size(), want.size()) << "round " << round;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].product, want[i].product) << "round " << round << " rank " << i;
      ASSERT_EQ(std::bit_cast<uint32_t>(got[i].score), std::bit_cast<uint32_t>(want[i].score));
    }
    EXPECT_EQ(a.Sum(votes[0].first), 0.0f);  // taken: empty again
  }
}

}  // namespace
}  // namespace pantry::models
