// The one place pantry includes nlohmann::json. Everything that parses JSON
// goes through ParseJson / the typed getters below, which turn the library's
// exceptions into Status. Code that builds JSON (dump(), operator[] on an
// object) cannot throw except on invalid UTF-8, which Dump() handles.
#ifndef PANTRY_COMMON_JSON_H_
#define PANTRY_COMMON_JSON_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pantry/common/status.h"

namespace pantry {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Arrays and objects nested deeper than this are refused by ParseJson: a
// deeper document is either an attack or a mistake, and the recursive code
// that walks a Json value (DumpJson, comparisons) would exhaust the stack.
inline constexpr int kDefaultMaxJsonDepth = 128;

// Parses `text`; on failure (InvalidArgument) the message starts with `what`
// (e.g. a file name or "request body") and says where the syntax error is.
// Nesting deeper than `max_depth` is an error found before parsing starts.
StatusOr<Json> ParseJson(std::string_view text, std::string_view what,
                         int max_depth = kDefaultMaxJsonDepth);

// Reads and parses a JSON file.
StatusOr<Json> ReadJsonFile(const std::filesystem::path& path);

// Serialises; invalid UTF-8 in strings is replaced rather than throwing.
std::string DumpJson(const Json& value, int indent = -1);
std::string DumpJson(const OrderedJson& value, int indent = -1);

// Typed member access with clear errors ("field 'k': expected an integer").
// `object` must be a JSON object, else InvalidArgument.
StatusOr<std::string> GetJsonString(const Json& object, std::string_view key);
StatusOr<int64_t> GetJsonInt(const Json& object, std::string_view key);
StatusOr<double> GetJsonNumber(const Json& object, std::string_view key);
StatusOr<bool> GetJsonBool(const Json& object, std::string_view key);

}  // namespace pantry

#endif  // PANTRY_COMMON_JSON_H_
