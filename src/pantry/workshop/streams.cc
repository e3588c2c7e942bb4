#include "pantry/stream/workshop_streams.h"

#include <utility>

#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

StatusOr<StreamServiceOptions> WorkshopStreamOptions(const std::filesystem::path& home,
                                                     featurestore::FeatureStore* store,
                                                     Clock* clock) {
  StreamServiceOptions options;
  options.home = home;
  for (auto [json, name] : {std::pair{WorkshopStaggerSpecJson(), "workshop"},
                            std::pair{WorkshopSlidingSpecJson(), "workshop-live"}}) {
    ASSIGN_OR_RETURN(WindowSpec spec, WindowSpec::FromString(json, name));
    options.specs.push_back(std::move(spec));
  }
  options.sink_factory = FeatureStoreSinkFactory(store);
  options.clock = clock;
  return options;
}

}  // namespace pantry::stream
