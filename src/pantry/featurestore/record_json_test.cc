#include "pantry/featurestore/record_json.h"

#include <gtest/gtest.h>

#include "pantry/featurestore/online_record.h"

namespace pantry::featurestore {
namespace {

RecordStrings Pairs(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  RecordStrings out;
  for (const auto& [name, value] : pairs) out.emplace_back(name, value);
  return out;
}

// Every value type, a null, escapes, invalid UTF-8, and doubles that
// print as fractions, exponents and whole numbers.
Record MixedRecord() {
  Record record;
  record.Add("customer_id", FeatureValue::String("C\"1\n\xFF"));
  record.Add("missing", FeatureValue());
  record.Add("age", FeatureValue::Int(-42));
  record.Add("score", FeatureValue::Double(1e-7));
  record.Add("event_time", FeatureValue::Double(1764500000.123456));
  record.Add("whole", FeatureValue::Double(3));
  record.Add("tab\tname", FeatureValue::String(""));
  return record;
}

TEST(RecordJsonTest, WritesSageMakerListInFieldOrderWithoutNulls) {
  Record record;
  record.Add("customer_id", FeatureValue::String("C1"));
  record.Add("age", FeatureValue::Int(42));
  record.Add("missing", FeatureValue());
  record.Add("score", FeatureValue::Double(0.5));
  EXPECT_EQ(DumpJson(RecordToJsonList(record)),
            R"([{"FeatureName":"customer_id","ValueAsString":"C1"},)"
            R"({"FeatureName":"age","ValueAsString":"42"},)"
            R"({"FeatureName":"score","ValueAsString":"0.5"}])");
}

// The GetRecord response path writes text directly; it must be the same
// bytes as the Json route.
TEST(RecordJsonTest, AppendedTextEqualsTheDumpedList) {
  const Record record = MixedRecord();
  std::string out;
  AppendRecordJsonList(record, &out);
  EXPECT_EQ(out, DumpJson(RecordToJsonList(record)));
  out.clear();
  AppendRecordJsonList(Record(), &out);
  EXPECT_EQ(out, DumpJson(RecordToJsonList(Record())));
}

// BatchGetRecord writes the list straight from the online encoding: the
// same text as from the decoded record, for every feature selection, and
// Corruption (not a crash) for a truncated value.
TEST(RecordJsonTest, OnlineEncodingWritesTheDecodedRecordsList) {
  const Record record = MixedRecord();
  std::string encoded;
  EncodeOnlineRecord({.event_time_micros = 7}, record, &encoded);
  const std::vector<std::vector<std::string>> selections = {
      {}, {"age"}, {"score", "customer_id"}, {"missing"}, {"absent"}, {"tab\tname", "whole"}};
  for (const auto& names : selections) {
    Record decoded;
    ASSERT_TRUE(DecodeOnlineRecord(encoded, names, &decoded).ok());
    std::string expected, written = "prefix";
    AppendRecordJsonList(decoded, &expected);
    ASSERT_TRUE(AppendOnlineRecordJsonList(encoded, names, &written).ok());
    EXPECT_EQ(written, "prefix" + expected);
  }
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    std::string written;
    EXPECT_EQ(AppendOnlineRecordJsonList(encoded.substr(0, cut), {}, &written).code(),
              StatusCode::kCorruption)
        << cut;
  }
}

TEST(RecordJsonTest, ReadsWhatItWrites) {
  Record record;
  record.Add("id", FeatureValue::String("a\"b"));
  record.Add("n", FeatureValue::Int(-3));
  auto list = ParseJson(DumpJson(RecordToJsonList(record)), "test");
  ASSERT_TRUE(list.ok());
  auto values = RecordFromJsonList(*list);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_EQ(*values, Pairs({{"id", "a\"b"}, {"n", "-3"}}));
}

TEST(RecordJsonTest, ListErrorsNameTheEntry) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"([])", "Record: expected a non-empty list of {FeatureName, ValueAsString}"},
      {R"({"FeatureName":"a"})", "Record: expected a non-empty list"},
      {R"([{"FeatureName":"a","ValueAsString":"1"},{"FeatureName":"b"}])",
       "Record[1]: missing field 'ValueAsString'"},
      {R"([{"FeatureName":1,"ValueAsString":"1"}])",
       "Record[0]: field 'FeatureName': expected a string"},
      {R"(["a"])", "Record[0]: expected a JSON object"},
  };
  for (const Case& c : cases) {
    auto list = ParseJson(c.json, "test");
    ASSERT_TRUE(list.ok()) << c.json;
    auto values = RecordFromJsonList(*list);
    ASSERT_FALSE(values.ok()) << c.json;
    EXPECT_EQ(values.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(values.status().message().find(c.message), std::string::npos)
        << c.json << " -> " << values.status().message();
  }
}

TEST(RecordJsonTest, PutAcceptsTheSageMakerFormsAndTheShortForm) {
  // (The short form comes back in key order, so the lists use it too.)
  const RecordStrings expected = Pairs({{"age", "42"}, {"id", "C1"}});
  for (const char* text : {R"({"Record":[{"FeatureName":"age","ValueAsString":"42"},
                                         {"FeatureName":"id","ValueAsString":"C1"}]})",
                           R"([{"FeatureName":"age","ValueAsString":"42"},
                               {"FeatureName":"id","ValueAsString":"C1"}])",
                           R"({"id":"C1","age":42,"gone":null})"}) {
    auto values = ParseRecordJson(text, "--record");
    ASSERT_TRUE(values.ok()) << text << ": " << values.status();
    EXPECT_EQ(*values, expected) << text;
  }
  auto fractional = ParseRecordJson(R"({"x":0.25})", "--record");
  ASSERT_TRUE(fractional.ok());
  EXPECT_EQ(*fractional, Pairs({{"x", FeatureValue::Double(0.25).ToString().c_str()}}));
}

TEST(RecordJsonTest, PutErrorsStartWithWhat) {
  for (const char* text : {"[1,2", "3", R"({"a":true})", R"({"a":[1]})", R"({"Record":[{}]})"}) {
    auto values = ParseRecordJson(text, "--record");
    ASSERT_FALSE(values.ok()) << text;
    EXPECT_EQ(values.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(values.status().message().starts_with("--record: ")) << values.status().message();
  }
}

}  // namespace
}  // namespace pantry::featurestore
