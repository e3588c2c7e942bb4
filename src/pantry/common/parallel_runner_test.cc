#include "pantry/common/parallel_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pantry {
namespace {

TEST(ParallelRunnerTest, RunsEveryIndexOnceAndKeepsItsThreads) {
  ParallelRunner runner;
  std::vector<std::atomic<int>> calls(4);
  for (int round = 0; round < 200; ++round) {
    runner.Run(4, [&](size_t i) { calls[i].fetch_add(1); });
    // Nothing is started after the first round: its threads are idle again.
    ASSERT_LE(runner.threads(), 3u) << "round " << round;
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(calls[i].load(), 200) << i;
}

TEST(ParallelRunnerTest, IndexZeroRunsOnTheCaller) {
  ParallelRunner runner;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> ran_on(3);
  runner.Run(3, [&](size_t i) { ran_on[i] = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on[0], caller);
  EXPECT_NE(ran_on[1], caller);
  EXPECT_NE(ran_on[2], caller);
}

TEST(ParallelRunnerTest, FollowsTheNumberOfTasks) {
  ParallelRunner runner;
  for (size_t n : {3, 1, 5, 2, 0, 2}) {
    std::vector<std::atomic<int>> calls(n);
    runner.Run(n, [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "n " << n << " index " << i;
  }
  EXPECT_EQ(runner.threads(), 4u);  // the most ever needed at once
}

TEST(ParallelRunnerTest, ReturnsOnlyWhenEveryIndexReturned) {
  ParallelRunner runner;
  std::atomic<int> finished{0};
  for (int round = 0; round < 50; ++round) {
    finished = 0;
    runner.Run(3, [&](size_t i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      finished.fetch_add(1);
    });
    ASSERT_EQ(finished.load(), 3) << "round " << round;
  }
}

// Tasks of concurrent calls may wait for each other (as fsyncs of one
// shard do): each gets a thread of its own, so none waits in a queue behind
// a blocked one. Here every task of both calls waits until all six run.
TEST(ParallelRunnerTest, ConcurrentCallsWhoseTasksWaitForEachOtherFinish) {
  ParallelRunner runner;
  std::mutex mu;
  std::condition_variable all_in;
  int running = 0;
  auto task = [&](size_t) {
    std::unique_lock<std::mutex> lock(mu);
    if (++running == 6) all_in.notify_all();
    all_in.wait(lock, [&] { return running == 6; });
  };
  std::thread other([&] { runner.Run(3, task); });
  runner.Run(3, task);
  other.join();
  EXPECT_EQ(running, 6);
  EXPECT_EQ(runner.threads(), 4u);
}

TEST(ParallelRunnerTest, ManyConcurrentCallers) {
  ParallelRunner runner;
  std::atomic<int> calls{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 8; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 100; ++round) {
        runner.Run(4, [&](size_t) { calls.fetch_add(1); });
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(calls.load(), 8 * 100 * 4);
  EXPECT_LE(runner.threads(), 8u * 3u);
}

}  // namespace
}  // namespace pantry
