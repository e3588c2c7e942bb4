#include "pantry/server/recommendations_api.h"

#include <charconv>
#include <string>

#include "pantry/server/recommend_result_json.h"

namespace pantry::server {
namespace {

// A decimal integer query parameter in [min, max], or `fallback` if absent.
StatusOr<int> IntParam(const HttpRequest& request, std::string_view name, int fallback, int min,
                       int max) {
  const std::string* text = request.Query(name);
  if (text == nullptr) return fallback;
  int value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc() || end != text->data() + text->size()) {
    return InvalidArgumentError("query parameter '" + std::string(name) +
                                "' must be an integer, got \"" + *text + "\"");
  }
  if (value < min || value > max) {
    return InvalidArgumentError("query parameter '" + std::string(name) + "' must be between " +
                                std::to_string(min) + " and " + std::to_string(max) + ", got " +
                                *text);
  }
  return value;
}

StatusOr<bool> BoolParam(const HttpRequest& request, std::string_view name) {
  const std::string* text = request.Query(name);
  if (text == nullptr) return false;
  if (*text == "true" || *text == "1" || text->empty()) return true;
  if (*text == "false" || *text == "0") return false;
  return InvalidArgumentError("query parameter '" + std::string(name) +
                              "' must be true or false, got \"" + *text + "\"");
}

StatusOr<recommend::RecommendRequest> ParseRequest(const HttpRequest& request) {
  recommend::RecommendRequest r;
  r.customer_id = request.PathParam("customer_id");
  ASSIGN_OR_RETURN(r.k, IntParam(request, "k", 10, 1, recommend::kMaxK));
  ASSIGN_OR_RETURN(r.candidates,
                   IntParam(request, "candidates", 200, 1, recommend::kMaxCandidates));
  ASSIGN_OR_RETURN(r.explain, BoolParam(request, "explain"));
  ASSIGN_OR_RETURN(r.include_features, BoolParam(request, "features"));
  return r;
}

}  // namespace

Status RegisterRecommendationsApi(HttpService* service, const recommend::Recommender* recommender) {
  // Scoring the catalog is CPU work (the stores' reads are from memory, or
  // two round trips to Redis): on the compute workers, one per core.
  HttpService::RouteOptions options;
  options.cpu_bound = true;
  return service->AddRoute(
      "GET", "/v1/recommendations/{customer_id}", RouteAccess::kRead, ErrorStyle::kNative,
      [recommender](const HttpRequest& request, HttpResponse* response) {
        auto parsed = ParseRequest(request);
        if (!parsed.ok()) return SetStatusError(response, parsed.status());
        auto result = recommender->Recommend(*parsed);
        if (!result.ok()) return SetStatusError(response, result.status());
        response->status = 200;
        response->content_type = "application/json";
        response->body.clear();
        AppendRecommendResultJson(*result, &response->body);
      },
      std::move(options));
}

}  // namespace pantry::server
