#include "pantry/webui/webui.h"

#include <memory>

#include "pantry/webui/assets.h"

namespace pantry::webui {
namespace {

using server::ErrorStyle;
using server::HttpRequest;
using server::HttpResponse;
using server::RouteAccess;

Status AddAsset(server::HttpService* service, const Asset& asset) {
  return service->AddRoute("GET", std::string(asset.path), RouteAccess::kPublic,
                           ErrorStyle::kNative,
                           [&asset](const HttpRequest&, HttpResponse* response) {
                             response->status = 200;
                             response->content_type = std::string(asset.content_type);
                             response->body = std::string(asset.body);
                             // Pages change with the binary; scripts are small. Revalidate so an
                             // upgraded server never runs a stale script against new endpoints.
                             response->AddHeader("Cache-Control", "no-cache");
                             response->AddHeader("X-Content-Type-Options", "nosniff");
                           });
}

}  // namespace

std::string SqlLiteral(std::string_view text, bool like) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (like && (c == '%' || c == '_' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (c != '\0') {
      out += c;
    }
  }
  out += "'";
  return out;
}

Status RegisterWebUi(server::HttpService* service, WebUiSources sources) {
  if (sources.store == nullptr || sources.recommender == nullptr) {
    return InvalidArgumentError("web UI needs a feature store and a recommender");
  }
  for (const Asset& asset : EmbeddedAssets()) RETURN_IF_ERROR(AddAsset(service, asset));
  // Public, so a page knows to ask for the token before its first call
  // (instead of provoking a 401 that the browser logs as an error).
  const bool auth = service->authorizer().enabled();
  RETURN_IF_ERROR(service->AddRoute("GET", "/ui/config.json", RouteAccess::kPublic,
                                    ErrorStyle::kNative,
                                    [auth](const HttpRequest&, HttpResponse* response) {
                                      response->SetJson(200, Json{{"auth_required", auth}});
                                    }));
  RETURN_IF_ERROR(RegisterCatalogApi(service, sources));
  return RegisterConsoleApi(service, sources);
}

}  // namespace pantry::webui
