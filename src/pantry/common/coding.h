// Fixed-width little-endian encoding of integers and IEEE-754 doubles: the
// one encoder behind pantry's binary formats (event log frames, online
// records, stream checkpoints, RocksDB's applied sequence). The bytes are
// little-endian whatever the host's byte order, so files written on one
// machine read back on another. Built from shifts, not memcpy of the host
// representation; compilers turn each into a single load or store on
// little-endian hosts.
#ifndef PANTRY_COMMON_CODING_H_
#define PANTRY_COMMON_CODING_H_

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pantry {

// Writes the sizeof(T) bytes of `value`, least significant first, to `dst`.
template <std::unsigned_integral T>
inline void EncodeFixed(char* dst, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    dst[i] = static_cast<char>(static_cast<uint8_t>(value >> (8 * i)));
  }
}

// Reads what EncodeFixed<T> wrote. `src` must hold sizeof(T) bytes.
template <std::unsigned_integral T>
inline T DecodeFixed(const char* src) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<uint8_t>(src[i])) << (8 * i);
  }
  return value;
}

inline void EncodeFixed16(char* dst, uint16_t v) { EncodeFixed<uint16_t>(dst, v); }
inline void EncodeFixed32(char* dst, uint32_t v) { EncodeFixed<uint32_t>(dst, v); }
inline void EncodeFixed64(char* dst, uint64_t v) { EncodeFixed<uint64_t>(dst, v); }
inline uint16_t DecodeFixed16(const char* src) { return DecodeFixed<uint16_t>(src); }
inline uint32_t DecodeFixed32(const char* src) { return DecodeFixed<uint32_t>(src); }
inline uint64_t DecodeFixed64(const char* src) { return DecodeFixed<uint64_t>(src); }
// Doubles travel as the little-endian bytes of their IEEE-754 bit pattern.
inline uint64_t DoubleBits(double v) { return std::bit_cast<uint64_t>(v); }
inline double DoubleFromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

// Appends the encoding to `dst`.
template <std::unsigned_integral T>
inline void PutFixed(std::string* dst, T value) {
  char buf[sizeof(T)];
  EncodeFixed<T>(buf, value);
  dst->append(buf, sizeof(T));
}
inline void PutFixed16(std::string* dst, uint16_t v) { PutFixed<uint16_t>(dst, v); }
inline void PutFixed32(std::string* dst, uint32_t v) { PutFixed<uint32_t>(dst, v); }
inline void PutFixed64(std::string* dst, uint64_t v) { PutFixed<uint64_t>(dst, v); }
inline void PutFixedI64(std::string* dst, int64_t v) { PutFixed64(dst, static_cast<uint64_t>(v)); }
inline void PutDouble(std::string* dst, double v) { PutFixed64(dst, DoubleBits(v)); }

// Consumes sizeof(T) bytes from the front of `*in`. Returns false (leaving
// `*in` and `*value` untouched) if fewer remain.
template <std::unsigned_integral T>
inline bool GetFixed(std::string_view* in, T* value) {
  if (in->size() < sizeof(T)) return false;
  *value = DecodeFixed<T>(in->data());
  in->remove_prefix(sizeof(T));
  return true;
}
inline bool GetFixed16(std::string_view* in, uint16_t* v) { return GetFixed<uint16_t>(in, v); }
inline bool GetFixed32(std::string_view* in, uint32_t* v) { return GetFixed<uint32_t>(in, v); }
inline bool GetFixed64(std::string_view* in, uint64_t* v) { return GetFixed<uint64_t>(in, v); }
inline bool GetFixedI64(std::string_view* in, int64_t* v) {
  uint64_t bits;
  if (!GetFixed64(in, &bits)) return false;
  *v = static_cast<int64_t>(bits);
  return true;
}
inline bool GetDouble(std::string_view* in, double* v) {
  uint64_t bits;
  if (!GetFixed64(in, &bits)) return false;
  *v = DoubleFromBits(bits);
  return true;
}

}  // namespace pantry

#endif  // PANTRY_COMMON_CODING_H_
