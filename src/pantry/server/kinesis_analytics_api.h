// Kinesis Data Analytics API v1 (SQL applications), AWS JSON 1.1 with
// X-Amz-Target KinesisAnalytics_20150814.<Operation>: CreateApplication,
// DescribeApplication, StartApplication, StopApplication,
// DeleteApplication, ListApplications, over stream::kda::KdaApplications.
// docs/aws-compatibility.md lists what is accepted, ignored and different.
//
// Errors ({"__type", "message"}, 400): ResourceNotFoundException,
// ResourceInUseException (the name exists, or the application runs
// already), CodeValidationException (the SQL does not compile),
// InvalidArgumentException (bad Inputs/Outputs, CreateTimestamp mismatch, no
// input to start), InvalidApplicationConfigurationException (the input
// stream is missing at start), ValidationException, SerializationException.
#ifndef PANTRY_SERVER_KINESIS_ANALYTICS_API_H_
#define PANTRY_SERVER_KINESIS_ANALYTICS_API_H_

#include <string>

#include "pantry/server/http_service.h"
#include "pantry/stream/kda_applications.h"

namespace pantry::server {

struct KinesisAnalyticsApiOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";  // appears in ARNs
};

// Registers the operations; `apps` must outlive the service.
Status RegisterKinesisAnalyticsApi(HttpService* service, stream::kda::KdaApplications* apps,
                                   const KinesisAnalyticsApiOptions& options = {});

}  // namespace pantry::server

#endif  // PANTRY_SERVER_KINESIS_ANALYTICS_API_H_
