// One recommendation in-process (`pantry recommend`), without a server:
// the home's feature store opened read-only (so it works while `pantry
// serve` has the home open) and its current model versions.
#ifndef PANTRY_WORKSHOP_LOCAL_RECOMMEND_H_
#define PANTRY_WORKSHOP_LOCAL_RECOMMEND_H_

#include <filesystem>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"

namespace pantry::workshop {

// Errors: those of FeatureStore::Open (no store in the home), of
// Recommender::Open and of Recommender::Recommend (unknown customer,
// no models trained yet).
// `backends` (may be null: the embedded stores) gives the feature store's
// backends; with a PostgreSQL offline store the shared model registry's
// current versions are pulled into the home first.
StatusOr<recommend::RecommendResult> RecommendFromHome(
    const std::filesystem::path& home, Clock* clock, const recommend::RecommendRequest& request,
    const featurestore::FeatureStoreOptions* backends = nullptr);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_LOCAL_RECOMMEND_H_
