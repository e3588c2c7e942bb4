#include "pantry/server/http_message.h"

namespace pantry::server {
namespace {

const std::string* FindField(const HttpFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

const std::string* HttpRequest::Header(std::string_view lower_name) const {
  return FindField(headers, lower_name);
}

const std::string* HttpRequest::Query(std::string_view name) const {
  return FindField(query, name);
}

std::vector<std::string> HttpRequest::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::string HttpRequest::PathParam(std::string_view name) const {
  const std::string* value = FindField(path_params, name);
  return value == nullptr ? std::string() : *value;
}

void HttpResponse::SetJson(int status_code, const Json& value) {
  status = status_code;
  content_type = "application/json";
  body = DumpJson(value);
}

void HttpResponse::SetJson(int status_code, const OrderedJson& value) {
  status = status_code;
  content_type = "application/json";
  body = DumpJson(value);
}

void HttpResponse::AddHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

void SetError(HttpResponse* response, ErrorStyle style, int status, std::string_view aws_type,
              std::string_view message) {
  OrderedJson body = OrderedJson::object();
  switch (style) {
    case ErrorStyle::kNative:
      body["error"] = std::string(aws_type);
      body["message"] = std::string(message);
      response->SetJson(status, body);
      break;
    case ErrorStyle::kAwsJson:
      body["__type"] = std::string(aws_type);
      body["message"] = std::string(message);
      response->SetJson(status, body);
      response->content_type = "application/x-amz-json-1.1";
      break;
    case ErrorStyle::kAwsRestJson:
      body["message"] = std::string(message);
      response->SetJson(status, body);
      response->AddHeader("X-Amzn-ErrorType", std::string(aws_type));
      break;
  }
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SetStatusError(HttpResponse* response, const Status& status) {
  SetError(response, ErrorStyle::kNative, HttpStatusFor(status.code()),
           StatusCodeName(status.code()), status.message());
}

}  // namespace pantry::server
