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

}  // namespace
}  // namespace pantry::server
