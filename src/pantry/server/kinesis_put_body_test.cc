// The simdjson fast parser for Kinesis put bodies: what it reads from the
// plain shape, and the shapes it leaves to ParseJson (whose errors are the
// API's; malformed_requests_test checks those through the server).
#include "pantry/server/kinesis_put_body.h"

#include <gtest/gtest.h>

#include <string>

namespace pantry::server {
namespace {

using Kind = JsonMember::Kind;

TEST(KinesisPutBodyTest, ReadsThePlainPutRecordsShape) {
  const std::string body = R"({"StreamName":"click_stream","Records":[)"
                           R"({"Data":"eyJhIjoxfQ==","PartitionKey":"C1","ExplicitHashKey":"12"},)"
                           R"({"Data":"eA==","PartitionKey":"k\u00e9\n","Extra":7,"Other":null},)"
                           R"({"Data":null,"PartitionKey":5}],"SequenceNumberForOrdering":"1"})";
  KinesisPutBody parsed;
  ASSERT_TRUE(ParseKinesisPutFast(body, /*batch=*/true, &parsed));
  EXPECT_EQ(parsed.stream_name.kind, Kind::kString);
  EXPECT_EQ(parsed.stream_name.text, "click_stream");
  EXPECT_EQ(parsed.stream_arn.kind, Kind::kAbsent);
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_EQ(parsed.records[0].data.text, "eyJhIjoxfQ==");
  EXPECT_EQ(parsed.records[0].partition_key.text, "C1");
  EXPECT_EQ(parsed.records[0].explicit_hash_key.text, "12");
  EXPECT_EQ(parsed.records[1].partition_key.text, "k\xC3\xA9\n");  // unescaped
  EXPECT_EQ(parsed.records[1].explicit_hash_key.kind, Kind::kAbsent);
  EXPECT_EQ(parsed.records[2].data.kind, Kind::kAbsent);
  EXPECT_EQ(parsed.records[2].partition_key.kind, Kind::kOther);
}

TEST(KinesisPutBodyTest, ReadsPutRecordFromTheBodyItself) {
  KinesisPutBody parsed;
  ASSERT_TRUE(ParseKinesisPutFast(
      R"({"StreamARN":"arn:aws:kinesis:us-east-1:1:stream/s","Data":"eA==","PartitionKey":"p"})",
      /*batch=*/false, &parsed));
  EXPECT_EQ(parsed.stream_arn.text, "arn:aws:kinesis:us-east-1:1:stream/s");
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].data.text, "eA==");
  EXPECT_EQ(parsed.records[0].partition_key.text, "p");
}

// Every shape where nlohmann could answer differently (or where an error
// is due) is left to ParseJson.
TEST(KinesisPutBodyTest, DeclinesEverythingButThePlainShape) {
  const std::string declined[] = {
      "",
      "not json",
      R"(["a"])",
      R"({"StreamName":"s"})",                                // Records missing
      R"({"StreamName":"s","Records":null})",                 // Records null
      R"({"StreamName":"s","Records":{"Data":"eA=="}})",      // not a list
      R"({"StreamName":"s","Records":["eA=="]})",             // entry not an object
      R"({"StreamName":"s","StreamName":"t","Records":[]})",  // repeated member
      R"({"StreamName":"s","Records":[{"Data":"eA==","Data":"eQ=="}]})",
      R"({"StreamName":"s","Records":[],"Records":[]})",
      R"({"StreamName":"s","Records":[{"Data":"eA==","Tags":[1]}]})",  // nested, ignored member
      R"({"StreamName":"s","Records":[],"Meta":{"a":1}})",
      R"({"StreamName":["s"],"Records":[]})",           // nested, read member
      R"({"StreamName":"\ud800\udc00","Records":[]})",  // surrogate escape
      R"({"StreamName":"s","Records":[]} trailing)",
      "\xEF\xBB\xBF{\"StreamName\":\"s\",\"Records\":[]}",  // BOM
  };
  for (const std::string& body : declined) {
    KinesisPutBody parsed;
    EXPECT_FALSE(ParseKinesisPutFast(body, /*batch=*/true, &parsed)) << body;
  }
  KinesisPutBody parsed;
  EXPECT_FALSE(ParseKinesisPutFast(R"({"StreamName":"s","Data":{"x":1},"PartitionKey":"p"})",
                                   /*batch=*/false, &parsed));
  EXPECT_FALSE(ParseKinesisPutFast(R"({"Data":"eA==","Data":"eA==","PartitionKey":"p"})",
                                   /*batch=*/false, &parsed));
}

}  // namespace
}  // namespace pantry::server
