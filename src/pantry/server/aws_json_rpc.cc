#include "pantry/server/aws_json_rpc.h"

#include <cctype>

namespace pantry::server {
namespace {

// "StreamName" -> "streamName", as AWS names members in validation messages.
std::string MemberName(const char* key) {
  std::string name = key;
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

}  // namespace

std::optional<AwsError> ParseAwsJsonBody(const HttpRequest& request, Json* body) {
  if (request.body.empty()) {
    *body = Json::object();
    return std::nullopt;
  }
  StatusOr<Json> parsed = ParseJson(request.body, "request body");
  if (!parsed.ok()) return AwsError{"SerializationException", parsed.status().message()};
  if (!parsed->is_object()) {
    return AwsError{"SerializationException", "request body must be a JSON object"};
  }
  *body = std::move(*parsed);
  return std::nullopt;
}

std::optional<AwsError> OptionalString(const Json& body, const char* key,
                                       std::optional<std::string>* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    return AwsError{"SerializationException", std::string(key) + ": expected a string"};
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<AwsError> OptionalInt(const Json& body, const char* key,
                                    std::optional<int64_t>* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    return AwsError{"SerializationException", std::string(key) + ": expected an integer"};
  }
  *out = it->get<int64_t>();
  return std::nullopt;
}

std::optional<AwsError> RequiredString(const Json& body, const char* key, std::string* out) {
  std::optional<std::string> value;
  if (auto error = OptionalString(body, key, &value)) return error;
  if (!value) {
    return AwsError{"ValidationException", "1 validation error detected: Value null at '" +
                                               MemberName(key) +
                                               "' failed to satisfy constraint: Member must "
                                               "not be null"};
  }
  *out = std::move(*value);
  return std::nullopt;
}

void AwsJsonReply(HttpResponse* response, const OrderedJson& out) {
  response->SetJson(200, out);
  response->content_type = "application/x-amz-json-1.1";
}

void AwsJsonFail(HttpResponse* response, const AwsError& error) {
  SetError(response, ErrorStyle::kAwsJson, error.status, error.type, error.message);
}

}  // namespace pantry::server
