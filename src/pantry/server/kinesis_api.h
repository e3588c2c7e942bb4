// Kinesis Data Streams producer API, wire-compatible with the AWS JSON 1.1
// protocol (POST / with X-Amz-Target: Kinesis_20131202.<Operation>):
// PutRecord, PutRecords, DescribeStream, DescribeStreamSummary, ListStreams.
// Errors are {"__type": "<Exception>", "message": "..."} as botocore parses:
//   - body not JSON, a field of the wrong type, Data not base64 →
//     400 SerializationException (as AWS answers for an undecodable blob);
//   - a missing or out-of-range field → 400 ValidationException;
//   - an unknown stream → 400 ResourceNotFoundException;
//   - PutRecord on a throttled shard → 400 ProvisionedThroughputExceededException.
// PutRecords reports per-record failures (ErrorCode
// ProvisionedThroughputExceededException or InternalFailure) with
// FailedRecordCount, as AWS does. ShardId and SequenceNumber are rendered
// by stream/kinesis_ids.h.
#ifndef PANTRY_SERVER_KINESIS_API_H_
#define PANTRY_SERVER_KINESIS_API_H_

#include <string>

#include "pantry/common/metrics.h"
#include "pantry/server/event_ingest.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

struct KinesisApiOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";  // appears in ARNs
};

// Registers the operations on `service`. `ingest` must outlive the service.
Status RegisterKinesisApi(HttpService* service, EventIngest* ingest,
                          const KinesisApiOptions& options = {},
                          MetricsRegistry* metrics = &MetricsRegistry::Default());

}  // namespace pantry::server

#endif  // PANTRY_SERVER_KINESIS_API_H_
