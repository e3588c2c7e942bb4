// libFuzzer harness: model-file loading (the FM model's binary format). Each
// input is tried as it is and with its trailing CRC-32 recomputed, so that
// mutations reach the header and parameter checks behind the checksum.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "pantry/common/checksum.h"
#include "pantry/models/fm_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)pantry::models::FmModel::Deserialize(bytes, "fuzz");
  if (bytes.size() >= 4) {
    const uint32_t crc = pantry::Crc32(std::string_view(bytes).substr(0, bytes.size() - 4));
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    auto model = pantry::models::FmModel::Deserialize(bytes, "fuzz");
    // A model that loads must serialize back to a model that loads.
    if (model.ok() && !pantry::models::FmModel::Deserialize(model->Serialize()).ok())
      __builtin_trap();
  }
  return 0;
}
