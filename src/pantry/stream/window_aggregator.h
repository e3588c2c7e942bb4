// WindowAggregator: the per-key window state machine for one WindowSpec
// (stagger, tumbling or sliding), driven by events and a watermark. It is
// deterministic: the same sequence of Add/AdvanceTo calls yields the same
// rows with the same emission ids, which is what makes crash recovery
// exactly-once (docs/stream.md, "Exactly once").
#ifndef PANTRY_STREAM_WINDOW_AGGREGATOR_H_
#define PANTRY_STREAM_WINDOW_AGGREGATOR_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/event.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

// One output row of a window.
struct EmittedRow {
  uint64_t emission_id = 0;   // 1, 2, 3... per spec, deterministic
  int64_t emission_time = 0;  // stagger/tumbling: window end; sliding: latest event or expiry
  int64_t window_start = 0;
  int64_t window_end = 0;
  int64_t event_count = 0;
  std::string key;                                // encoded, see ParsedEvent::key
  std::array<double, kMaxAggregations> values{};  // NaN = null (avg/min/max of nothing)
};

// {"emission_id", "emission_time", "window_start", "window_end", key fields...,
//  aggregates...} with times as ISO-8601.
OrderedJson RowToJson(const WindowSpec& spec, const EmittedRow& row, bool with_id);

// The default cap on keys with open window state (`--max-window-keys`).
inline constexpr size_t kDefaultMaxWindowKeys = 1'000'000;

struct WindowAggregatorOptions {
  // Past this many keys with open window state, the key whose last event is
  // the oldest is evicted (0: no cap). A stagger or tumbling key's open
  // windows are then emitted early, as they stand (nothing counted is
  // lost); a sliding key's events still inside the window are discarded, so
  // its next rows leave them out (counted in live_events_discarded). The
  // order of keys is part of the state, so eviction is deterministic and a
  // restore continues exactly as an uninterrupted run would.
  size_t max_open_keys = kDefaultMaxWindowKeys;
};

// Evictions since the aggregator was created (not part of the saved state).
struct EvictionStats {
  uint64_t keys = 0;                   // keys evicted
  uint64_t windows_closed_early = 0;   // stagger/tumbling windows emitted early
  uint64_t live_events_discarded = 0;  // sliding events dropped inside their window
};

// Not thread-safe; one aggregator per spec per processing thread.
class WindowAggregator {
 public:
  // The aggregator keeps a reference to `spec`, not a copy: the spec must
  // outlive the aggregator and must not change while it exists (Restore
  // checks the saved state against the spec's window type, size and inputs).
  static std::unique_ptr<WindowAggregator> Create(const WindowSpec& spec,
                                                  const WindowAggregatorOptions& options = {});
  virtual ~WindowAggregator() = default;

  // Adds one event. Windows whose close time is <= the new watermark are
  // emitted first (timers fire before an event at the same instant). Returns
  // false if the event is late (it would fall in an already closed window);
  // the caller counts and logs it.
  virtual bool Add(const ParsedEvent& event, std::vector<EmittedRow>* out) = 0;

  // Moves the watermark to `micros` (never backwards) and emits every window
  // that closes at or before it, in (close time, scheduling order).
  virtual void AdvanceTo(int64_t micros, std::vector<EmittedRow>* out) = 0;

  // Emits every open window at its natural close time (end of a replay).
  virtual void Flush(std::vector<EmittedRow>* out) = 0;

  virtual int64_t watermark() const = 0;
  // The earliest pending close/expiry time (possibly of a window that is
  // already gone), or INT64_MAX. Lets a processor sleep until then.
  virtual int64_t next_timer() const = 0;
  virtual size_t open_keys() const = 0;
  virtual const EvictionStats& evictions() const = 0;
  // The memory the sliding state holds: every key's event chunks and min/max
  // queues (not the chunks kept for reuse). O(keys); for tests and
  // diagnostics. 0 for tumbling and stagger windows.
  virtual size_t sliding_bytes_reserved() const = 0;

  // The complete state (windows, timers, watermark, next emission id) as
  // bytes, and back. Restore replaces the current state; a state with more
  // keys than the cap is trimmed by the next Add.
  virtual std::string Serialize() const = 0;
  virtual Status Restore(std::string_view bytes) = 0;
  // The length of Serialize()'s bytes, without producing them.
  virtual uint64_t SerializedSize() const = 0;
  // Serialize()'s bytes handed to `out` in pieces of about `chunk` bytes as
  // they are produced, so that a checkpoint of a large state (a sliding
  // window holds every event of its span) needs no copy of it in memory.
  virtual void SerializeTo(const std::function<void(std::string_view)>& out,
                           size_t chunk) const = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_WINDOW_AGGREGATOR_H_
