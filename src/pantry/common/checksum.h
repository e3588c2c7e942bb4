// CRC-32 (zlib's polynomial) for framing log records and model files. zlib
// is included from checksum.cc only.
#ifndef PANTRY_COMMON_CHECKSUM_H_
#define PANTRY_COMMON_CHECKSUM_H_

#include <cstdint>
#include <string_view>

namespace pantry {

// Extends `crc` (start with 0) over `data`.
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

}  // namespace pantry

#endif  // PANTRY_COMMON_CHECKSUM_H_
