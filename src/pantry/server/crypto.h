// The hashes request authentication needs: SHA-256, HMAC-SHA256 and a
// comparison whose time does not depend on where the inputs differ. The one
// file that includes OpenSSL is crypto.cc. All functions are thread-safe.
#ifndef PANTRY_SERVER_CRYPTO_H_
#define PANTRY_SERVER_CRYPTO_H_

#include <string>
#include <string_view>

namespace pantry::server {

// The 32-byte SHA-256 digest of `data` (raw bytes, not hex).
std::string Sha256(std::string_view data);

// The 32-byte HMAC-SHA256 of `data` under `key` (raw bytes).
std::string HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of raw bytes.
std::string HexEncode(std::string_view bytes);

// True when a and b are equal. For inputs of the same length the time taken
// does not depend on their contents; the lengths themselves are not secret
// (callers compare digests or fixed-length hex).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_CRYPTO_H_
