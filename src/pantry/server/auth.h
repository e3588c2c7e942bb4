// Who may call protected routes. Authentication is on when the server has a
// token (`pantry serve --token`, $PANTRY_TOKEN) or AWS credentials (an access
// key id and secret), and then a request must carry one of:
//   - "Authorization: Bearer <token>" (curl, the native API);
//   - with AWS credentials configured: an AWS Signature V4 request (header or
//     presigned URL) signed with that access key id and secret, verified for
//     real (sigv4.h): canonical request, HMAC-SHA256 key chain, and a signing
//     time within the clock-skew window (±15 min) of the injected Clock;
//   - without AWS credentials but with a token: a SigV4 request whose access
//     key id is the token. The signature is not checked (there is no secret
//     to check it with), so the access key id is a bearer token sent in the
//     clear; configure AWS credentials to have signatures verified.
// Tokens are compared through their SHA-256 digests in constant time, so the
// comparison leaks neither a matching prefix nor the token's length.
// Thread-safe (immutable after construction).
#ifndef PANTRY_SERVER_AUTH_H_
#define PANTRY_SERVER_AUTH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/clock.h"
#include "pantry/server/http_message.h"
#include "pantry/server/sigv4.h"

namespace pantry::server {

struct AuthorizerOptions {
  std::string token;                   // empty: no bearer token
  AwsCredentials aws;                  // unconfigured: SigV4 signatures are not verified
  const Clock* clock = Clock::Real();  // not owned
  int64_t max_clock_skew_seconds = 15 * 60;
};

enum class AuthOutcome {
  kAllowed,
  kMissingCredentials,   // 401: nothing presented
  kInvalidToken,         // 401: wrong bearer token (or SigV4 key id, see above)
  kUnsupportedScheme,    // 401: an Authorization scheme pantry does not take
  kUnknownAccessKey,     // 403: SigV4 with another access key id
  kIncompleteSignature,  // 403: SigV4 fields missing or malformed
  kInvalidSignature,     // 403: SigV4 signature wrong, or signed outside the window
};

struct AuthDecision {
  AuthOutcome outcome = AuthOutcome::kAllowed;
  std::string message;  // why not; never echoes the presented credential

  bool allowed() const { return outcome == AuthOutcome::kAllowed; }
  // 401 when credentials are missing or wrong, 403 when a signature fails.
  int http_status() const;
};

class Authorizer {
 public:
  explicit Authorizer(AuthorizerOptions options);
  explicit Authorizer(std::string token = "");

  bool enabled() const { return !token_digest_.empty() || options_.aws.configured(); }

  // The whole check, body included (the SigV4 payload hash).
  AuthDecision Check(const HttpRequest& request) const;

  // What can be refused from the request head alone, before its body is
  // read: no or wrong credentials, an unknown access key id, a signing time
  // outside the window. kAllowed here means "not refused yet"; Check() must
  // still run once the body is there.
  AuthDecision CheckHead(const HttpRequest& head) const;

  // Check() as a boolean, with the reason in *why when false.
  bool Allow(const HttpRequest& request, std::string* why) const;

  // The access key id of a SigV4 Authorization header value, or "" when the
  // value is not SigV4.
  static std::string SigV4AccessKeyId(std::string_view authorization);

 private:
  AuthDecision Decide(const HttpRequest& request, bool with_body) const;
  AuthDecision DecideSigV4(const HttpRequest& request, bool with_body) const;
  bool MatchesToken(std::string_view presented) const;

  AuthorizerOptions options_;
  std::string token_digest_;  // SHA-256 of the token; empty when there is none
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_AUTH_H_
