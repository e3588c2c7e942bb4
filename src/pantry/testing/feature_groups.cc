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

featurestore::FeatureGroupDefinition CustomersGroup() {
  return GroupDefinition("customers", "customer_id",
                         {{"customer_id", featurestore::FeatureType::kIntegral},
                          {"event_time", featurestore::FeatureType::kFractional},
                          {"state", featurestore::FeatureType::kString}});
}

featurestore::Record CustomerRecord(int64_t id, double event_time, std::string state) {
  featurestore::Record r;
  r.Add("customer_id", featurestore::FeatureValue::Int(id));
  r.Add("event_time", featurestore::FeatureValue::Double(event_time));
  r.Add("state", featurestore::FeatureValue::String(std::move(state)));
  return r;
}

}  // namespace pantry::testing
