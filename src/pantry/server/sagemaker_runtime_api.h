// SageMaker Runtime InvokeEndpoint over the models the recommender serves
// (whatever versions are current: each request scores with one model
// snapshot, so a hot reload never mixes versions within a request):
//   POST /endpoints/{EndpointName}/invocations
//     pantry-cf   (the factorization machine, SageMaker FM's JSON format)
//       Content-Type application/json
//       {"instances": [{"features": [dense floats]}, ...]}, or the sparse
//       form {"instances": [{"data": {"features": {"keys", "shape", "values"}}}]}
//       → {"predictions": [{"score": s}, ...]} (+ "predicted_label" for a
//       binary classifier)
//     pantry-rank (the XGBoost ranker, SageMaker XGBoost's formats)
//       text/csv rows (no header, columns as GET /v1/models lists them)
//       → one probability per row, newline separated (text/csv); or
//       application/json {"instances": [{"features": [...]}] | [[...]]}
//       → {"predictions": [{"score": p}, ...]}. Accept picks the answer's
//       type; by default it is the request's.
//   Further endpoint names map to one of the two (EndpointAliases), so code
//   written against the workshop's generated endpoint names runs unchanged.
// Errors as SageMaker Runtime returns them (X-Amzn-ErrorType): unknown
// endpoint → 400 ValidationError "Endpoint X of account A not found.";
// input the model rejects (malformed rows, wrong dimension, unsupported
// content type) → 424 ModelError with OriginalStatusCode/OriginalMessage, as
// SageMaker reports a container's 4xx; no models loaded yet → 503
// ServiceUnavailable.
//
// Also GET /v1/models (pantry-native): the served models, their versions,
// endpoints, content types, input dimension and feature names in column
// order, so a client can build rows.
#ifndef PANTRY_SERVER_SAGEMAKER_RUNTIME_API_H_
#define PANTRY_SERVER_SAGEMAKER_RUNTIME_API_H_

#include <map>
#include <string>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

inline constexpr std::string_view kCfEndpoint = "pantry-cf";
inline constexpr std::string_view kRankEndpoint = "pantry-rank";

struct SageMakerRuntimeOptions {
  // Extra endpoint name → "pantry-cf" or "pantry-rank".
  std::map<std::string, std::string> aliases;
  std::string account_id = "000000000000";  // in "endpoint not found" messages
};

// Parses "NAME=pantry-cf" (or pantry-rank), as `pantry serve
// --endpoint-alias` takes it, into `options->aliases`. InvalidArgument for
// another form, an unknown target, or NAME already a default endpoint.
Status AddEndpointAlias(std::string_view spec, SageMakerRuntimeOptions* options);

// `recommender` must outlive the service.
Status RegisterSageMakerRuntimeApi(HttpService* service, const recommend::Recommender* recommender,
                                   const SageMakerRuntimeOptions& options = {});

}  // namespace pantry::server

#endif  // PANTRY_SERVER_SAGEMAKER_RUNTIME_API_H_
