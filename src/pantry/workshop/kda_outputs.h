// Where the outputs of Kinesis Data Analytics applications created over the
// API (server/kinesis_analytics_api.h) are delivered, since pantry cannot
// run the Lambda function or the stream an output names
// (docs/aws-compatibility.md, "Outputs"):
//
//  1. `pantry serve --lambda-output NAME=GROUP` (repeatable): an output
//     whose resource ARN is NAME, or whose function (or stream) name is NAME,
//     goes to feature group GROUP;
//  2. otherwise a LambdaOutput whose function name contains "clickstream",
//     "click-stream" or "click_stream" (any case) is the workshop's Lambda,
//     which wrote each row plus event_time to the click_stream group: it
//     goes to click_stream;
//  3. anything else is written as JSON lines under <home>/kda/<application>/.
#ifndef PANTRY_WORKSHOP_KDA_OUTPUTS_H_
#define PANTRY_WORKSHOP_KDA_OUTPUTS_H_

#include <map>
#include <string>

#include "pantry/common/status.h"

namespace pantry::workshop {

// "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]" -> NAME;
// ".../stream/NAME" -> NAME; anything else as it is.
std::string OutputResourceName(const std::string& arn);

// The feature group for an output of `kind` ("LambdaOutput", ...) naming
// `arn`, by the rules above; "" for JSON lines. `mapping`: NAME -> GROUP.
std::string KdaOutputGroup(const std::map<std::string, std::string>& mapping,
                           const std::string& kind, const std::string& arn);

// Parses one "NAME=GROUP" flag value into `mapping`.
Status AddKdaOutputMapping(const std::string& arg, std::map<std::string, std::string>* mapping);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_KDA_OUTPUTS_H_
