#include "pantry/workshop/local_recommend.h"

#include "pantry/workshop/training.h"

namespace pantry::workshop {

StatusOr<recommend::RecommendResult> RecommendFromHome(const std::filesystem::path& home,
                                                       Clock* clock,
                                                       const recommend::RecommendRequest& request) {
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true));
  recommend::RecommenderOptions options;
  options.home = home;
  options.store = store.get();
  options.clock = clock;
  ASSIGN_OR_RETURN(auto recommender, recommend::Recommender::Open(options));
  return recommender->Recommend(request);
}

}  // namespace pantry::workshop
