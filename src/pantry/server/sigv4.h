// AWS Signature Version 4 verification, so that AWS SDK clients holding the
// server's access key id and secret authenticate every request they sign.
// The signer's side is specified in "Create a signed AWS API request"
// (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html);
// this file rebuilds the canonical request from what arrived, derives the
// signing key from the secret, and compares signatures in constant time.
//
// Both forms are accepted: the Authorization header
//   AWS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/<service>/aws4_request,
//   SignedHeaders=host;x-amz-date, Signature=<64 hex>
// with X-Amz-Date, and presigned URLs (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature in the
// query; the payload is then UNSIGNED-PAYLOAD as the SDKs presign it).
// The header form always signs the body: the payload hash is computed here
// from the bytes received, never taken from X-Amz-Content-Sha256.
// Everything here is a pure function of its arguments (thread-safe).
#ifndef PANTRY_SERVER_SIGV4_H_
#define PANTRY_SERVER_SIGV4_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/server/http_message.h"

namespace pantry::server {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;

  bool configured() const { return !access_key_id.empty() && !secret_access_key.empty(); }
};

// What a signed request says about its own signature.
struct SigV4Fields {
  bool presigned = false;
  std::string access_key_id;
  std::string date;             // yyyymmdd of the credential scope
  std::string region;           // e.g. us-east-1
  std::string service;          // e.g. kinesis
  std::string amz_date;         // yyyymmddThhmmssZ, the signing time
  std::string signed_headers;   // "host;x-amz-date" as sent
  std::string signature;        // lower-case hex as sent
  int64_t expires_seconds = 0;  // presigned only
};

// True when the request carries SigV4 credentials in either form.
bool HasSigV4(const HttpRequest& request);

// Parses the SigV4 fields; InvalidArgument saying what is missing or malformed.
StatusOr<SigV4Fields> ParseSigV4(const HttpRequest& request);

// The canonical request as the signer built it from this request.
// request.target (the request-target as received, still percent-encoded)
// gives the path and query; when it is empty (a request built in code),
// request.path and request.query are encoded instead.
std::string SigV4CanonicalRequest(const HttpRequest& request, const SigV4Fields& fields,
                                  std::string_view payload_hash_hex);

std::string SigV4StringToSign(const SigV4Fields& fields, std::string_view canonical_request);

// The lower-case hex signature of `string_to_sign` under `secret`, with the
// key derived from the credential scope in `fields`.
std::string SigV4Signature(std::string_view secret, const SigV4Fields& fields,
                           std::string_view string_to_sign);

// "yyyymmddThhmmssZ" → seconds since the epoch; InvalidArgument otherwise.
StatusOr<int64_t> ParseAmzDate(std::string_view amz_date);

enum class SigV4Verdict {
  kValid,
  kMalformed,         // missing or unparsable signature fields
  kUnknownAccessKey,  // not the configured access key id
  kExpired,           // signing time outside the clock-skew window / presigned expiry
  kMismatch,          // the signature does not match
};

struct SigV4Result {
  SigV4Verdict verdict = SigV4Verdict::kValid;
  std::string message;  // why, for the client (never echoes a secret)
};

// Everything that can be checked without the body: the fields parse, the
// access key id is the configured one, the signing time is within
// `max_skew_seconds` of `now_seconds`. kValid means "not refused yet".
SigV4Result PrecheckSigV4(const HttpRequest& request, const AwsCredentials& credentials,
                          int64_t now_seconds, int64_t max_skew_seconds);

// The full verification, body included.
SigV4Result VerifySigV4(const HttpRequest& request, const AwsCredentials& credentials,
                        int64_t now_seconds, int64_t max_skew_seconds);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_SIGV4_H_
