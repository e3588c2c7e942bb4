#include "pantry/server/auth.h"

#include <cctype>

#include "pantry/server/crypto.h"

namespace pantry::server {
namespace {

constexpr std::string_view kSigV4Scheme = "AWS4-HMAC-SHA256";

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// "<id>/<date>/<region>/<service>/aws4_request" → "<id>".
std::string_view AccessKeyIdOfCredential(std::string_view credential) {
  size_t slash = credential.find('/');
  return slash == std::string_view::npos ? std::string_view() : credential.substr(0, slash);
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

AuthDecision Deny(AuthOutcome outcome, std::string message) {
  return AuthDecision{outcome, std::move(message)};
}

AuthDecision FromSigV4(const SigV4Result& result) {
  switch (result.verdict) {
    case SigV4Verdict::kValid:
      return AuthDecision{};
    case SigV4Verdict::kMalformed:
      return Deny(AuthOutcome::kIncompleteSignature, result.message);
    case SigV4Verdict::kUnknownAccessKey:
      return Deny(AuthOutcome::kUnknownAccessKey, result.message);
    case SigV4Verdict::kExpired:
    case SigV4Verdict::kMismatch:
      return Deny(AuthOutcome::kInvalidSignature, result.message);
  }
  return Deny(AuthOutcome::kInvalidSignature, result.message);
}

}  // namespace

int AuthDecision::http_status() const {
  switch (outcome) {
    case AuthOutcome::kAllowed:
      return 200;
    case AuthOutcome::kMissingCredentials:
    case AuthOutcome::kInvalidToken:
    case AuthOutcome::kUnsupportedScheme:
      return 401;
    case AuthOutcome::kUnknownAccessKey:
    case AuthOutcome::kIncompleteSignature:
    case AuthOutcome::kInvalidSignature:
      return 403;
  }
  return 403;
}

Authorizer::Authorizer(AuthorizerOptions options) : options_(std::move(options)) {
  if (!options_.token.empty()) token_digest_ = Sha256(options_.token);
  if (options_.clock == nullptr) options_.clock = Clock::Real();
}

namespace {
AuthorizerOptions WithToken(std::string token) {
  AuthorizerOptions options;
  options.token = std::move(token);
  return options;
}
}  // namespace

Authorizer::Authorizer(std::string token) : Authorizer(WithToken(std::move(token))) {}

std::string Authorizer::SigV4AccessKeyId(std::string_view authorization) {
  authorization = TrimLeft(authorization);
  if (!authorization.starts_with(kSigV4Scheme)) return "";
  std::string_view rest = authorization.substr(kSigV4Scheme.size());
  size_t pos = rest.find("Credential=");
  if (pos == std::string_view::npos) return "";
  std::string_view credential = rest.substr(pos + std::string_view("Credential=").size());
  size_t end = credential.find_first_of(", ");
  if (end != std::string_view::npos) credential = credential.substr(0, end);
  return std::string(AccessKeyIdOfCredential(credential));
}

bool Authorizer::MatchesToken(std::string_view presented) const {
  // Digests have a fixed length, so neither the position of the first
  // difference nor the token's length shows in the time taken.
  return !token_digest_.empty() && ConstantTimeEquals(Sha256(presented), token_digest_);
}

AuthDecision Authorizer::DecideSigV4(const HttpRequest& request, bool with_body) const {
  if (options_.aws.configured()) {
    int64_t now = options_.clock->NowMicros() / 1'000'000;
    return FromSigV4(
        with_body ? VerifySigV4(request, options_.aws, now, options_.max_clock_skew_seconds)
                  : PrecheckSigV4(request, options_.aws, now, options_.max_clock_skew_seconds));
  }
  // No secret to verify with: the access key id is the token.
  std::string_view key_id;
  std::string from_header;
  if (const std::string* authorization = request.Header("authorization")) {
    from_header = SigV4AccessKeyId(*authorization);
    key_id = from_header;
  } else if (const std::string* credential = request.Query("X-Amz-Credential")) {
    key_id = AccessKeyIdOfCredential(*credential);
  }
  if (MatchesToken(key_id)) return AuthDecision{};
  return Deny(AuthOutcome::kInvalidToken,
              "the AWS access key id of this SigV4 request is not this server's token "
              "(set AWS_ACCESS_KEY_ID to the pantry token)");
}

AuthDecision Authorizer::Decide(const HttpRequest& request, bool with_body) const {
  if (!enabled()) return AuthDecision{};
  if (const std::string* authorization = request.Header("authorization")) {
    std::string_view value = TrimLeft(*authorization);
    if (StartsWithIgnoreCase(value, "Bearer ")) {
      if (MatchesToken(TrimLeft(value.substr(7)))) return AuthDecision{};
      return Deny(AuthOutcome::kInvalidToken,
                  token_digest_.empty()
                      ? "this server takes AWS SigV4 signed requests, not bearer tokens"
                      : "the bearer token is not valid for this server");
    }
    if (value.starts_with(kSigV4Scheme)) return DecideSigV4(request, with_body);
    return Deny(AuthOutcome::kUnsupportedScheme,
                "unsupported Authorization scheme (use 'Bearer <token>' or AWS SigV4)");
  }
  if (HasSigV4(request)) return DecideSigV4(request, with_body);
  return Deny(AuthOutcome::kMissingCredentials,
              token_digest_.empty()
                  ? "this route needs an AWS SigV4 signed request"
                  : "this route needs a token: send 'Authorization: Bearer <token>'");
}

AuthDecision Authorizer::Check(const HttpRequest& request) const {
  return Decide(request, /*with_body=*/true);
}

AuthDecision Authorizer::CheckHead(const HttpRequest& head) const {
  return Decide(head, /*with_body=*/false);
}

bool Authorizer::Allow(const HttpRequest& request, std::string* why) const {
  AuthDecision decision = Check(request);
  if (!decision.allowed()) *why = std::move(decision.message);
  return decision.allowed();
}

}  // namespace pantry::server
