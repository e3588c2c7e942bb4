#include "pantry/testing/feature_groups.h"

namespace pantry::testing {

featurestore::FeatureGroupDefinition GroupDefinition(
    std::string name, std::string record_id, std::vector<featurestore::FeatureDefinition> features,
    std::string event_time) {
  featurestore::FeatureGroupDefinition definition;
  definition.name = std::move(name);
  definition.record_identifier_name = std::move(record_id);
  definition.event_time_name = std::move(event_time);
  definition.features = std::move(features);
  return definition;
}

std::vector<featurestore::FeatureDefinition> WithEventTime(
    std::vector<featurestore::FeatureDefinition> features, std::string event_time) {
  features.push_back({std::move(event_time), featurestore::FeatureType::kFractional});
  return features;
}

}  // namespace pantry::testing
