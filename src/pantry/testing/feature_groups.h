// Short ways to declare feature groups in tests.
#ifndef PANTRY_TESTING_FEATURE_GROUPS_H_
#define PANTRY_TESTING_FEATURE_GROUPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pantry/featurestore/feature_group.h"
#include "pantry/featurestore/record.h"

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

// The feature-store tests' small customers group: customer_id (Integral),
// event_time (Fractional), state (String).
featurestore::FeatureGroupDefinition CustomersGroup();
// A record of CustomersGroup().
featurestore::Record CustomerRecord(int64_t id, double event_time, std::string state);

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_FEATURE_GROUPS_H_
