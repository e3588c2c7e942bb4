// WindowSpec: the declarative description of one windowed aggregation
// (the KDA SQL replacement), read from JSON. See docs/stream.md for the
// format and the window semantics.
#ifndef PANTRY_STREAM_WINDOW_SPEC_H_
#define PANTRY_STREAM_WINDOW_SPEC_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"

namespace pantry::stream {

// Limits that let the hot path use fixed-size arrays instead of allocating.
inline constexpr size_t kMaxAggregations = 16;
inline constexpr size_t kMaxValueFields = 8;

enum class WindowType { kStagger, kTumbling, kSliding };
enum class AggFunction { kCount, kSum, kAvg, kMin, kMax };
enum class FieldType { kString, kNumber, kInteger, kTime, kAny };

std::string_view WindowTypeName(WindowType type);
std::string_view AggFunctionName(AggFunction fn);

// One part of the partition key: a field, optionally a timestamp floored to
// a unit ("FLOOR(event_time TO MINUTE)").
struct KeyPart {
  std::string field;
  int64_t floor_micros = 0;  // 0 = the raw value
  std::string output_name;   // column name in emitted rows
};

// Filters, computed and mapped input columns and output projections: the
// parts of a spec that come from KDA SQL (kda_sql_spec.h). Absent in plain
// specs.
struct SqlSpecExtensions;

struct Aggregation {
  AggFunction function = AggFunction::kCount;
  std::string field;  // empty for count(*)
  std::string output_name;
  int input = -1;  // index into WindowSpec::value_fields, -1 for count(*)
};

struct WindowSpec {
  std::string name;    // identifies checkpoints and emission ids
  std::string source;  // event log stream name
  std::vector<KeyPart> partition_by;
  // Empty = arrival time (KDA ROWTIME); else the event-time field.
  std::string event_time_field;
  WindowType type = WindowType::kStagger;
  int64_t size_micros = 0;
  int64_t allowed_lateness_micros = 0;  // event-time basis only
  std::vector<Aggregation> aggregations;
  std::vector<std::string> value_fields;  // distinct numeric inputs of the aggregations
  std::string sink_feature_group;
  std::string sink_record_identifier;  // a key part's output name
  bool strict = false;
  // Declared event fields and their types; in strict mode an event with any
  // other field is rejected.
  std::vector<std::pair<std::string, FieldType>> fields;
  // Sliding windows only ("window": {"emit": "per_event"}): KDA's RANGE
  // INTERVAL ... PRECEDING semantics, one row per event over [t - size, t]
  // and none when events only age out. Default: rows on events and expiries
  // over (t - size, t].
  bool emit_per_event = false;
  // Null unless the spec uses "field_case", "columns", "computed", "filter"
  // or "select"; then events and rows go through kda_sql_spec.h.
  std::shared_ptr<const SqlSpecExtensions> sql;

  bool arrival_time_basis() const { return event_time_field.empty(); }

  // Parses and validates. Errors name the offending field, e.g.
  // "window spec 'x': window.size: ...". `what` prefixes messages.
  static StatusOr<WindowSpec> FromJson(const Json& json, std::string_view what);
  static StatusOr<WindowSpec> FromFile(const std::filesystem::path& path);
  static StatusOr<WindowSpec> FromString(std::string_view text, std::string_view what);
};

// The workshop's defaults (also shipped as src/pantry/workshop/specs/*.json):
// stagger 2 minutes into click_stream, and sliding 2 minutes into
// click_stream_live, both partitioned by customer_id with
// sum_activity_weight_last_2m and avg_product_health_index_last_2m.
std::string_view WorkshopStaggerSpecJson();
std::string_view WorkshopSlidingSpecJson();

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_WINDOW_SPEC_H_
