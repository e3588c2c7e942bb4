// The window state machines. Per key a Slot holds the open windows
// (stagger: at most one; tumbling: one per open aligned window) or, for
// sliding windows, the events of the last `size`. Close times live in one
// min-heap of timers ordered by (time, sequence); a timer whose window is
// gone is skipped when popped, so nothing has to be removed from the heap.
#include "pantry/stream/window_aggregator.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <queue>
#include <unordered_map>

#include "pantry/common/coding.h"
#include "pantry/common/time_format.h"
#include "pantry/stream/kda_sql_spec.h"
#include "pantry/stream/key_lru.h"
#include "pantry/stream/sliding_aggregates.h"
#include "pantry/stream/state_codec.h"
#include "pantry/stream/timer_queue.h"

namespace pantry::stream {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min() / 4;

struct Acc {
  struct Field {
    double sum, min, max;
  };
  int64_t count = 0;
  std::array<Field, kMaxValueFields> f;

  void Reset(size_t nv) {
    count = 0;
    for (size_t i = 0; i < nv; ++i) f[i] = {0.0, kNull, kNull};
  }
  void Add(const double* values, size_t nv) {
    ++count;
    for (size_t i = 0; i < nv; ++i) {
      const double v = values[i];
      Field& x = f[i];
      x.sum += v;
      if (count == 1 || v < x.min) x.min = v;
      if (count == 1 || v > x.max) x.max = v;
    }
  }
};

struct Win {
  int64_t start = 0;
  int64_t end = 0;
  uint64_t timer_seq = 0;
  Acc acc;
};

// Laid out so that a lookup plus a stagger update touch one cache line for
// the hash, generation, key and window vector.
struct alignas(64) Slot {
  uint32_t hash = 0;
  uint32_t gen = 0;
  std::string key;
  std::vector<Win> wins;
  bool used = false;  // in index_
  bool idle = false;  // in index_ but without windows (kept to avoid re-allocation)
  bool has_expiry = false;
  SlideEvents events;                      // sliding: the live events, sorted by time
  uint64_t base = 0;                       // sliding: absolute position of events[0]
  std::unique_ptr<SlidingAggregates> agg;  // sliding: aggregates of events
  int64_t latest = kMinTime;
  int64_t expiry = 0;
  uint64_t expiry_seq = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class WindowAggregatorImpl final : public WindowAggregator {
 public:
  WindowAggregatorImpl(const WindowSpec& spec, const WindowAggregatorOptions& options)
      : spec_(spec),
        max_keys_(options.max_open_keys),
        nv_(spec.value_fields.size()),
        size_(spec.size_micros),
        incl_(spec.emit_per_event ? 1 : 0) {
    for (const Aggregation& a : spec_.aggregations) {
      if (a.function == AggFunction::kCount) continue;
      FieldNeeds& n = needs_[a.input];
      n.sum |= a.function == AggFunction::kSum || a.function == AggFunction::kAvg;
      n.min |= a.function == AggFunction::kMin;
      n.max |= a.function == AggFunction::kMax;
    }
  }

  bool Add(const ParsedEvent& e, std::vector<EmittedRow>* out) override {
    AdvanceTo(e.time_micros - spec_.allowed_lateness_micros, out);
    if (e.skip) return true;  // filtered out: time moved on, nothing to add
    bool added = false;
    switch (spec_.type) {
      case WindowType::kStagger:
        added = AddStagger(e, out);
        break;
      case WindowType::kTumbling:
        added = AddTumbling(e, out);
        break;
      case WindowType::kSliding:
        added = AddSliding(e, out);
        break;
    }
    // The key just added is the newest, so it is never the one evicted.
    while (max_keys_ > 0 && lru_.size() > max_keys_) EvictOldest(out);
    return added;
  }

  void AdvanceTo(int64_t micros, std::vector<EmittedRow>* out) override {
    if (micros > watermark_) watermark_ = micros;
    while (!timers_.empty() && timers_.top().time <= watermark_) {
      Timer t = timers_.top();
      timers_.pop();
      Fire(t, out);
    }
  }

  void Flush(std::vector<EmittedRow>* out) override {
    AdvanceTo(std::numeric_limits<int64_t>::max(), out);
  }

  int64_t watermark() const override { return watermark_; }
  int64_t next_timer() const override {
    return timers_.empty() ? std::numeric_limits<int64_t>::max() : timers_.top().time;
  }
  size_t open_keys() const override { return indexed_ - idle_count_; }
  const EvictionStats& evictions() const override { return evictions_; }
  size_t sliding_bytes_reserved() const override {
    size_t bytes = 0;
    for (const Slot& s : slots_) {
      bytes += s.events.bytes_reserved();
      if (s.agg) bytes += s.agg->bytes_reserved();
    }
    return bytes;
  }

  std::string Serialize() const override {
    Writer w;
    WriteState(w);
    return w.Take();
  }

  uint64_t SerializedSize() const override {
    SizeCounter c;
    WriteState(c);
    return c.size();
  }

  void SerializeTo(const std::function<void(std::string_view)>& out, size_t chunk) const override {
    Writer w(out, chunk);
    WriteState(w);
    w.Take();
  }

  Status Restore(std::string_view bytes) override {
    Reader r(bytes);
    if (r.U32() != 0x31415750) return CorruptionError("window state: bad magic");
    if (r.U8() != static_cast<uint8_t>(spec_.type) || r.U32() != nv_ || r.I64() != size_) {
      return FailedPreconditionError(
          "window state was written for a different window type, size or aggregations of spec '" +
          spec_.name + "'; remove the checkpoint to start over");
    }
    slots_.clear();
    free_.clear();
    index_.clear();
    indexed_ = 0;
    idle_count_ = 0;
    timers_.clear();
    lru_.Clear();
    watermark_ = r.I64();
    next_emission_id_ = r.U64();
    next_seq_ = r.U64();
    uint64_t n = r.U64();
    for (uint64_t k = 0; k < n && r.ok(); ++k) {
      uint32_t idx = NewSlot(r.Str());
      lru_.Touch(idx);
      Slot& s = slots_[idx];
      uint32_t nw = r.U32();
      for (uint32_t i = 0; i < nw && r.ok(); ++i) {
        Win win;
        win.start = r.I64();
        win.end = r.I64();
        win.timer_seq = r.U64();
        win.acc.count = r.I64();
        for (size_t v = 0; v < nv_; ++v) {
          win.acc.f[v].sum = r.F64();
          win.acc.f[v].min = r.F64();
          win.acc.f[v].max = r.F64();
        }
        timers_.push({win.end, win.timer_seq, idx, s.gen});
        s.wins.push_back(win);
      }
      uint32_t ne = r.U32();
      for (uint32_t i = 0; i < ne && r.ok(); ++i) {
        const int64_t time = r.I64();
        std::array<double, kMaxValueFields> values{};
        for (size_t v = 0; v < nv_; ++v) values[v] = r.F64();
        s.events.push_back(time, values.data(), nv_);
      }
      if (spec_.type == WindowType::kSliding) RebuildSliding(s);
      s.latest = r.I64();
      s.has_expiry = r.U8() != 0;
      s.expiry = r.I64();
      s.expiry_seq = r.U64();
      if (s.has_expiry) timers_.push({s.expiry, s.expiry_seq, idx, s.gen});
    }
    if (!r.ok() || !r.AtEnd()) return CorruptionError("window state: truncated or malformed");
    return Status::Ok();
  }

 private:
  // One encoding for the bytes (Writer) and their length (SizeCounter).
  template <typename W>
  void WriteState(W& w) const {
    w.U32(0x31415750);  // "PWA1"
    w.U8(static_cast<uint8_t>(spec_.type));
    w.U32(static_cast<uint32_t>(nv_));
    w.I64(size_);
    w.I64(watermark_);
    w.U64(next_emission_id_);
    w.U64(next_seq_);
    // Least recently active first: Restore rebuilds the eviction order.
    w.U64(lru_.size());
    for (uint32_t i = lru_.oldest(); i != KeyLru::kNone; i = lru_.next(i)) {
      const Slot& s = slots_[i];
      w.Str(s.key);
      w.U32(static_cast<uint32_t>(s.wins.size()));
      for (const Win& win : s.wins) {
        w.I64(win.start);
        w.I64(win.end);
        w.U64(win.timer_seq);
        w.I64(win.acc.count);
        for (size_t i = 0; i < nv_; ++i) {
          w.F64(win.acc.f[i].sum);
          w.F64(win.acc.f[i].min);
          w.F64(win.acc.f[i].max);
        }
      }
      w.U32(static_cast<uint32_t>(s.events.size()));
      for (size_t i = 0; i < s.events.size(); ++i) {
        w.Event(s.events.time(i), s.events.values(i), nv_);
      }
      w.I64(s.latest);
      w.U8(s.has_expiry ? 1 : 0);
      w.I64(s.expiry);
      w.U64(s.expiry_seq);
    }
  }

  // index_ is an open-addressing table of (hash, slot + 1) with linear
  // probing: one cache line per lookup plus the slot itself, against three or
  // four for a node-based map (this is the hot path's main cost at 100k keys).
  struct Bucket {
    uint32_t hash = 0;
    uint32_t slot_plus1 = 0;  // 0 = empty
  };

  static uint32_t HashKey(std::string_view key) {
    return static_cast<uint32_t>(std::hash<std::string_view>{}(key));
  }

  uint32_t* Find(std::string_view key) {
    if (index_.empty()) return nullptr;
    const uint32_t h = HashKey(key);
    const size_t mask = index_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Bucket& b = index_[i];
      if (b.slot_plus1 == 0) return nullptr;
      if (b.hash == h && slots_[b.slot_plus1 - 1].key == key) {
        found_ = b.slot_plus1 - 1;
        return &found_;
      }
    }
  }

  void IndexInsert(uint32_t h, uint32_t idx) {
    if ((indexed_ + 1) * 2 > index_.size()) {
      std::vector<Bucket> old = std::move(index_);
      index_.assign(std::max<size_t>(1024, old.size() * 2), Bucket{});
      indexed_ = 0;
      for (const Bucket& b : old) {
        if (b.slot_plus1 != 0) IndexInsert(b.hash, b.slot_plus1 - 1);
      }
    }
    const size_t mask = index_.size() - 1;
    size_t i = h & mask;
    while (index_[i].slot_plus1 != 0) i = (i + 1) & mask;
    index_[i] = {h, idx + 1};
    ++indexed_;
  }

  uint32_t NewSlot(std::string key) {
    uint32_t idx;
    if (!free_.empty()) {
      idx = free_.back();
      free_.pop_back();
    } else {
      idx = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
      slots_.back().events.set_pool(&event_pool_);
    }
    Slot& s = slots_[idx];
    s.used = true;
    s.key = std::move(key);
    s.hash = HashKey(s.key);
    IndexInsert(s.hash, idx);
    return idx;
  }

  // The slot of `key` (found or new), made active.
  uint32_t Acquire(uint32_t* found, std::string_view key) {
    const uint32_t idx = found == nullptr ? NewSlot(std::string(key)) : *found;
    Slot& s = slots_[idx];
    if (s.idle) {
      s.idle = false;
      --idle_count_;
    }
    lru_.Touch(idx);
    return idx;
  }

  // A key whose windows are all closed stays in the index as idle, so a
  // returning customer costs no allocation; idle keys are swept once they
  // outnumber the active ones (and 64k).
  void Release(uint32_t idx) {
    Slot& s = slots_[idx];
    lru_.Remove(idx);
    s.idle = true;
    ++idle_count_;
    ++s.gen;
    s.wins.clear();
    s.events.clear();
    s.base = 0;
    if (s.agg) s.agg->Clear();
    s.latest = kMinTime;
    s.has_expiry = false;
    if (idle_count_ > 65536 && idle_count_ * 2 > indexed_) Sweep();
  }

  void Sweep() {
    index_.clear();
    indexed_ = 0;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.used && s.idle) {
        s.used = false;
        s.idle = false;
        free_.push_back(i);
      } else if (s.used) {
        IndexInsert(s.hash, i);
      }
    }
    idle_count_ = 0;
  }

  void Schedule(uint32_t idx, int64_t time, uint64_t seq) {
    timers_.push({time, seq, idx, slots_[idx].gen});
  }

  void FillValues(const Acc& acc, EmittedRow* row) const {
    row->event_count = acc.count;
    for (size_t i = 0; i < spec_.aggregations.size(); ++i) {
      const Aggregation& a = spec_.aggregations[i];
      double v = kNull;
      if (a.function == AggFunction::kCount) {
        v = static_cast<double>(acc.count);
      } else {
        const Acc::Field& f = acc.f[a.input];
        switch (a.function) {
          case AggFunction::kSum:
            v = f.sum;
            break;
          case AggFunction::kAvg:
            v = acc.count > 0 ? f.sum / static_cast<double>(acc.count) : kNull;
            break;
          case AggFunction::kMin:
            v = acc.count > 0 ? f.min : kNull;
            break;
          case AggFunction::kMax:
            v = acc.count > 0 ? f.max : kNull;
            break;
          case AggFunction::kCount:
            break;
        }
      }
      row->values[i] = v;
    }
  }

  void Emit(const Slot& s, int64_t emission_time, int64_t start, int64_t end, const Acc& acc,
            std::vector<EmittedRow>* out) {
    EmittedRow& row = out->emplace_back();
    row.emission_id = ++next_emission_id_;
    row.emission_time = emission_time;
    row.window_start = start;
    row.window_end = end;
    row.key = s.key;
    FillValues(acc, &row);
  }

  bool AddStagger(const ParsedEvent& e, std::vector<EmittedRow>* out) {
    uint32_t* found = Find(e.key);
    if (found != nullptr && !slots_[*found].wins.empty()) {
      Slot& s = slots_[*found];
      Win& w = s.wins.front();
      if (e.time_micros < w.end) {
        w.acc.Add(e.values.data(), nv_);
        lru_.Touch(*found);
        return true;
      }
      // Event time ran past the window before the watermark did: close it now.
      Emit(s, w.end, w.start, w.end, w.acc, out);
      s.wins.clear();
    } else if (e.time_micros + size_ <= watermark_) {
      return false;
    }
    uint32_t idx = Acquire(found, e.key);
    Slot& s = slots_[idx];
    Win& w = s.wins.emplace_back();
    w.start = e.time_micros;
    w.end = e.time_micros + size_;
    w.timer_seq = next_seq_++;
    w.acc.Reset(nv_);
    w.acc.Add(e.values.data(), nv_);
    Schedule(idx, w.end, w.timer_seq);
    return true;
  }

  bool AddTumbling(const ParsedEvent& e, std::vector<EmittedRow>* out) {
    int64_t t = e.time_micros;
    int64_t start = t - (((t % size_) + size_) % size_);
    int64_t end = start + size_;
    if (end <= watermark_) return false;
    uint32_t* found = Find(e.key);
    uint32_t idx = Acquire(found, e.key);
    Slot& s = slots_[idx];
    for (Win& w : s.wins) {
      if (w.start == start) {
        w.acc.Add(e.values.data(), nv_);
        return true;
      }
    }
    Win& w = s.wins.emplace_back();
    w.start = start;
    w.end = end;
    w.timer_seq = next_seq_++;
    w.acc.Reset(nv_);
    w.acc.Add(e.values.data(), nv_);
    Schedule(idx, end, w.timer_seq);
    return true;
  }

  // Drops events at or before `cutoff` (taking them out of the aggregates);
  // returns how many.
  size_t Evict(Slot& s, int64_t cutoff) {
    size_t n = 0;
    while (n < s.events.size() && s.events.time(n) <= cutoff) {
      s.agg->Expire(s.base + n, s.events.values(n), nv_, needs_);
      ++n;
    }
    // Expired events leave at once: their chunks go back to the pool.
    s.base += n;
    if (n == s.events.size()) {
      // Empty: start the aggregates afresh (an exact zero, no queues).
      s.events.clear();
      s.agg->Clear();
    } else {
      s.events.pop_front(n);
    }
    return n;
  }

  // Recomputes a slot's aggregates from its events (restore, or an
  // out-of-order insertion, which shifts the positions of later events).
  void RebuildSliding(Slot& s, bool sums_too = true) {
    if (!s.agg) s.agg = std::make_unique<SlidingAggregates>(&queue_pool_);
    if (sums_too) {
      s.agg->Clear();
    } else {
      s.agg->ClearMinMax();
    }
    for (size_t i = 0; i < s.events.size(); ++i) {
      const double* v = s.events.values(i);
      if (sums_too) s.agg->AddToSums(v, nv_, needs_);
      s.agg->PushMinMax(s.base + i, v, nv_, needs_);
    }
  }

  Acc SlidingAcc(const Slot& s) const {
    Acc acc;
    acc.Reset(nv_);
    acc.count = static_cast<int64_t>(s.events.size());
    if (acc.count == 0) return acc;
    for (size_t i = 0; i < nv_; ++i) {
      Acc::Field& f = acc.f[i];
      if (needs_[i].sum) {
        const ExactSum& sum = s.agg->sum(i);
        f.sum = sum.broken() ? RecomputeSum(s, i) : sum.Value();
      }
      if (needs_[i].min) f.min = s.agg->min(i);
      if (needs_[i].max) f.max = s.agg->max(i);
    }
    return acc;
  }

  // The rare path: the running expansion overflowed its inline space.
  static double RecomputeSum(const Slot& s, size_t field) {
    std::vector<double> values;
    values.reserve(s.events.size());
    for (size_t i = 0; i < s.events.size(); ++i) values.push_back(s.events.values(i)[field]);
    return ExactSumOf(values);
  }

  void EnsureExpiry(uint32_t idx) {
    Slot& s = slots_[idx];
    if (s.events.empty()) return;
    int64_t want = s.events.time(0) + size_ + incl_;
    // One pending timer per key, not one per event: a timer due at or
    // before `want` re-arms itself for the then-current head when it fires
    // (Fire evicts nothing before that). Scheduling anew on every head move
    // left a stale timer per event of a busy key in the queue for a whole
    // window (24 bytes each, ~12M at 100k events/s over 2 minutes).
    if (s.has_expiry && s.expiry <= want) return;
    s.has_expiry = true;
    s.expiry = want;
    s.expiry_seq = next_seq_++;
    Schedule(idx, want, s.expiry_seq);
  }

  bool AddSliding(const ParsedEvent& e, std::vector<EmittedRow>* out) {
    const int64_t t = e.time_micros;
    if (t + size_ + incl_ <= watermark_) return false;
    uint32_t* found = Find(e.key);
    if (found != nullptr && t <= slots_[*found].latest - size_ - incl_) return false;
    uint32_t idx = Acquire(found, e.key);
    Slot& s = slots_[idx];
    if (!s.agg) s.agg = std::make_unique<SlidingAggregates>(&queue_pool_);
    // Keep events sorted; out-of-order (event-time) events go before later
    // ones and cost a rebuild of the min/max queues (O(events of the key)).
    size_t pos = s.events.size();
    while (pos > 0 && s.events.time(pos - 1) > t) --pos;
    if (pos == s.events.size()) {
      s.agg->Push(s.base + s.events.size(), e.values.data(), nv_, needs_);
      s.events.push_back(t, e.values.data(), nv_);
    } else {
      s.agg->AddToSums(e.values.data(), nv_, needs_);
      s.events.insert(pos, t, e.values.data(), nv_);
      RebuildSliding(s, /*sums_too=*/false);
    }
    s.latest = std::max(s.latest, t);
    Evict(s, s.latest - size_ - incl_);
    Emit(s, s.latest, s.latest - size_, s.latest, SlidingAcc(s), out);
    EnsureExpiry(idx);
    return true;
  }

  // Evicts the least recently active key (the cap on open keys): its open
  // windows are emitted as they stand, in the order they would have closed;
  // a sliding key's remaining events are dropped. Its timers go stale.
  void EvictOldest(std::vector<EmittedRow>* out) {
    const uint32_t idx = lru_.oldest();
    Slot& s = slots_[idx];
    ++evictions_.keys;
    if (spec_.type == WindowType::kSliding) {
      evictions_.live_events_discarded += s.events.size();
    } else {
      std::vector<Win> wins = s.wins;
      std::sort(wins.begin(), wins.end(), [](const Win& a, const Win& b) {
        return a.end != b.end ? a.end < b.end : a.timer_seq < b.timer_seq;
      });
      for (const Win& w : wins) Emit(s, w.end, w.start, w.end, w.acc, out);
      evictions_.windows_closed_early += wins.size();
    }
    Release(idx);
  }

  void Fire(const Timer& t, std::vector<EmittedRow>* out) {
    if (t.slot >= slots_.size()) return;
    Slot& s = slots_[t.slot];
    if (!s.used || s.gen != t.gen) return;
    if (spec_.type == WindowType::kSliding) {
      if (!s.has_expiry || s.expiry_seq != t.seq) return;
      s.has_expiry = false;
      // Per-event (KDA) windows age out silently; the others re-emit.
      if (Evict(s, t.time - size_ - incl_) > 0 && incl_ == 0) {
        Emit(s, t.time, t.time - size_, t.time, SlidingAcc(s), out);
      }
      if (s.events.empty()) {
        Release(t.slot);
      } else {
        EnsureExpiry(t.slot);
      }
      return;
    }
    for (size_t i = 0; i < s.wins.size(); ++i) {
      if (s.wins[i].timer_seq != t.seq) continue;
      const Win w = s.wins[i];
      Emit(s, w.end, w.start, w.end, w.acc, out);
      s.wins.erase(s.wins.begin() + static_cast<ptrdiff_t>(i));
      break;
    }
    if (s.wins.empty()) Release(t.slot);
  }

  const WindowSpec& spec_;
  const size_t max_keys_;
  const size_t nv_;
  const int64_t size_;
  // 1 for per-event sliding windows, whose range [t - size, t] includes its
  // start (KDA's RANGE ... PRECEDING); 0 for (t - size, t].
  const int64_t incl_;
  std::array<FieldNeeds, kMaxValueFields> needs_{};
  int64_t watermark_ = kMinTime;
  uint64_t next_emission_id_ = 0;
  uint64_t next_seq_ = 0;
  // Before slots_: chunks of the sliding events and of their min/max queues,
  // recycled between keys.
  ChunkPool event_pool_;
  ChunkPool queue_pool_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t idle_count_ = 0;
  std::vector<Bucket> index_;
  size_t indexed_ = 0;
  uint32_t found_ = 0;
  TimerQueue timers_;
  KeyLru lru_;  // the open keys, least recently active first
  EvictionStats evictions_;
};

}  // namespace

std::unique_ptr<WindowAggregator> WindowAggregator::Create(const WindowSpec& spec,
                                                           const WindowAggregatorOptions& options) {
  return std::make_unique<WindowAggregatorImpl>(spec, options);
}

OrderedJson RowToJson(const WindowSpec& spec, const EmittedRow& row, bool with_id) {
  if (spec.sql != nullptr && !spec.sql->select.empty()) return SqlRowToJson(spec, row, with_id);
  OrderedJson j = OrderedJson::object();
  if (with_id) j["emission_id"] = row.emission_id;
  j["emission_time"] = FormatIso8601Micros(row.emission_time);
  j["window_start"] = FormatIso8601Micros(row.window_start);
  j["window_end"] = FormatIso8601Micros(row.window_end);
  AddKeyFieldsToJson(spec, row.key, &j);
  for (size_t i = 0; i < spec.aggregations.size(); ++i) {
    const double v = row.values[i];
    const std::string& name = spec.aggregations[i].output_name;
    if (std::isnan(v)) {
      j[name] = nullptr;
    } else if (spec.aggregations[i].function == AggFunction::kCount) {
      j[name] = static_cast<int64_t>(v);
    } else {
      j[name] = v;
    }
  }
  return j;
}

}  // namespace pantry::stream
