#include "pantry/models/score_accumulator.h"

#include <gtest/gtest.h>

#include <thread>

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

}  // namespace
}  // namespace pantry::models
