// Running boto3 scripts from tests: the workshop's clients are Python, so the
// AWS-compatibility tests drive pantry with the real SDK (Debian's
// python3-boto3, installed by scripts/install-deps).
#ifndef PANTRY_TESTING_BOTO3_H_
#define PANTRY_TESTING_BOTO3_H_

#include <optional>
#include <string>
#include <vector>

namespace pantry::testing {

// Runs /usr/bin/python3 with `args` in a clean environment: a temporary HOME,
// no ~/.aws files, no instance metadata, no proxy, so that botocore talks only
// to the endpoint the script names. Waits for it to end.
// Returns the exit code (128 + N if killed by signal N) and fills out/err.
int RunBoto3Python(const std::vector<std::string>& args, std::string* out, std::string* err);

// nullopt if /usr/bin/python3 can import boto3, otherwise why not (with the
// command that installs it). Tests fail on it rather than skip: CI installs
// boto3, so a missing SDK is a broken environment, not a reason to pass.
std::optional<std::string> Boto3Unavailable();

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_BOTO3_H_
