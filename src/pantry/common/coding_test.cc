#include "pantry/common/coding.h"

#include <limits>

#include <gtest/gtest.h>

namespace pantry {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// The on-disk formats depend on these exact bytes: least significant first,
// on every host.
TEST(CodingTest, WritesLeastSignificantByteFirst) {
  std::string out;
  PutFixed16(&out, 0x0102);
  EXPECT_EQ(out, Bytes({0x02, 0x01}));
  out.clear();
  PutFixed32(&out, 0x01020304u);
  EXPECT_EQ(out, Bytes({0x04, 0x03, 0x02, 0x01}));
  out.clear();
  PutFixed64(&out, 0x0102030405060708ull);
  EXPECT_EQ(out, Bytes({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  out.clear();
  PutFixedI64(&out, -2);
  EXPECT_EQ(out, Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  out.clear();
  PutDouble(&out, 1.0);  // IEEE-754 0x3FF0000000000000
  EXPECT_EQ(out, Bytes({0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
}

TEST(CodingTest, DecodesWhatItEncodes) {
  char buf[8];
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x8000000000000000ull},
                     std::numeric_limits<uint64_t>::max(), uint64_t{0x00ff00ff00ff00ffull}}) {
    EncodeFixed64(buf, v);
    EXPECT_EQ(DecodeFixed64(buf), v);
    EncodeFixed32(buf, static_cast<uint32_t>(v));
    EXPECT_EQ(DecodeFixed32(buf), static_cast<uint32_t>(v));
    EncodeFixed16(buf, static_cast<uint16_t>(v));
    EXPECT_EQ(DecodeFixed16(buf), static_cast<uint16_t>(v));
  }
  EXPECT_EQ(DecodeFixed32(Bytes({0x78, 0x56, 0x34, 0x12}).data()), 0x12345678u);
}

TEST(CodingTest, GetConsumesAndStopsAtTheEnd) {
  std::string data;
  PutFixed16(&data, 7);
  PutFixed32(&data, 70000);
  PutFixedI64(&data, -5);
  PutDouble(&data, -0.25);
  data.push_back('x');
  std::string_view in = data;
  uint16_t a;
  uint32_t b;
  int64_t c;
  double d;
  ASSERT_TRUE(GetFixed16(&in, &a));
  ASSERT_TRUE(GetFixed32(&in, &b));
  ASSERT_TRUE(GetFixedI64(&in, &c));
  ASSERT_TRUE(GetDouble(&in, &d));
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 70000u);
  EXPECT_EQ(c, -5);
  EXPECT_EQ(d, -0.25);
  EXPECT_EQ(in, "x");
  uint32_t untouched = 99;
  EXPECT_FALSE(GetFixed32(&in, &untouched));
  EXPECT_EQ(untouched, 99u);
  EXPECT_EQ(in, "x") << "a failed read consumes nothing";
}

}  // namespace
}  // namespace pantry
