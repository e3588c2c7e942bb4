#include "pantry/stream/sliding_aggregates.h"

#include <cmath>
#include <utility>

namespace pantry::stream {
namespace {

// Adds `x` to the expansion p[0..n) (Shewchuk's grow-expansion as in
// Python's msum); returns the new length, or SIZE_MAX if it would exceed
// `cap` or a partial is not finite.
size_t Grow(double* p, size_t n, size_t cap, double x) {
  size_t i = 0;
  for (size_t j = 0; j < n; ++j) {
    double y = p[j];
    if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
    const double hi = x + y;
    const double lo = y - (hi - x);
    if (lo != 0.0) p[i++] = lo;
    x = hi;
  }
  if (!std::isfinite(x) || i >= cap) return SIZE_MAX;
  p[i] = x;
  return i + 1;
}

// The correctly rounded value of the expansion (Python's msum, including the
// half-way correction).
double Round(const double* p, size_t n) {
  double hi = 0.0;
  if (n > 0) {
    double lo = 0.0;
    hi = p[--n];
    while (n > 0) {
      const double x = hi;
      const double y = p[--n];
      hi = x + y;
      const double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) break;
    }
    if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
      const double y = lo * 2.0;
      const double x = hi + y;
      const double yr = x - hi;
      if (y == yr) hi = x;
    }
  }
  // +0.0 for an exact zero, as a left-to-right sum from 0.0 gives.
  return hi + 0.0;
}

}  // namespace

void ExactSum::Add(double v) {
  if (broken_) return;
  const size_t n = Grow(p_.data(), n_, kInline, v);
  if (n == SIZE_MAX) {
    broken_ = true;
    return;
  }
  n_ = static_cast<uint8_t>(n);
}

double ExactSum::Value() const { return Round(p_.data(), n_); }

double ExactSumOf(const std::vector<double>& values) {
  // Non-overlapping doubles span at most ~2100 bits: 64 partials suffice.
  double p[64];
  size_t len = 0;
  bool exact = true;
  for (size_t i = 0; i < values.size() && exact; ++i) {
    const size_t next = Grow(p, len, 64, values[i]);
    if (next == SIZE_MAX) {
      exact = false;
    } else {
      len = next;
    }
  }
  if (exact) return Round(p, len);
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum;
}

void SlidingAggregates::Clear() {
  for (ExactSum& s : sums_) s.Clear();
  ClearMinMax();
}

void SlidingAggregates::ClearMinMax() {
  for (MonoQueue& q : mins_) q.Clear();
  for (MonoQueue& q : maxs_) q.Clear();
}

void SlidingAggregates::AddToSums(const double* values, size_t nv,
                                  const std::array<FieldNeeds, kMaxValueFields>& needs) {
  if (sums_.size() < nv) sums_.resize(nv);
  for (size_t i = 0; i < nv; ++i) {
    if (needs[i].sum) sums_[i].Add(values[i]);
  }
}

void SlidingAggregates::PushMinMax(uint64_t pos, const double* values, size_t nv,
                                   const std::array<FieldNeeds, kMaxValueFields>& needs) {
  for (size_t i = 0; i < nv; ++i) {
    if (needs[i].min) {
      while (mins_.size() < nv) mins_.emplace_back(pool_);
    }
    if (needs[i].max) {
      while (maxs_.size() < nv) maxs_.emplace_back(pool_);
    }
    if (needs[i].min) mins_[i].Push(pos, values[i], [](double a, double b) { return a < b; });
    if (needs[i].max) maxs_[i].Push(pos, values[i], [](double a, double b) { return a > b; });
  }
}

void SlidingAggregates::Push(uint64_t pos, const double* values, size_t nv,
                             const std::array<FieldNeeds, kMaxValueFields>& needs) {
  AddToSums(values, nv, needs);
  PushMinMax(pos, values, nv, needs);
}

size_t SlidingAggregates::bytes_reserved() const {
  size_t bytes = 0;
  for (const MonoQueue& q : mins_) bytes += q.bytes_reserved();
  for (const MonoQueue& q : maxs_) bytes += q.bytes_reserved();
  return bytes;
}

void SlidingAggregates::Expire(uint64_t pos, const double* values, size_t nv,
                               const std::array<FieldNeeds, kMaxValueFields>& needs) {
  for (size_t i = 0; i < nv; ++i) {
    if (needs[i].sum) sums_[i].Add(-values[i]);
    if (needs[i].min) mins_[i].PopUpTo(pos);
    if (needs[i].max) maxs_[i].PopUpTo(pos);
  }
}

}  // namespace pantry::stream
