#include "pantry/workshop/local_recommend.h"

#include "pantry/workshop/postgres_model_registry.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {

StatusOr<recommend::RecommendResult> RecommendFromHome(
    const std::filesystem::path& home, Clock* clock, const recommend::RecommendRequest& request,
    const featurestore::FeatureStoreOptions* backends) {
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, backends));
  std::unique_ptr<models::ModelRegistry> registry;
  if (backends != nullptr) {
    ASSIGN_OR_RETURN(registry, OpenSharedModelRegistry(*backends));
  }
  recommend::RecommenderOptions options;
  options.registry = registry.get();
  options.home = home;
  options.store = store.get();
  options.clock = clock;
  ASSIGN_OR_RETURN(auto recommender, recommend::Recommender::Open(options));
  return recommender->Recommend(request);
}

}  // namespace pantry::workshop
