#include "pantry/common/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/json_text.h"

namespace pantry {
namespace {

using ::testing::HasSubstr;

TEST(JsonTest, ParseErrorsNameTheSource) {
  auto bad = ParseJson("{\"a\": ", "spec.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("spec.json: invalid JSON"));
}

TEST(JsonTest, TypedGetters) {
  auto value = ParseJson(R"({"s": "x", "i": 3, "f": 2.5, "b": true, "whole": 4.0})", "t");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*GetJsonString(*value, "s"), "x");
  EXPECT_EQ(*GetJsonInt(*value, "i"), 3);
  EXPECT_EQ(*GetJsonInt(*value, "whole"), 4);
  EXPECT_DOUBLE_EQ(*GetJsonNumber(*value, "f"), 2.5);
  EXPECT_TRUE(*GetJsonBool(*value, "b"));
  EXPECT_THAT(GetJsonInt(*value, "f").status().message(), HasSubstr("'f': expected an integer"));
  EXPECT_THAT(GetJsonString(*value, "i").status().message(), HasSubstr("expected a string"));
  EXPECT_THAT(GetJsonString(*value, "zz").status().message(), HasSubstr("missing field 'zz'"));
  EXPECT_FALSE(GetJsonString(Json::array(), "s").ok());
}

TEST(JsonTest, WholeNumbersOutsideInt64AreNotIntegers) {
  auto value = ParseJson(R"({"huge": 2e37, "edge": 9223372036854775808.0, "low": -9.3e18})", "t");
  ASSERT_TRUE(value.ok());
  EXPECT_FALSE(GetJsonInt(*value, "huge").ok());
  EXPECT_FALSE(GetJsonInt(*value, "edge").ok());
  EXPECT_FALSE(GetJsonInt(*value, "low").ok());
}

TEST(JsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json value = std::string("\xff");
  EXPECT_EQ(DumpJson(value), "\"\xEF\xBF\xBD\"");
}

TEST(JsonTest, NestingDepthIsLimited) {
  auto nested = [](int depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
  };
  EXPECT_TRUE(ParseJson(nested(kDefaultMaxJsonDepth, '[', ']'), "t").ok());
  auto deep = ParseJson(nested(kDefaultMaxJsonDepth + 1, '[', ']'), "body");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(deep.status().message(), HasSubstr("body: JSON nested deeper than 128"));
  // 100,000 levels: refused before the recursive parts of the library run.
  EXPECT_FALSE(ParseJson(nested(100000, '[', ']'), "t").ok());
  EXPECT_FALSE(ParseJson(std::string(100000, '{'), "t").ok());
  // Brackets inside strings, escaped quotes included, do not count.
  std::string text = "[\"" + std::string(500, '[') + "\\\"{{{\"]";
  auto in_string = ParseJson(text, "t");
  ASSERT_TRUE(in_string.ok()) << in_string.status();
  EXPECT_EQ((*in_string)[0].get<std::string>().size(), 504u);
  // An explicit limit.
  EXPECT_TRUE(ParseJson(R"({"a":{"b":[1]}})", "t", 3).ok());
  EXPECT_FALSE(ParseJson(R"({"a":{"b":[1]}})", "t", 2).ok());
}

// AppendJsonString writes what DumpJson writes for the same string:
// escapes, control characters, and (through nlohmann) invalid UTF-8.
TEST(JsonTest, AppendJsonStringMatchesDumpJson) {
  const std::string cases[] = {"",
                               "plain",
                               "quote \" and backslash \\",
                               std::string("nul \0 bell \a", 12),
                               "tab \t nl \n cr \r ff \f bs \b",
                               "\x1f\x7f",
                               "caf\xC3\xA9",
                               "bad \xFF utf8 \"q\"",
                               "mix\n\xE2\x82\xAC\\"};
  for (const std::string& text : cases) {
    std::string out = "prefix:";
    AppendJsonString(text, &out);
    EXPECT_EQ(out, "prefix:" + DumpJson(Json(text))) << DumpJson(Json(text));
  }
}

// The scan works 16 bytes at a time with an overlapping last block: one
// special byte at every position of strings of every length around the
// block size is found and escaped as nlohmann does.
TEST(JsonTest, AppendJsonStringFindsASpecialByteAtEveryPosition) {
  const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\x80', '\xff'};
  for (size_t length = 1; length <= 49; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (char special : specials) {
        std::string text(length, 'a');
        text[at] = special;
        std::string out;
        AppendJsonString(text, &out);
        ASSERT_EQ(out, DumpJson(Json(text))) << "length " << length << " at " << at;
      }
    }
    const std::string plain(length, 'z');
    std::string out;
    AppendJsonString(plain, &out);
    ASSERT_EQ(out, "\"" + plain + "\"");
  }
}

// Bytes >= 0x80: well-formed UTF-8 is copied, anything else replaced as
// nlohmann does. Every byte alone and before the bytes around the
// continuation range (0x70-0xC7), and 3- and 4-byte sequences
// around each lead byte's limits (overlong forms, surrogates, past
// U+10FFFF, truncated), between ASCII and next to escapes.
TEST(JsonTest, AppendJsonStringMatchesDumpJsonOnUtf8Edges) {
  const auto check = [](const std::string& text) {
    for (const std::string& wrapped : {text, "a" + text + "z", "\"" + text + "\n"}) {
      std::string out = "p";
      AppendJsonString(wrapped, &out);
      if (out != "p" + DumpJson(Json(wrapped))) {
        ADD_FAILURE() << "for " << DumpJson(Json(wrapped));
        return false;
      }
    }
    return true;
  };
  for (int a = 0; a < 256; ++a) {
    if (!check(std::string(1, static_cast<char>(a)))) return;
    for (int b = 0x70; b < 0xC8; ++b) {
      if (!check({static_cast<char>(a), static_cast<char>(b)})) return;
    }
  }
  const int edges[] = {0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0};
  for (int lead = 0xC0; lead < 0x100; ++lead) {
    for (int b : edges) {
      for (int c : edges) {
        const std::string three = {static_cast<char>(lead), static_cast<char>(b),
                                   static_cast<char>(c)};
        if (!check(three)) return;
        for (int d : edges) {
          if (!check(three + static_cast<char>(d))) return;
        }
      }
    }
  }
  EXPECT_EQ(
      [] {
        std::string out;
        AppendJsonString("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\t", &out);
        return out;
      }(),
      "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\\t\"");
}

}  // namespace
}  // namespace pantry
