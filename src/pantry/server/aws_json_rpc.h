// Small helpers shared by the AWS JSON 1.1 control-plane handlers (Kinesis
// stream management, Kinesis Analytics): the body as a JSON object, typed
// optional members, the reply and the {"__type", "message"} error.
#ifndef PANTRY_SERVER_AWS_JSON_RPC_H_
#define PANTRY_SERVER_AWS_JSON_RPC_H_

#include <optional>
#include <string>

#include "pantry/common/json.h"
#include "pantry/server/http_message.h"

namespace pantry::server {

// An error to answer with: the AWS error type and its message.
struct AwsError {
  std::string type;
  std::string message;
  int status = 400;
};

// The body as a JSON object (an empty body is {}); SerializationException
// otherwise.
std::optional<AwsError> ParseAwsJsonBody(const HttpRequest& request, Json* body);

// `key` of `body` if present and not null. A value of the wrong type is a
// SerializationException, as botocore's server side answers it.
std::optional<AwsError> OptionalString(const Json& body, const char* key,
                                       std::optional<std::string>* out);
std::optional<AwsError> OptionalInt(const Json& body, const char* key, std::optional<int64_t>* out);
// Present, non-null and a string: else ValidationException naming it
// ("Value null at 'key' failed to satisfy constraint: Member must not be null").
std::optional<AwsError> RequiredString(const Json& body, const char* key, std::string* out);

void AwsJsonReply(HttpResponse* response, const OrderedJson& out);
void AwsJsonFail(HttpResponse* response, const AwsError& error);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_AWS_JSON_RPC_H_
