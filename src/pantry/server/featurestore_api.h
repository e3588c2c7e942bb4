// SageMaker Feature Store Runtime API (REST-JSON, as the AWS API reference
// and botocore's model describe it), served over pantry's FeatureStore:
//   PUT    /FeatureGroup/{name}   PutRecord     {"Record": [{"FeatureName", "ValueAsString"}],
//                                               "TargetStores": [...], "TtlDuration": {...}}
//   GET    /FeatureGroup/{name}?RecordIdentifierValueAsString=ID[&FeatureName=F]...
//                                 GetRecord     200 {"Record": [...]}, or 200 {} when absent
//   DELETE /FeatureGroup/{name}?RecordIdentifierValueAsString=ID&EventTime=T
//                                  [&DeletionMode=SoftDelete|HardDelete]   DeleteRecord
//   POST   /BatchGetRecord        {"Identifiers": [{"FeatureGroupName",
//                                  "RecordIdentifiersValueAsString": [...], "FeatureNames"}]}
//                                 → {"Records", "Errors", "UnprocessedIdentifiers"}
// Records are in SageMaker's list form (featurestore/record_json.h).
// Errors carry the X-Amzn-ErrorType header botocore reads: ValidationError
// (400), ResourceNotFound (404, unknown feature group), AccessForbidden (401:
// PutRecord or DeleteRecord without the server's token, when one is set;
// reads need none; see HttpService; 403: a write to a group a stream
// processor writes, see FeatureStoreApiOptions), InternalFailure (500),
// ServiceUnavailable (503).
// Plus pantry-native read routes: GET /v1/feature-groups and
// GET /v1/feature-groups/{name} (definitions as JSON).
#ifndef PANTRY_SERVER_FEATURESTORE_API_H_
#define PANTRY_SERVER_FEATURESTORE_API_H_

#include <set>
#include <string>

#include "pantry/common/metrics.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

struct FeatureStoreApiOptions {
  // Groups a stream processor writes (its sink groups). PutRecord and
  // DeleteRecord on them answer 403 AccessForbidden: a client row would mix
  // with the processor's, and a forged stream_emission_id once silenced the
  // stream. `pantry serve --open-stream-groups` leaves this empty.
  std::set<std::string, std::less<>> processor_groups;
};

// `store` must outlive the service.
Status RegisterFeatureStoreApi(HttpService* service, featurestore::FeatureStore* store,
                               MetricsRegistry* metrics = &MetricsRegistry::Default(),
                               FeatureStoreApiOptions options = {});

}  // namespace pantry::server

#endif  // PANTRY_SERVER_FEATURESTORE_API_H_
