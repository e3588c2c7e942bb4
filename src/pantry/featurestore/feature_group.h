// Feature group definitions: schema, validation and (de)serialisation.
#ifndef PANTRY_FEATURESTORE_FEATURE_GROUP_H_
#define PANTRY_FEATURESTORE_FEATURE_GROUP_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

struct FeatureDefinition {
  std::string name;
  FeatureType type = FeatureType::kString;
  friend bool operator==(const FeatureDefinition&, const FeatureDefinition&) = default;
};

// Columns the offline store adds to every feature group's table.
inline constexpr std::string_view kWriteTimeColumn = "write_time";
inline constexpr std::string_view kApiInvocationTimeColumn = "api_invocation_time";
inline constexpr std::string_view kIsDeletedColumn = "is_deleted";

// Checks a feature group or feature name the way SageMaker does:
// [a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}, and not one of the reserved names
// (write_time, api_invocation_time, is_deleted; case-insensitive). `what` is
// used in the message ("feature group name", "feature name").
Status ValidateName(std::string_view name, std::string_view what);

struct FeatureGroupDefinition {
  std::string name;
  std::string record_identifier_name;  // an Integral or String feature
  std::string event_time_name;         // a Fractional (Unix seconds) or String (ISO-8601) feature
  std::vector<FeatureDefinition> features;  // includes the two above
  bool online_enabled = true;
  bool offline_enabled = true;
  // Default time to live of online records (ExpiresAt = EventTime + TTL);
  // nullopt = never expire.
  std::optional<int64_t> ttl_micros;
  std::string description;
  // Recorded for SageMaker's DescribeFeatureGroup, never acted on: the
  // OfflineStoreConfig object as the client sent it (S3StorageConfig,
  // DataCatalogConfig, TableFormat, ...; JSON text, "" if none) and the IAM
  // role. pantry's offline store is always its local SQLite table.
  std::string offline_store_config;
  std::string role_arn;
  int64_t creation_time_micros = 0;  // set by the store

  // Index of feature `name` in `features`, or -1.
  int FeatureIndex(std::string_view name) const;
  const FeatureDefinition* FindFeature(std::string_view name) const;

  // All the rules: valid, unique (case-insensitive) names, record id and
  // event time features present with allowed types, at least one of
  // online/offline, TTL > 0, at most 2500 features.
  Status Validate() const;

  // JSON as stored in the registry and returned by `fg describe` and
  // DescribeFeatureGroup over HTTP (SageMaker-like field names:
  // FeatureGroupName, RecordIdentifierFeatureName, EventTimeFeatureName,
  // FeatureDefinitions [{FeatureName, FeatureType}], OnlineStoreConfig, ...).
  std::string ToJson(int indent = 2) const;
  static StatusOr<FeatureGroupDefinition> FromJson(std::string_view json, std::string_view what);

  friend bool operator==(const FeatureGroupDefinition&, const FeatureGroupDefinition&) = default;
};

// Feature definitions from JSON text: an array of {FeatureName, FeatureType},
// or an object holding such an array as FeatureDefinitions (a whole group
// definition, as `pantry fg describe` prints it). Errors start with `what`.
StatusOr<std::vector<FeatureDefinition>> ParseFeatureDefinitions(std::string_view json,
                                                                 std::string_view what);

// "NAME:TYPE" (TYPE Integral, Fractional or String), as `pantry fg
// add-features` takes features.
StatusOr<FeatureDefinition> ParseFeatureSpec(std::string_view spec);

// SageMaker's TtlDuration {Unit, Value} in microseconds: Unit one of Seconds,
// Minutes, Hours, Days, Weeks; Value a positive integer (at most 10^12
// seconds in all). InvalidArgument otherwise.
StatusOr<int64_t> TtlDurationMicros(std::string_view unit, int64_t value);

// Infers definitions from a CSV header and sample rows the way the
// workshop's load_feature_definitions does: a column whose every non-empty
// sample parses as an int64 is Integral, as a number Fractional, else String.
// `rows` are sample records (field strings, same width as `header`).
std::vector<FeatureDefinition> InferFeatureDefinitions(
    std::span<const std::string> header, std::span<const std::vector<std::string>> rows);

// Checks `record` against `group`: every field a known feature (no
// duplicates) with a value of its type (an Integral for Fractional is not
// accepted; convert first), strings <= 350 KB, record id present (non-empty
// for String ids), event time present and well-formed. Errors name the
// feature and the group.
Status ValidateRecord(const FeatureGroupDefinition& group, const Record& record);

// Builds a typed record from the wire form ({FeatureName, ValueAsString}
// pairs), parsing each value by its feature's type, then validates it.
StatusOr<Record> ParseRecord(const FeatureGroupDefinition& group,
                             std::span<const std::pair<std::string, std::string>> values);

// Parses an event-time value of a feature of `type` into micros since the
// epoch: Fractional = Unix seconds, String = ISO-8601 (or Unix seconds).
StatusOr<int64_t> EventTimeMicros(const FeatureValue& value);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_FEATURE_GROUP_H_
