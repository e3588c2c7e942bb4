// Chunked storage of the sliding events: the same contents as a deque under
// every operation, and memory that follows the live entries (issue 17).
#include "pantry/stream/chunked_series.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "pantry/stream/window_aggregator.h"

namespace pantry::stream {
namespace {

struct Entry {
  int64_t key;
  std::vector<double> values;
};

void ExpectSame(const ChunkedSeries& s, const std::deque<Entry>& model, size_t nv) {
  ASSERT_EQ(s.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) {
    ASSERT_EQ(s.key(i), model[i].key) << i;
    for (size_t v = 0; v < nv; ++v) ASSERT_EQ(s.values(i)[v], model[i].values[v]) << i;
  }
}

// Random pushes, pops at both ends, inserts and clears against std::deque,
// with chunks small enough (a few entries) that every operation crosses
// chunk boundaries and the chunk ring wraps and grows.
void RunModel(size_t nv, size_t chunk_bytes, ChunkPool* pool, uint32_t seed) {
  ChunkedSeries s(pool, chunk_bytes);
  std::deque<Entry> model;
  std::mt19937 rng(seed);
  int64_t next = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint32_t op = rng() % 100;
    Entry e{next++, {}};
    for (size_t v = 0; v < nv; ++v) e.values.push_back(static_cast<double>(rng() % 1000) / 8);
    if (op < 45) {
      s.push_back(e.key, e.values.data(), nv);
      model.push_back(e);
    } else if (op < 55 && !model.empty()) {
      const size_t i = rng() % (model.size() + 1);
      s.insert(i, e.key, e.values.data(), nv);
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(i), e);
    } else if (op < 70 && !model.empty()) {
      s.pop_back();
      model.pop_back();
    } else if (op < 99) {
      const size_t n = model.empty() ? 0 : rng() % (model.size() < 8 ? model.size() + 1 : 8);
      s.pop_front(n);
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
      s.clear();
      model.clear();
    }
    ExpectSame(s, model, nv);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Moving hands the chunks over; the source is left empty and usable.
  ChunkedSeries moved(std::move(s));
  ExpectSame(moved, model, nv);
  EXPECT_EQ(s.size(), 0u);  // NOLINT(bugprone-use-after-move): defined as empty
  const double v[8] = {};
  s.push_back(7, v, nv);
  EXPECT_EQ(s.key(0), 7);
}

TEST(ChunkedSeriesTest, MatchesADeque) {
  RunModel(2, 4 * 24, nullptr, 1);  // 4 entries per chunk
  RunModel(1, 2 * 16, nullptr, 2);  // 2 entries per chunk
  RunModel(0, 8 * 8, nullptr, 3);   // keys only
  ChunkPool pool(4);
  RunModel(2, 8 * 24, &pool, 4);
  RunModel(2, ChunkedSeries::kDefaultChunkBytes, &pool, 5);
  EXPECT_LE(pool.free_bytes(), 4u * ChunkedSeries::kDefaultChunkBytes);  // at most max_free
}

TEST(ChunkPoolTest, RecyclesBlocksOfOneSizeUpToItsLimit) {
  ChunkPool pool(2);
  char* a = pool.Get(3072);
  char* b = pool.Get(3072);
  char* c = pool.Get(3072);
  pool.Put(a, 3072);
  pool.Put(b, 3072);
  pool.Put(c, 3072);  // past the limit: freed
  EXPECT_EQ(pool.free_bytes(), 2u * 3072);
  char* d = pool.Get(3072);
  EXPECT_TRUE(d == a || d == b);
  char* e = pool.Get(256);  // another size: a fresh block
  EXPECT_EQ(pool.free_bytes(), 3072u);
  pool.Put(e, 256);  // not the pooled size: freed
  EXPECT_EQ(pool.free_bytes(), 3072u);
  pool.Put(d, 3072);
  EXPECT_EQ(pool.free_bytes(), 2u * 3072);
}

TEST(ChunkedSeriesTest, ChunksOfAFewKiBAndNoMore) {
  ChunkedSeries s;
  const double v[2] = {1, 2};
  s.push_back(1, v, 2);
  EXPECT_EQ(s.chunk_bytes(), 128u * 24);  // a power of two of 24-byte entries in 4 KiB
  ChunkedSeries keys_only;
  keys_only.push_back(1, v, 0);
  EXPECT_EQ(keys_only.chunk_bytes(), 512u * 8);
}

// One key's events in steady state: the memory is the live entries, less
// than two chunks and the ring of chunk pointers, at every live count (the
// vectors grew by doubling and reached 4x), and it follows the live count
// down again.
TEST(ChunkedSeriesTest, BytesFollowTheLiveEntries) {
  ChunkPool pool;
  ChunkedSeries s(&pool);
  const double v[2] = {0.5, 0.25};
  int64_t next = 0;
  size_t prev_bytes = 0;
  for (size_t live = 1; live <= 20000; live += 7) {
    while (s.size() < live) s.push_back(next++, v, 2);
    s.pop_front(s.size() > 5 ? 5 : 0);  // expire a few, as a window does
    while (s.size() < live) s.push_back(next++, v, 2);
    const size_t chunks = (live + 127) / 128 + 1;
    ASSERT_GE(s.bytes_reserved(), live * 24);
    ASSERT_LE(s.bytes_reserved(), live * 24 + 2 * s.chunk_bytes() + 2 * 8 * chunks) << live;
    ASSERT_LE(s.bytes_reserved(), prev_bytes + s.chunk_bytes() + 8 * 2 * chunks) << live;
    prev_bytes = s.bytes_reserved();
  }
  for (size_t live = 20000; live > 100; live -= 9) {
    s.pop_front(s.size() - live);
    ASSERT_LE(s.bytes_reserved(), live * 24 + 2 * s.chunk_bytes() + 8 * 512) << live;
  }
  s.clear();
  EXPECT_EQ(s.bytes_reserved(), 0u);
}

// The workshop's shape (SUM and AVG of two fields) through a sliding window
// at a rising, then falling rate for a few keys: after every round the
// aggregator holds each key's live events × 24 bytes plus less than two
// chunks and its chunk ring, and it never jumps by more than a chunk a key
// (with vectors, each key's memory doubled at once when its live count
// crossed a power of two).
TEST(WindowMemoryTest, SlidingStateIsTheLiveEventsPlusAChunkPerKey) {
  auto spec = WindowSpec::FromString(R"({"name": "m", "partition_by": ["customer_id"],
    "time_basis": "arrival", "window": {"type": "sliding", "size": "1s"},
    "aggregations": ["SUM(v) AS s", "AVG(w) AS a"],
    "fields": {"customer_id": "string", "v": "number", "w": "number"}})",
                                     "test");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto agg = WindowAggregator::Create(*spec);
  constexpr size_t kKeys = 4;
  constexpr size_t kChunk = 128 * 24;
  constexpr int64_t kSize = 1'000'000;
  std::deque<int64_t> rounds;  // times of the rounds within the window
  std::vector<EmittedRow> out;
  int64_t t = 1'000'000;
  size_t prev = 0, peak_live = 0, checked = 0;
  // Live per key from ~500 up to ~12000 (past 1024 ... 8192) and down.
  for (int r = 0; r < 60000; ++r) {
    const int64_t live_target = r < 40000 ? 500 + r / 3 : 13800 - (r - 40000) / 2;
    t += std::max<int64_t>(1, kSize / live_target);
    for (size_t k = 0; k < kKeys; ++k) {
      ParsedEvent e;
      e.key = "c" + std::to_string(k);
      e.time_micros = t;
      e.values[0] = static_cast<double>(r % 10);
      e.values[1] = 0.5;
      out.clear();
      ASSERT_TRUE(agg->Add(e, &out));
    }
    rounds.push_back(t);
    while (rounds.front() <= t - kSize) rounds.pop_front();
    const size_t live = rounds.size();
    peak_live = std::max(peak_live, live);
    ASSERT_EQ(out.back().event_count, static_cast<int64_t>(live));
    const size_t ring = 8 * 2 * (peak_live / 128 + 2);
    const size_t bytes = agg->sliding_bytes_reserved();
    ASSERT_GE(bytes, kKeys * live * 24) << "the live events are held";
    ASSERT_LE(bytes, kKeys * (live * 24 + 2 * kChunk + ring)) << "round " << r << " live " << live;
    ASSERT_LE(bytes, prev + kKeys * (kChunk + ring)) << "round " << r << " live " << live;
    prev = bytes;
    ++checked;
  }
  EXPECT_GT(peak_live, 8192u);
  EXPECT_EQ(checked, 60000u);
}

}  // namespace
}  // namespace pantry::stream
