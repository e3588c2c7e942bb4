// Writing JSON text directly, for hot response paths that would otherwise
// build a Json value only to dump it (pantry/common/json.h).
#ifndef PANTRY_COMMON_JSON_TEXT_H_
#define PANTRY_COMMON_JSON_TEXT_H_

#include <string>
#include <string_view>

namespace pantry {

// Appends `text` as a JSON string literal (quotes included), byte for byte
// what DumpJson writes for it (invalid UTF-8 replaced by U+FFFD).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace pantry

#endif  // PANTRY_COMMON_JSON_TEXT_H_
