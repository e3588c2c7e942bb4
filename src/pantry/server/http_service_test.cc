#include "pantry/server/http_service.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pantry::server {
namespace {

HttpService::Options WithToken(MetricsRegistry* metrics) {
  HttpService::Options options;
  options.token = "tok";
  options.access_log = false;
  options.metrics = metrics;
  return options;
}

class HttpServiceTest : public ::testing::Test {
 protected:
  HttpServiceTest() : service_(WithToken(&metrics_)) {
    EXPECT_TRUE(service_
                    .AddRoute("GET", "/v1/items/{id}", RouteAccess::kRead, ErrorStyle::kNative,
                              [](const HttpRequest& request, HttpResponse* response) {
                                response->SetJson(200, Json{{"id", request.PathParam("id")}});
                              })
                    .ok());
    EXPECT_TRUE(service_
                    .AddRoute("PUT", "/v1/items/{id}", RouteAccess::kWrite, ErrorStyle::kNative,
                              [](const HttpRequest&, HttpResponse* response) {
                                response->SetJson(200, Json::object());
                              })
                    .ok());
    EXPECT_TRUE(service_
                    .AddRoute("GET", "/open", RouteAccess::kPublic, ErrorStyle::kNative,
                              [](const HttpRequest&, HttpResponse* response) {
                                response->SetJson(200, Json::object());
                              })
                    .ok());
    EXPECT_TRUE(
        service_
            .AddRoute("GET", "/boom", RouteAccess::kRead, ErrorStyle::kNative,
                      [](const HttpRequest&, HttpResponse*) { throw std::runtime_error("kaput"); })
            .ok());
    EXPECT_TRUE(service_
                    .AddAmzTarget("Svc.Op", RouteAccess::kRead,
                                  [](const HttpRequest&, HttpResponse* response) {
                                    response->SetJson(200, Json{{"op", true}});
                                  })
                    .ok());
  }

  HttpResponse Call(std::string method, std::string path, HttpFields headers = {},
                    std::string body = "") {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.headers = std::move(headers);
    request.body = std::move(body);
    HttpResponse response;
    service_.Handle(&request, &response);
    return response;
  }

  MetricsRegistry metrics_;
  HttpService service_;
};

const HttpFields kAuth = {{"authorization", "Bearer tok"}};

TEST_F(HttpServiceTest, RoutesWithPathParameters) {
  HttpResponse response = Call("GET", "/v1/items/abc", kAuth);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"id":"abc"})");
  EXPECT_EQ(Call("HEAD", "/v1/items/abc", kAuth).status, 200);
}

TEST_F(HttpServiceTest, UnknownPathIs404AndWrongMethodIs405) {
  HttpResponse missing = Call("GET", "/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"message\""), std::string::npos);
  HttpResponse wrong = Call("DELETE", "/v1/items/abc", kAuth);
  EXPECT_EQ(wrong.status, 405);
}

TEST_F(HttpServiceTest, DuplicateAndMalformedRoutesAreRefused) {
  auto noop = [](const HttpRequest&, HttpResponse*) {};
  EXPECT_EQ(service_.AddRoute("GET", "/v1/items/{x}", RouteAccess::kRead, ErrorStyle::kNative, noop)
                .code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(
      service_.AddRoute("GET", "no-slash", RouteAccess::kRead, ErrorStyle::kNative, noop).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.AddRoute("GET", "/a{b", RouteAccess::kRead, ErrorStyle::kNative, noop).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(HttpServiceTest, HandlerExceptionBecomes500Json) {
  HttpResponse response = Call("GET", "/boom", kAuth);
  EXPECT_EQ(response.status, 500);
  EXPECT_NE(response.body.find("kaput"), std::string::npos);
  EXPECT_EQ(response.content_type, "application/json");
}

TEST_F(HttpServiceTest, EveryRouteButPublicOnesNeedsTheToken) {
  EXPECT_EQ(Call("PUT", "/v1/items/a").status, 401);
  EXPECT_EQ(Call("PUT", "/v1/items/a", kAuth).status, 200);
  EXPECT_EQ(Call("GET", "/v1/items/a").status, 401) << "reads are protected too";
  EXPECT_EQ(Call("POST", "/", {{"x-amz-target", "Svc.Op"}}).status, 401);
  EXPECT_EQ(Call("GET", "/open").status, 200);
  // Unknown paths are 404 whoever asks: routing reveals nothing protected.
  EXPECT_EQ(Call("GET", "/v1/nothing").status, 404);
}

TEST_F(HttpServiceTest, CheckHeadRefusesBeforeTheBody) {
  HttpRequest head;
  head.method = "PUT";
  head.path = "/v1/items/a";
  HttpResponse response;
  EXPECT_FALSE(service_.CheckHead(&head, &response));
  EXPECT_EQ(response.status, 401);
  head.headers = {{"authorization", "Bearer tok"}, {"content-type", "text/csv"}};
  response = HttpResponse();
  EXPECT_FALSE(service_.CheckHead(&head, &response));
  EXPECT_EQ(response.status, 415);
  head.headers = {{"authorization", "Bearer tok"}, {"content-type", "application/json"}};
  EXPECT_TRUE(service_.CheckHead(&head, &response));
  head.path = "/v1/nothing";  // 404 comes from Handle(), after the body
  EXPECT_TRUE(service_.CheckHead(&head, &response));
}

// A route's IoHandler answers on the event loop when it can; when it
// declines, the route's ordinary handler answers instead (on a worker).
TEST(HttpServiceIoHandlerTest, FastPathAnswersOrDeclines) {
  MetricsRegistry metrics;
  HttpService service(WithToken(&metrics));
  HttpService::RouteOptions options;
  options.io_handler = [](const HttpRequest& request, HttpResponse* response) {
    if (request.PathParam("id") == "cold") return false;
    response->SetJson(200, Json{{"from", "io"}});
    return true;
  };
  ASSERT_TRUE(service
                  .AddRoute(
                      "GET", "/v1/items/{id}", RouteAccess::kRead, ErrorStyle::kNative,
                      [](const HttpRequest&, HttpResponse* response) {
                        response->SetJson(200, Json{{"from", "pool"}});
                      },
                      std::move(options))
                  .ok());
  ASSERT_TRUE(service
                  .AddRoute("GET", "/v1/plain", RouteAccess::kRead, ErrorStyle::kNative,
                            [](const HttpRequest&, HttpResponse* response) {
                              response->SetJson(200, Json::object());
                            })
                  .ok());
  auto request = [](std::string path, HttpFields headers) {
    HttpRequest r;
    r.method = "GET";
    r.path = std::move(path);
    r.headers = std::move(headers);
    return r;
  };
  HttpRequest hot = request("/v1/items/hot", kAuth);
  HttpResponse response;
  ASSERT_TRUE(service.TryHandleOnIoThread(&hot, &response));
  EXPECT_EQ(response.body, R"({"from":"io"})");

  HttpRequest cold = request("/v1/items/cold", kAuth);
  response = HttpResponse();
  EXPECT_FALSE(service.TryHandleOnIoThread(&cold, &response));
  service.Handle(&cold, &response);
  EXPECT_EQ(response.body, R"({"from":"pool"})");

  // Refusals need no I/O either: answered on the event loop.
  HttpRequest anonymous = request("/v1/items/cold", {});
  response = HttpResponse();
  ASSERT_TRUE(service.TryHandleOnIoThread(&anonymous, &response));
  EXPECT_EQ(response.status, 401);

  // Routes without a fast path, and unknown paths, go to the pool.
  HttpRequest plain = request("/v1/plain", kAuth);
  EXPECT_FALSE(service.TryHandleOnIoThread(&plain, &response));
  HttpRequest unknown = request("/v1/nothing", kAuth);
  EXPECT_FALSE(service.TryHandleOnIoThread(&unknown, &response));

  // Each answered request is counted once, whichever path answered it.
  EXPECT_NE(metrics.RenderPrometheus().find(
                R"(pantry_http_requests_total{route="/v1/items/{id}",status="200"} 2)"),
            std::string::npos)
      << metrics.RenderPrometheus();
}

TEST_F(HttpServiceTest, JsonBodiesNeedAJsonContentType) {
  HttpFields headers = kAuth;
  headers.emplace_back("content-type", "text/plain");
  HttpResponse response = Call("PUT", "/v1/items/a", headers, "{}");
  EXPECT_EQ(response.status, 415);
  EXPECT_NE(response.body.find("UnsupportedMediaType"), std::string::npos);
  headers.back().second = "application/x-amz-json-1.0";
  EXPECT_EQ(Call("PUT", "/v1/items/a", headers, "{}").status, 200);
  EXPECT_EQ(
      Call("GET", "/v1/items/a", {{"authorization", "Bearer tok"}, {"content-type", "text/plain"}})
          .status,
      200)
      << "a GET has no body to type";
}

TEST_F(HttpServiceTest, ARouteMayAcceptFurtherMediaTypes) {
  HttpService::RouteOptions csv;
  csv.body_media_types = {"Text/CSV"};
  ASSERT_TRUE(service_
                  .AddRoute(
                      "POST", "/v1/rows", RouteAccess::kWrite, ErrorStyle::kNative,
                      [](const HttpRequest& request, HttpResponse* response) {
                        response->SetJson(200, Json{{"bytes", request.body.size()}});
                      },
                      csv)
                  .ok());
  HttpFields headers = kAuth;
  headers.emplace_back("content-type", "text/csv; charset=utf-8");
  EXPECT_EQ(Call("POST", "/v1/rows", headers, "1,2\n").status, 200);
  headers.back().second = "application/json";
  EXPECT_EQ(Call("POST", "/v1/rows", headers, "{}").status, 200);
  headers.back().second = "text/plain";
  EXPECT_EQ(Call("POST", "/v1/rows", headers, "1,2").status, 415);
  // Other routes still take JSON only.
  headers.back().second = "text/csv";
  EXPECT_EQ(Call("PUT", "/v1/items/a", headers, "1,2").status, 415);
  HttpRequest head;
  head.method = "POST";
  head.path = "/v1/rows";
  head.headers = headers;
  HttpResponse response;
  EXPECT_TRUE(service_.CheckHead(&head, &response));
}

TEST_F(HttpServiceTest, AmzTargetDispatch) {
  EXPECT_EQ(Call("POST", "/", {{"x-amz-target", "Svc.Op"}, kAuth[0]}).status, 200);
  HttpResponse unknown = Call("POST", "/", {{"x-amz-target", "Svc.Nope"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("UnknownOperationException"), std::string::npos);
  EXPECT_EQ(unknown.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(Call("POST", "/").status, 400) << "POST / without a target";
}

TEST_F(HttpServiceTest, CountsRequestsPerRouteAndStatus) {
  Call("GET", "/v1/items/a", kAuth);
  Call("GET", "/v1/items/b", kAuth);
  Call("GET", "/v1/missing");
  std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("pantry_http_requests_total{route=\"/v1/items/{id}\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("pantry_http_requests_total{route=\"(unmatched)\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pantry_http_request_duration_seconds_count{route=\"/v1/items/{id}\","
                      "status=\"200\"} 2"),
            std::string::npos);
}

TEST_F(HttpServiceTest, ListsItsRoutes) {
  std::vector<HttpService::RouteInfo> routes = service_.Routes();
  ASSERT_EQ(routes.size(), 5u);
  EXPECT_EQ(routes[0].pattern, "/v1/items/{id}");
  EXPECT_EQ(routes[2].access, RouteAccess::kPublic);
  EXPECT_EQ(routes[4].amz_target, "Svc.Op");
}

TEST(HttpServiceAccessLogTest, EscapesWhatTheClientChose) {
  MetricsRegistry metrics;
  std::vector<std::string> lines;
  HttpService::Options options;
  options.metrics = &metrics;
  options.access_log_writer = [&lines](std::string_view line) { lines.emplace_back(line); };
  HttpService service(options);
  HttpRequest request;
  request.method = "GET";
  request.path = "/a\r\n1.2.3.4 \"GET /b\" 200";
  request.remote_addr = "127.0.0.1:5";
  HttpResponse response;
  service.Handle(&request, &response);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, lines[0].rfind(' ')),
            "127.0.0.1:5 \"GET /a\\x0d\\x0a1.2.3.4 \\x22GET /b\\x22 200\" 404 " +
                std::to_string(response.body.size()));
}

}  // namespace
}  // namespace pantry::server
