#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/models/model_json.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/tfidf_vectorizer.h"

namespace pantry::models {
namespace {

// Generated once by scripts/gen_models_fixture.py with Debian's sklearn.
Json LoadFixture() {
  // An absolute path from the build: __FILE__ may be relative (ccache's
  // base_dir rewrites it), and ctest runs tests from another directory.
  auto path = std::filesystem::path(PANTRY_MODELS_TESTDATA) / "encoders_fixture.json";
  auto json = ReadJsonFile(path);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : Json();
}

std::vector<std::string> Strings(const Json& array) {
  std::vector<std::string> out;
  for (const Json& v : array) out.push_back(v.get<std::string>());
  return out;
}

// Compares a CSR matrix with sklearn's, entry by entry (max abs diff <= 1e-6).
void ExpectCsrEquals(const CsrMatrix& actual, const Json& expected) {
  ASSERT_EQ(actual.rows(), expected["rows"].get<size_t>());
  ASSERT_EQ(actual.cols, expected["cols"].get<size_t>());
  std::vector<uint64_t> indptr = expected["indptr"].get<std::vector<uint64_t>>();
  std::vector<uint32_t> indices = expected["indices"].get<std::vector<uint32_t>>();
  std::vector<double> data = expected["data"].get<std::vector<double>>();
  ASSERT_EQ(actual.indptr, indptr);
  ASSERT_EQ(actual.indices, indices);
  double max_diff = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(static_cast<double>(actual.values[i]) - data[i]));
  }
  EXPECT_LE(max_diff, 1e-6);
}

TEST(TfidfVectorizerTest, TokenizeFollowsSklearnPattern) {
  EXPECT_EQ(TfidfVectorizer::Tokenize("Crème-Fraîche, a B 12 x_y ÑANDÚ 豆腐!"),
            (std::vector<std::string>{"crème", "fraîche", "12", "x_y", "ñandú", "豆腐"}));
  EXPECT_TRUE(TfidfVectorizer::Tokenize("").empty());
  EXPECT_TRUE(TfidfVectorizer::Tokenize("a b c . ,").empty());
  // Invalid UTF-8 separates tokens instead of failing.
  EXPECT_EQ(TfidfVectorizer::Tokenize("ab\xff"
                                      "cd"),
            (std::vector<std::string>{"ab", "cd"}));
}

TEST(TfidfVectorizerTest, MatchesSklearn) {
  Json fixture = LoadFixture()["tfidf"];
  std::vector<std::string> fit_names = Strings(fixture["fit_names"]);
  auto vectorizer = TfidfVectorizer::Fit(fit_names, fixture["min_df"].get<int>());
  ASSERT_TRUE(vectorizer.ok()) << vectorizer.status();
  EXPECT_EQ(vectorizer->vocabulary(), Strings(fixture["vocabulary"]));
  std::vector<double> idf = fixture["idf"].get<std::vector<double>>();
  ASSERT_EQ(vectorizer->idf().size(), idf.size());
  for (size_t i = 0; i < idf.size(); ++i) EXPECT_NEAR(vectorizer->idf()[i], idf[i], 1e-12);
  CsrMatrix out = vectorizer->Transform(Strings(fixture["transform_names"]));
  ExpectCsrEquals(out, fixture["transformed"]);

  // The saved form reproduces the same output.
  auto reloaded = ModelJson::TfidfVectorizerFromJson(ModelJson::ToJson(*vectorizer));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  ExpectCsrEquals(reloaded->Transform(Strings(fixture["transform_names"])), fixture["transformed"]);
}

TEST(TfidfVectorizerTest, EmptyVocabularyIsAnError) {
  std::vector<std::string> names = {"apple", "banana"};
  auto vectorizer = TfidfVectorizer::Fit(names, 2);
  ASSERT_FALSE(vectorizer.ok());
  EXPECT_NE(vectorizer.status().message().find("empty vocabulary"), std::string::npos);
  EXPECT_FALSE(TfidfVectorizer::Fit(names, 0).ok());
}

TEST(OneHotEncoderTest, MatchesSklearnWithUnknownsIgnored) {
  Json fixture = LoadFixture()["one_hot"];
  std::vector<std::vector<std::string>> fit_rows, transform_rows;
  for (const Json& row : fixture["fit_rows"]) fit_rows.push_back(Strings(row));
  for (const Json& row : fixture["transform_rows"]) transform_rows.push_back(Strings(row));
  auto encoder = OneHotEncoder::Fit({"customer_id", "is_married", "state"}, fit_rows);
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(encoder->categories(c), Strings(fixture["categories"][c])) << c;
  }
  auto out = encoder->Transform(transform_rows);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCsrEquals(*out, fixture["transformed"]);
  EXPECT_EQ(encoder->FeatureName(*encoder->FeatureIndex(2, "Ohio")), "state=Ohio");

  auto reloaded = ModelJson::OneHotEncoderFromJson(ModelJson::ToJson(*encoder));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  auto again = reloaded->Transform(transform_rows);
  ASSERT_TRUE(again.ok());
  ExpectCsrEquals(*again, fixture["transformed"]);
}

TEST(OneHotEncoderTest, NumericColumnsSortNumerically) {
  std::vector<std::vector<std::string>> rows = {{"10"}, {"2"}, {"1"}};
  auto encoder = OneHotEncoder::Fit({"n"}, rows);
  ASSERT_TRUE(encoder.ok());
  EXPECT_EQ(encoder->categories(0), (std::vector<std::string>{"1", "2", "10"}));
}

TEST(OneHotEncoderTest, BadInputIsAnError) {
  std::vector<std::vector<std::string>> rows = {{"a", "b"}, {"c"}};
  auto encoder = OneHotEncoder::Fit({"x", "y"}, rows);
  ASSERT_FALSE(encoder.ok());
  EXPECT_NE(encoder.status().message().find("row 1"), std::string::npos);
  EXPECT_FALSE(OneHotEncoder::Fit({"x", "x"}, {}).ok());
  EXPECT_FALSE(ModelJson::OneHotEncoderFromJson(Json{{"type", "tfidf"}}).ok());
}

}  // namespace
}  // namespace pantry::models
