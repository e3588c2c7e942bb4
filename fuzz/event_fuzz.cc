// libFuzzer harness: click events as the processor parses them (the
// workshop's sliding spec), and the value-size check the event APIs apply.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pantry/stream/event.h"
#include "pantry/stream/window_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pantry::stream::WindowSpec spec =
      *pantry::stream::WindowSpec::FromString(pantry::stream::WorkshopSlidingSpecJson(), "live");
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  pantry::stream::EventParser parser(spec);
  pantry::stream::ParsedEvent event;
  pantry::stream::Rejection rejection;
  (void)parser.Parse(payload, 1'800'000'000'000'000, &event, &rejection);
  (void)pantry::stream::CheckEventPayloadSizes(payload);
  return 0;
}
