// Reading a feature of a record the recommender reads (profile, live row),
// with a fallback for a missing or unusable value.
#ifndef PANTRY_RECOMMEND_RECORD_FIELDS_H_
#define PANTRY_RECOMMEND_RECORD_FIELDS_H_

#include <cmath>
#include <string>
#include <string_view>

#include "pantry/featurestore/record.h"

namespace pantry::recommend {

// The feature as a finite number, else `fallback`.
inline double NumberOr(const featurestore::Record& record, std::string_view name, double fallback) {
  const featurestore::FeatureValue* value = record.Find(name);
  if (value == nullptr) return fallback;
  auto number = value->AsDouble();
  return number.has_value() && std::isfinite(*number) ? *number : fallback;
}

// The feature as text ("" when missing).
inline std::string StringOf(const featurestore::Record& record, std::string_view name) {
  const featurestore::FeatureValue* value = record.Find(name);
  return value == nullptr ? std::string() : value->ToString();
}

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_RECORD_FIELDS_H_
