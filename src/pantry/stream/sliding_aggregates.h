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

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

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

 private:
  // A monotonic queue of (position, value); `Less` orders what the front keeps.
  class MonoQueue {
   public:
    void Clear() {
      q_.clear();
      head_ = 0;
    }
    template <typename Better>
    void Push(uint64_t pos, double v, Better better) {
      // An equal later value does not displace an earlier one: the earliest
      // extremum stays in front, as the former recomputation chose it.
      while (q_.size() > head_ && better(v, q_.back().second)) q_.pop_back();
      q_.emplace_back(pos, v);
    }
    void PopUpTo(uint64_t pos) {
      while (head_ < q_.size() && q_[head_].first <= pos) ++head_;
      if (head_ == q_.size()) {
        Clear();
      } else if (head_ > 32 && head_ * 2 > q_.size()) {
        q_.erase(q_.begin(), q_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
    }
    double Front() const { return q_[head_].second; }

   private:
    std::vector<std::pair<uint64_t, double>> q_;
    size_t head_ = 0;
  };

  // Sized on first use to the fields that need them: a key of a
  // sum-only spec carries no queues.
  std::vector<ExactSum> sums_;
  std::vector<MonoQueue> mins_;
  std::vector<MonoQueue> maxs_;
};

// A sliding window's events of one key: times and their `nv` values in a
// ring buffer (each event's values contiguous), so an event costs 8 + 8·nv
// bytes (24 for the workshop spec) and dropping the oldest events is O(1).
// The capacity is the smallest power of two that holds the live events
// (grown when full, halved when under a quarter full), so a key's memory
// stays within 2x its window's events under sustained load. (A pair of
// vectors compacted when half the entries were expired reached 2x the live
// events before compaction, and capacity doubling took it to 4x: +394 MB
// in 10 s at 100k events/s once the window was full, heap profile in
// docs/benchmarks.md.)
class SlideEvents {
 public:
  size_t size() const { return size_; }
  size_t capacity() const { return times_.size(); }  // events the buffer holds
  int64_t time(size_t i) const { return times_[Slot(i)]; }
  const double* values(size_t i) const { return values_.data() + Slot(i) * nv_; }
  void push_back(int64_t t, const double* v, size_t nv) {
    if (size_ == 0 && nv != nv_) Resize(times_.size(), nv);
    if (size_ == times_.size()) Resize(std::max<size_t>(16, 2 * times_.size()), nv_);
    const size_t k = Slot(size_);
    times_[k] = t;
    std::copy(v, v + nv_, values_.data() + k * nv_);
    ++size_;
  }
  // Out-of-order events are rare: append, then move the new event down to i.
  void insert(size_t i, int64_t t, const double* v, size_t nv) {
    push_back(t, v, nv);
    for (size_t j = size_ - 1; j > i; --j) Swap(Slot(j), Slot(j - 1));
  }
  void erase_prefix(size_t n) {
    n = std::min(n, size_);
    head_ = (head_ + n) & (times_.size() - 1);
    size_ -= n;
    if (times_.size() > 64 && size_ * 4 < times_.size()) Resize(times_.size() / 2, nv_);
  }
  void clear() {
    head_ = 0;
    size_ = 0;
    if (times_.size() > 64) Resize(16, nv_);
  }

 private:
  size_t Slot(size_t i) const { return (head_ + i) & (times_.size() - 1); }
  void Swap(size_t a, size_t b) {
    std::swap(times_[a], times_[b]);
    std::swap_ranges(values_.begin() + static_cast<ptrdiff_t>(a * nv_),
                     values_.begin() + static_cast<ptrdiff_t>((a + 1) * nv_),
                     values_.begin() + static_cast<ptrdiff_t>(b * nv_));
  }
  // Copies the live events, oldest first, into arrays of `capacity` (a power
  // of two >= size_) events of `nv` values.
  void Resize(size_t capacity, size_t nv) {
    std::vector<int64_t> new_times(capacity);
    std::vector<double> new_values(capacity * nv);
    for (size_t i = 0; i < size_; ++i) {
      new_times[i] = time(i);
      std::copy(values(i), values(i) + nv, new_values.data() + i * nv);
    }
    times_ = std::move(new_times);
    values_ = std::move(new_values);
    nv_ = nv;
    head_ = 0;
  }

  std::vector<int64_t> times_;  // capacity: 0 or a power of two
  std::vector<double> values_;  // capacity × nv_
  size_t head_ = 0;             // slot of the oldest event
  size_t size_ = 0;
  size_t nv_ = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_SLIDING_AGGREGATES_H_
