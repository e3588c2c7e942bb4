#include "pantry/server/http_service.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pantry::server {
namespace {

class HttpServiceTest : public ::testing::Test {
 protected:
  HttpServiceTest() : service_(HttpService::Options{"tok", false, &metrics_}) {
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

  HttpResponse Call(std::string method, std::string path, HttpFields headers = {}) {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.headers = std::move(headers);
    HttpResponse response;
    service_.Handle(&request, &response);
    return response;
  }

  MetricsRegistry metrics_;
  HttpService service_;
};

TEST_F(HttpServiceTest, RoutesWithPathParameters) {
  HttpResponse response = Call("GET", "/v1/items/abc");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"id":"abc"})");
  EXPECT_EQ(Call("HEAD", "/v1/items/abc").status, 200);
}

TEST_F(HttpServiceTest, UnknownPathIs404AndWrongMethodIs405) {
  HttpResponse missing = Call("GET", "/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"message\""), std::string::npos);
  HttpResponse wrong = Call("DELETE", "/v1/items/abc");
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
  HttpResponse response = Call("GET", "/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_NE(response.body.find("kaput"), std::string::npos);
  EXPECT_EQ(response.content_type, "application/json");
}

TEST_F(HttpServiceTest, WriteRoutesNeedTheToken) {
  EXPECT_EQ(Call("PUT", "/v1/items/a").status, 401);
  EXPECT_EQ(Call("PUT", "/v1/items/a", {{"authorization", "Bearer tok"}}).status, 200);
  EXPECT_EQ(Call("GET", "/v1/items/a").status, 200) << "read routes stay open";
}

TEST_F(HttpServiceTest, AmzTargetDispatch) {
  EXPECT_EQ(Call("POST", "/", {{"x-amz-target", "Svc.Op"}}).status, 200);
  HttpResponse unknown = Call("POST", "/", {{"x-amz-target", "Svc.Nope"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("UnknownOperationException"), std::string::npos);
  EXPECT_EQ(unknown.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(Call("POST", "/").status, 400) << "POST / without a target";
}

TEST_F(HttpServiceTest, CountsRequestsPerRouteAndStatus) {
  Call("GET", "/v1/items/a");
  Call("GET", "/v1/items/b");
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

}  // namespace
}  // namespace pantry::server
