#include "pantry/common/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(JsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json value = std::string("\xff");
  EXPECT_EQ(DumpJson(value), "\"\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace pantry
