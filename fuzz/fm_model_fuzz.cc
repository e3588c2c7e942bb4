// libFuzzer harness: model-file loading (the FM model's binary format).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pantry/models/fm_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)pantry::models::FmModel::Deserialize(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}
