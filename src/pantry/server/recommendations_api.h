// GET /v1/recommendations/{customer_id}?k=10&candidates=200[&explain=true]
// over a recommend::Recommender. 200 with the result (docs/recommend.md);
// 400 when k / candidates / explain are not integers / booleans or out of
// range; 404 for a customer not in the customers group; 503 while no models
// are trained. Errors are native JSON ({"error", "message"}).
#ifndef PANTRY_SERVER_RECOMMENDATIONS_API_H_
#define PANTRY_SERVER_RECOMMENDATIONS_API_H_

#include "pantry/recommend/recommender.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

// `recommender` is not owned and must outlive the service.
Status RegisterRecommendationsApi(HttpService* service, const recommend::Recommender* recommender);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_RECOMMENDATIONS_API_H_
