#include "pantry/common/checksum.h"

#include <zlib.h>

namespace pantry {

uint32_t Crc32(std::string_view data, uint32_t crc) {
  // zlib's crc32 takes a uInt length; feed large inputs in pieces.
  const auto* bytes = reinterpret_cast<const Bytef*>(data.data());
  size_t remaining = data.size();
  uLong value = crc;
  while (remaining > 0) {
    uInt chunk = remaining > (1u << 30) ? (1u << 30) : static_cast<uInt>(remaining);
    value = ::crc32(value, bytes, chunk);
    bytes += chunk;
    remaining -= chunk;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace pantry
