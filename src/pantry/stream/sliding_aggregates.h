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

// A sliding window's events of one key: times and their `nv` values in two
// flat arrays, so an event costs 8 + 8·nv bytes (24 for the workshop spec),
// not a fixed kMaxValueFields array; sliding state grows with the event
// rate × the window size.
class SlideEvents {
 public:
  size_t size() const { return times_.size(); }
  int64_t time(size_t i) const { return times_[i]; }
  const double* values(size_t i) const { return values_.data() + i * nv_; }
  void push_back(int64_t t, const double* v, size_t nv) {
    nv_ = nv;
    times_.push_back(t);
    values_.insert(values_.end(), v, v + nv);
  }
  void insert(size_t i, int64_t t, const double* v, size_t nv) {
    nv_ = nv;
    times_.insert(times_.begin() + static_cast<ptrdiff_t>(i), t);
    values_.insert(values_.begin() + static_cast<ptrdiff_t>(i * nv), v, v + nv);
  }
  void erase_prefix(size_t n) {
    times_.erase(times_.begin(), times_.begin() + static_cast<ptrdiff_t>(n));
    values_.erase(values_.begin(), values_.begin() + static_cast<ptrdiff_t>(n * nv_));
  }
  void clear() {
    times_.clear();
    values_.clear();
  }

 private:
  std::vector<int64_t> times_;
  std::vector<double> values_;
  size_t nv_ = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_SLIDING_AGGREGATES_H_
