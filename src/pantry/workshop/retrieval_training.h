// `pantry train cf --method blend`: the blended retrieval (models/blend.h:
// ALS + item kNN + category popularity) trained on the home's purchase
// evidence (the orders group when loaded, and click_stream_historical rows
// with bought = 1) and published as a version of models/retrieval.
//
// The recommender (recommend/) serves whichever of models/cf (the FM) and
// models/retrieval (this) was published last.
#ifndef PANTRY_WORKSHOP_RETRIEVAL_TRAINING_H_
#define PANTRY_WORKSHOP_RETRIEVAL_TRAINING_H_

#include <cstddef>
#include <filesystem>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/blend.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/workshop/retrieval_evaluation.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {

// The model kind under <home>/models/.
inline constexpr const char* kRetrievalModelKind = recommend::kBlendModelKind;

struct RetrievalTrainingRequest {
  models::RetrievalTrainOptions options;
  ClickRange clicks;  // which click rows count as evidence
  // Not owned; may be null (the embedded stores). As
  // CfTrainingRequest::backends: the evidence is read from them.
  const featurestore::FeatureStoreOptions* backends = nullptr;
};

struct RetrievalTrainingMetrics {
  size_t order_rows = 0;  // 0 when the orders group is not in the store
  size_t bought_click_rows = 0;
  size_t evidence_pairs = 0;  // distinct (customer, product)
  size_t customers = 0;
  size_t products = 0;
  double train_seconds = 0;
};

// The evidence in `store` (read-only is enough): customers and products
// groups for the id spaces and profile segments, the orders group if it
// exists, and bought click rows within `clicks`. InvalidArgument for a bad
// time bound or evidence naming an unknown id.
StatusOr<RetrievalEvidence> LoadStoreEvidence(const featurestore::FeatureStore& store,
                                              const ClickRange& clicks,
                                              RetrievalTrainingMetrics* metrics);

// Opens the home's store read-only, trains the blend and publishes it as a
// new current version of models/retrieval: <version>/blend/ (the model),
// customers.txt and products.txt (the index → id dictionaries) and
// metrics.json. Returns the version directory.
StatusOr<std::filesystem::path> TrainAndPublishRetrieval(const std::filesystem::path& home,
                                                         Clock* clock,
                                                         const RetrievalTrainingRequest& request,
                                                         RetrievalTrainingMetrics* metrics);

Json RetrievalMetricsJson(const RetrievalTrainingMetrics& metrics);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_RETRIEVAL_TRAINING_H_
