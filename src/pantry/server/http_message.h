// pantry's own HTTP request and response types. Route handlers see only
// these; the one adapter that includes Boost.Beast (beast_http_server.cc)
// converts to and from the library's types, with the library-independent
// helpers at the end of this file (target parsing, response heads, log
// escaping).
#ifndef PANTRY_SERVER_HTTP_MESSAGE_H_
#define PANTRY_SERVER_HTTP_MESSAGE_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"

namespace pantry::server {

using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the request-target as received (percent-encoded, with the query)
  std::string path;    // percent-decoded, without the query string
  HttpFields query;    // decoded query parameters, in order
  HttpFields headers;  // names lower-cased
  std::string body;
  std::string remote_addr;
  HttpFields path_params;  // "{name}" segments of the matched route

  // The first value of a header (name in lower case), or null.
  const std::string* Header(std::string_view lower_name) const;
  // The first value of a query parameter (case-sensitive, as AWS's are), or null.
  const std::string* Query(std::string_view name) const;
  // Every value of a repeated query parameter (?FeatureName=a&FeatureName=b).
  std::vector<std::string> QueryAll(std::string_view name) const;
  // A "{name}" path segment of the matched route, or "" when absent.
  std::string PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HttpFields headers;

  void SetJson(int status_code, const Json& value);
  void SetJson(int status_code, const OrderedJson& value);
  void AddHeader(std::string name, std::string value);
};

// How a route reports errors, so that each client parses them natively.
enum class ErrorStyle {
  // {"error": "InvalidArgument", "message": "..."} (pantry's own routes).
  kNative,
  // AWS JSON 1.1 (Kinesis): {"__type": "ValidationException", "message": "..."}
  // with Content-Type application/x-amz-json-1.1.
  kAwsJson,
  // AWS REST-JSON (SageMaker Feature Store Runtime): X-Amzn-ErrorType header
  // plus {"message": "..."}.
  kAwsRestJson,
};

// Writes an error response in `style`. `aws_type` is the AWS error type
// (e.g. "ResourceNotFoundException"); native errors use StatusCodeName.
void SetError(HttpResponse* response, ErrorStyle style, int status, std::string_view aws_type,
              std::string_view message);

// A native-style error from a Status: InvalidArgument → 400, NotFound → 404,
// AlreadyExists / FailedPrecondition → 409, Unavailable → 503, else 500.
void SetStatusError(HttpResponse* response, const Status& status);
int HttpStatusFor(StatusCode code);

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse*)>;

// Decodes %XX escapes (malformed ones are kept as they are); with
// `plus_as_space`, '+' becomes ' ' as in HTML form encoding of a query.
std::string PercentDecode(std::string_view text, bool plus_as_space);

// Sets request->target, ->path (decoded) and ->query (decoded, '+' as space)
// from an origin-form request-target ("/path?a=1&b=2"). InvalidArgument for
// any other form.
Status ParseRequestTarget(std::string_view target, HttpRequest* request);

// Appends the status line and headers of `response` (Content-Type,
// Content-Length of its body, its own headers, Connection) and the blank
// line. CR, LF and NUL in header values are dropped so that no handler can
// split the response.
void AppendResponseHead(const HttpResponse& response, bool keep_alive, std::string* out);

// The standard reason phrase of a status code ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

// `text` with control characters, non-ASCII bytes, '"' and '\' escaped as
// \xNN, for log lines that a client must not be able to forge or break.
std::string EscapeForLog(std::string_view text);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_HTTP_MESSAGE_H_
