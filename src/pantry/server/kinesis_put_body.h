// The members of a Kinesis PutRecord / PutRecords request body that the API
// reads, as views, and a fast parser for them. Ingest is the hot path: a
// PutRecords call carries up to 500 records, and building a nlohmann tree
// for it (a node and a string per member) cost more than the append itself.
// The fast parser (kinesis_put_body.cc, the only file that includes
// simdjson) handles the plain shape clients send; anything else goes to the
// ParseJson route, whose errors are the API's (kinesis_api.cc), so the two
// never disagree on what a malformed body is told.
#ifndef PANTRY_SERVER_KINESIS_PUT_BODY_H_
#define PANTRY_SERVER_KINESIS_PUT_BODY_H_

#include <string_view>
#include <vector>

namespace pantry::server {

// A JSON member as the put operations read it.
struct JsonMember {
  enum class Kind { kAbsent, kString, kOther };  // kAbsent: missing or null
  Kind kind = Kind::kAbsent;
  std::string_view text;  // kString: the unescaped string
};

struct KinesisRecordFields {
  bool is_object = true;  // false: the entry is not a JSON object
  JsonMember data;
  JsonMember partition_key;
  JsonMember explicit_hash_key;
};

struct KinesisPutBody {
  JsonMember stream_name;
  JsonMember stream_arn;
  // PutRecords: the entries of Records; PutRecord: one, the body's own
  // Data / PartitionKey / ExplicitHashKey.
  std::vector<KinesisRecordFields> records;
};

// Parses a PutRecords (`batch`) or PutRecord body into *out. False when the
// body is not of the plain shape (not valid JSON, not an object, Records
// absent or not a list of objects, a member the API reads repeated, or a
// member it ignores holding an array or object); the caller then takes
// the ParseJson route for the exact error or the unusual body. The views
// point into storage owned by this thread, valid until its next call.
bool ParseKinesisPutFast(std::string_view body, bool batch, KinesisPutBody* out);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_KINESIS_PUT_BODY_H_
