// Kinesis Data Streams stream management (AWS JSON 1.1, X-Amz-Target
// Kinesis_20131202.<Operation>): CreateStream, DeleteStream and ListShards,
// over EventIngest::CreateStream / DeleteStream / Describe. DescribeStream,
// DescribeStreamSummary and ListStreams are in kinesis_api.h and see created
// streams through the same EventIngest. docs/aws-compatibility.md.
//
// Errors ({"__type", "message"}, 400): ResourceInUseException (the stream
// exists, or is read by an application or the built-in specs),
// ResourceNotFoundException, InvalidArgumentException (ShardCount missing
// for a provisioned stream, a bad NextToken), ValidationException (a
// missing or out-of-range member), LimitExceededException (more than 1024
// shards), SerializationException (a member of the wrong type).
#ifndef PANTRY_SERVER_KINESIS_ADMIN_API_H_
#define PANTRY_SERVER_KINESIS_ADMIN_API_H_

#include "pantry/server/event_ingest.h"
#include "pantry/server/http_service.h"
#include "pantry/server/kinesis_api.h"

namespace pantry::server {

// Registers the operations on `service`; `ingest` must outlive it.
Status RegisterKinesisAdminApi(HttpService* service, EventIngest* ingest,
                               const KinesisApiOptions& options = {});

}  // namespace pantry::server

#endif  // PANTRY_SERVER_KINESIS_ADMIN_API_H_
