// Strict standard base64 (RFC 4648 §4, with padding), as AWS JSON protocols
// use for blob fields such as Kinesis Data.
#ifndef PANTRY_SERVER_BASE64_H_
#define PANTRY_SERVER_BASE64_H_

#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry::server {

std::string Base64Encode(std::string_view bytes);

// Rejects characters outside the alphabet, a length that is not a multiple of
// four, misplaced padding and non-zero trailing bits, with a message that says
// at which character the input went wrong.
StatusOr<std::string> Base64Decode(std::string_view text);

// The same decoding, appended to *out (which is grown once, to the decoded
// size, before any byte is written). On error *out is back at its size on
// entry. For callers that decode many blobs into one buffer.
Status Base64DecodeAppend(std::string_view text, std::string* out);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_BASE64_H_
