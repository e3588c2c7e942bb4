// Offline replay of a window spec over a JSON-lines file (`pantry window`):
// what KDA's console did for testing SQL on sample data.
#ifndef PANTRY_STREAM_REPLAY_H_
#define PANTRY_STREAM_REPLAY_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <string>

#include "pantry/common/status.h"
#include "pantry/stream/event.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

struct ReplayStats {
  int64_t lines = 0;
  int64_t accepted = 0;
  int64_t rows = 0;
  std::array<int64_t, kRejectReasonCount> rejected{};
  EvictionStats evictions;  // by the cap on open keys

  // "N lines, N events accepted, N rejected (reason N, ...), N rows emitted"
  // and ", N keys evicted" if any were.
  std::string Summary() const;
};

struct ReplayCallbacks {
  std::function<void(const EmittedRow&)> on_row;
  // `line` is 1-based.
  std::function<void(int64_t line, const Rejection&)> on_reject;
};

// Replays `in` (JSON lines) through a fresh aggregator for `spec`. Each
// line's arrival time is its `_arrival_time` (ISO-8601 or Unix seconds) if
// present, else its event-time field ("event_time" unless the spec names
// another), else the previous line's arrival + 1 microsecond; arrival times
// never go backwards (an earlier one is raised to the previous). At the end
// every open window is flushed at its natural close time. Bad lines are
// reported through on_reject and skipped. Errors only for unreadable input.
// `max_window_keys` caps the keys with open window state as in
// WindowAggregatorOptions (0: none).
StatusOr<ReplayStats> ReplayJsonLines(const WindowSpec& spec, std::istream& in,
                                      const ReplayCallbacks& callbacks,
                                      size_t max_window_keys = kDefaultMaxWindowKeys);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_REPLAY_H_
