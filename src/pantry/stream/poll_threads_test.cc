#include "pantry/stream/poll_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace pantry::stream {
namespace {

TEST(PollThreadsTest, RunsEveryIndexOnceAndKeepsItsThreads) {
  PollThreads threads;
  std::vector<std::set<std::thread::id>> ran_on(4);
  std::vector<std::atomic<int>> calls(4);
  for (int round = 0; round < 200; ++round) {
    threads.Run(4, [&](size_t i) {
      calls[i].fetch_add(1);
      ran_on[i].insert(std::this_thread::get_id());  // each index on one thread at a time
    });
  }
  EXPECT_EQ(threads.threads(), 3u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(calls[i].load(), 200) << i;
    // The same thread every round: nothing is started per poll.
    EXPECT_EQ(ran_on[i].size(), 1u) << i;
  }
  EXPECT_EQ(*ran_on[0].begin(), std::this_thread::get_id());
}

TEST(PollThreadsTest, FollowsTheNumberOfProcessors) {
  PollThreads threads;
  for (size_t n : {3, 1, 5, 2, 0, 2}) {
    std::vector<std::atomic<int>> calls(n);
    threads.Run(n, [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "n " << n << " index " << i;
    if (n > 0) EXPECT_EQ(threads.threads(), n - 1);
  }
}

TEST(PollThreadsTest, ReturnsOnlyWhenEveryIndexReturned) {
  PollThreads threads;
  std::atomic<int> finished{0};
  for (int round = 0; round < 50; ++round) {
    finished = 0;
    threads.Run(3, [&](size_t i) {
      if (i > 0) std::this_thread::yield();
      finished.fetch_add(1);
    });
    ASSERT_EQ(finished.load(), 3) << "round " << round;
  }
}

}  // namespace
}  // namespace pantry::stream
