#include "pantry/server/auth.h"

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

}  // namespace

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

bool Authorizer::Matches(std::string_view presented) const {
  // Constant time in the token's length so the comparison leaks no prefix.
  if (presented.size() != token_.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < token_.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ token_[i]);
  }
  return diff == 0;
}

bool Authorizer::Allow(const HttpRequest& request, std::string* why) const {
  if (!enabled()) return true;
  if (const std::string* authorization = request.Header("authorization")) {
    std::string_view value = TrimLeft(*authorization);
    if (StartsWithIgnoreCase(value, "Bearer ")) {
      if (Matches(TrimLeft(value.substr(7)))) return true;
      *why = "the bearer token is not valid for this server";
      return false;
    }
    if (value.starts_with(kSigV4Scheme)) {
      if (Matches(SigV4AccessKeyId(value))) return true;
      *why =
          "the AWS access key id of this SigV4 request is not this server's token "
          "(set AWS_ACCESS_KEY_ID to the pantry token)";
      return false;
    }
    *why = "unsupported Authorization scheme (use 'Bearer <token>' or AWS SigV4)";
    return false;
  }
  if (const std::string* credential = request.Query("X-Amz-Credential")) {
    if (Matches(AccessKeyIdOfCredential(*credential))) return true;
    *why = "the AWS access key id of this presigned request is not this server's token";
    return false;
  }
  *why = "this route needs a token: send 'Authorization: Bearer <token>'";
  return false;
}

}  // namespace pantry::server
