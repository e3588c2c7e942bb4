#include "pantry/server/http_message.h"

#include <algorithm>

namespace pantry::server {
namespace {

const std::string* FindField(const HttpFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendSanitized(std::string_view value, std::string* out) {
  for (char c : value) {
    if (c != '\r' && c != '\n' && c != '\0') out->push_back(c);
  }
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

std::string PercentDecode(std::string_view text, bool plus_as_space) {
  // Most paths and query strings have nothing to decode.
  if (std::none_of(text.begin(), text.end(),
                   [plus_as_space](char c) { return c == '%' || (plus_as_space && c == '+'); })) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(plus_as_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

Status ParseRequestTarget(std::string_view target, HttpRequest* request) {
  if (target.empty() || target.front() != '/') {
    return InvalidArgumentError("the request-target must be a path starting with '/'");
  }
  request->target = std::string(target);
  size_t question = target.find('?');
  request->path = PercentDecode(target.substr(0, question), /*plus_as_space=*/false);
  request->query.clear();
  if (question == std::string_view::npos) return Status::Ok();
  std::string_view query = target.substr(question + 1);
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      request->query.emplace_back(PercentDecode(pair.substr(0, eq), true),
                                  PercentDecode(value, true));
    }
    start = amp + 1;
  }
  return Status::Ok();
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void AppendResponseHead(const HttpResponse& response, bool keep_alive, std::string* out) {
  int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  out->append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out->append(ReasonPhrase(status)).append("\r\n");
  if (!response.content_type.empty()) {
    out->append("Content-Type: ");
    AppendSanitized(response.content_type, out);
    out->append("\r\n");
  }
  out->append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  for (const auto& [name, value] : response.headers) {
    AppendSanitized(name, out);
    out->append(": ");
    AppendSanitized(value, out);
    out->append("\r\n");
  }
  out->append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
}

std::string EscapeForLog(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out.append("\\x").push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace pantry::server
