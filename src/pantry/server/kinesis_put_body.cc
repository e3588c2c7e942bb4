// The simdjson adapter for Kinesis put bodies; the one file that includes
// simdjson. It accepts only documents that nlohmann (ParseJson) would parse
// to the same members: where the two libraries could differ (nesting depth,
// repeated keys, surrogate escapes) it declines and ParseJson decides.
#include <cstring>
#include <string_view>

#include <simdjson.h>

#include "pantry/server/kinesis_put_body.h"

namespace pantry::server {
namespace {

namespace dom = simdjson::dom;

// nlohmann refuses a lone UTF-16 surrogate escape; simdjson has accepted
// some. Surrogate escapes are rare in put bodies (Data is base64), so any
// of them sends the body to ParseJson.
bool HasSurrogateEscape(std::string_view body) {
  size_t at = 0;
  while ((at = body.find("\\u", at)) != std::string_view::npos) {
    at += 2;
    if (at + 1 < body.size() && (body[at] == 'd' || body[at] == 'D')) {
      const char c = body[at + 1];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return true;
    }
  }
  return false;
}

// False for an array or object (declined: only scalars are read).
bool Scalar(dom::element value, JsonMember* out) {
  switch (value.type()) {
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      return false;
    case dom::element_type::NULL_VALUE:
      *out = JsonMember();
      return true;
    case dom::element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text)) return false;
      *out = JsonMember{JsonMember::Kind::kString, text};
      return true;
    }
    default:
      *out = JsonMember{JsonMember::Kind::kOther, {}};
      return true;
  }
}

enum Seen : unsigned {
  kData = 1,
  kPartitionKey = 2,
  kHashKey = 4,
  kStreamName = 8,
  kStreamArn = 16,
  kRecords = 32,
};

// Reads a record member into *fields when `key` is one; false to decline.
// *handled tells the caller whether `key` was a record member.
bool RecordMember(std::string_view key, dom::element value, unsigned* seen,
                  KinesisRecordFields* fields, bool* handled) {
  JsonMember* target = nullptr;
  unsigned bit = 0;
  if (key == "Data") {
    target = &fields->data;
    bit = kData;
  } else if (key == "PartitionKey") {
    target = &fields->partition_key;
    bit = kPartitionKey;
  } else if (key == "ExplicitHashKey") {
    target = &fields->explicit_hash_key;
    bit = kHashKey;
  }
  *handled = target != nullptr;
  if (target == nullptr) return true;
  if (*seen & bit) return false;
  *seen |= bit;
  return Scalar(value, target);
}

bool ParseRecords(dom::element value, KinesisPutBody* out) {
  dom::array entries;
  if (value.get_array().get(entries)) return false;
  out->records.reserve(entries.size());
  for (dom::element entry : entries) {
    dom::object object;
    if (entry.get_object().get(object)) return false;
    KinesisRecordFields& fields = out->records.emplace_back();
    unsigned seen = 0;
    for (dom::key_value_pair member : object) {
      bool handled = false;
      if (!RecordMember(member.key, member.value, &seen, &fields, &handled)) return false;
      JsonMember ignored;
      if (!handled && !Scalar(member.value, &ignored)) return false;
    }
  }
  return true;
}

}  // namespace

bool ParseKinesisPutFast(std::string_view body, bool batch, KinesisPutBody* out) {
  if (HasSurrogateEscape(body)) return false;
  // One parser per thread keeps its buffers between calls.
  thread_local dom::parser parser;
  dom::element document;
  if (parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(document)) {
    return false;
  }
  dom::object object;
  if (document.get_object().get(object)) return false;
  *out = KinesisPutBody();
  if (!batch) out->records.emplace_back();
  unsigned seen = 0;
  for (dom::key_value_pair member : object) {
    const std::string_view key = member.key;
    if (key == "StreamName" || key == "StreamARN") {
      const unsigned bit = key == "StreamName" ? kStreamName : kStreamArn;
      if (seen & bit) return false;
      seen |= bit;
      if (!Scalar(member.value, key == "StreamName" ? &out->stream_name : &out->stream_arn)) {
        return false;
      }
      continue;
    }
    if (batch && key == "Records") {
      if (seen & kRecords) return false;
      seen |= kRecords;
      if (!ParseRecords(member.value, out)) return false;
      continue;
    }
    bool handled = false;
    if (!batch && !RecordMember(key, member.value, &seen, &out->records[0], &handled)) {
      return false;
    }
    JsonMember ignored;
    if (!handled && !Scalar(member.value, &ignored)) return false;
  }
  return !batch || (seen & kRecords) != 0;
}

}  // namespace pantry::server
