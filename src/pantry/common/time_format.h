// ISO-8601 / RFC 3339 timestamps and durations, shared by every subsystem
// that reads event times or TTLs from users.
#ifndef PANTRY_COMMON_TIME_FORMAT_H_
#define PANTRY_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry {

// Parses "2026-11-27T03:17:42Z", "2026-11-27T03:17:42.123456Z",
// "2026-11-27 03:17:42", "2026-11-27T03:17:42+02:00" or "2026-11-27" into
// microseconds since the Unix epoch. A missing zone means UTC.
StatusOr<int64_t> ParseIso8601Micros(std::string_view text);

// Formats as "2026-11-27T03:17:42Z", with ".ffffff" only when the value has
// a fractional second ("2026-11-27T03:17:42.500000Z").
std::string FormatIso8601Micros(int64_t micros);

// Parses an event time given either as Unix seconds ("1700000000.25") or as
// ISO-8601, into microseconds.
StatusOr<int64_t> ParseEventTimeMicros(std::string_view text);

// Parses a duration such as "90s", "2m", "12h", "7d", "1w" or a plain number
// of seconds into microseconds. Must be > 0.
StatusOr<int64_t> ParseDurationMicros(std::string_view text);

}  // namespace pantry

#endif  // PANTRY_COMMON_TIME_FORMAT_H_
