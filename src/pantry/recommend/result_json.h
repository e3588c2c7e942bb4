// JSON form of a recommendation result, shared by the HTTP route and
// `pantry recommend` (see docs/recommend.md for the schema).
#ifndef PANTRY_RECOMMEND_RESULT_JSON_H_
#define PANTRY_RECOMMEND_RESULT_JSON_H_

#include "pantry/common/json.h"
#include "pantry/recommend/recommender.h"

namespace pantry::recommend {

OrderedJson ResultToJson(const RecommendResult& result);

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_RESULT_JSON_H_
