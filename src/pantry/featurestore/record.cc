#include "pantry/featurestore/record.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pantry::featurestore {

std::string_view FeatureTypeName(FeatureType type) {
  switch (type) {
    case FeatureType::kIntegral:
      return "Integral";
    case FeatureType::kFractional:
      return "Fractional";
    case FeatureType::kString:
      return "String";
  }
  return "Unknown";
}

StatusOr<FeatureType> ParseFeatureType(std::string_view name) {
  if (name == "Integral") return FeatureType::kIntegral;
  if (name == "Fractional") return FeatureType::kFractional;
  if (name == "String") return FeatureType::kString;
  return InvalidArgumentError("unknown feature type \"" + std::string(name) +
                              "\" (expected Integral, Fractional or String)");
}

std::optional<double> FeatureValue::AsDouble() const {
  if (is_int()) return static_cast<double>(int_value());
  if (is_double()) return double_value();
  return std::nullopt;
}

std::string FeatureValue::ToString() const {
  if (is_int()) return std::to_string(int_value());
  if (is_double()) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof(buf), double_value());
    return std::string(buf, res.ptr);
  }
  if (is_string()) return string_value();
  return std::string();
}

namespace {

std::string Quote(std::string_view text) {
  std::string out;
  out.push_back('"');
  out.append(text.substr(0, 40));
  if (text.size() > 40) out.append("...");
  out.push_back('"');
  return out;
}

}  // namespace

StatusOr<FeatureValue> ParseFeatureValue(FeatureType type, std::string_view text) {
  if (text.size() > kMaxValueBytes) {
    return InvalidArgumentError("value of " + std::to_string(text.size()) +
                                " bytes exceeds the 350 KB limit (" +
                                std::to_string(kMaxValueBytes) + " bytes)");
  }
  switch (type) {
    case FeatureType::kIntegral: {
      std::string_view t = text;
      if (!t.empty() && t.front() == '+') t.remove_prefix(1);
      int64_t v = 0;
      auto res = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) {
        if (res.ec == std::errc::result_out_of_range) {
          return InvalidArgumentError("Integral value " + Quote(text) +
                                      " is out of the 64-bit range");
        }
        return InvalidArgumentError("expected an Integral (64-bit integer), got " + Quote(text));
      }
      return FeatureValue::Int(v);
    }
    case FeatureType::kFractional: {
      std::string_view t = text;
      if (!t.empty() && t.front() == '+') t.remove_prefix(1);
      double v = 0;
      auto res = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size() ||
          !std::isfinite(v)) {
        return InvalidArgumentError("expected a Fractional (finite number), got " + Quote(text));
      }
      return FeatureValue::Double(v);
    }
    case FeatureType::kString:
      return FeatureValue::String(std::string(text));
  }
  return InternalError("unknown feature type");
}

const FeatureValue* Record::Find(std::string_view name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

void Record::Set(std::string_view name, FeatureValue value) {
  for (Field& f : fields_) {
    if (f.name == name) {
      f.value = std::move(value);
      return;
    }
  }
  fields_.push_back({std::string(name), std::move(value)});
}

std::vector<std::pair<std::string, std::string>> Record::ToStrings() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(fields_.size());
  for (const Field& f : fields_) {
    if (f.value.is_null()) continue;
    out.emplace_back(f.name, f.value.ToString());
  }
  return out;
}

}  // namespace pantry::featurestore
