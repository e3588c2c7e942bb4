#include "pantry/server/http_service.h"

#include <algorithm>
#include <cctype>
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

// SplitPath without copies, into a per-thread vector that keeps its
// capacity: routing runs on every request.
const std::vector<std::string_view>& PathSegments(std::string_view path) {
  thread_local std::vector<std::string_view> segments;
  segments.clear();
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
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

std::string LowerMediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  std::string out(content_type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// POST, PUT and PATCH bodies are JSON on every route. A declared type must
// say so; no type at all is accepted from non-browser clients (curl without
// -H, older scripts) but not when the request comes from a web page: any
// cross-site fetch() carries Origin, and a page could otherwise post a
// typeless body (a Blob) without a CORS preflight.
// `also_accepted` are further media types (lower case) a route takes, e.g.
// text/csv for SageMaker Runtime's InvokeEndpoint. text/csv is one a page
// may post without a preflight, so only routes without side effects (model
// scoring) should take it.
bool ContentTypeOk(const HttpRequest& request, const std::vector<std::string>& also_accepted,
                   std::string* why) {
  if (request.method != "POST" && request.method != "PUT" && request.method != "PATCH") {
    return true;
  }
  const std::string* content_type = request.Header("content-type");
  if (content_type == nullptr) {
    if (request.Header("origin") == nullptr) return true;
    *why = "a request from a web page must declare Content-Type: application/json";
    return false;
  }
  std::string media = LowerMediaType(*content_type);
  if (media == "application/json" || media == "application/x-amz-json-1.0" ||
      media == "application/x-amz-json-1.1" ||
      std::find(also_accepted.begin(), also_accepted.end(), media) != also_accepted.end()) {
    return true;
  }
  std::string others;
  for (const std::string& type : also_accepted) others += ", or " + type;
  *why =
      "the body must be JSON (Content-Type: application/json, or "
      "application/x-amz-json-1.1 for the Kinesis API" +
      others + "), not '" + EscapeForLog(media.substr(0, 100)) + "'";
  return false;
}

// Each client's own error type: SageMaker's runtime models AccessForbidden,
// Kinesis answers bad credentials with AccessDeniedException, and failed
// signatures with the types AWS itself uses.
std::string_view AuthErrorType(AuthOutcome outcome, ErrorStyle style) {
  switch (outcome) {
    case AuthOutcome::kUnknownAccessKey:
      return style == ErrorStyle::kNative ? "Forbidden" : "UnrecognizedClientException";
    case AuthOutcome::kIncompleteSignature:
      return style == ErrorStyle::kNative ? "Forbidden" : "IncompleteSignatureException";
    case AuthOutcome::kInvalidSignature:
      return style == ErrorStyle::kNative ? "Forbidden" : "InvalidSignatureException";
    default:
      return style == ErrorStyle::kNative        ? "Unauthorized"
             : style == ErrorStyle::kAwsRestJson ? "AccessForbidden"
                                                 : "AccessDeniedException";
  }
}

AuthorizerOptions AuthorizerOptionsOf(const HttpService::Options& options) {
  AuthorizerOptions auth;
  auth.token = options.token;
  auth.aws = options.aws;
  auth.clock = options.clock;
  return auth;
}

// Runs `handler`, turning an exception into a 500 in `style`; returns what
// the handler returned (true when it threw: the 500 is the answer).
template <typename Handler>
bool RunGuarded(ErrorStyle style, const HttpRequest& request, HttpResponse* response,
                const Handler& handler) {
  const bool native = style == ErrorStyle::kNative;
  try {
    return handler();
  } catch (const std::exception& e) {
    PANTRY_LOG_ERROR("handler for {} {} threw: {}", EscapeForLog(request.method),
                     EscapeForLog(request.path), e.what());
    *response = HttpResponse();
    SetError(response, style, 500, native ? "Internal" : "InternalFailure",
             std::string("internal error: ") + e.what());
  } catch (...) {
    PANTRY_LOG_ERROR("handler for {} {} threw a non-standard exception",
                     EscapeForLog(request.method), EscapeForLog(request.path));
    *response = HttpResponse();
    SetError(response, style, 500, native ? "Internal" : "InternalFailure", "internal error");
  }
  return true;
}

}  // namespace

struct HttpService::RouteMetrics {
  std::string name;
  mutable std::array<std::atomic<Counter*>, kMaxStatus> requests{};
  mutable std::array<std::atomic<Histogram*>, kMaxStatus> latency{};
};

HttpService::HttpService(Options options)
    : options_(std::move(options)), authorizer_(AuthorizerOptionsOf(options_)) {
  auto special = [this](std::string name, ErrorStyle style, HttpHandler handler) {
    auto route = std::make_unique<Route>();
    route->name = name;
    route->access = RouteAccess::kPublic;
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
  return AddRoute(std::move(method), std::move(pattern), access, error_style, std::move(handler),
                  RouteOptions());
}

Status HttpService::AddRoute(std::string method, std::string pattern, RouteAccess access,
                             ErrorStyle error_style, HttpHandler handler, RouteOptions options) {
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
  for (const std::string& media : options.body_media_types) {
    route->body_media_types.push_back(LowerMediaType(media));
  }
  route->io_handler = std::move(options.io_handler);
  route->cpu_bound = options.cpu_bound;
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
  const std::vector<std::string_view>& segments = PathSegments(request->path);
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
        request->path_params.emplace_back(p.substr(1, p.size() - 2), std::string(segments[i]));
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

bool HttpService::Admit(const Route& route, const HttpRequest& request, bool with_body,
                        HttpResponse* response) const {
  if (route.access != RouteAccess::kPublic && authorizer_.enabled()) {
    AuthDecision decision = with_body ? authorizer_.Check(request) : authorizer_.CheckHead(request);
    if (!decision.allowed()) {
      SetError(response, route.error_style, decision.http_status(),
               AuthErrorType(decision.outcome, route.error_style), decision.message);
      if (decision.http_status() == 401) {
        response->AddHeader("WWW-Authenticate", "Bearer realm=\"pantry\"");
      }
      return false;
    }
  }
  if (std::string why;
      &route != unknown_target_.get() && !ContentTypeOk(request, route.body_media_types, &why)) {
    SetError(response, route.error_style, 415,
             route.error_style == ErrorStyle::kNative ? "UnsupportedMediaType"
                                                      : "SerializationException",
             why);
    return false;
  }
  return true;
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
  } else if (Admit(*route, *request, /*with_body=*/true, response)) {
    RunGuarded(route->error_style, *request, response, [&] {
      route->handler(*request, response);
      return true;
    });
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Record(route, *request, *response, seconds);
}

bool HttpService::TryHandleOnIoThread(HttpRequest* request, HttpResponse* response,
                                      bool* cpu_bound) const {
  auto start = std::chrono::steady_clock::now();
  bool path_known = false;
  const Route* route = Find(request, &path_known);
  if (cpu_bound != nullptr) *cpu_bound = route != nullptr && route->cpu_bound;
  if (route == nullptr || !route->io_handler) return false;
  if (Admit(*route, *request, /*with_body=*/true, response)) {
    if (!RunGuarded(route->error_style, *request, response,
                    [&] { return route->io_handler(*request, response); })) {
      return false;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Record(route, *request, *response, seconds);
  return true;
}

bool HttpService::CheckHead(HttpRequest* head, HttpResponse* response) const {
  bool path_known = false;
  const Route* route = Find(head, &path_known);
  if (route == nullptr || Admit(*route, *head, /*with_body=*/false, response)) return true;
  Record(route, *head, *response, 0.0);
  return false;
}

void HttpService::HandleTransportError(const HttpRequest& request, int status,
                                       std::string_view message, HttpResponse* response) const {
  ErrorStyle style = GuessStyle(request);
  bool native = style == ErrorStyle::kNative;
  std::string_view type;
  switch (status) {
    case 408:
      type = "RequestTimeout";
      break;
    case 413:
      type = native ? "PayloadTooLarge" : "ValidationException";
      break;
    case 414:
      type = "UriTooLong";
      break;
    case 415:
      type = native ? "UnsupportedMediaType" : "SerializationException";
      break;
    case 431:
      type = "RequestHeaderFieldsTooLarge";
      break;
    case 503:
      type = native ? "ServiceUnavailable" : "ServiceUnavailableException";
      break;
    default:
      type = native ? "BadRequest" : "SerializationException";
      break;
  }
  SetError(response, style, status, type, message);
  Record(unmatched_.get(), request, *response, 0.0);
}

std::vector<HttpService::RouteInfo> HttpService::Routes() const {
  std::vector<RouteInfo> routes;
  for (const auto& route : routes_) {
    routes.push_back(RouteInfo{route->method, route->name, "", route->access});
  }
  std::vector<RouteInfo> targets;
  for (const auto& [target, route] : amz_targets_) {
    targets.push_back(RouteInfo{"POST", "/", target, route->access});
  }
  std::sort(targets.begin(), targets.end(),
            [](const RouteInfo& a, const RouteInfo& b) { return a.amz_target < b.amz_target; });
  routes.insert(routes.end(), targets.begin(), targets.end());
  return routes;
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
    // Everything the client chose is escaped, so a "%0d%0a" in the path
    // cannot start a forged line.
    std::string line = fmt::format("{} \"{} {}\" {} {} {:.3f}ms", EscapeForLog(request.remote_addr),
                                   EscapeForLog(request.method), EscapeForLog(request.path),
                                   response.status, response.body.size(), seconds * 1e3);
    if (options_.access_log_writer) {
      options_.access_log_writer(line);
    } else {
      PANTRY_LOG_INFO("{}", line);
    }
  }
}

}  // namespace pantry::server
