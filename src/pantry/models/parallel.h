// A small work-sharing loop for the retrieval trainers (models/ has no
// thread pool of its own).
#ifndef PANTRY_MODELS_PARALLEL_H_
#define PANTRY_MODELS_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace pantry::models {

// `requested` threads, or all cores for 0.
inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Calls fn(begin, end, thread) for consecutive blocks of [0, n) of `block`
// items, handed out dynamically to `threads` threads (thread in
// [0, threads)); returns when all are done.
template <typename Fn>
void ParallelBlocks(uint64_t n, uint64_t block, int threads, Fn fn) {
  std::atomic<uint64_t> next{0};
  auto work = [&](int thread) {
    for (uint64_t begin; (begin = next.fetch_add(block)) < n;) {
      fn(begin, std::min(n, begin + block), thread);
    }
  };
  const int used = static_cast<int>(std::min<uint64_t>(threads, (n + block - 1) / block));
  std::vector<std::thread> pool;
  for (int t = 1; t < used; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& thread : pool) thread.join();
}

}  // namespace pantry::models

#endif  // PANTRY_MODELS_PARALLEL_H_
