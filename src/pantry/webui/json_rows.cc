#include "pantry/webui/json_rows.h"

#include <charconv>
#include <cmath>
#include <string>

namespace pantry::webui {

OrderedJson ValueToJson(const featurestore::FeatureValue& value) {
  if (value.is_int()) return value.int_value();
  if (value.is_double()) return value.double_value();
  if (value.is_string()) return value.string_value();
  return nullptr;
}

OrderedJson RecordToJson(const featurestore::Record& record) {
  OrderedJson out = OrderedJson::object();
  for (const auto& field : record.fields()) out[field.name] = ValueToJson(field.value);
  return out;
}

OrderedJson RowsToObjects(const featurestore::QueryResult& result) {
  OrderedJson rows = OrderedJson::array();
  for (const auto& row : result.rows) {
    OrderedJson o = OrderedJson::object();
    for (size_t c = 0; c < result.column_names.size() && c < row.size(); ++c) {
      o[result.column_names[c]] = ValueToJson(row[c]);
    }
    rows.push_back(std::move(o));
  }
  return rows;
}

StatusOr<int> IntParam(const server::HttpRequest& request, std::string_view name, int fallback,
                       int min, int max) {
  const std::string* text = request.Query(name);
  if (text == nullptr || text->empty()) return fallback;
  int value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgumentError("query parameter '" + std::string(name) +
                                "' must be an integer between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", got \"" + *text + "\"");
  }
  return value;
}

StatusOr<double> DoubleParam(const server::HttpRequest& request, std::string_view name,
                             double fallback) {
  const std::string* text = request.Query(name);
  if (text == nullptr || text->empty()) return fallback;
  double value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || !std::isfinite(value)) {
    return InvalidArgumentError("query parameter '" + std::string(name) +
                                "' must be a number, got \"" + *text + "\"");
  }
  return value;
}

std::string StringParam(const server::HttpRequest& request, std::string_view name) {
  const std::string* text = request.Query(name);
  return text == nullptr ? std::string() : *text;
}

}  // namespace pantry::webui
