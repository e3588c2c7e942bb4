// HttpService: routing, authentication, content-type checks, error
// containment, metrics and the access log for every request, independent of
// the HTTP library. The transport (HttpServer) parses a request head into an
// HttpRequest, asks CheckHead() whether to read its body at all, and then
// calls Handle(); tests can call Handle() directly without sockets.
//
// Routes are added before the service starts serving; Handle() is then
// thread-safe and lock-free apart from the first request of each
// (route, status) pair, which registers its metrics.
#ifndef PANTRY_SERVER_HTTP_SERVICE_H_
#define PANTRY_SERVER_HTTP_SERVICE_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/metrics.h"
#include "pantry/common/status.h"
#include "pantry/server/auth.h"
#include "pantry/server/http_message.h"

namespace pantry::server {

// When authentication is on (a token or AWS credentials, see auth.h), every
// route needs credentials except kPublic ones (/healthz, /readyz). kRead and
// kWrite are both protected; the distinction documents the route.
enum class RouteAccess { kPublic, kRead, kWrite };

class HttpService {
 public:
  struct Options {
    std::string token;  // empty: no bearer token
    bool access_log = true;
    MetricsRegistry* metrics = &MetricsRegistry::Default();
    AwsCredentials aws;                  // configured: SigV4 signatures are verified
    const Clock* clock = Clock::Real();  // for the SigV4 clock-skew window
    // Where access-log lines go; null: spdlog at info level (stderr).
    std::function<void(std::string_view line)> access_log_writer;
  };

  struct RouteInfo {
    std::string method;
    std::string pattern;     // "/FeatureGroup/{name}", or "/" for X-Amz-Target routes
    std::string amz_target;  // "" for path routes
    RouteAccess access;
  };

  explicit HttpService(Options options);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // A route's fast path, run on the transport's event-loop thread (see
  // TryHandleOnIoThread). It must never wait: no disk or network I/O, no
  // lock held for longer than a lookup. It returns false, leaving
  // *response untouched, when it cannot answer that way (e.g. the record
  // is not in memory); the request then goes to the worker pool and the
  // route's ordinary handler.
  using IoHandler = std::function<bool(const HttpRequest&, HttpResponse*)>;

  struct RouteOptions {
    // Media types accepted for a POST/PUT/PATCH body besides JSON (e.g.
    // "text/csv"); anything else is refused with 415 as on every route.
    std::vector<std::string> body_media_types;
    IoHandler io_handler;  // optional fast path (see IoHandler)
    // The handler computes and never waits long (no disk, at most a few
    // round trips): the transport runs it on its compute workers, as many
    // as the cores, instead of the pool meant for handlers that block.
    bool cpu_bound = false;
  };

  // Adds a route. `pattern` is a path whose segments are literals or
  // "{name}" (one non-empty segment, available as PathParam("name")).
  // InvalidArgument for a malformed pattern; AlreadyExists for a duplicate.
  Status AddRoute(std::string method, std::string pattern, RouteAccess access,
                  ErrorStyle error_style, HttpHandler handler);
  Status AddRoute(std::string method, std::string pattern, RouteAccess access,
                  ErrorStyle error_style, HttpHandler handler, RouteOptions options);

  // Adds an AWS JSON-RPC operation: POST / with header X-Amz-Target: target
  // (e.g. "Kinesis_20131202.PutRecord"). Errors use ErrorStyle::kAwsJson.
  Status AddAmzTarget(std::string target, RouteAccess access, HttpHandler handler);

  // Routes, authenticates, checks the content type and runs the handler.
  // Never throws: a handler that throws yields 500 with a JSON message.
  // Unknown paths → 404, known path with another method → 405, unknown
  // X-Amz-Target → 400 UnknownOperationException, missing or wrong
  // credentials → 401, a SigV4 signature that fails → 403, a POST/PUT/PATCH
  // body that is declared as something other than JSON (or one of the
  // route's RouteOptions::body_media_types) → 415.
  void Handle(HttpRequest* request, HttpResponse* response) const;

  // For the transport, once a request's head has arrived and before its body
  // is read: false, with *response filled, counted and logged, when the
  // request is refused whatever its body (401/403 credentials, 415 content
  // type); the transport then answers without reading the body. True means
  // "read the body and call Handle()", which checks everything again.
  bool CheckHead(HttpRequest* head, HttpResponse* response) const;

  // For the transport, on its event-loop thread once the whole request has
  // arrived: true when the request was answered there, by the route's
  // IoHandler or by a refusal that needs no I/O (credentials, content type),
  // with *response filled, counted and logged as by Handle(). False when the
  // route has no IoHandler or it declined; the transport then calls Handle()
  // on a worker: a compute worker when it sets *cpu_bound (if not null).
  bool TryHandleOnIoThread(HttpRequest* request, HttpResponse* response,
                           bool* cpu_bound = nullptr) const;

  // For responses the transport produces itself (400 unparsable request, 413
  // body too large, 414, 415 compressed body, 431, 503 busy): a JSON body in
  // the style the client expects with `message`; counted and logged.
  void HandleTransportError(const HttpRequest& request, int status, std::string_view message,
                            HttpResponse* response) const;

  // Every registered route, in registration order (for tests and docs).
  std::vector<RouteInfo> Routes() const;

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
    std::vector<std::string> body_media_types;  // lower case; besides JSON
    IoHandler io_handler;
    bool cpu_bound = false;
  };

  // Null when no route matches; *path_known tells 405 from 404.
  const Route* Find(HttpRequest* request, bool* path_known) const;
  // Fills *response and returns false when `route` refuses the request for
  // its credentials or content type (with_body: verify SigV4 signatures).
  bool Admit(const Route& route, const HttpRequest& request, bool with_body,
             HttpResponse* response) const;
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
