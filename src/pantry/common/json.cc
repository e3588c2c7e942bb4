#include "pantry/common/json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "pantry/common/file_util.h"
#include "pantry/common/json_special.h"
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

namespace {

constexpr std::array<bool, 256> SpecialBytes() {
  std::array<bool, 256> special{};
  for (int c = 0; c < 256; ++c) special[c] = IsJsonSpecialByte(static_cast<unsigned char>(c));
  return special;
}
constexpr std::array<bool, 256> kSpecialByte = SpecialBytes();

// Well-formed UTF-8 (Unicode's table 3-7: no overlong forms, surrogates
// or code points past U+10FFFF): exactly what nlohmann's decoder accepts,
// and so what DumpJson copies unchanged.
bool IsWellFormedUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const auto in = [](unsigned char c, unsigned char low, unsigned char high) {
    return c >= low && c <= high;
  };
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;                               // bytes in the sequence
    unsigned char low = 0x80, high = 0xBF;  // range of the second byte
    if (in(c, 0xC2, 0xDF)) {
      n = 2;
    } else if (in(c, 0xE0, 0xEF)) {
      n = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (in(c, 0xF0, 0xF4)) {
      n = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < n || !in(p[1], low, high)) return false;
    for (size_t k = 2; k < n; ++k) {
      if (!in(p[k], 0x80, 0xBF)) return false;
    }
    p += n;
  }
  return true;
}

}  // namespace

// Names and values are mostly plain, so the common case is one scan and
// one copy.
size_t JsonPlainPrefixLength(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
#if defined(__SSE2__)
  if (n >= 16) {
    // The last block overlaps the one before it rather than a byte loop.
    for (size_t i = 0;; i += 16) {
      const size_t at = std::min(i, n - 16);
      const unsigned mask = JsonSpecialMask16(text.data() + at);
      if (mask != 0) return at + static_cast<size_t>(__builtin_ctz(mask));
      if (at == n - 16) return n;
    }
  }
#endif
  for (size_t i = 0; i < n; ++i) {
    if (kSpecialByte[p[i]]) return i;
  }
  return n;
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t begin = out->size();
  const size_t first_special = JsonPlainPrefixLength(text);
  if (first_special == text.size()) {
    out->resize(begin + text.size() + 2);
    char* dest = out->data() + begin;
    dest[0] = '"';
    std::memcpy(dest + 1, text.data(), text.size());
    dest[text.size() + 1] = '"';
    return;
  }
  out->push_back('"');
  size_t plain = 0;  // start of the run not yet appended
  bool utf8_checked = false;
  for (size_t i = first_special; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Well-formed UTF-8 is copied as it is. Anything else is rare; there
      // nlohmann's replacement is the reference, so it writes the string.
      if (!utf8_checked && !IsWellFormedUtf8(text)) {
        out->resize(begin);
        out->append(DumpJson(Json(std::string(text))));
        return;
      }
      utf8_checked = true;
      continue;
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

void AppendJsonNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  char buffer[32];
  const std::string_view text(buffer,
                              std::to_chars(buffer, buffer + sizeof(buffer), value).ptr - buffer);
  out->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

void AppendJsonNumber(int64_t value, std::string* out) {
  char buffer[24];
  out->append(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr - buffer);
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
