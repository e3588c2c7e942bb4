// A queue of (key, nv doubles) entries in fixed-size chunks, for a sliding
// window's events and its min/max queues (issue 17).
//
// Why chunks: the events were two vectors per key, compacted when half the
// entries had expired and grown by doubling; under a steady rate every key's
// vectors passed a power of two together, so memory reached ~4x the live
// events in one step (+394 MB in 10 s at 100k events/s). A power-of-two ring
// was no better: its regrowth copied every key's events at once on the poll
// thread. Here an entry is appended into the last chunk and a new chunk is
// taken only when that one is full; chunks are given back from the front as
// entries expire. Nothing is ever copied to grow, and a series holds its
// live entries plus less than two chunks (the front chunk's expired rows and
// the back chunk's unused ones), plus a ring of chunk pointers (8 bytes per
// chunk, doubled when full).
#ifndef PANTRY_STREAM_CHUNKED_SERIES_H_
#define PANTRY_STREAM_CHUNKED_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pantry::stream {

// Recycles blocks of one size through a short free list, so that chunks
// freed at the front of one key's series are reused at the back of
// another's without a round trip through the allocator. A block of another
// size than the pooled one is simply freed. Not thread-safe.
class ChunkPool {
 public:
  explicit ChunkPool(size_t max_free = 32) : max_free_(max_free) {}
  ~ChunkPool();
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  // A block of `bytes` (uninitialised); never null (allocation failure
  // aborts, as for any allocation in this code).
  char* Get(size_t bytes);
  // Takes back a block from Get(bytes).
  void Put(char* block, size_t bytes);
  // Bytes held in the free list.
  size_t free_bytes() const { return free_.size() * bytes_; }

 private:
  const size_t max_free_;
  size_t bytes_ = 0;  // the size of the blocks in free_
  std::vector<char*> free_;
};

// Entries are (int64 key, nv doubles); nv is fixed by the first entry put
// into an empty series. A chunk holds a power of two of entries: their keys,
// then their values (each entry's values contiguous), in at most
// `chunk_target_bytes`. O(1): push_back, pop_back, pop_front, random access.
// O(n): insert before the end (rare: out-of-order events). Movable, not
// copyable. Not thread-safe.
class ChunkedSeries {
 public:
  static constexpr size_t kDefaultChunkBytes = 4096;

  // Chunks come from `pool` if not null (it must outlive the chunks the
  // series holds; the destructor frees them directly, not to the pool).
  explicit ChunkedSeries(ChunkPool* pool = nullptr, size_t chunk_target_bytes = kDefaultChunkBytes)
      : pool_(pool), target_bytes_(static_cast<uint32_t>(chunk_target_bytes)) {}
  ~ChunkedSeries();
  ChunkedSeries(ChunkedSeries&& other) noexcept;
  ChunkedSeries& operator=(ChunkedSeries&& other) noexcept;
  ChunkedSeries(const ChunkedSeries&) = delete;
  ChunkedSeries& operator=(const ChunkedSeries&) = delete;

  // Only while the series holds no chunk.
  void set_pool(ChunkPool* pool) { pool_ = pool; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t key(size_t i) const {
    const size_t g = off_ + i;
    return reinterpret_cast<const int64_t*>(Chunk(g >> shift_))[g & Mask()];
  }
  const double* values(size_t i) const {
    const size_t g = off_ + i;
    return ValuesOf(Chunk(g >> shift_)) + (g & Mask()) * nv_;
  }

  void push_back(int64_t key, const double* values, size_t nv);
  // Puts an entry before entry i (i <= size()), shifting the later ones.
  void insert(size_t i, int64_t key, const double* values, size_t nv);
  void pop_back();
  // Drops the first n entries (n <= size()).
  void pop_front(size_t n);
  // Drops every entry and gives back every chunk.
  void clear();

  // The memory the series holds: its chunks and its chunk pointer ring.
  size_t bytes_reserved() const;
  // The size of one chunk (for the entries last put in).
  size_t chunk_bytes() const { return ChunkBytes(); }

 private:
  size_t ChunkBytes() const { return (sizeof(int64_t) + sizeof(double) * nv_) << shift_; }
  size_t Mask() const { return (size_t{1} << shift_) - 1; }
  char* Chunk(size_t c) const { return dir_[(dir_head_ + c) & (dir_.size() - 1)]; }
  double* ValuesOf(char* chunk) const {
    return reinterpret_cast<double*>(chunk + (sizeof(int64_t) << shift_));
  }
  const double* ValuesOf(const char* chunk) const {
    return reinterpret_cast<const double*>(chunk + (sizeof(int64_t) << shift_));
  }
  // Fixes the chunk geometry for entries of nv values (series empty).
  void Shape(size_t nv);
  void AddChunk();
  void DropFrontChunk();
  void DropBackChunk();
  void Set(size_t i, int64_t key, const double* values);
  void FreeAll();

  // Small fields: a Slot per key holds one of these.
  ChunkPool* pool_;
  std::vector<char*> dir_;  // ring of chunks; size 0 or a power of two
  size_t size_ = 0;
  uint32_t dir_head_ = 0;  // ring slot of the first chunk
  uint32_t chunks_ = 0;    // chunks held
  uint32_t off_ = 0;       // row of the first entry in the first chunk
  uint32_t nv_ = 0;
  uint32_t target_bytes_;
  uint32_t shift_ = 0;  // log2(entries per chunk)
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_CHUNKED_SERIES_H_
