// Malformed requests each get a 4xx with a JSON message, and the server keeps
// serving after every one of them.
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/testing/test_server.h"

namespace pantry::server {
namespace {

using testing::KinesisHeaders;
using testing::TestServer;
using testing::TestServerOptions;

struct Case {
  std::string name;
  std::string method;
  std::string target;
  HttpFields headers;
  std::string body;
  int status;              // expected status
  std::string error_type;  // expected "__type" / "error", or "" to skip
};

std::string PutRecord(const std::string& fields) { return "{" + fields + "}"; }

std::vector<Case> Cases() {
  const std::string ok_data = "\"Data\":\"" + Base64Encode("hello") + "\"";
  const std::string stream = "\"StreamName\":\"click_stream\"";
  const HttpFields put = KinesisHeaders("PutRecord");
  const HttpFields puts = KinesisHeaders("PutRecords");
  std::string many_events = "[";
  for (int i = 0; i < 10001; ++i) {
    many_events += std::string(i ? "," : "") + R"({"customer_id":"C","product_id":"P"})";
  }
  many_events += "]";
  std::string many_records = "{" + stream + ",\"Records\":[";
  for (int i = 0; i < 501; ++i) {
    many_records += std::string(i ? "," : "") + "{" + ok_data + ",\"PartitionKey\":\"k\"}";
  }
  many_records += "]}";
  const std::string huge_data =
      "\"Data\":\"" + Base64Encode(std::string((1 << 20) + 1, 'x')) + "\"";
  return {
      {"events: not JSON", "POST", "/v1/events", {}, "not json", 400, "InvalidArgument"},
      {"events: truncated JSON",
       "POST",
       "/v1/events",
       {},
       "[{\"customer_id\":",
       400,
       "InvalidArgument"},
      {"events: object instead of array", "POST", "/v1/events", {}, "{}", 400, "InvalidArgument"},
      {"events: empty array", "POST", "/v1/events", {}, "[]", 400, "InvalidArgument"},
      {"events: element not an object", "POST", "/v1/events", {}, "[1]", 400, "InvalidArgument"},
      {"events: missing customer_id",
       "POST",
       "/v1/events",
       {},
       R"([{"product_id":"P1"}])",
       400,
       "InvalidArgument"},
      {"events: missing product_id",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1"}])",
       400,
       "InvalidArgument"},
      {"events: empty customer_id",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"","product_id":"P1"}])",
       400,
       "InvalidArgument"},
      {"events: customer_id wrong type",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":true,"product_id":"P1"}])",
       400,
       "InvalidArgument"},
      {"events: bad event_time text",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1","event_time":"yesterday"}])",
       400,
       "InvalidArgument"},
      {"events: event_time object",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1","event_time":{}}])",
       400,
       "InvalidArgument"},
      {"events: activity_weight string",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1","activity_weight":"2"}])",
       400,
       "InvalidArgument"},
      {"events: health index array",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1","product_health_index":[0.3]}])",
       400,
       "InvalidArgument"},
      {"events: activity_type number",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1","activity_type":3}])",
       400,
       "InvalidArgument"},
      {"events: second event bad",
       "POST",
       "/v1/events",
       {},
       R"([{"customer_id":"C1","product_id":"P1"},{"customer_id":"C1"}])",
       400,
       "InvalidArgument"},
      {"events: unknown stream",
       "POST",
       "/v1/events?stream=missing",
       {},
       R"([{"customer_id":"C1","product_id":"P1"}])",
       404,
       "NotFound"},
      {"events: too many events", "POST", "/v1/events", {}, many_events, 400, "InvalidArgument"},
      {"events: body over the limit",
       "POST",
       "/v1/events",
       {},
       std::string(5 << 20, ' '),
       413,
       "PayloadTooLarge"},
      {"events: wrong method", "GET", "/v1/events", {}, "", 405, "MethodNotAllowed"},
      {"unknown path", "GET", "/v1/nothing/here", {}, "", 404, "NotFound"},
      {"kinesis: unknown X-Amz-Target", "POST", "/", KinesisHeaders("DeleteStream"), "{}", 400,
       "UnknownOperationException"},
      {"kinesis: garbage X-Amz-Target",
       "POST",
       "/",
       {{"X-Amz-Target", "Nope"}},
       "{}",
       400,
       "UnknownOperationException"},
      {"kinesis: POST / without a target", "POST", "/", {}, "{}", 400, "UnknownOperationException"},
      {"kinesis: not JSON", "POST", "/", put, "{{{", 400, "SerializationException"},
      {"kinesis: array body", "POST", "/", put, "[]", 400, "SerializationException"},
      {"kinesis: no stream", "POST", "/", put, PutRecord(ok_data + ",\"PartitionKey\":\"k\""), 400,
       "ValidationException"},
      {"kinesis: stream name a number", "POST", "/", put,
       PutRecord("\"StreamName\":7," + ok_data + ",\"PartitionKey\":\"k\""), 400,
       "SerializationException"},
      {"kinesis: invalid stream name", "POST", "/", put,
       PutRecord("\"StreamName\":\"bad name!\"," + ok_data + ",\"PartitionKey\":\"k\""), 400,
       "ValidationException"},
      {"kinesis: malformed ARN", "POST", "/", put,
       PutRecord("\"StreamARN\":\"click_stream\"," + ok_data + ",\"PartitionKey\":\"k\""), 400,
       "ValidationException"},
      {"kinesis: invalid base64", "POST", "/", put,
       PutRecord(stream + ",\"Data\":\"not base64!\",\"PartitionKey\":\"k\""), 400,
       "SerializationException"},
      {"kinesis: base64 wrong length", "POST", "/", put,
       PutRecord(stream + ",\"Data\":\"abc\",\"PartitionKey\":\"k\""), 400,
       "SerializationException"},
      {"kinesis: Data a number", "POST", "/", put,
       PutRecord(stream + ",\"Data\":12,\"PartitionKey\":\"k\""), 400, "SerializationException"},
      {"kinesis: missing Data", "POST", "/", put, PutRecord(stream + ",\"PartitionKey\":\"k\""),
       400, "ValidationException"},
      {"kinesis: missing PartitionKey", "POST", "/", put, PutRecord(stream + "," + ok_data), 400,
       "ValidationException"},
      {"kinesis: empty PartitionKey", "POST", "/", put,
       PutRecord(stream + "," + ok_data + ",\"PartitionKey\":\"\""), 400, "ValidationException"},
      {"kinesis: PartitionKey too long", "POST", "/", put,
       PutRecord(stream + "," + ok_data + ",\"PartitionKey\":\"" + std::string(257, 'k') + "\""),
       400, "ValidationException"},
      {"kinesis: record over 1 MiB", "POST", "/", put,
       PutRecord(stream + "," + huge_data + ",\"PartitionKey\":\"k\""), 400, "ValidationException"},
      {"kinesis: unknown stream", "POST", "/", put,
       PutRecord("\"StreamName\":\"missing\"," + ok_data + ",\"PartitionKey\":\"k\""), 400,
       "ResourceNotFoundException"},
      {"kinesis: PutRecords without Records", "POST", "/", puts, PutRecord(stream), 400,
       "ValidationException"},
      {"kinesis: PutRecords Records an object", "POST", "/", puts,
       PutRecord(stream + ",\"Records\":{}"), 400, "SerializationException"},
      {"kinesis: PutRecords empty", "POST", "/", puts, PutRecord(stream + ",\"Records\":[]"), 400,
       "ValidationException"},
      {"kinesis: PutRecords 501 records", "POST", "/", puts, many_records, 400,
       "ValidationException"},
      {"kinesis: PutRecords one bad base64", "POST", "/", puts,
       PutRecord(stream + ",\"Records\":[{" + ok_data +
                 ",\"PartitionKey\":\"k\"},{\"Data\":\"@@@@\",\"PartitionKey\":\"k\"}]"),
       400, "SerializationException"},
      {"kinesis: DescribeStream unknown", "POST", "/", KinesisHeaders("DescribeStream"),
       R"({"StreamName":"missing"})", 400, "ResourceNotFoundException"},
      {"kinesis: ListStreams Limit 0", "POST", "/", KinesisHeaders("ListStreams"), R"({"Limit":0})",
       400, "ValidationException"},
      {"kinesis: ListStreams Limit a string", "POST", "/", KinesisHeaders("ListStreams"),
       R"({"Limit":"5"})", 400, "SerializationException"},
  };
}

void ExpectJsonError(const ClientResponse& response, int status, const std::string& type,
                     const std::string& name) {
  EXPECT_EQ(response.status, status) << name << ": " << response.body;
  EXPECT_GE(response.status, 400) << name;
  EXPECT_LT(response.status, 500) << name;
  StatusOr<Json> body = ParseJson(response.body, "error body");
  ASSERT_TRUE(body.ok()) << name << ": not JSON: " << response.body;
  ASSERT_TRUE(body->is_object()) << name;
  ASSERT_TRUE(body->contains("message")) << name << ": " << response.body;
  EXPECT_FALSE((*body)["message"].get<std::string>().empty()) << name;
  if (!type.empty()) {
    std::string actual = body->contains("__type") ? (*body)["__type"].get<std::string>()
                                                  : (*body)["error"].get<std::string>();
    EXPECT_EQ(actual, type) << name << ": " << response.body;
  }
}

TEST(MalformedRequestsTest, EachGets4xxJsonAndTheServerKeepsServing) {
  TestServerOptions options;
  options.max_body_bytes = 4 << 20;
  TestServer server(options);
  auto client = server.Client();
  std::vector<Case> cases = Cases();
  ASSERT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    auto response = client->Send(c.method, c.target, c.headers, c.body);
    ASSERT_TRUE(response.ok()) << c.name << ": " << response.status();
    ExpectJsonError(*response, c.status, c.error_type, c.name);
    auto health = client->Send("GET", "/healthz");
    ASSERT_TRUE(health.ok()) << "after " << c.name << ": " << health.status();
    EXPECT_EQ(health->status, 200) << "after " << c.name;
  }
  EXPECT_TRUE(server.ingest().Records("click_stream").empty()) << "nothing bad was appended";
}

TEST(MalformedRequestsTest, BrokenHttpGetsJsonToo) {
  TestServer server;
  auto client = server.Client();
  struct Raw {
    std::string name;
    std::string bytes;
    int status;
  };
  std::vector<Raw> raws = {
      {"garbage request line", "GARBAGE\r\n\r\n", 400},
      {"URI too long", "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"unknown method", "FETCH /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"not HTTP at all", "\x16\x03\x01\x02\xfc\x03\x03 binary\r\n\r\n", 400},
  };
  for (const Raw& raw : raws) {
    auto response = client->SendRaw(raw.bytes);
    ASSERT_TRUE(response.ok()) << raw.name << ": " << response.status();
    ExpectJsonError(*response, raw.status, "", raw.name);
    HttpClient fresh("127.0.0.1", server.port());
    auto health = fresh.Send("GET", "/healthz");
    ASSERT_TRUE(health.ok()) << "after " << raw.name;
    EXPECT_EQ(health->status, 200);
  }
}

}  // namespace
}  // namespace pantry::server
