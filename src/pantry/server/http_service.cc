#include "pantry/server/http_service.h"

#include <chrono>
#include <exception>

#include "pantry/common/logging.h"

namespace pantry::server {
namespace {

constexpr int kMaxStatus = 600;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// HEAD is served by the GET route (the transport drops the body).
std::string_view RoutingMethod(const std::string& method) {
  return method == "HEAD" ? std::string_view("GET") : std::string_view(method);
}

ErrorStyle GuessStyle(const HttpRequest& request) {
  if (request.Header("x-amz-target") != nullptr) return ErrorStyle::kAwsJson;
  if (request.path.starts_with("/FeatureGroup") || request.path == "/BatchGetRecord") {
    return ErrorStyle::kAwsRestJson;
  }
  return ErrorStyle::kNative;
}

}  // namespace

struct HttpService::RouteMetrics {
  std::string name;
  mutable std::array<std::atomic<Counter*>, kMaxStatus> requests{};
  mutable std::array<std::atomic<Histogram*>, kMaxStatus> latency{};
};

HttpService::HttpService(Options options)
    : options_(std::move(options)), authorizer_(options_.token) {
  auto special = [this](std::string name, ErrorStyle style, HttpHandler handler) {
    auto route = std::make_unique<Route>();
    route->name = name;
    route->access = RouteAccess::kRead;
    route->error_style = style;
    route->handler = std::move(handler);
    route->metrics = NewRouteMetrics(name);
    return route;
  };
  unknown_target_ =
      special("(unknown X-Amz-Target)", ErrorStyle::kAwsJson,
              [](const HttpRequest& request, HttpResponse* response) {
                const std::string* target = request.Header("x-amz-target");
                std::string message = target == nullptr
                                          ? "missing X-Amz-Target header"
                                          : "unknown operation in X-Amz-Target: '" + *target + "'";
                SetError(response, ErrorStyle::kAwsJson, 400, "UnknownOperationException", message);
              });
  unmatched_ = special("(unmatched)", ErrorStyle::kNative, nullptr);
}

HttpService::~HttpService() = default;

std::unique_ptr<HttpService::RouteMetrics> HttpService::NewRouteMetrics(
    const std::string& name) const {
  auto metrics = std::make_unique<RouteMetrics>();
  metrics->name = name;
  return metrics;
}

Status HttpService::AddRoute(std::string method, std::string pattern, RouteAccess access,
                             ErrorStyle error_style, HttpHandler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgumentError("route pattern must start with '/': '" + pattern + "'");
  }
  std::vector<std::string> segments = SplitPath(pattern);
  for (const std::string& segment : segments) {
    if (segment.find_first_of("{}") != std::string::npos && !IsParam(segment)) {
      return InvalidArgumentError("malformed route segment '" + segment + "' in " + pattern);
    }
  }
  auto same_shape = [&segments](const std::vector<std::string>& other) {
    if (other.size() != segments.size()) return false;
    for (size_t i = 0; i < other.size(); ++i) {
      bool both_params = IsParam(other[i]) && IsParam(segments[i]);
      if (!both_params && other[i] != segments[i]) return false;
    }
    return true;
  };
  for (const auto& route : routes_) {
    if (route->method == method && same_shape(route->segments)) {
      return AlreadyExistsError("route " + method + " " + pattern + " is already registered");
    }
  }
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->segments = std::move(segments);
  route->name = pattern;
  route->access = access;
  route->error_style = error_style;
  route->handler = std::move(handler);
  route->metrics = NewRouteMetrics(pattern);
  routes_.push_back(std::move(route));
  return Status::Ok();
}

Status HttpService::AddAmzTarget(std::string target, RouteAccess access, HttpHandler handler) {
  if (target.empty()) return InvalidArgumentError("empty X-Amz-Target");
  if (amz_targets_.contains(target)) {
    return AlreadyExistsError("X-Amz-Target " + target + " is already registered");
  }
  auto route = std::make_unique<Route>();
  route->method = "POST";
  route->name = target;
  route->access = access;
  route->error_style = ErrorStyle::kAwsJson;
  route->handler = std::move(handler);
  route->metrics = NewRouteMetrics(target);
  amz_targets_.emplace(std::move(target), std::move(route));
  return Status::Ok();
}

const HttpService::Route* HttpService::Find(HttpRequest* request, bool* path_known) const {
  *path_known = false;
  std::string_view method = RoutingMethod(request->method);
  if (method == "POST" && (request->path == "/" || request->path.empty())) {
    if (const std::string* target = request->Header("x-amz-target")) {
      auto it = amz_targets_.find(*target);
      return it == amz_targets_.end() ? unknown_target_.get() : it->second.get();
    }
  }
  std::vector<std::string> segments = SplitPath(request->path);
  for (const auto& route : routes_) {
    if (route->segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      match = IsParam(route->segments[i]) || route->segments[i] == segments[i];
    }
    if (!match) continue;
    *path_known = true;
    if (route->method != method) continue;
    request->path_params.clear();
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(route->segments[i])) {
        const std::string& p = route->segments[i];
        request->path_params.emplace_back(p.substr(1, p.size() - 2), segments[i]);
      }
    }
    return route.get();
  }
  if (method == "POST" && (request->path == "/" || request->path.empty()) &&
      !amz_targets_.empty()) {
    return unknown_target_.get();  // AWS JSON clients that forgot the target header
  }
  return nullptr;
}

void HttpService::Handle(HttpRequest* request, HttpResponse* response) const {
  auto start = std::chrono::steady_clock::now();
  bool path_known = false;
  const Route* route = Find(request, &path_known);
  if (route == nullptr) {
    if (path_known) {
      SetError(response, GuessStyle(*request), 405, "MethodNotAllowed",
               "method " + request->method + " is not allowed on " + request->path);
    } else {
      SetError(response, GuessStyle(*request), 404, "NotFound",
               "no route for " + request->method + " " + request->path);
    }
    route = unmatched_.get();
  } else if (std::string why;
             route->access == RouteAccess::kWrite && !authorizer_.Allow(*request, &why)) {
    SetError(response, route->error_style, 401,
             route->error_style == ErrorStyle::kNative ? "Unauthorized" : "AccessDeniedException",
             why);
    response->AddHeader("WWW-Authenticate", "Bearer realm=\"pantry\"");
  } else {
    try {
      route->handler(*request, response);
    } catch (const std::exception& e) {
      PANTRY_LOG_ERROR("handler for {} {} threw: {}", request->method, request->path, e.what());
      *response = HttpResponse();
      SetError(response, route->error_style, 500,
               route->error_style == ErrorStyle::kNative ? "Internal" : "InternalFailure",
               std::string("internal error: ") + e.what());
    } catch (...) {
      PANTRY_LOG_ERROR("handler for {} {} threw a non-standard exception", request->method,
                       request->path);
      *response = HttpResponse();
      SetError(response, route->error_style, 500,
               route->error_style == ErrorStyle::kNative ? "Internal" : "InternalFailure",
               "internal error");
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Record(route, *request, *response, seconds);
}

void HttpService::HandleTransportError(const HttpRequest& request, HttpResponse* response) const {
  if (response->body.empty()) {
    ErrorStyle style = GuessStyle(request);
    switch (response->status) {
      case 413:
        SetError(response, style, 413,
                 style == ErrorStyle::kNative ? "PayloadTooLarge" : "ValidationException",
                 "request body is larger than the server's limit (--max-body-bytes)");
        break;
      case 414:
        SetError(response, style, 414, "UriTooLong", "request URI is too long");
        break;
      case 404:
        SetError(response, style, 404, "NotFound",
                 "no route for " + request.method + " " + request.path);
        break;
      default:
        SetError(response, style, response->status,
                 style == ErrorStyle::kNative ? "BadRequest" : "SerializationException",
                 "malformed HTTP request");
        break;
    }
  }
  Record(unmatched_.get(), request, *response, 0.0);
}

void HttpService::Record(const Route* route, const HttpRequest& request,
                         const HttpResponse& response, double seconds) const {
  int status = response.status >= 0 && response.status < kMaxStatus ? response.status : 0;
  RouteMetrics& metrics = *route->metrics;
  Counter* counter = metrics.requests[status].load(std::memory_order_acquire);
  Histogram* histogram = metrics.latency[status].load(std::memory_order_acquire);
  if (counter == nullptr || histogram == nullptr) {
    MetricLabels labels = {{"route", metrics.name}, {"status", std::to_string(status)}};
    // The registry returns the same objects to racing threads, so a plain
    // store is enough.
    counter = options_.metrics->GetCounter("pantry_http_requests_total",
                                           "HTTP requests by route and status.", labels);
    histogram = options_.metrics->GetHistogram(
        "pantry_http_request_duration_seconds",
        "Time from routing to the handler's return, by route and status.", labels);
    metrics.requests[status].store(counter, std::memory_order_release);
    metrics.latency[status].store(histogram, std::memory_order_release);
  }
  counter->Increment();
  histogram->Observe(seconds);
  if (options_.access_log) {
    PANTRY_LOG_INFO("{} \"{} {}\" {} {} {:.3f}ms", request.remote_addr, request.method,
                    request.path, response.status, response.body.size(), seconds * 1e3);
  }
}

}  // namespace pantry::server
