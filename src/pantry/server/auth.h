// Who may call write routes. pantry has one optional shared secret, the
// token (`pantry serve --token` or $PANTRY_TOKEN). When it is set, a write
// request must carry it in one of these forms:
//   - "Authorization: Bearer <token>" (curl, the native API, pantry simulate);
//   - an AWS Signature V4 "Authorization: AWS4-HMAC-SHA256 Credential=<id>/..."
//     header, or a presigned "X-Amz-Credential=<id>/..." query parameter, whose
//     access key id <id> equals the token. AWS SDK users therefore set
//     AWS_ACCESS_KEY_ID=<token> (any secret key) and keep their code unchanged.
// pantry does not verify SigV4 signatures (it holds no AWS secret), so the
// access key id acts as a bearer token: use TLS in front of pantry if the
// network is not trusted. Without a token every request is allowed and SigV4
// headers are ignored. Thread-safe (immutable after construction).
#ifndef PANTRY_SERVER_AUTH_H_
#define PANTRY_SERVER_AUTH_H_

#include <string>
#include <string_view>

#include "pantry/server/http_message.h"

namespace pantry::server {

class Authorizer {
 public:
  explicit Authorizer(std::string token = "") : token_(std::move(token)) {}

  bool enabled() const { return !token_.empty(); }

  // True when `request` may use a write route; else false with the reason
  // (which never echoes the presented credential) in *why.
  bool Allow(const HttpRequest& request, std::string* why) const;

  // The access key id of a SigV4 Authorization header value, or "" when the
  // value is not SigV4.
  static std::string SigV4AccessKeyId(std::string_view authorization);

 private:
  bool Matches(std::string_view presented) const;

  std::string token_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_AUTH_H_
