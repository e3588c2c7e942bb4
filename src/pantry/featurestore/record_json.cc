#include "pantry/featurestore/record_json.h"

#include <charconv>

#include "pantry/common/json_text.h"

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

void AppendRecordJsonList(const Record& record, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const Record::Field& field : record.fields()) {
    if (field.value.is_null()) continue;
    out->append(first ? "{\"FeatureName\":" : ",{\"FeatureName\":");
    first = false;
    AppendJsonString(field.name, out);
    if (field.value.is_string()) {
      out->append(",\"ValueAsString\":");
      AppendJsonString(field.value.string_value(), out);
      out->push_back('}');
      continue;
    }
    // A number needs no escaping: formatted straight into the output.
    char number[32];
    const auto end =
        field.value.is_int()
            ? std::to_chars(number, number + sizeof(number), field.value.int_value())
            : std::to_chars(number, number + sizeof(number), field.value.double_value());
    out->append(",\"ValueAsString\":\"");
    out->append(number, end.ptr);
    out->append("\"}");
  }
  out->push_back(']');
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
