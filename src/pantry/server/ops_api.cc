#include "pantry/server/ops_api.h"

#include "pantry/common/json.h"

namespace pantry::server {

void ReadinessChecks::Add(std::string name, Check check) {
  std::lock_guard<std::mutex> lock(mutex_);
  checks_.emplace_back(std::move(name), std::move(check));
}

ReadinessChecks::Result ReadinessChecks::Evaluate() const {
  std::vector<std::pair<std::string, Check>> checks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    checks = checks_;
  }
  Result result;
  for (auto& [name, check] : checks) {
    Status status = check();
    if (!status.ok()) result.ready = false;
    result.checks.emplace_back(name, std::move(status));
  }
  return result;
}

Status RegisterOpsApi(HttpService* service, const ReadinessChecks* readiness,
                      MetricsRegistry* metrics, bool metrics_public) {
  RETURN_IF_ERROR(service->AddRoute("GET", "/healthz", RouteAccess::kPublic, ErrorStyle::kNative,
                                    [](const HttpRequest&, HttpResponse* response) {
                                      response->SetJson(200, Json{{"status", "ok"}});
                                    }));
  RETURN_IF_ERROR(service->AddRoute("GET", "/readyz", RouteAccess::kPublic, ErrorStyle::kNative,
                                    [readiness](const HttpRequest&, HttpResponse* response) {
                                      ReadinessChecks::Result result = readiness->Evaluate();
                                      OrderedJson checks = OrderedJson::object();
                                      for (const auto& [name, status] : result.checks) {
                                        checks[name] =
                                            status.ok() ? std::string("ok") : status.ToString();
                                      }
                                      OrderedJson body = OrderedJson::object();
                                      body["ready"] = result.ready;
                                      body["checks"] = std::move(checks);
                                      response->SetJson(result.ready ? 200 : 503, body);
                                    }));
  return service->AddRoute(
      "GET", "/metrics", metrics_public ? RouteAccess::kPublic : RouteAccess::kRead,
      ErrorStyle::kNative, [metrics](const HttpRequest&, HttpResponse* response) {
        response->status = 200;
        response->content_type = "text/plain; version=0.0.4; charset=utf-8";
        response->body = metrics->RenderPrometheus();
      });
}

}  // namespace pantry::server
