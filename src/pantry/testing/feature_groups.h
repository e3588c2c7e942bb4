// Short ways to declare feature groups in tests.
#ifndef PANTRY_TESTING_FEATURE_GROUPS_H_
#define PANTRY_TESTING_FEATURE_GROUPS_H_

#include <string>
#include <vector>

#include "pantry/featurestore/feature_group.h"

namespace pantry::testing {

// A group named `name` with record identifier `record_id`, event time
// `event_time` and `features` in order (they must include both; see
// WithEventTime to add a Fractional event time). Online and offline.
featurestore::FeatureGroupDefinition GroupDefinition(
    std::string name, std::string record_id, std::vector<featurestore::FeatureDefinition> features,
    std::string event_time = "event_time");

// `features` followed by a Fractional feature `event_time`.
std::vector<featurestore::FeatureDefinition> WithEventTime(
    std::vector<featurestore::FeatureDefinition> features, std::string event_time = "event_time");

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_FEATURE_GROUPS_H_
