#include "pantry/stream/chunked_series.h"

#include <algorithm>
#include <utility>

namespace pantry::stream {

ChunkPool::~ChunkPool() {
  for (char* block : free_) delete[] block;
}

char* ChunkPool::Get(size_t bytes) {
  if (bytes == bytes_ && !free_.empty()) {
    char* block = free_.back();
    free_.pop_back();
    return block;
  }
  return new char[bytes];
}

void ChunkPool::Put(char* block, size_t bytes) {
  if (free_.empty()) bytes_ = bytes;
  if (bytes == bytes_ && free_.size() < max_free_) {
    free_.push_back(block);
  } else {
    delete[] block;
  }
}

ChunkedSeries::~ChunkedSeries() {
  for (uint32_t c = 0; c < chunks_; ++c) delete[] Chunk(c);
}

ChunkedSeries::ChunkedSeries(ChunkedSeries&& other) noexcept
    : pool_(other.pool_), target_bytes_(other.target_bytes_) {
  *this = std::move(other);
}

ChunkedSeries& ChunkedSeries::operator=(ChunkedSeries&& other) noexcept {
  if (this == &other) return *this;
  for (uint32_t c = 0; c < chunks_; ++c) delete[] Chunk(c);
  pool_ = other.pool_;
  dir_ = std::exchange(other.dir_, {});
  size_ = std::exchange(other.size_, 0);
  dir_head_ = std::exchange(other.dir_head_, 0);
  chunks_ = std::exchange(other.chunks_, 0);
  off_ = std::exchange(other.off_, 0);
  nv_ = other.nv_;
  target_bytes_ = other.target_bytes_;
  shift_ = other.shift_;
  return *this;
}

void ChunkedSeries::Shape(size_t nv) {
  nv_ = static_cast<uint32_t>(nv);
  const size_t entry = sizeof(int64_t) + sizeof(double) * nv;
  shift_ = 0;
  while ((entry << (shift_ + 1)) <= target_bytes_) ++shift_;
}

void ChunkedSeries::AddChunk() {
  if (chunks_ == dir_.size()) {
    // Only the pointers move (8 bytes per chunk), never the entries.
    std::vector<char*> ring(std::max<size_t>(2, 2 * dir_.size()));
    for (uint32_t c = 0; c < chunks_; ++c) ring[c] = Chunk(c);
    dir_ = std::move(ring);
    dir_head_ = 0;
  }
  const size_t bytes = ChunkBytes();
  dir_[(dir_head_ + chunks_) & (dir_.size() - 1)] =
      pool_ != nullptr ? pool_->Get(bytes) : new char[bytes];
  ++chunks_;
}

void ChunkedSeries::DropFrontChunk() {
  char* chunk = Chunk(0);
  if (pool_ != nullptr) {
    pool_->Put(chunk, ChunkBytes());
  } else {
    delete[] chunk;
  }
  dir_head_ = static_cast<uint32_t>((dir_head_ + 1) & (dir_.size() - 1));
  --chunks_;
}

void ChunkedSeries::DropBackChunk() {
  char* chunk = Chunk(chunks_ - 1);
  if (pool_ != nullptr) {
    pool_->Put(chunk, ChunkBytes());
  } else {
    delete[] chunk;
  }
  --chunks_;
}

void ChunkedSeries::FreeAll() {
  while (chunks_ > 0) DropBackChunk();
  dir_head_ = 0;
  off_ = 0;
  size_ = 0;
}

void ChunkedSeries::Set(size_t i, int64_t key, const double* values) {
  const size_t g = off_ + i;
  char* chunk = Chunk(g >> shift_);
  reinterpret_cast<int64_t*>(chunk)[g & Mask()] = key;
  std::copy(values, values + nv_, ValuesOf(chunk) + (g & Mask()) * nv_);
}

void ChunkedSeries::push_back(int64_t key, const double* values, size_t nv) {
  if (size_ == 0 && (chunks_ == 0 || nv != nv_)) {
    FreeAll();
    Shape(nv);
  }
  if (((off_ + size_) >> shift_) == chunks_) AddChunk();
  ++size_;
  Set(size_ - 1, key, values);
}

void ChunkedSeries::insert(size_t i, int64_t key, const double* values, size_t nv) {
  if (i >= size_) {
    push_back(key, values, nv);
    return;
  }
  // Out-of-order events are rare: make room at the end, shift the later
  // entries up by one (across chunks), then write entry i.
  push_back(this->key(size_ - 1), this->values(size_ - 1), nv_);
  for (size_t j = size_ - 2; j > i; --j) Set(j, this->key(j - 1), this->values(j - 1));
  Set(i, key, values);
}

void ChunkedSeries::pop_back() {
  --size_;
  if (size_ == 0) {
    // Keep one chunk: a min/max queue often empties and refills at once.
    while (chunks_ > 1) DropBackChunk();
    off_ = 0;
  } else if (((off_ + size_) & Mask()) == 0) {
    DropBackChunk();
  }
}

void ChunkedSeries::pop_front(size_t n) {
  if (n == 0) return;
  if (n >= size_) {
    FreeAll();
    return;
  }
  size_ -= n;
  size_t off = off_ + n;
  while ((off >> shift_) > 0) {
    DropFrontChunk();
    off -= size_t{1} << shift_;
  }
  off_ = static_cast<uint32_t>(off);
}

void ChunkedSeries::clear() {
  FreeAll();
  std::vector<char*>().swap(dir_);
}

size_t ChunkedSeries::bytes_reserved() const {
  return chunks_ * ChunkBytes() + dir_.capacity() * sizeof(char*);
}

}  // namespace pantry::stream
