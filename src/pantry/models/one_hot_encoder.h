// One-hot encoding of categorical columns with sklearn's
// OneHotEncoder(handle_unknown='ignore') semantics: categories are learnt per
// column at Fit, output columns are laid out column by column with each
// column's categories sorted, and a value not seen at Fit encodes to all
// zeros for that column instead of failing.
#ifndef PANTRY_MODELS_ONE_HOT_ENCODER_H_
#define PANTRY_MODELS_ONE_HOT_ENCODER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

class ModelJson;

// Immutable once fitted or loaded; all const methods are thread-safe.
class OneHotEncoder {
 public:
  OneHotEncoder() = default;

  // Learns the categories of each column from `rows` (each row holds one
  // value per column, in `column_names` order). A column whose every value
  // parses as a finite number is a numeric column: its categories are sorted
  // by numeric value (as sklearn sorts an integer column); other columns sort
  // by code point (UTF-8 byte order). Values are matched as exact strings.
  // Errors: no columns, a row of the wrong width, duplicate column names.
  static StatusOr<OneHotEncoder> Fit(std::vector<std::string> column_names,
                                     std::span<const std::vector<std::string>> rows);

  size_t num_columns() const { return columns_.size(); }
  // Total number of output features (sum of the categories of all columns).
  size_t output_dim() const { return output_dim_; }
  const std::string& column_name(size_t column) const { return columns_[column].name; }
  const std::vector<std::string>& categories(size_t column) const {
    return columns_[column].categories;
  }
  // Index of the column called `name`, if any.
  std::optional<size_t> FindColumn(std::string_view name) const;
  // Output feature index of `value` in `column`, or nullopt if unseen.
  std::optional<uint32_t> FeatureIndex(size_t column, std::string_view value) const;
  // Human-readable output feature name "column=value".
  std::string FeatureName(uint32_t feature) const;

  // Appends the output feature indices of one row (value 1 each, sorted
  // ascending); unknown values add nothing. Error: wrong row width.
  Status EncodeRow(std::span<const std::string> row, std::vector<uint32_t>* features) const;

  // Encodes many rows into a CSR matrix with output_dim() columns.
  StatusOr<CsrMatrix> Transform(std::span<const std::vector<std::string>> rows) const;

 private:
  friend class ModelJson;  // the JSON form stored with a model (model_json.h)

  struct Column {
    std::string name;
    bool numeric = false;
    std::vector<std::string> categories;
    uint32_t offset = 0;
    std::unordered_map<std::string, uint32_t> index;  // value -> output feature
  };
  void BuildIndex();

  std::vector<Column> columns_;
  size_t output_dim_ = 0;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_ONE_HOT_ENCODER_H_
