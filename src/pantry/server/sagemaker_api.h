// The feature-group part of the SageMaker control plane (the `sagemaker`
// service: AWS JSON 1.1, POST / with X-Amz-Target: SageMaker.<Op>), served
// over pantry's FeatureStore registry, so that code written for SageMaker
// (boto3's sagemaker client, the SageMaker Python SDK's FeatureGroup)
// creates and inspects pantry's groups unchanged:
//   CreateFeatureGroup    → {FeatureGroupArn}
//   DescribeFeatureGroup  → the definition, FeatureGroupStatus "Created",
//                           OfflineStoreStatus {Status: "Active"}, ...
//   ListFeatureGroups     NameContains, FeatureGroupStatusEquals,
//                         CreationTimeAfter/Before, SortBy, SortOrder,
//                         MaxResults, NextToken
//   DeleteFeatureGroup    (immediate; the data goes with it)
//   UpdateFeatureGroup    FeatureAdditions, OnlineStoreConfig.TtlDuration
// Groups are created synchronously, so the first Describe already says
// "Created". What is recorded but not acted on (RoleArn, the
// OfflineStoreConfig's S3 and Glue settings) and what is ignored (Tags, KMS
// keys, ThroughputConfig, StorageType) is listed in docs/aws-compatibility.md.
// Errors use SageMaker's types: ValidationException (400), ResourceInUse
// (400, name taken), ResourceNotFound (400, as SageMaker answers it).
#ifndef PANTRY_SERVER_SAGEMAKER_API_H_
#define PANTRY_SERVER_SAGEMAKER_API_H_

#include <string>

#include "pantry/featurestore/feature_store.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

struct SageMakerApiOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";  // appears in ARNs
};

// "arn:aws:sagemaker:<region>:<account>:feature-group/<name>".
std::string FeatureGroupArn(const SageMakerApiOptions& options, std::string_view name);

// A FeatureGroupName parameter, which SageMaker accepts as a name or a
// feature-group ARN: the name.
std::string FeatureGroupNameOf(std::string_view name_or_arn);

// Registers the operations on `service`; `store` must outlive it.
Status RegisterSageMakerApi(HttpService* service, featurestore::FeatureStore* store,
                            const SageMakerApiOptions& options = {});

}  // namespace pantry::server

#endif  // PANTRY_SERVER_SAGEMAKER_API_H_
