// Training the workshop's two models from a home's feature store and
// publishing them as model versions the server hot-reloads
// (<home>/models/{cf,rank}/<version>/, models/model_store.h), with their
// metrics.json. `pantry train cf|rank`, `pantry eval` and `pantry demo` all
// train through here, with pantry's model defaults (models/cf_model.h).
#ifndef PANTRY_WORKSHOP_TRAINING_H_
#define PANTRY_WORKSHOP_TRAINING_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/rank_model.h"
#include "pantry/workshop/rank_context.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {

struct CfTrainingRequest {
  models::CfTarget target = models::kDefaultCfTarget;
  // pantry's defaults; predictor_type should be CfTargetPredictor(target)
  // (For() sets it).
  models::FmHyperparameters hyperparameters = models::DefaultCfHyperparameters();
  // Sampled negatives per purchase, for CfTarget::kImplicit (>= 1).
  int negatives = models::kDefaultCfNegatives;
  uint64_t split_seed = models::kDefaultCfSeed;
  ClickRange clicks;  // which click rows to train on
  // Both optional, called on the calling thread: with the number of rows
  // the query returned, and after every epoch.
  std::function<void(size_t rows)> on_rows_loaded;
  std::function<void(const models::FmEpochReport&)> on_epoch;
  // Not owned; may be null (the embedded stores). The home's backends
  // (FeatureStoreOptions' backend fields): TrainAndPublishCf reads the
  // training data from them and, with shared backends, pushes the new
  // version to the shared model registry (postgres_model_registry.h).
  const featurestore::FeatureStoreOptions* backends = nullptr;

  // The defaults with the predictor `target` needs.
  static CfTrainingRequest For(models::CfTarget target);
};

struct RankTrainingRequest {
  models::RankerParams params;               // the workshop's; params.seed is set from `seed`
  uint64_t seed = models::kDefaultRankSeed;  // split and subsampling
  // false: without healthy_activity_last_2m (the baseline).
  bool use_click_features = true;
  ClickRange clicks;
  // Not owned; when set, the two-stage view (models::TwoStageRankFeatureNames)
  // with its features from this context (workshop/rank_context.h). `clicks`
  // must then start after the context's evidence ends (no leakage).
  const RankContext* context = nullptr;
  std::function<void(size_t rows)> on_rows_loaded;
  // As CfTrainingRequest::backends, for TrainAndPublishRank.
  const featurestore::FeatureStoreOptions* backends = nullptr;
};

// Runs the training query on `store` (read-only is enough) and trains.
// A "cf training" progress bar is drawn on stderr (common/progress.h: only
// on a terminal, never in quiet mode). Errors: a bad time bound, an empty
// or malformed query result, invalid hyperparameters, and TrainFm's.
StatusOr<models::CfModel> TrainCf(const featurestore::FeatureStore& store,
                                  const CfTrainingRequest& request,
                                  models::CfTrainingMetrics* metrics = nullptr);
StatusOr<models::RankModel> TrainRank(const featurestore::FeatureStore& store,
                                      const RankTrainingRequest& request,
                                      models::RankTrainingMetrics* metrics = nullptr);

// metrics.json of a CF / ranking model version (docs/models.md).
Json CfMetricsJson(const models::CfTrainingMetrics& metrics);
Json RankMetricsJson(const models::RankTrainingMetrics& metrics);

// Saves the model and its metrics.json as a new version of "cf" / "rank"
// under `home` and makes it current. Returns the version directory.
StatusOr<std::filesystem::path> PublishCf(const std::filesystem::path& home, Clock& clock,
                                          const models::CfModel& model,
                                          const models::CfTrainingMetrics& metrics);
StatusOr<std::filesystem::path> PublishRank(const std::filesystem::path& home, Clock& clock,
                                            const models::RankModel& model,
                                            const models::RankTrainingMetrics& metrics);

// The home's feature store (`clock` not owned; null = real time);
// `sync_writes`: FeatureStoreOptions::sync_writes. `backends` (may be null:
// the embedded stores) gives the online/offline backend fields.
StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenHomeStore(
    const std::filesystem::path& home, Clock* clock, bool read_only, bool sync_writes = false,
    const featurestore::FeatureStoreOptions* backends = nullptr);

// Opens the home's store read-only, trains and publishes; returns the new
// version directory, `metrics` (may be null) gets what training measured.
// Works while a server has the home open (it picks the version up).
StatusOr<std::filesystem::path> TrainAndPublishCf(const std::filesystem::path& home, Clock* clock,
                                                  const CfTrainingRequest& request,
                                                  models::CfTrainingMetrics* metrics = nullptr);
StatusOr<std::filesystem::path> TrainAndPublishRank(const std::filesystem::path& home, Clock* clock,
                                                    const RankTrainingRequest& request,
                                                    models::RankTrainingMetrics* metrics = nullptr);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_TRAINING_H_
