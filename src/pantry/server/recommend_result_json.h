// JSON form of a recommendation result, the body of GET /recommendations
// and the output of `pantry recommend` (see docs/recommend.md for the
// schema). It lives with the HTTP layer: recommend/ returns plain structs and
// does not know how they are presented.
#ifndef PANTRY_SERVER_RECOMMEND_RESULT_JSON_H_
#define PANTRY_SERVER_RECOMMEND_RESULT_JSON_H_

#include <string>

#include "pantry/common/json.h"
#include "pantry/recommend/recommender.h"

namespace pantry::server {

// Keys in a fixed order (ordered JSON) so that responses read the same way
// every time; event_time is in Unix seconds and only present when known.
OrderedJson RecommendResultToJson(const recommend::RecommendResult& result);

// Appends the same document, compact, written straight from the result:
// the response body of GET /recommendations, where building the Json tree
// and dumping it cost a tenth of the request. Equal to
// DumpJson(RecommendResultToJson(result)) as parsed JSON, keys in the same
// order.
void AppendRecommendResultJson(const recommend::RecommendResult& result, std::string* out);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_RECOMMEND_RESULT_JSON_H_
