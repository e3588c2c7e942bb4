// The aggregator's open keys in order of their last event, for the cap on
// live window keys (WindowAggregatorOptions::max_open_keys): an intrusive
// doubly linked list over slot indices, O(1) per touch and removal.
#ifndef PANTRY_STREAM_KEY_LRU_H_
#define PANTRY_STREAM_KEY_LRU_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace pantry::stream {

class KeyLru {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  void Clear() {
    links_.clear();
    oldest_ = newest_ = kNone;
    size_ = 0;
  }
  size_t size() const { return size_; }
  // The least recently touched slot, or kNone.
  uint32_t oldest() const { return oldest_; }
  // The slot touched after `slot` (towards the newest), or kNone.
  uint32_t next(uint32_t slot) const { return links_[slot].next; }

  // Makes `slot` the most recently active (inserting it if absent).
  void Touch(uint32_t slot) {
    if (slot >= links_.size()) links_.resize(slot + 1);
    Link& l = links_[slot];
    if (l.in) {
      if (newest_ == slot) return;
      Unlink(slot);
    }
    l.in = true;
    l.prev = newest_;
    l.next = kNone;
    if (newest_ != kNone) links_[newest_].next = slot;
    newest_ = slot;
    if (oldest_ == kNone) oldest_ = slot;
    ++size_;
  }

  void Remove(uint32_t slot) {
    if (slot < links_.size() && links_[slot].in) Unlink(slot);
  }

 private:
  struct Link {
    uint32_t prev = kNone;
    uint32_t next = kNone;
    bool in = false;
  };

  void Unlink(uint32_t slot) {
    Link& l = links_[slot];
    if (l.prev != kNone) {
      links_[l.prev].next = l.next;
    } else {
      oldest_ = l.next;
    }
    if (l.next != kNone) {
      links_[l.next].prev = l.prev;
    } else {
      newest_ = l.prev;
    }
    l = Link{};
    --size_;
  }

  std::vector<Link> links_;
  uint32_t oldest_ = kNone;
  uint32_t newest_ = kNone;
  size_t size_ = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_KEY_LRU_H_
