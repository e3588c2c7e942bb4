#include "pantry/workshop/training.h"

#include <cmath>
#include <mutex>

#include "pantry/common/file_util.h"
#include "pantry/common/progress.h"
#include "pantry/models/model_json.h"
#include "pantry/models/model_store.h"
#include "pantry/workshop/postgres_model_registry.h"

namespace pantry::workshop {
namespace {

// Rows TrainFm sees per epoch: the examples (with sampled negatives) minus
// the test split, as CfModel::Train splits them.
int64_t TrainRowsPerEpoch(size_t examples, const CfTrainingRequest& request) {
  const size_t per_example = request.target == models::CfTarget::kImplicit
                                 ? 1 + static_cast<size_t>(request.negatives)
                                 : 1;
  const size_t total = examples * per_example;
  return static_cast<int64_t>(total - static_cast<size_t>(0.2 * static_cast<double>(total)));
}

Json OptionalNumber(const std::optional<double>& value) {
  return value.has_value() ? Json(*value) : Json();
}

}  // namespace

CfTrainingRequest CfTrainingRequest::For(models::CfTarget target) {
  CfTrainingRequest request;
  request.target = target;
  request.hyperparameters.predictor_type = models::CfTargetPredictor(target);
  return request;
}

StatusOr<models::CfModel> TrainCf(const featurestore::FeatureStore& store,
                                  const CfTrainingRequest& request,
                                  models::CfTrainingMetrics* metrics) {
  const bool implicit = request.target == models::CfTarget::kImplicit;
  if (implicit && request.negatives < 1) {
    return InvalidArgumentError("negatives per purchase must be at least 1");
  }
  RETURN_IF_ERROR(request.hyperparameters.Validate());
  ASSIGN_OR_RETURN(std::vector<models::CfExample> examples,
                   LoadCfExamples(store, request.target, request.clicks));
  if (request.on_rows_loaded) request.on_rows_loaded(examples.size());
  models::CfTrainOptions options;
  options.hyperparameters = request.hyperparameters;
  options.split_seed = request.split_seed;
  Catalog catalog;
  if (implicit) {
    ASSIGN_OR_RETURN(catalog, LoadCatalog(store));
    options.negatives_per_positive = request.negatives;
    options.catalog_ids = catalog.ids;
    options.catalog_names = catalog.names;
  }
  ProgressBar progress(
      "cf training", TrainRowsPerEpoch(examples.size(), request) * request.hyperparameters.epochs);
  std::mutex progress_mutex;
  options.fm.on_rows = [&](size_t rows) {
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress.Add(static_cast<int64_t>(rows));
  };
  options.fm.on_epoch = request.on_epoch;
  return models::CfModel::Train(examples, options, metrics);
}

StatusOr<models::RankModel> TrainRank(const featurestore::FeatureStore& store,
                                      const RankTrainingRequest& request,
                                      models::RankTrainingMetrics* metrics) {
  // Interned columns, not RankExamples: at 5M rows ~120 MB instead of
  // ~0.7 GB with their strings (docs/benchmarks.md, "training memory").
  ASSIGN_OR_RETURN(models::RankExampleTable examples,
                   LoadRankExampleTable(store, request.clicks, request.context != nullptr));
  if (request.on_rows_loaded) request.on_rows_loaded(examples.size());
  models::RankTrainOptions options;
  if (request.context != nullptr) {
    AddTwoStageFeatures(*request.context, examples);
    options.two_stage = true;
    options.affinity = request.context->affinity;
  }
  options.params = request.params;
  options.params.seed = request.seed;
  options.split_seed = request.seed;
  options.use_click_features = request.use_click_features;
  return models::RankModel::TrainFromTable(examples, options, metrics);
}

Json CfMetricsJson(const models::CfTrainingMetrics& m) {
  Json epochs = Json::array();
  for (const models::FmEpochReport& e : m.epochs) {
    epochs.push_back(
        {{"epoch", e.epoch},
         {"train", e.train_metric},
         {"test", std::isnan(e.validation_metric) ? Json() : Json(e.validation_metric)},
         {"seconds", e.seconds}});
  }
  return Json{{"kind", "cf"},
              {"rows", m.rows},
              {"train_rows", m.train_rows},
              {"test_rows", m.test_rows},
              {"features", m.features},
              {"customer_features", m.customer_features},
              {"vocabulary", m.vocabulary},
              {"metric", std::string(m.metric_name())},
              {"train_metric", m.train_metric},
              {"test_metric", OptionalNumber(m.test_metric)},
              {"best_epoch", m.best_epoch},
              {"stopped_early", m.stopped_early},
              {"epochs", epochs},
              {"hyperparameters", models::ModelJson::ToJson(m.hyperparameters)}};
}

Json RankMetricsJson(const models::RankTrainingMetrics& m) {
  auto split = [](const std::optional<models::RankSplitMetrics>& s) -> Json {
    if (!s.has_value()) return Json();
    return Json{{"rows", s->rows},
                {"auc", OptionalNumber(s->auc)},
                {"logloss", OptionalNumber(s->logloss)}};
  };
  return Json{{"kind", "rank"},
              {"rows", m.rows},
              {"train_rows", m.train_rows},
              {"features", m.features},
              {"validation", split(m.validation)},
              {"test", split(m.test)},
              {"params", models::ModelJson::ToJson(m.params)}};
}

StatusOr<std::filesystem::path> PublishCf(const std::filesystem::path& home, Clock& clock,
                                          const models::CfModel& model,
                                          const models::CfTrainingMetrics& metrics) {
  return models::PublishModelVersion(home, "cf", clock, [&](const std::filesystem::path& d) {
    RETURN_IF_ERROR(model.Save(d));
    return WriteFileAtomic(d / "metrics.json", DumpJson(CfMetricsJson(metrics), 2));
  });
}

StatusOr<std::filesystem::path> PublishRank(const std::filesystem::path& home, Clock& clock,
                                            const models::RankModel& model,
                                            const models::RankTrainingMetrics& metrics) {
  return models::PublishModelVersion(home, "rank", clock, [&](const std::filesystem::path& d) {
    RETURN_IF_ERROR(model.Save(d));
    return WriteFileAtomic(d / "metrics.json", DumpJson(RankMetricsJson(metrics), 2));
  });
}

StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenHomeStore(
    const std::filesystem::path& home, Clock* clock, bool read_only, bool sync_writes,
    const featurestore::FeatureStoreOptions* backends) {
  featurestore::FeatureStoreOptions options;
  if (backends != nullptr) {
    options.online_backend = backends->online_backend;
    options.online_url = backends->online_url;
    options.online_password = backends->online_password;
    options.offline_backend = backends->offline_backend;
    options.offline_url = backends->offline_url;
    options.caches = backends->caches;
  }
  options.home = home;
  options.read_only = read_only;
  options.sync_writes = sync_writes;
  options.clock = clock;
  return featurestore::FeatureStore::Open(options);
}

StatusOr<std::filesystem::path> TrainAndPublishCf(const std::filesystem::path& home, Clock* clock,
                                                  const CfTrainingRequest& request,
                                                  models::CfTrainingMetrics* metrics) {
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, request.backends));
  models::CfTrainingMetrics measured;
  ASSIGN_OR_RETURN(models::CfModel model, TrainCf(*store, request, &measured));
  ASSIGN_OR_RETURN(std::filesystem::path dir,
                   PublishCf(home, clock ? *clock : *Clock::Real(), model, measured));
  if (request.backends != nullptr) {
    RETURN_IF_ERROR(PushModelsToSharedRegistry(home, *request.backends));
  }
  if (metrics != nullptr) *metrics = std::move(measured);
  return dir;
}

StatusOr<std::filesystem::path> TrainAndPublishRank(const std::filesystem::path& home, Clock* clock,
                                                    const RankTrainingRequest& request,
                                                    models::RankTrainingMetrics* metrics) {
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, request.backends));
  models::RankTrainingMetrics measured;
  ASSIGN_OR_RETURN(models::RankModel model, TrainRank(*store, request, &measured));
  ASSIGN_OR_RETURN(std::filesystem::path dir,
                   PublishRank(home, clock ? *clock : *Clock::Real(), model, measured));
  if (request.backends != nullptr) {
    RETURN_IF_ERROR(PushModelsToSharedRegistry(home, *request.backends));
  }
  if (metrics != nullptr) *metrics = std::move(measured);
  return dir;
}

}  // namespace pantry::workshop
