#include "pantry/common/time_format.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace pantry {
namespace {

bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

Status BadTimestamp(std::string_view text, std::string_view why) {
  return InvalidArgumentError("invalid ISO-8601 timestamp '" + std::string(text) +
                              "': " + std::string(why));
}

constexpr double kMaxDurationSeconds = 1000.0 * 366 * 86400;

// Floor division and its non-negative remainder, without negating (so
// INT64_MIN is safe).
void FloorDivide(int64_t value, int64_t divisor, int64_t* quotient, int64_t* remainder) {
  *quotient = value / divisor;
  *remainder = value % divisor;
  if (*remainder < 0) {
    *quotient -= 1;
    *remainder += divisor;
  }
}

}  // namespace

Status CheckEventTimeRange(int64_t micros) {
  if (micros < kMinEventTimeMicros || micros > kMaxEventTimeMicros) {
    return InvalidArgumentError("event time " + FormatIso8601Micros(micros) +
                                " is out of range: event times must lie between "
                                "0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z");
  }
  return Status::Ok();
}

StatusOr<int64_t> SecondsToEventTimeMicros(double seconds) {
  if (!std::isfinite(seconds)) return InvalidArgumentError("event time is not a finite number");
  // Compare in seconds first: the product below must not overflow.
  constexpr double kMinSeconds = static_cast<double>(kMinEventTimeMicros) / 1e6;
  constexpr double kMaxSeconds = static_cast<double>(kMaxEventTimeMicros) / 1e6;
  if (seconds < kMinSeconds - 1 || seconds > kMaxSeconds + 1) {
    char shown[32];
    std::snprintf(shown, sizeof(shown), "%.6g", seconds);
    return InvalidArgumentError(std::string("event time ") + shown +
                                " (Unix seconds) is out of range: event times must lie "
                                "between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z");
  }
  const int64_t micros = static_cast<int64_t>(std::llround(seconds * 1e6));
  RETURN_IF_ERROR(CheckEventTimeRange(micros));
  return micros;
}

StatusOr<int64_t> ExpiresAtMicros(int64_t event_time_micros, int64_t ttl_micros) {
  if (ttl_micros <= 0) return InvalidArgumentError("TTL must be > 0");
  int64_t sum;
  if (__builtin_add_overflow(event_time_micros, ttl_micros, &sum)) {
    return InvalidArgumentError("event time + TTL (" + std::to_string(event_time_micros) + " + " +
                                std::to_string(ttl_micros) + " microseconds) overflows");
  }
  return sum;
}

StatusOr<int64_t> ParseIso8601Micros(std::string_view text) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!ParseDigits(text, 0, 4, &year) || text.size() < 10 || text[4] != '-' ||
      !ParseDigits(text, 5, 2, &month) || text[7] != '-' || !ParseDigits(text, 8, 2, &day)) {
    return BadTimestamp(text, "expected YYYY-MM-DD");
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return BadTimestamp(text, "no such date");
  size_t pos = 10;
  int64_t micros_fraction = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') {
      return BadTimestamp(text, "expected 'T' after the date");
    }
    if (!ParseDigits(text, pos + 1, 2, &hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ParseDigits(text, pos + 4, 2, &minute)) {
      return BadTimestamp(text, "expected hh:mm after the date");
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!ParseDigits(text, pos + 1, 2, &second)) return BadTimestamp(text, "expected seconds");
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int64_t scale = 100000;
        size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          micros_fraction += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
          ++digits;
        }
        if (digits == 0) return BadTimestamp(text, "empty fractional second");
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return BadTimestamp(text, "time out of range");
  }
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    char zone = text[pos];
    if ((zone == 'Z' || zone == 'z') && pos + 1 == text.size()) {
      pos += 1;
    } else if (zone == '+' || zone == '-') {
      int oh, om = 0;
      if (!ParseDigits(text, pos + 1, 2, &oh)) return BadTimestamp(text, "bad zone offset");
      size_t next = pos + 3;
      if (next < text.size() && text[next] == ':') ++next;
      if (next < text.size()) {
        if (!ParseDigits(text, next, 2, &om)) return BadTimestamp(text, "bad zone offset");
        next += 2;
      }
      if (next != text.size()) return BadTimestamp(text, "trailing characters");
      offset_seconds = (oh * 3600 + om * 60) * (zone == '+' ? 1 : -1);
      pos = next;
    } else {
      return BadTimestamp(text, "trailing characters");
    }
  }
  int64_t days = sys_days(ymd).time_since_epoch().count();
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  const int64_t micros = seconds * 1000000 + micros_fraction;
  if (Status range = CheckEventTimeRange(micros); !range.ok()) {
    return BadTimestamp(text, range.message());
  }
  return micros;
}

std::string FormatIso8601Micros(int64_t micros) {
  using namespace std::chrono;
  int64_t seconds, fraction, days, rem;
  FloorDivide(micros, 1000000, &seconds, &fraction);
  if (micros < kMinEventTimeMicros || micros > kMaxEventTimeMicros) {
    // Unix seconds by the value's own digits; the unsigned magnitude keeps
    // INT64_MIN defined.
    const uint64_t magnitude =
        micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%llu.%06llu", micros < 0 ? "-" : "",
                  static_cast<unsigned long long>(magnitude / 1000000),
                  static_cast<unsigned long long>(magnitude % 1000000));
    return buf;
  }
  FloorDivide(seconds, 86400, &days, &rem);
  year_month_day ymd{sys_days(std::chrono::days(days))};
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(rem / 3600),
                        int(rem % 3600 / 60), int(rem % 60));
  if (fraction != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%06d", int(fraction));
  }
  std::snprintf(buf + n, sizeof(buf) - n, "Z");
  return buf;
}

StatusOr<int64_t> ParseEventTimeMicros(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty event time");
  double seconds;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && ptr == text.data() + text.size()) {
    return SecondsToEventTimeMicros(seconds);
  }
  return ParseIso8601Micros(text);
}

StatusOr<int64_t> ParseDurationMicros(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty duration");
  double value;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !std::isfinite(value)) {
    return InvalidArgumentError("invalid duration '" + std::string(text) +
                                "': expected a number with an optional unit s, m, h, d or w");
  }
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  double scale;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "ms") {
    scale = 1e-3;
  } else if (unit == "m" || unit == "min") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit == "d") {
    scale = 86400;
  } else if (unit == "w") {
    scale = 7 * 86400;
  } else {
    return InvalidArgumentError("invalid duration '" + std::string(text) + "': unknown unit '" +
                                std::string(unit) + "' (use ms, s, m, h, d or w)");
  }
  if (value <= 0) return InvalidArgumentError("duration '" + std::string(text) + "' must be > 0");
  if (value * scale > kMaxDurationSeconds) {
    return InvalidArgumentError("duration '" + std::string(text) + "' is over 1000 years");
  }
  return static_cast<int64_t>(std::llround(value * scale * 1e6));
}

}  // namespace pantry
