// libFuzzer harness: event-time and duration parsing. Any accepted time
// must lie in the event-time range and format back to a string that parses
// to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pantry/common/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto micros = pantry::ParseEventTimeMicros(text);
  if (micros.ok()) {
    if (!pantry::CheckEventTimeRange(*micros).ok()) std::abort();
    auto back = pantry::ParseIso8601Micros(pantry::FormatIso8601Micros(*micros));
    if (!back.ok() || *back != *micros) std::abort();
  }
  (void)pantry::ParseDurationMicros(text);
  if (size == 8) {
    int64_t raw;
    __builtin_memcpy(&raw, data, 8);
    (void)pantry::FormatIso8601Micros(raw);  // defined for every int64
  }
  return 0;
}
