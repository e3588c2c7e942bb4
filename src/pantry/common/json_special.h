// The bytes a JSON string cannot hold as they are (control bytes, '"',
// '\\') or that are not ASCII (left to UTF-8 validation): one rule for the
// code that writes JSON text by hand (common/json.cc, featurestore/
// record_json.cc). SSE2 is part of x86-64, so the block form needs no flags.
#ifndef PANTRY_COMMON_JSON_SPECIAL_H_
#define PANTRY_COMMON_JSON_SPECIAL_H_

#include <cstddef>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pantry {

constexpr bool IsJsonSpecialByte(unsigned char c) {
  return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

#if defined(__SSE2__)
// Bit i set when byte i of the 16 at `p` is special.
inline unsigned JsonSpecialMask16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // A signed compare: bytes >= 0x80 are negative, so "< 0x20" flags them.
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// The length of the longest prefix of `text` without a special byte
// (text.size() if none): 16 bytes at a time.
size_t JsonPlainPrefixLength(std::string_view text);

}  // namespace pantry

#endif  // PANTRY_COMMON_JSON_SPECIAL_H_
