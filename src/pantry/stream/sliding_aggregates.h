// Incremental aggregates for one key of a sliding window: O(1) amortised per
// event for count/sum/avg and min/max (issue 13 item 3, issue 17), instead of
// a recomputation over every event of the key on each emission (quadratic
// for a hot key).
//
// Sums are exact: each is kept as a short expansion of non-overlapping
// doubles (Shewchuk; Python's math.fsum), so adding an event and later
// subtracting it leaves no drift, and the value read is the correctly rounded
// sum of the events in the window, whatever the order they came and went in.
// That equals the former left-to-right recomputation whenever that one was
// exact (integers, halves, ...); otherwise it is the more accurate of the two
// and can differ from it in the last bits. Min/max use monotonic queues.
#ifndef PANTRY_STREAM_SLIDING_AGGREGATES_H_
#define PANTRY_STREAM_SLIDING_AGGREGATES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "pantry/stream/chunked_series.h"
#include "pantry/stream/event.h"

namespace pantry::stream {

// An exact running sum of doubles supporting removal (Add(-v)).
class ExactSum {
 public:
  void Clear() {
    n_ = 0;
    broken_ = false;
  }
  void Add(double v);
  // The correctly rounded sum; only meaningful if !broken().
  double Value() const;
  // True once the expansion outgrew its inline space or met a non-finite
  // value; the caller then recomputes with ExactSumOf.
  bool broken() const { return broken_; }

 private:
  static constexpr size_t kInline = 4;
  std::array<double, kInline> p_{};  // increasing magnitude, non-overlapping
  uint8_t n_ = 0;
  bool broken_ = false;
};

// The correctly rounded sum of `values` (the same value ExactSum gives); a
// left-to-right sum if an overflow or a non-finite value makes exact
// summation meaningless.
double ExactSumOf(const std::vector<double>& values);

// The values one value field needs kept: sum (sum/avg), min, max.
struct FieldNeeds {
  bool sum = false;
  bool min = false;
  bool max = false;
};

// Events are identified by an absolute position that only grows as events
// are appended; the owner tells which positions have expired.
class SlidingAggregates {
 public:
  // The min/max queues take their chunks from `queue_pool` if not null (it
  // must outlive this object's use of it; see ChunkedSeries).
  explicit SlidingAggregates(ChunkPool* queue_pool = nullptr) : pool_(queue_pool) {}
  void Clear();
  // Appends a value vector at position `pos` (greater than all before).
  void Push(uint64_t pos, const double* values, size_t nv,
            const std::array<FieldNeeds, kMaxValueFields>& needs);
  // Adds to the sums only (an out-of-order insertion; the caller then
  // rebuilds the min/max queues with ClearMinMax + PushMinMax).
  void AddToSums(const double* values, size_t nv,
                 const std::array<FieldNeeds, kMaxValueFields>& needs);
  void ClearMinMax();
  void PushMinMax(uint64_t pos, const double* values, size_t nv,
                  const std::array<FieldNeeds, kMaxValueFields>& needs);
  // Removes the event at `pos` with `values` (the oldest remaining).
  void Expire(uint64_t pos, const double* values, size_t nv,
              const std::array<FieldNeeds, kMaxValueFields>& needs);

  const ExactSum& sum(size_t field) const { return sums_[field]; }
  double min(size_t field) const { return mins_[field].Front(); }
  double max(size_t field) const { return maxs_[field].Front(); }
  // The memory the min/max queues hold (their chunks and chunk rings).
  size_t bytes_reserved() const;

 private:
  // A monotonic queue of (position, value); `better` orders what the front
  // keeps. Usually a few entries, but a monotone field keeps every event of
  // the window: small chunks (256 bytes) that grow and shrink with it.
  class MonoQueue {
   public:
    static constexpr size_t kChunkBytes = 256;
    explicit MonoQueue(ChunkPool* pool) : q_(pool, kChunkBytes) {}
    void Clear() { q_.clear(); }
    template <typename Better>
    void Push(uint64_t pos, double v, Better better) {
      // An equal later value does not displace an earlier one: the earliest
      // extremum stays in front, as the former recomputation chose it.
      while (!q_.empty() && better(v, q_.values(q_.size() - 1)[0])) q_.pop_back();
      q_.push_back(static_cast<int64_t>(pos), &v, 1);
    }
    void PopUpTo(uint64_t pos) {
      size_t n = 0;
      while (n < q_.size() && static_cast<uint64_t>(q_.key(n)) <= pos) ++n;
      q_.pop_front(n);
    }
    double Front() const { return q_.values(0)[0]; }
    size_t bytes_reserved() const { return q_.bytes_reserved(); }

   private:
    ChunkedSeries q_;  // key: position
  };

  // Sized on first use to the fields that need them: a key of a
  // sum-only spec carries no queues.
  ChunkPool* pool_;
  std::vector<ExactSum> sums_;
  std::vector<MonoQueue> mins_;
  std::vector<MonoQueue> maxs_;
};

// A sliding window's events of one key, oldest first: each event's time and
// its `nv` values, 8 + 8·nv bytes (24 for the workshop spec), in chunks of
// ~4 KiB that are appended and freed as the window slides (see
// chunked_series.h): a key holds its live events plus less than two chunks.
class SlideEvents : public ChunkedSeries {
 public:
  using ChunkedSeries::ChunkedSeries;
  int64_t time(size_t i) const { return key(i); }
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_SLIDING_AGGREGATES_H_
