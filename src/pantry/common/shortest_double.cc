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

char* Fallback(double value, char* out) {
  return std::to_chars(out, out + kShortestDoubleMaxChars, value).ptr;
}

int DecimalLength(uint64_t v) {
  int n = 1;
  for (; v >= 10000; v /= 10000) n += 4;
  if (v >= 1000) return n + 3;
  if (v >= 100) return n + 2;
  if (v >= 10) return n + 1;
  return n;
}

// Writes the `length` digits of `digits` ending just before `end`.
void WriteDigits(uint64_t digits, char* end) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  while (digits >= 100) {
    const unsigned pair = static_cast<unsigned>(digits % 100);
    digits /= 100;
    end -= 2;
    std::memcpy(end, kPairs + 2 * pair, 2);
  }
  if (digits >= 10) {
    end -= 2;
    std::memcpy(end, kPairs + 2 * digits, 2);
  } else {
    *--end = static_cast<char>('0' + digits);
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
    WriteDigits(digits, out + length);
    out += length;
    std::memset(out, '0', static_cast<size_t>(exponent));
    return out + exponent;
  }
  const int fraction_digits = -exponent;
  if (length <= fraction_digits) {
    // 0.00ddd
    const int leading_zeros = fraction_digits - length;
    *out++ = '0';
    *out++ = '.';
    std::memset(out, '0', static_cast<size_t>(leading_zeros));
    out += leading_zeros;
    WriteDigits(digits, out + length);
    return out + length;
  }
  // ddd.ddd: the whole part's digits, the point, then the fraction's.
  const int whole_digits = length - fraction_digits;
  WriteDigits(digits, out + length + 1);
  std::memmove(out, out + 1, static_cast<size_t>(whole_digits));
  out[whole_digits] = '.';
  return out + length + 1;
}

}  // namespace pantry
