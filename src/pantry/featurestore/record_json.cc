#include "pantry/featurestore/record_json.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <type_traits>

#include "pantry/common/coding.h"
#include "pantry/common/json_special.h"
#include "pantry/common/json_text.h"
#include "pantry/common/shortest_double.h"
#include "pantry/featurestore/online_record.h"

namespace pantry::featurestore {

OrderedJson RecordToJsonList(const Record& record) {
  OrderedJson out = OrderedJson::array();
  for (auto& [name, value] : record.ToStrings()) {
    OrderedJson field = OrderedJson::object();
    field["FeatureName"] = std::move(name);
    field["ValueAsString"] = std::move(value);
    out.push_back(std::move(field));
  }
  return out;
}

namespace {

constexpr std::string_view kNameKey = "{\"FeatureName\":";
constexpr std::string_view kValueKey = ",\"ValueAsString\":";
// How far a field may write beyond its name and value on the plain path: a
// comma, the keys, four quotes, '}', a number (at most 24 characters for a
// double, 20 for an int64) and the 16 bytes a block copy may store past
// the end of a string.
constexpr size_t kFieldOverhead = 1 + kNameKey.size() + kValueKey.size() + 4 + 1 + 24 + 16;
// A field's online encoding holds its name and string value plus at least
// 7 bytes (name length, type, string length or 8-byte number).
constexpr size_t kEncodedFieldOverhead = 7;

// Writes one record's list into `out` through a raw pointer: the string is
// resized once to a bound, written with stores and fixed-size copies, and
// cut to what was written by Finish(). Text that needs escaping (or is not
// ASCII) goes through AppendJsonString, so the bytes are DumpJson's.
class ListWriter {
 public:
  ListWriter(std::string* out, size_t expected) : out_(out), begin_(out->size()) {
    out->resize(begin_ + expected + 1);
    p_ = out->data() + begin_;
    end_ = out->data() + out->size();
  }

  void Finish() {
    // Every field starts with a comma; the first one becomes the '['.
    char* begin = out_->data() + begin_;
    if (p_ == begin) {
      *p_++ = '[';
    } else {
      *begin = '[';
    }
    *p_++ = ']';
    out_->resize(static_cast<size_t>(p_ - out_->data()));
  }

  // `readable_end`: how far past the name and a string value the memory
  // may be read (the end of the buffer they lie in), for block loads.
  template <typename WriteValue>
  void Field(std::string_view name, size_t value_size, const char* readable_end,
             WriteValue&& write_value) {
    Reserve(kFieldOverhead + name.size() + value_size);
    *p_++ = ',';
    p_ = Copy(kNameKey, p_);
    String(name, readable_end);
    p_ = Copy(kValueKey, p_);
    write_value(*this);
    *p_++ = '}';
  }

  [[gnu::always_inline]] void String(std::string_view text, const char* readable_end) {
    if (!TryPlainString(text, readable_end)) [[unlikely]] {
      EscapedString(text);
    }
  }

  template <typename T>
  void Number(T value) {
    *p_++ = '"';
    if constexpr (std::is_same_v<T, double>) {
      p_ = WriteShortestDouble(value, p_);
    } else {
      p_ = std::to_chars(p_, p_ + 24, value).ptr;
    }
    *p_++ = '"';
  }

 private:
  static char* Copy(std::string_view literal, char* p) {
    std::memcpy(p, literal.data(), literal.size());
    return p + literal.size();
  }

  void Reserve(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
  }

  [[gnu::noinline]] void Grow(size_t n) {
    const size_t used = static_cast<size_t>(p_ - out_->data());
    out_->resize(std::max(2 * out_->size(), used + n));
    p_ = out_->data() + used;
    end_ = out_->data() + out_->size();
  }

  // Copies `text` quoted if no byte needs escaping; false (having written
  // nothing that counts) otherwise.
  [[gnu::always_inline]] bool TryPlainString(std::string_view text, const char* readable_end) {
    const char* s = text.data();
    const size_t n = text.size();
    char* p = p_ + 1;
#if defined(__SSE2__)
    if (n <= 16 && static_cast<size_t>(readable_end - s) >= 16) {
      // One block, read past the string's end within its buffer.
      if ((JsonSpecialMask16(s) & ((1u << n) - 1)) != 0) return false;
      std::memcpy(p, s, 16);
    } else
#endif
    {
      if (JsonPlainPrefixLength(text) != n) return false;
      std::memcpy(p, s, n);
    }
    p_[0] = '"';
    p[n] = '"';
    p_ = p + n + 1;
    return true;
  }

  // The rare path: AppendJsonString on the string itself, then the raw
  // buffer again with the room it had.
  [[gnu::noinline]] void EscapedString(std::string_view text) {
    const size_t room = static_cast<size_t>(end_ - p_);
    out_->resize(static_cast<size_t>(p_ - out_->data()));
    AppendJsonString(text, out_);
    const size_t used = out_->size();
    out_->resize(used + room);
    p_ = out_->data() + used;
    end_ = out_->data() + out_->size();
  }

  std::string* out_;
  const size_t begin_;
  char* p_;
  char* end_;
};

}  // namespace

void AppendRecordJsonList(const Record& record, std::string* out) {
  size_t expected = 1;
  for (const Record::Field& field : record.fields()) {
    expected += kFieldOverhead + field.name.size() +
                (field.value.is_string() ? field.value.string_value().size() : 0);
  }
  ListWriter writer(out, expected);
  for (const Record::Field& field : record.fields()) {
    const FeatureValue& value = field.value;
    if (value.is_null()) continue;
    const std::string_view name = field.name;
    // Each string is its own buffer: no reading past its end.
    if (value.is_string()) {
      const std::string_view text = value.string_value();
      writer.Field(name, text.size(), name.data() + name.size(),
                   [&](ListWriter& w) { w.String(text, text.data() + text.size()); });
    } else if (value.is_int()) {
      writer.Field(name, 0, name.data() + name.size(),
                   [&](ListWriter& w) { w.Number(value.int_value()); });
    } else {
      writer.Field(name, 0, name.data() + name.size(),
                   [&](ListWriter& w) { w.Number(value.double_value()); });
    }
  }
  writer.Finish();
}

Status AppendOnlineRecordJsonList(std::string_view encoded,
                                  std::span<const std::string> feature_names, std::string* out) {
  // Each field needs at most its encoded bytes plus (kFieldOverhead -
  // kEncodedFieldOverhead) and leaves its 16 bytes of block-copy slack
  // unused, so this bound holds for the whole list: one allocation and no
  // growth on the plain path. (A field's encoding has at least 3 bytes,
  // which bounds a corrupt count.)
  size_t fields = 0;
  if (encoded.size() >= online_record_internal::kHeaderBytes) {
    fields =
        std::min<size_t>(DecodeFixed32(encoded.data() + online_record_internal::kFieldCountOffset),
                         encoded.size() / 3);
  }
  ListWriter writer(out, encoded.size() + (kFieldOverhead - kEncodedFieldOverhead) * fields + 1);
  const char* readable_end = encoded.data() + encoded.size();
  const Status status = VisitOnlineFields(encoded, [&](const OnlineFieldView& field) {
    if (field.type == OnlineFieldView::Type::kNull) return;
    if (!feature_names.empty() &&
        std::find(feature_names.begin(), feature_names.end(), field.name) == feature_names.end()) {
      return;
    }
    switch (field.type) {
      case OnlineFieldView::Type::kString:
        return writer.Field(field.name, field.string_value.size(), readable_end,
                            [&](ListWriter& w) { w.String(field.string_value, readable_end); });
      case OnlineFieldView::Type::kInt:
        return writer.Field(field.name, 0, readable_end,
                            [&](ListWriter& w) { w.Number(field.int_value); });
      default:
        return writer.Field(field.name, 0, readable_end,
                            [&](ListWriter& w) { w.Number(field.double_value); });
    }
  });
  writer.Finish();
  return status;
}

StatusOr<RecordStrings> RecordFromJsonList(const Json& list) {
  if (!list.is_array() || list.empty()) {
    return InvalidArgumentError(
        "Record: expected a non-empty list of {FeatureName, ValueAsString}");
  }
  RecordStrings values;
  values.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& field = list[i];
    StatusOr<std::string> name = GetJsonString(field, "FeatureName");
    StatusOr<std::string> value = GetJsonString(field, "ValueAsString");
    if (!name.ok() || !value.ok()) {
      const Status& bad = !name.ok() ? name.status() : value.status();
      return InvalidArgumentError("Record[" + std::to_string(i) + "]: " + bad.message());
    }
    values.emplace_back(std::move(*name), std::move(*value));
  }
  return values;
}

StatusOr<RecordStrings> ParseRecordJson(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, what));
  if (j.is_object() && j.contains("Record")) j = j["Record"];
  if (j.is_array()) {
    StatusOr<RecordStrings> values = RecordFromJsonList(j);
    if (!values.ok()) return values.status().WithContext(what);
    return values;
  }
  if (!j.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected a JSON object or list");
  }
  RecordStrings values;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (v.is_string()) {
      values.emplace_back(it.key(), v.get<std::string>());
    } else if (v.is_number_integer()) {
      values.emplace_back(it.key(), v.dump());
    } else if (v.is_number()) {
      values.emplace_back(it.key(), FeatureValue::Double(v.get<double>()).ToString());
    } else {
      return InvalidArgumentError(std::string(what) + ": feature \"" + it.key() +
                                  "\" must be a string or a number");
    }
  }
  return values;
}

}  // namespace pantry::featurestore
