// Writing JSON text directly, for hot response paths that would otherwise
// build a Json value only to dump it (pantry/common/json.h).
#ifndef PANTRY_COMMON_JSON_TEXT_H_
#define PANTRY_COMMON_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pantry {

// Appends `text` as a JSON string literal (quotes included), byte for byte
// what DumpJson writes for it (invalid UTF-8 replaced by U+FFFD).
void AppendJsonString(std::string_view text, std::string* out);

// Appends a JSON number that parses to the same value DumpJson writes for
// it: the shortest round-trip form, with ".0" on integral values (so that
// clients keep reading a float), and null for NaN and infinities.
void AppendJsonNumber(double value, std::string* out);
void AppendJsonNumber(int64_t value, std::string* out);

}  // namespace pantry

#endif  // PANTRY_COMMON_JSON_TEXT_H_
