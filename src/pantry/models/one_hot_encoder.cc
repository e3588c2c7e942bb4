#include "pantry/models/one_hot_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "pantry/models/model_json.h"

namespace pantry::models {
namespace {

std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

StatusOr<OneHotEncoder> OneHotEncoder::Fit(std::vector<std::string> column_names,
                                           std::span<const std::vector<std::string>> rows) {
  if (column_names.empty()) return InvalidArgumentError("one-hot encoder: no columns");
  std::set<std::string> seen_names;
  for (const std::string& name : column_names) {
    if (!seen_names.insert(name).second) {
      return InvalidArgumentError("one-hot encoder: duplicate column '" + name + "'");
    }
  }
  OneHotEncoder encoder;
  encoder.columns_.resize(column_names.size());
  std::vector<std::set<std::string>> values(column_names.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != column_names.size()) {
      return InvalidArgumentError("one-hot encoder: row " + std::to_string(r) + " has " +
                                  std::to_string(rows[r].size()) + " values, expected " +
                                  std::to_string(column_names.size()));
    }
    for (size_t c = 0; c < column_names.size(); ++c) values[c].insert(rows[r][c]);
  }
  for (size_t c = 0; c < column_names.size(); ++c) {
    Column& column = encoder.columns_[c];
    column.name = std::move(column_names[c]);
    column.categories.assign(values[c].begin(), values[c].end());
    column.numeric = !column.categories.empty() &&
                     std::all_of(column.categories.begin(), column.categories.end(),
                                 [](const std::string& v) { return ParseNumber(v).has_value(); });
    if (column.numeric) {
      std::stable_sort(column.categories.begin(), column.categories.end(),
                       [](const std::string& a, const std::string& b) {
                         return *ParseNumber(a) < *ParseNumber(b);
                       });
    }
  }
  encoder.BuildIndex();
  return encoder;
}

void OneHotEncoder::BuildIndex() {
  uint32_t offset = 0;
  for (Column& column : columns_) {
    column.offset = offset;
    column.index.clear();
    for (uint32_t i = 0; i < column.categories.size(); ++i) {
      column.index.emplace(column.categories[i], offset + i);
    }
    offset += static_cast<uint32_t>(column.categories.size());
  }
  output_dim_ = offset;
}

std::optional<size_t> OneHotEncoder::FindColumn(std::string_view name) const {
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (columns_[c].name == name) return c;
  }
  return std::nullopt;
}

std::optional<uint32_t> OneHotEncoder::FeatureIndex(size_t column, std::string_view value) const {
  const auto& index = columns_[column].index;
  auto it = index.find(std::string(value));
  if (it == index.end()) return std::nullopt;
  return it->second;
}

std::string OneHotEncoder::FeatureName(uint32_t feature) const {
  for (const Column& column : columns_) {
    if (feature >= column.offset && feature < column.offset + column.categories.size()) {
      return column.name + "=" + column.categories[feature - column.offset];
    }
  }
  return "?";
}

Status OneHotEncoder::EncodeRow(std::span<const std::string> row,
                                std::vector<uint32_t>* features) const {
  if (row.size() != columns_.size()) {
    return InvalidArgumentError("one-hot encoder: row has " + std::to_string(row.size()) +
                                " values, expected " + std::to_string(columns_.size()));
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    auto it = columns_[c].index.find(row[c]);
    if (it != columns_[c].index.end()) features->push_back(it->second);
  }
  return Status::Ok();
}

StatusOr<CsrMatrix> OneHotEncoder::Transform(std::span<const std::vector<std::string>> rows) const {
  CsrMatrix out;
  out.cols = output_dim_;
  out.indptr.reserve(rows.size() + 1);
  std::vector<uint32_t> features;
  std::vector<float> ones;
  for (size_t r = 0; r < rows.size(); ++r) {
    features.clear();
    Status status = EncodeRow(rows[r], &features);
    if (!status.ok()) return status.WithContext("row " + std::to_string(r));
    ones.assign(features.size(), 1.0f);
    out.AppendRow(features, ones);
  }
  return out;
}

Json ModelJson::ToJson(const OneHotEncoder& encoder) {
  Json columns = Json::array();
  for (const OneHotEncoder::Column& column : encoder.columns_) {
    columns.push_back(
        {{"name", column.name}, {"numeric", column.numeric}, {"categories", column.categories}});
  }
  return Json{{"type", "one_hot"}, {"handle_unknown", "ignore"}, {"columns", columns}};
}

StatusOr<OneHotEncoder> ModelJson::OneHotEncoderFromJson(const Json& json) {
  ASSIGN_OR_RETURN(std::string type, GetJsonString(json, "type"));
  if (type != "one_hot") return InvalidArgumentError("encoder type '" + type + "' is not one_hot");
  if (!json.contains("columns") || !json["columns"].is_array()) {
    return InvalidArgumentError("one-hot encoder: 'columns' must be an array");
  }
  OneHotEncoder encoder;
  for (const Json& item : json["columns"]) {
    OneHotEncoder::Column column;
    ASSIGN_OR_RETURN(column.name, GetJsonString(item, "name"));
    ASSIGN_OR_RETURN(column.numeric, GetJsonBool(item, "numeric"));
    if (!item.contains("categories") || !item["categories"].is_array()) {
      return InvalidArgumentError("one-hot encoder column '" + column.name +
                                  "': 'categories' must be an array");
    }
    for (const Json& value : item["categories"]) {
      if (!value.is_string()) {
        return InvalidArgumentError("one-hot encoder column '" + column.name +
                                    "': categories must be strings");
      }
      column.categories.push_back(value.get<std::string>());
    }
    encoder.columns_.push_back(std::move(column));
  }
  if (encoder.columns_.empty()) return InvalidArgumentError("one-hot encoder: no columns");
  encoder.BuildIndex();
  return encoder;
}

}  // namespace pantry::models
