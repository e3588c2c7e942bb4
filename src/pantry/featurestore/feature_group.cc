#include "pantry/featurestore/feature_group.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/query_result.h"

namespace pantry::featurestore {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The FeatureDefinitions array of a group definition or of a definitions file.
StatusOr<std::vector<FeatureDefinition>> DefinitionsFromJson(const Json& defs,
                                                             const std::string& ctx) {
  if (!defs.is_array()) return InvalidArgumentError(ctx + ": FeatureDefinitions must be an array");
  std::vector<FeatureDefinition> out;
  for (const Json& e : defs) {
    if (!e.is_object()) return InvalidArgumentError(ctx + ": feature definition not an object");
    FeatureDefinition f;
    ASSIGN_OR_RETURN(f.name, GetJsonString(e, "FeatureName"));
    ASSIGN_OR_RETURN(std::string type, GetJsonString(e, "FeatureType"));
    auto t = ParseFeatureType(type);
    if (!t.ok()) return t.status().WithContext(ctx + ": feature " + f.name);
    f.type = *t;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Status ValidateName(std::string_view name, std::string_view what) {
  // [a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}: starts and ends alphanumeric, at
  // most 64 alphanumerics, '-'/'_' only between them.
  bool ok = !name.empty() && IsAlnum(name.front()) && IsAlnum(name.back());
  int alnum = 0;
  for (char c : name) {
    if (IsAlnum(c)) {
      ++alnum;
    } else if (c != '-' && c != '_') {
      ok = false;
    }
  }
  if (alnum > 64) ok = false;
  if (!ok) {
    return InvalidArgumentError("invalid " + std::string(what) + " \"" + std::string(name) +
                                "\": must match [a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}");
  }
  const std::string lower = Lower(name);
  if (lower == kWriteTimeColumn || lower == kApiInvocationTimeColumn || lower == kIsDeletedColumn) {
    return InvalidArgumentError("invalid " + std::string(what) + " \"" + std::string(name) +
                                "\": reserved (write_time, api_invocation_time and is_deleted "
                                "are added by the offline store)");
  }
  return Status::Ok();
}

int FeatureGroupDefinition::FeatureIndex(std::string_view feature) const {
  for (size_t i = 0; i < features.size(); ++i) {
    if (features[i].name == feature) return static_cast<int>(i);
  }
  return -1;
}

const FeatureDefinition* FeatureGroupDefinition::FindFeature(std::string_view feature) const {
  int i = FeatureIndex(feature);
  return i < 0 ? nullptr : &features[i];
}

Status FeatureGroupDefinition::Validate() const {
  RETURN_IF_ERROR(ValidateName(name, "feature group name"));
  const std::string ctx = "feature group " + name;
  if (features.empty()) return InvalidArgumentError(ctx + ": no feature definitions");
  if (features.size() > 2500) {
    return InvalidArgumentError(ctx + ": more than 2500 features");
  }
  std::set<std::string> seen;
  for (const FeatureDefinition& f : features) {
    RETURN_IF_ERROR(ValidateName(f.name, "feature name").WithContext(ctx));
    if (!seen.insert(Lower(f.name)).second) {
      return InvalidArgumentError(ctx + ": duplicate feature name \"" + f.name + "\"");
    }
  }
  const FeatureDefinition* id = FindFeature(record_identifier_name);
  if (record_identifier_name.empty() || id == nullptr) {
    return InvalidArgumentError(ctx + ": record identifier feature \"" + record_identifier_name +
                                "\" is not among the feature definitions");
  }
  if (id->type == FeatureType::kFractional) {
    return InvalidArgumentError(ctx + ": record identifier \"" + id->name +
                                "\" must be Integral or String, not Fractional");
  }
  const FeatureDefinition* et = FindFeature(event_time_name);
  if (event_time_name.empty() || et == nullptr) {
    return InvalidArgumentError(ctx + ": event time feature \"" + event_time_name +
                                "\" is not among the feature definitions");
  }
  if (et->type == FeatureType::kIntegral) {
    return InvalidArgumentError(ctx + ": event time feature \"" + et->name +
                                "\" must be Fractional (Unix seconds) or String (ISO-8601)");
  }
  if (et->name == id->name) {
    return InvalidArgumentError(ctx + ": record identifier and event time must differ");
  }
  if (!online_enabled && !offline_enabled) {
    return InvalidArgumentError(ctx +
                                ": at least one of the online and offline stores must be "
                                "enabled");
  }
  if (ttl_micros && *ttl_micros <= 0) return InvalidArgumentError(ctx + ": TTL must be > 0");
  if (description.size() > 128 * 1024) return InvalidArgumentError(ctx + ": description too long");
  return Status::Ok();
}

std::string FeatureGroupDefinition::ToJson(int indent) const {
  OrderedJson j;
  j["FeatureGroupName"] = name;
  j["RecordIdentifierFeatureName"] = record_identifier_name;
  j["EventTimeFeatureName"] = event_time_name;
  OrderedJson defs = OrderedJson::array();
  for (const FeatureDefinition& f : features) {
    OrderedJson d;
    d["FeatureName"] = f.name;
    d["FeatureType"] = std::string(FeatureTypeName(f.type));
    defs.push_back(std::move(d));
  }
  j["FeatureDefinitions"] = std::move(defs);
  OrderedJson online;
  online["EnableOnlineStore"] = online_enabled;
  if (ttl_micros) {
    // SageMaker's TtlDuration; pantry keeps seconds exactly.
    online["TtlDuration"] = {{"Unit", "Seconds"}, {"Value", *ttl_micros / 1000000}};
    online["TtlMicros"] = *ttl_micros;
  }
  j["OnlineStoreConfig"] = std::move(online);
  OrderedJson offline = OrderedJson::object();
  if (!offline_store_config.empty()) {
    // Validated as an object when it was recorded (FromJson, the API).
    StatusOr<Json> recorded = ParseJson(offline_store_config, "OfflineStoreConfig");
    if (recorded.ok() && recorded->is_object()) offline = OrderedJson(*recorded);
  }
  offline["EnableOfflineStore"] = offline_enabled;
  j["OfflineStoreConfig"] = std::move(offline);
  if (!role_arn.empty()) j["RoleArn"] = role_arn;
  j["Description"] = description;
  j["CreationTime"] = static_cast<double>(creation_time_micros) / 1e6;
  j["CreationTimeMicros"] = creation_time_micros;
  return DumpJson(j, indent);
}

StatusOr<FeatureGroupDefinition> FeatureGroupDefinition::FromJson(std::string_view json,
                                                                  std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(json, what));
  const std::string ctx(what);
  if (!j.is_object()) return InvalidArgumentError(ctx + ": expected a JSON object");
  FeatureGroupDefinition d;
  ASSIGN_OR_RETURN(d.name, GetJsonString(j, "FeatureGroupName"));
  ASSIGN_OR_RETURN(d.record_identifier_name, GetJsonString(j, "RecordIdentifierFeatureName"));
  ASSIGN_OR_RETURN(d.event_time_name, GetJsonString(j, "EventTimeFeatureName"));
  auto defs = j.find("FeatureDefinitions");
  ASSIGN_OR_RETURN(d.features, DefinitionsFromJson(defs == j.end() ? Json() : *defs, ctx));
  if (auto o = j.find("OnlineStoreConfig"); o != j.end() && o->is_object()) {
    if (o->contains("EnableOnlineStore")) {
      ASSIGN_OR_RETURN(d.online_enabled, GetJsonBool(*o, "EnableOnlineStore"));
    }
    if (o->contains("TtlMicros")) {
      ASSIGN_OR_RETURN(int64_t ttl, GetJsonInt(*o, "TtlMicros"));
      d.ttl_micros = ttl;
    } else if (auto t = o->find("TtlDuration"); t != o->end() && t->is_object()) {
      ASSIGN_OR_RETURN(int64_t v, GetJsonInt(*t, "Value"));
      std::string unit = "Seconds";
      if (t->contains("Unit")) {
        ASSIGN_OR_RETURN(unit, GetJsonString(*t, "Unit"));
      }
      StatusOr<int64_t> ttl = TtlDurationMicros(unit, v);
      if (!ttl.ok()) return ttl.status().WithContext(ctx);
      d.ttl_micros = *ttl;
    }
  }
  if (auto o = j.find("OfflineStoreConfig"); o != j.end() && o->is_object()) {
    if (o->contains("EnableOfflineStore")) {
      ASSIGN_OR_RETURN(d.offline_enabled, GetJsonBool(*o, "EnableOfflineStore"));
    }
    Json recorded = *o;
    recorded.erase("EnableOfflineStore");
    if (!recorded.empty()) d.offline_store_config = DumpJson(recorded, -1);
  }
  if (j.contains("RoleArn")) {
    ASSIGN_OR_RETURN(d.role_arn, GetJsonString(j, "RoleArn"));
  }
  if (j.contains("Description")) {
    ASSIGN_OR_RETURN(d.description, GetJsonString(j, "Description"));
  }
  if (j.contains("CreationTimeMicros")) {
    ASSIGN_OR_RETURN(d.creation_time_micros, GetJsonInt(j, "CreationTimeMicros"));
  }
  return d;
}

StatusOr<std::vector<FeatureDefinition>> ParseFeatureDefinitions(std::string_view json,
                                                                 std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(json, what));
  const std::string ctx(what);
  if (j.is_object()) {
    auto defs = j.find("FeatureDefinitions");
    if (defs == j.end()) return InvalidArgumentError(ctx + ": no FeatureDefinitions array");
    return DefinitionsFromJson(*defs, ctx);
  }
  return DefinitionsFromJson(j, ctx);
}

StatusOr<FeatureDefinition> ParseFeatureSpec(std::string_view spec) {
  const std::string quoted = "feature \"" + std::string(spec) + "\"";
  const size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError(quoted + ": expected NAME:Integral|Fractional|String");
  }
  auto type = ParseFeatureType(spec.substr(colon + 1));
  if (!type.ok()) return type.status().WithContext(quoted);
  return FeatureDefinition{std::string(spec.substr(0, colon)), *type};
}

StatusOr<int64_t> TtlDurationMicros(std::string_view unit, int64_t value) {
  int64_t seconds_per_unit = 0;
  if (unit == "Seconds") seconds_per_unit = 1;
  if (unit == "Minutes") seconds_per_unit = 60;
  if (unit == "Hours") seconds_per_unit = 3600;
  if (unit == "Days") seconds_per_unit = 86400;
  if (unit == "Weeks") seconds_per_unit = 7 * 86400;
  if (seconds_per_unit == 0) {
    return InvalidArgumentError("TtlDuration.Unit '" + std::string(unit) +
                                "' is not one of Seconds, Minutes, Hours, Days, Weeks");
  }
  if (value < 1 || value > 1'000'000'000 / seconds_per_unit * 1000) {
    return InvalidArgumentError("TtlDuration.Value must be a positive integer");
  }
  return value * seconds_per_unit * 1'000'000;
}

std::vector<FeatureDefinition> InferFeatureDefinitions(
    std::span<const std::string> header, std::span<const std::vector<std::string>> rows) {
  std::vector<FeatureDefinition> out;
  for (size_t c = 0; c < header.size(); ++c) {
    bool all_int = true, all_num = true, any = false;
    for (const auto& row : rows) {
      if (c >= row.size() || row[c].empty()) continue;
      any = true;
      if (all_int && !ParseFeatureValue(FeatureType::kIntegral, row[c]).ok()) all_int = false;
      if (all_num && !ParseFeatureValue(FeatureType::kFractional, row[c]).ok()) all_num = false;
    }
    FeatureType t = !any      ? FeatureType::kString
                    : all_int ? FeatureType::kIntegral
                    : all_num ? FeatureType::kFractional
                              : FeatureType::kString;
    out.push_back({header[c], t});
  }
  return out;
}

StatusOr<int64_t> EventTimeMicros(const FeatureValue& value) {
  if (value.is_double()) return SecondsToEventTimeMicros(value.double_value());
  if (value.is_int()) {
    // Compared in seconds: the product must not overflow.
    const int64_t s = value.int_value();
    if (s < kMinEventTimeMicros / 1000000 || s > kMaxEventTimeMicros / 1000000) {
      return SecondsToEventTimeMicros(static_cast<double>(s));  // the range error
    }
    return s * 1000000;
  }
  if (value.is_string()) {
    auto t = ParseEventTimeMicros(value.string_value());
    if (!t.ok()) {
      return InvalidArgumentError("malformed event time \"" + value.string_value().substr(0, 40) +
                                  "\": " + t.status().message());
    }
    return *t;
  }
  return InvalidArgumentError("missing event time");
}

int QueryResult::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == column) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace pantry::featurestore

namespace pantry::featurestore {

Status ValidateRecord(const FeatureGroupDefinition& group, const Record& record) {
  const auto& fields = record.fields();
  bool have_id = false, have_time = false;
  // Records built from a CSV or by ingestion list features in definition
  // order; while that holds, the i-th field is features[i] and cannot repeat
  // an earlier one, so the lookup and the duplicate scan are skipped.
  bool in_order = true;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Record::Field& f = fields[i];
    const FeatureDefinition* def = nullptr;
    if (in_order && i < group.features.size() && group.features[i].name == f.name) {
      def = &group.features[i];
    } else {
      in_order = false;
      def = group.FindFeature(f.name);
      if (def == nullptr) {
        return InvalidArgumentError("unknown feature \"" + f.name + "\" for feature group " +
                                    group.name);
      }
      for (size_t j = 0; j < i; ++j) {
        if (fields[j].name == f.name) {
          return InvalidArgumentError("feature \"" + f.name + "\" given twice");
        }
      }
    }
    const FeatureValue& v = f.value;
    bool type_ok = v.is_null() || (def->type == FeatureType::kIntegral && v.is_int()) ||
                   (def->type == FeatureType::kFractional && v.is_double()) ||
                   (def->type == FeatureType::kString && v.is_string());
    if (!type_ok) {
      return InvalidArgumentError("feature \"" + f.name + "\" expects a " +
                                  std::string(FeatureTypeName(def->type)) + " value, got \"" +
                                  v.ToString().substr(0, 40) + "\"");
    }
    if (v.is_string() && v.string_value().size() > kMaxValueBytes) {
      return InvalidArgumentError("feature \"" + f.name + "\": value of " +
                                  std::to_string(v.string_value().size()) +
                                  " bytes exceeds the 350 KB limit");
    }
    if (f.name == group.record_identifier_name && !v.is_null()) {
      if (v.is_string() && v.string_value().empty()) {
        return InvalidArgumentError("record identifier \"" + f.name + "\" is empty");
      }
      have_id = true;
    }
    if (f.name == group.event_time_name && !v.is_null()) {
      auto t = EventTimeMicros(v);
      if (!t.ok()) {
        return InvalidArgumentError("event time \"" + f.name + "\": " + t.status().message());
      }
      have_time = true;
    }
  }
  if (!have_id) {
    return InvalidArgumentError("missing record identifier \"" + group.record_identifier_name +
                                "\"");
  }
  if (!have_time) {
    return InvalidArgumentError("missing event time \"" + group.event_time_name + "\"");
  }
  return Status::Ok();
}

StatusOr<Record> ParseRecord(const FeatureGroupDefinition& group,
                             std::span<const std::pair<std::string, std::string>> values) {
  Record record;
  record.mutable_fields().reserve(values.size());
  for (const auto& [name, text] : values) {
    const FeatureDefinition* def = group.FindFeature(name);
    if (def == nullptr) {
      return InvalidArgumentError("unknown feature \"" + name + "\" for feature group " +
                                  group.name);
    }
    auto v = ParseFeatureValue(def->type, text);
    if (!v.ok()) return v.status().WithContext("feature \"" + name + "\"");
    record.Add(name, std::move(*v));
  }
  RETURN_IF_ERROR(ValidateRecord(group, record));
  return record;
}

}  // namespace pantry::featurestore
