// Point-in-time correct training datasets (like SageMaker's DatasetBuilder
// and Feast's get_historical_features).
//
// For every base row (entity keys + an event time) and every joined group,
// the joined features come from that group's offline row for the key with
// the latest event_time <= the base row's event time (and, with max_age,
// event_time >= base time - max_age). Among rows with the same id and event
// time, the last written wins (duplicates collapse). If that row is a delete
// marker (is_deleted), the record did not exist at that time and the joined
// features are empty. A feature row later than the base row is never used.
#ifndef PANTRY_FEATURESTORE_DATASET_BUILDER_H_
#define PANTRY_FEATURESTORE_DATASET_BUILDER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::featurestore {

struct DatasetJoin {
  std::string feature_group;  // joined group
  // Base column holding the joined group's record id.
  std::string key_column;
  // Features to take (empty = all but the record id and event time).
  std::vector<std::string> feature_names;
};

struct DatasetSpec {
  // Exactly one base: a feature group (its non-deleted offline rows, latest
  // write per id and event time) or a CSV with a header.
  std::string base_group;
  std::filesystem::path base_csv;
  // Event-time column of a base CSV (Unix seconds or ISO-8601); defaults to
  // "event_time". For a base group, its event-time feature.
  std::string base_event_time_column;
  std::vector<DatasetJoin> joins;
  std::optional<int64_t> max_age_micros;
};

struct DatasetStats {
  int64_t base_rows = 0;
  // Per join: base rows that found a feature row.
  std::vector<int64_t> matched;
};

// Writes the dataset as CSV to `out`: the base columns, then for each join
// its features named "<group>.<feature>" unless the name is free, in which
// case just "<feature>". Reads the offline store through `store`.
StatusOr<DatasetStats> BuildDataset(const FeatureStore& store, const DatasetSpec& spec,
                                    const std::filesystem::path& out);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_DATASET_BUILDER_H_
