// The aggregator's close/expiry timers, ordered by (time, scheduling seq).
#ifndef PANTRY_STREAM_TIMER_QUEUE_H_
#define PANTRY_STREAM_TIMER_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <vector>

namespace pantry::stream {

struct Timer {
  int64_t time;
  uint64_t seq;
  uint32_t slot;
  uint32_t gen;
  bool operator>(const Timer& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

// Timers in (time, seq) order. Arrival-time windows close in the order they
// open, so nearly every push is at the back: those go to a FIFO (O(1), no
// cache-missing heap sifts over 100k timers); the rest go to a heap.
class TimerQueue {
 public:
  bool empty() const { return fifo_.empty() && heap_.empty(); }
  size_t size() const { return fifo_.size() + heap_.size(); }
  void push(const Timer& t) {
    if (fifo_.empty() || !(fifo_.back() > t)) {
      fifo_.push_back(t);
    } else {
      heap_.push(t);
    }
  }
  const Timer& top() const {
    if (heap_.empty()) return fifo_.front();
    if (fifo_.empty()) return heap_.top();
    return fifo_.front() > heap_.top() ? heap_.top() : fifo_.front();
  }
  void pop() {
    if (heap_.empty() || (!fifo_.empty() && heap_.top() > fifo_.front())) {
      fifo_.pop_front();
    } else {
      heap_.pop();
    }
  }
  void clear() {
    fifo_.clear();
    heap_ = {};
  }

 private:
  std::deque<Timer> fifo_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> heap_;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_TIMER_QUEUE_H_
