#include "pantry/common/json.h"

#include <cmath>

#include "pantry/common/file_util.h"
#include "pantry/common/json_text.h"

namespace pantry {
namespace {

StatusOr<const Json*> Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return InvalidArgumentError("expected a JSON object");
  auto it = object.find(key);
  if (it == object.end()) {
    return InvalidArgumentError("missing field '" + std::string(key) + "'");
  }
  return &*it;
}

Status WrongType(std::string_view key, std::string_view expected) {
  return InvalidArgumentError("field '" + std::string(key) + "': expected " +
                              std::string(expected));
}

// Scans brackets outside strings, so the cost is one pass with no
// allocation; a malformed document is left for the parser to describe.
Status CheckDepth(std::string_view text, std::string_view what, int max_depth) {
  int depth = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    char c = *p++;
    if (c == '"') {
      while (p < end && *p != '"') p += *p == '\\' ? 2 : 1;
      ++p;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgumentError(std::string(what) + ": JSON nested deeper than " +
                                    std::to_string(max_depth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, std::string_view what, int max_depth) {
  RETURN_IF_ERROR(CheckDepth(text, what, max_depth));
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    // Parse again with exceptions only to get the library's position message.
    try {
      Json ignored = Json::parse(text);
      (void)ignored;
    } catch (const Json::exception& e) {
      return InvalidArgumentError(std::string(what) + ": invalid JSON: " + e.what());
    }
    return InvalidArgumentError(std::string(what) + ": invalid JSON");
  }
  return value;
}

StatusOr<Json> ReadJsonFile(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseJson(text, path.string());
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string DumpJson(const OrderedJson& value, int indent) {
  return value.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t begin = out->size();
  out->push_back('"');
  size_t plain = 0;  // start of the run not yet appended
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Rare in records; nlohmann's validation and replacement is the
      // reference, so let it write the whole string.
      out->resize(begin);
      out->append(DumpJson(Json(std::string(text))));
      return;
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(text.data() + plain, text.size() - plain);
  out->push_back('"');
}

StatusOr<std::string> GetJsonString(const Json& object, std::string_view key) {
  ASSIGN_OR_RETURN(const Json* member, Member(object, key));
  if (!member->is_string()) return WrongType(key, "a string");
  return member->get_ref<const std::string&>();
}

StatusOr<int64_t> GetJsonInt(const Json& object, std::string_view key) {
  ASSIGN_OR_RETURN(const Json* member, Member(object, key));
  if (member->is_number_integer()) return member->get<int64_t>();
  if (member->is_number_float()) {
    double v = member->get<double>();
    // Range first: converting a double outside int64's range is undefined
    // (found by fm_model_fuzz under UBSan with 2e37). -2^63 fits, 2^63 not.
    if (v >= -0x1p63 && v < 0x1p63 && v == std::trunc(v)) return static_cast<int64_t>(v);
  }
  return WrongType(key, "an integer");
}

StatusOr<double> GetJsonNumber(const Json& object, std::string_view key) {
  ASSIGN_OR_RETURN(const Json* member, Member(object, key));
  if (!member->is_number()) return WrongType(key, "a number");
  return member->get<double>();
}

StatusOr<bool> GetJsonBool(const Json& object, std::string_view key) {
  ASSIGN_OR_RETURN(const Json* member, Member(object, key));
  if (!member->is_boolean()) return WrongType(key, "true or false");
  return member->get<bool>();
}

}  // namespace pantry
