// HttpService: routing, authorization, error containment, metrics and the
// access log for every request, independent of the HTTP library. The
// transport (HttpServer) parses a request into an HttpRequest and calls
// Handle(); tests can call Handle() directly without sockets.
//
// Routes are added before the service starts serving; Handle() is then
// thread-safe and lock-free apart from the first request of each
// (route, status) pair, which registers its metrics.
#ifndef PANTRY_SERVER_HTTP_SERVICE_H_
#define PANTRY_SERVER_HTTP_SERVICE_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pantry/common/metrics.h"
#include "pantry/common/status.h"
#include "pantry/server/auth.h"
#include "pantry/server/http_message.h"

namespace pantry::server {

// Write routes need the token when one is configured (see auth.h).
enum class RouteAccess { kRead, kWrite };

class HttpService {
 public:
  struct Options {
    std::string token;  // empty: no authorization
    bool access_log = true;
    MetricsRegistry* metrics = &MetricsRegistry::Default();
  };

  explicit HttpService(Options options);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // Adds a route. `pattern` is a path whose segments are literals or
  // "{name}" (one non-empty segment, available as PathParam("name")).
  // InvalidArgument for a malformed pattern; AlreadyExists for a duplicate.
  Status AddRoute(std::string method, std::string pattern, RouteAccess access,
                  ErrorStyle error_style, HttpHandler handler);

  // Adds an AWS JSON-RPC operation: POST / with header X-Amz-Target: target
  // (e.g. "Kinesis_20131202.PutRecord"). Errors use ErrorStyle::kAwsJson.
  Status AddAmzTarget(std::string target, RouteAccess access, HttpHandler handler);

  // Routes, authorizes and runs the handler. Never throws: a handler that
  // throws yields 500 with a JSON message. Unknown paths → 404, known path
  // with another method → 405, unknown X-Amz-Target → 400
  // UnknownOperationException.
  void Handle(HttpRequest* request, HttpResponse* response) const;

  // For responses the transport produced itself before routing (413 body too
  // large, 400 unparsable request): gives them a JSON body in the style the
  // client expects, and counts and logs them.
  void HandleTransportError(const HttpRequest& request, HttpResponse* response) const;

  const Authorizer& authorizer() const { return authorizer_; }

 private:
  struct RouteMetrics;
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" marks a parameter
    std::string name;                   // metrics label
    RouteAccess access;
    ErrorStyle error_style;
    HttpHandler handler;
    std::unique_ptr<RouteMetrics> metrics;
  };

  // Null when no route matches; *path_known tells 405 from 404.
  const Route* Find(HttpRequest* request, bool* path_known) const;
  void Record(const Route* route, const HttpRequest& request, const HttpResponse& response,
              double seconds) const;
  std::unique_ptr<RouteMetrics> NewRouteMetrics(const std::string& name) const;

  Options options_;
  Authorizer authorizer_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::unordered_map<std::string, std::unique_ptr<Route>> amz_targets_;
  std::unique_ptr<Route> unknown_target_;
  std::unique_ptr<Route> unmatched_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_HTTP_SERVICE_H_
