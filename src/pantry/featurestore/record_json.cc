#include "pantry/featurestore/record_json.h"

#include <algorithm>
#include <charconv>

#include "pantry/common/json_text.h"
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

// ,"ValueAsString":"<number>"} — a number needs no escaping, so it is
// formatted straight into the output, as FeatureValue::ToString does.
template <typename Number>
void AppendNumberValue(Number value, std::string* out) {
  char number[32];
  const auto end = std::to_chars(number, number + sizeof(number), value);
  out->append(",\"ValueAsString\":\"");
  out->append(number, end.ptr);
  out->append("\"}");
}

void AppendStringValue(std::string_view value, std::string* out) {
  out->append(",\"ValueAsString\":");
  AppendJsonString(value, out);
  out->push_back('}');
}

void AppendName(std::string_view name, bool first, std::string* out) {
  out->append(first ? "{\"FeatureName\":" : ",{\"FeatureName\":");
  AppendJsonString(name, out);
}

}  // namespace

void AppendRecordJsonList(const Record& record, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const Record::Field& field : record.fields()) {
    if (field.value.is_null()) continue;
    AppendName(field.name, first, out);
    first = false;
    if (field.value.is_string()) {
      AppendStringValue(field.value.string_value(), out);
    } else if (field.value.is_int()) {
      AppendNumberValue(field.value.int_value(), out);
    } else {
      AppendNumberValue(field.value.double_value(), out);
    }
  }
  out->push_back(']');
}

Status AppendOnlineRecordJsonList(std::string_view encoded,
                                  std::span<const std::string> feature_names, std::string* out) {
  // The JSON is the stored bytes plus ~40 bytes of syntax per field; one
  // allocation instead of a growth sequence.
  out->reserve(out->size() + 2 * encoded.size() + 64);
  out->push_back('[');
  bool first = true;
  RETURN_IF_ERROR(ForEachOnlineField(encoded, [&](const OnlineFieldView& field) {
    if (field.type == OnlineFieldView::Type::kNull) return;
    if (!feature_names.empty() &&
        std::find(feature_names.begin(), feature_names.end(), field.name) == feature_names.end()) {
      return;
    }
    AppendName(field.name, first, out);
    first = false;
    switch (field.type) {
      case OnlineFieldView::Type::kString:
        return AppendStringValue(field.string_value, out);
      case OnlineFieldView::Type::kInt:
        return AppendNumberValue(field.int_value, out);
      default:
        return AppendNumberValue(field.double_value, out);
    }
  }));
  out->push_back(']');
  return Status::Ok();
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
