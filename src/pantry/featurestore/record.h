// Typed feature values and records.
//
// SageMaker's wire model is a list of {FeatureName, ValueAsString}. pantry
// keeps values typed (int64 / double / string / absent) so that the hot paths
// (online reads, ingestion, SQL) never re-parse strings, and converts to and
// from ValueAsString at the edges (HTTP, CLI) with FeatureValue::ToString and
// ParseFeatureValue, so the HTTP adapter maps 1:1.
#ifndef PANTRY_FEATURESTORE_RECORD_H_
#define PANTRY_FEATURESTORE_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::featurestore {

enum class FeatureType : uint8_t {
  kIntegral = 1,    // int64
  kFractional = 2,  // double
  kString = 3,      // byte string, at most kMaxValueBytes
};

// "Integral", "Fractional", "String" (SageMaker's FeatureType names).
std::string_view FeatureTypeName(FeatureType type);
StatusOr<FeatureType> ParseFeatureType(std::string_view name);

// SageMaker's limit on one ValueAsString: 350 KB.
inline constexpr size_t kMaxValueBytes = 350 * 1024;

// One value: absent (monostate), int64, double or string.
class FeatureValue {
 public:
  FeatureValue() = default;  // absent
  static FeatureValue Int(int64_t v) { return FeatureValue(Rep(v)); }
  static FeatureValue Double(double v) { return FeatureValue(Rep(v)); }
  static FeatureValue String(std::string v) { return FeatureValue(Rep(std::move(v))); }

  bool is_null() const { return std::holds_alternative<std::monostate>(rep_); }
  bool is_int() const { return std::holds_alternative<int64_t>(rep_); }
  bool is_double() const { return std::holds_alternative<double>(rep_); }
  bool is_string() const { return std::holds_alternative<std::string>(rep_); }
  // Preconditions: the matching is_*().
  int64_t int_value() const { return std::get<int64_t>(rep_); }
  double double_value() const { return std::get<double>(rep_); }
  const std::string& string_value() const { return std::get<std::string>(rep_); }
  // An Integral or Fractional value as double; nullopt otherwise.
  std::optional<double> AsDouble() const;

  // ValueAsString: integers in decimal, doubles in the shortest form that
  // round-trips ("0.5", "3", "1e+300"), strings as they are, null as "".
  std::string ToString() const;

  friend bool operator==(const FeatureValue& a, const FeatureValue& b) = default;

 private:
  using Rep = std::variant<std::monostate, int64_t, double, std::string>;
  explicit FeatureValue(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

// Parses a ValueAsString for a feature of `type`. Integral accepts optional
// sign and digits only ("abc", "1.5", "" are errors); Fractional accepts
// decimal / scientific notation (no NaN or infinity); String accepts any
// bytes up to kMaxValueBytes. Errors say what was expected, e.g.
// "expected an Integral (64-bit integer), got \"abc\"".
StatusOr<FeatureValue> ParseFeatureValue(FeatureType type, std::string_view text);

// A record: feature values by name, in the order given. Absent features are
// simply not listed. Small (tens of features), so lookups are linear.
class Record {
 public:
  struct Field {
    std::string name;
    FeatureValue value;
    friend bool operator==(const Field& a, const Field& b) = default;
  };

  Record() = default;
  explicit Record(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>& mutable_fields() { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

  // The value of `name`, or nullptr if the record does not list it.
  const FeatureValue* Find(std::string_view name) const;
  // Sets (replacing) the value of `name`.
  void Set(std::string_view name, FeatureValue value);
  // Appends without checking for an existing field (for builders).
  void Add(std::string name, FeatureValue value) {
    fields_.push_back({std::move(name), std::move(value)});
  }

  // Wire form: {FeatureName, ValueAsString} pairs; null values are omitted.
  std::vector<std::pair<std::string, std::string>> ToStrings() const;

  friend bool operator==(const Record& a, const Record& b) = default;

 private:
  std::vector<Field> fields_;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_RECORD_H_
