// The one place pantry uses {fmt}'s Dragonbox directly. fmt's own "{}"
// output chooses notation differently from std::to_chars, so only the
// shortest digits are taken from it and laid out here by libstdc++'s rules
// (floating_to_chars.cc, __floating_to_chars_shortest). Cases those rules
// print from more than the shortest digits go to std::to_chars itself.
#include "pantry/common/shortest_double.h"

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace pantry {
namespace {

constexpr uint64_t kExponentMask = 0x7ffULL << 52;
constexpr uint64_t kSignBit = 1ULL << 63;

// Out of line: its setup stays off the common path.
[[gnu::noinline]] char* Fallback(double value, char* out) {
  return std::to_chars(out, out + kShortestDoubleMaxChars, value).ptr;
}

constexpr uint64_t kPow10[] = {1,
                               10,
                               100,
                               1000,
                               10000,
                               100000,
                               1000000,
                               10000000,
                               100000000,
                               1000000000,
                               10000000000,
                               100000000000,
                               1000000000000,
                               10000000000000,
                               100000000000000,
                               1000000000000000,
                               10000000000000000,
                               100000000000000000,
                               1000000000000000000,
                               10000000000000000000u};

// Digits of v > 0: log10 from the bit width (1233/4096 ~ log10 2), then
// one comparison to correct it.
int DecimalLength(uint64_t v) {
  const int t = (std::bit_width(v) * 1233) >> 12;
  return t + 1 - (v < kPow10[t] ? 1 : 0);
}

constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void WritePair(uint32_t pair, char* dst) { std::memcpy(dst, kPairs + 2 * pair, 2); }

// Writes the digits of `digits` ending just before `end`. Eight at a time
// in 32-bit arithmetic: a double's 17 digits take two 64-bit divisions.
void WriteDigits(uint64_t digits, char* end) {
  while (digits >= 100000000) {
    const uint64_t high = digits / 100000000;
    const auto low = static_cast<uint32_t>(digits - high * 100000000);
    digits = high;
    end -= 8;
    const uint32_t upper = low / 10000;
    const uint32_t lower = low % 10000;
    WritePair(upper / 100, end);
    WritePair(upper % 100, end + 2);
    WritePair(lower / 100, end + 4);
    WritePair(lower % 100, end + 6);
  }
  auto small = static_cast<uint32_t>(digits);
  while (small >= 100) {
    end -= 2;
    WritePair(small % 100, end);
    small /= 100;
  }
  if (small >= 10) {
    WritePair(small, end - 2);
  } else {
    end[-1] = static_cast<char>('0' + small);
  }
}

}  // namespace

char* WriteShortestDouble(double value, char* out) {
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  if ((bits & kExponentMask) == kExponentMask) return Fallback(value, out);  // inf, nan
  if ((bits & ~kSignBit) == 0) return Fallback(value, out);                  // 0, -0
  const auto decimal = fmt::detail::dragonbox::to_decimal(value);
  const uint64_t digits = decimal.significand;
  const int exponent = decimal.exponent;  // value = ±digits * 10^exponent
  const int length = DecimalLength(digits);

  // libstdc++'s choice: fixed unless scientific is strictly shorter.
  int lower_bound = -(length + 3);
  int upper_bound = 5;
  if (length == 1) ++lower_bound, --upper_bound;
  const bool fixed = exponent >= lower_bound && exponent <= upper_bound;
  if (fixed && exponent > 0) {
    // libstdc++ prints whole numbers exactly ("as if by printf"); it uses
    // the shortest digits only when they surely are the exact value.
    const int log2_digits = std::bit_width(digits) - 1;
    if (log2_digits + (exponent * 10 + 2) / 3 >= 52 - 2) return Fallback(value, out);
  }

  if ((bits & kSignBit) != 0) *out++ = '-';
  if (!fixed) {
    // d[.ddd]e±XX: the digits go one place right, then the first moves
    // left over the point.
    WriteDigits(digits, out + 1 + length);
    out[0] = out[1];
    if (length > 1) {
      out[1] = '.';
      out += length + 1;
    } else {
      out += 1;
    }
    int scientific_exponent = exponent + length - 1;
    *out++ = 'e';
    *out++ = scientific_exponent < 0 ? '-' : '+';
    if (scientific_exponent < 0) scientific_exponent = -scientific_exponent;
    if (scientific_exponent >= 100) {
      *out++ = static_cast<char>('0' + scientific_exponent / 100);
      scientific_exponent %= 100;
    }
    out[0] = static_cast<char>('0' + scientific_exponent / 10);
    out[1] = static_cast<char>('0' + scientific_exponent % 10);
    return out + 2;
  }
  if (exponent >= 0) {
    // At most 5 zeros (upper_bound): one fixed-size copy.
    WriteDigits(digits, out + length);
    out += length;
    std::memcpy(out, "00000000", 8);
    return out + exponent;
  }
  const int fraction_digits = -exponent;
  if (length <= fraction_digits) {
    // 0.00ddd
    // At most 3 leading zeros (lower_bound): one fixed-size copy.
    std::memcpy(out, "0.000000", 8);
    out += 2 + (fraction_digits - length);
    WriteDigits(digits, out + length);
    return out + length;
  }
  // ddd.ddd: the digits, then the fraction's (at most 16) one place right
  // with fixed-size copies to open the point's place.
  WriteDigits(digits, out + length);
  char* const point = out + (length - fraction_digits);
  uint64_t low;
  std::memcpy(&low, point, 8);
  if (fraction_digits > 8) {
    // Then the whole part has at most 8 digits: all within 32 bytes.
    uint64_t high;
    std::memcpy(&high, point + 8, 8);
    std::memcpy(point + 9, &high, 8);
  }
  std::memcpy(point + 1, &low, 8);
  *point = '.';
  return out + length + 1;
}

}  // namespace pantry
