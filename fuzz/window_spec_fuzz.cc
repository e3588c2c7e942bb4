// libFuzzer harness: window-spec JSON (`pantry stream run --spec`).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pantry/stream/window_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)pantry::stream::WindowSpec::FromString(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}
