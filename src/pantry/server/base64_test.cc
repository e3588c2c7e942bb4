#include "pantry/server/base64.h"

#include <gtest/gtest.h>

namespace pantry::server {
namespace {

TEST(Base64Test, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); n += 1) {
    std::string slice = bytes.substr(0, n);
    StatusOr<std::string> decoded = Base64Decode(Base64Encode(slice));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, slice);
  }
}

TEST(Base64Test, KnownVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
}

TEST(Base64Test, RejectsMalformedInput) {
  for (const char* bad :
       {"abc", "Zm9v!", "Zm9v====", "Z===", "Zm=v", "Zm9v\n", "Zh==", "Zm9=Zm9v", "Zm 9"}) {
    StatusOr<std::string> decoded = Base64Decode(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_NE(decoded.status().message().find("base64"), std::string::npos);
    }
  }
}

// The messages say where the input went wrong, and a failed append leaves
// the buffer as it was.
TEST(Base64Test, ErrorsNameThePositionAndLeaveTheBuffer) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"abc", "invalid base64: length 3 is not a multiple of 4"},
           Case{"Zm=vZm9v", "invalid base64: unexpected character at position 3"},
           Case{"Zm9vZ!9v", "invalid base64: unexpected character at position 6"},
           Case{"Zm9vZm=v", "invalid base64: misplaced '=' at character 7"},
           Case{"Zm9v=m9v", "invalid base64: unexpected character at position 5"},
           Case{"Zm9vZ===", "invalid base64: unexpected character at position 6"},
           Case{"Zm9vZh==", "invalid base64: non-zero bits before the padding"},
           Case{"Zm9vZm9=", "invalid base64: non-zero bits before the padding"},
       }) {
    std::string out = "kept";
    Status status = Base64DecodeAppend(c.text, &out);
    EXPECT_EQ(status.message(), c.message) << c.text;
    EXPECT_EQ(out, "kept") << c.text;
  }
  std::string out = "kept:";
  ASSERT_TRUE(Base64DecodeAppend("Zm9vYmE=", &out).ok());
  ASSERT_TRUE(Base64DecodeAppend("", &out).ok());
  ASSERT_TRUE(Base64DecodeAppend("Zg==", &out).ok());
  EXPECT_EQ(out, "kept:foobaf");
}

}  // namespace
}  // namespace pantry::server
