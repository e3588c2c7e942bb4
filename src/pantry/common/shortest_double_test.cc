#include "pantry/common/shortest_double.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace pantry {
namespace {

std::string Reference(double value) {
  char buffer[64];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr);
}

std::string Written(double value) {
  char buffer[kShortestDoubleMaxChars];
  return std::string(buffer, WriteShortestDouble(value, buffer));
}

// Returns false (after one failure message) on the first difference, so a
// systematic error does not print millions of lines.
bool Same(double value) {
  const std::string expected = Reference(value);
  const std::string written = Written(value);
  EXPECT_EQ(written, expected) << "bits 0x" << std::hex << std::bit_cast<uint64_t>(value);
  return written == expected;
}

TEST(ShortestDoubleTest, EdgeCases) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double cases[] = {0.0,
                          -0.0,
                          kInf,
                          -kInf,
                          std::numeric_limits<double>::quiet_NaN(),
                          -std::numeric_limits<double>::quiet_NaN(),
                          std::numeric_limits<double>::min(),
                          std::numeric_limits<double>::denorm_min(),
                          -std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::lowest(),
                          std::numeric_limits<double>::epsilon(),
                          1.0,
                          -1.0,
                          0.5,
                          0.65,
                          3.0,
                          10.0,
                          1e5,
                          1e6,
                          123456.0,
                          1234567.0,
                          1e-4,
                          1e-5,
                          1.5e-5,
                          0.0001234,
                          1e15,
                          1e16,
                          1e17,
                          1e21,
                          1e22,
                          1e23,
                          9007199254740991.0,
                          9007199254740992.0,
                          9007199254740993.0,
                          12300000000000001048576.0,
                          1796107794.872856,
                          1764500000.123456,
                          1700000000.0,
                          5e-324,
                          1e-7,
                          1e100,
                          1.7976931348623157e308,
                          2.2250738585072014e-308,
                          0.1,
                          0.2,
                          0.3,
                          1.0 / 3.0,
                          2.0 / 3.0};
  for (double value : cases) Same(value);
  EXPECT_EQ(Written(0.65), "0.65");
  EXPECT_EQ(Written(1e-7), "1e-07");
  EXPECT_EQ(Written(-3.0), "-3");
}

TEST(ShortestDoubleTest, RandomBitPatternsMatchToChars) {
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 3'000'000; ++i) {
    if (!Same(std::bit_cast<double>(rng()))) return;
  }
}

// Every power of two and its neighbours: the asymmetric intervals where
// shortest-digit algorithms most often differ.
TEST(ShortestDoubleTest, PowersOfTwoAndNeighboursMatchToChars) {
  for (uint64_t exponent = 0; exponent < 2047; ++exponent) {
    const uint64_t power = exponent << 52;
    for (uint64_t bits : {power, power + 1, power - 1, power + 2}) {
      if (!Same(std::bit_cast<double>(bits))) return;
      if (!Same(-std::bit_cast<double>(bits))) return;
    }
  }
}

// Values written with few decimal digits at every exponent around the
// switch between fixed and scientific notation, as records hold them
// (prices, scores, timestamps, whole numbers).
TEST(ShortestDoubleTest, ShortDecimalsAtEveryExponentMatchToChars) {
  std::mt19937_64 rng(7);
  for (int digits = 1; digits <= 17; ++digits) {
    for (int exponent = -30; exponent <= 30; ++exponent) {
      for (int k = 0; k < 200; ++k) {
        std::string text;
        for (int d = 0; d < digits; ++d) text.push_back(static_cast<char>('0' + rng() % 10));
        if (text[0] == '0') text[0] = '1';
        text += "e" + std::to_string(exponent);
        const double value = std::strtod(text.c_str(), nullptr);
        if (!Same(value) || !Same(-value)) return;
      }
    }
  }
  for (int64_t i = -100000; i <= 100000; ++i) {
    if (!Same(static_cast<double>(i)) || !Same(static_cast<double>(i) / 100)) return;
  }
}

}  // namespace
}  // namespace pantry
