// ISO-8601 / RFC 3339 timestamps and durations, shared by every subsystem
// that reads event times or TTLs from users.
#ifndef PANTRY_COMMON_TIME_FORMAT_H_
#define PANTRY_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry {

// The event times pantry accepts anywhere they enter (HTTP, Kinesis, CLI,
// CSV ingest, the stream): 0001-01-01T00:00:00Z through
// 9999-12-31T23:59:59.999999Z, the instants an ISO-8601 string with a
// four-digit year can name, so every accepted time formats and parses back.
inline constexpr int64_t kMinEventTimeMicros = -62'135'596'800LL * 1'000'000;
inline constexpr int64_t kMaxEventTimeMicros = 253'402'300'800LL * 1'000'000 - 1;

// OK when `micros` lies in [kMinEventTimeMicros, kMaxEventTimeMicros];
// otherwise InvalidArgument naming the accepted range.
Status CheckEventTimeRange(int64_t micros);

// Unix seconds (possibly fractional) to microseconds, range-checked as
// above before any conversion (so 1e300 or NaN is an error, not UB).
StatusOr<int64_t> SecondsToEventTimeMicros(double seconds);

// `event_time + ttl` (ExpiresAt) with overflow checked; InvalidArgument when
// the sum does not fit in 64 bits or `ttl` is not positive.
StatusOr<int64_t> ExpiresAtMicros(int64_t event_time_micros, int64_t ttl_micros);

// Parses "2026-11-27T03:17:42Z", "2026-11-27T03:17:42.123456Z",
// "2026-11-27 03:17:42", "2026-11-27T03:17:42+02:00" or "2026-11-27" into
// microseconds since the Unix epoch. A missing zone means UTC. Instants
// outside the event-time range above are InvalidArgument.
StatusOr<int64_t> ParseIso8601Micros(std::string_view text);

// Formats as "2026-11-27T03:17:42Z", with ".ffffff" only when the value has
// a fractional second ("2026-11-27T03:17:42.500000Z"). Any int64 is safe:
// a value outside the event-time range (which cannot come from a parse) is
// written as Unix seconds ("-9223372036854.775808") instead.
std::string FormatIso8601Micros(int64_t micros);

// Parses an event time given either as Unix seconds ("1700000000.25") or as
// ISO-8601, into microseconds; range-checked as above.
StatusOr<int64_t> ParseEventTimeMicros(std::string_view text);

// Parses a duration such as "90s", "2m", "12h", "7d", "1w" or a plain number
// of seconds into microseconds. Must be > 0 and at most 1000 years.
StatusOr<int64_t> ParseDurationMicros(std::string_view text);

}  // namespace pantry

#endif  // PANTRY_COMMON_TIME_FORMAT_H_
