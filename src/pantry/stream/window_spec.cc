#include "pantry/stream/window_spec.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <set>

#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"
#include "pantry/stream/kda_sql_spec.h"

namespace pantry::stream {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool ValidIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

StatusOr<int64_t> FloorUnitMicros(std::string_view unit) {
  std::string u = Upper(Trim(unit));
  if (u == "SECOND") return int64_t{1'000'000};
  if (u == "MINUTE") return int64_t{60'000'000};
  if (u == "HOUR") return int64_t{3'600'000'000};
  if (u == "DAY") return int64_t{86'400'000'000};
  return InvalidArgumentError("unknown FLOOR unit '" + std::string(unit) +
                              "' (use SECOND, MINUTE, HOUR or DAY)");
}

// Splits "expr AS name" (case-insensitive AS).
void SplitAs(std::string_view text, std::string* expr, std::string* name) {
  std::string upper = Upper(text);
  size_t pos = upper.rfind(" AS ");
  if (pos == std::string::npos) {
    *expr = Trim(text);
    name->clear();
  } else {
    *expr = Trim(text.substr(0, pos));
    *name = Trim(text.substr(pos + 4));
  }
}

StatusOr<KeyPart> ParseKeyPart(const Json& j) {
  KeyPart part;
  if (j.is_string()) {
    std::string expr;
    SplitAs(j.get<std::string>(), &expr, &part.output_name);
    std::string upper = Upper(expr);
    if (upper.starts_with("FLOOR(")) {
      if (!expr.ends_with(")")) return InvalidArgumentError("'" + expr + "': missing ')'");
      std::string inner = expr.substr(6, expr.size() - 7);
      size_t to = Upper(inner).find(" TO ");
      if (to == std::string::npos) {
        return InvalidArgumentError("'" + expr + "': expected FLOOR(<field> TO <unit>)");
      }
      part.field = Trim(inner.substr(0, to));
      ASSIGN_OR_RETURN(part.floor_micros, FloorUnitMicros(inner.substr(to + 4)));
    } else {
      part.field = expr;
    }
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k != "field" && k != "floor" && k != "as") {
        return InvalidArgumentError("unknown key '" + k + "' (expected field, floor, as)");
      }
    }
    ASSIGN_OR_RETURN(part.field, GetJsonString(j, "field"));
    if (j.contains("floor")) {
      ASSIGN_OR_RETURN(std::string unit, GetJsonString(j, "floor"));
      ASSIGN_OR_RETURN(part.floor_micros, FloorUnitMicros(unit));
    }
    if (j.contains("as")) {
      ASSIGN_OR_RETURN(part.output_name, GetJsonString(j, "as"));
    }
  } else {
    return InvalidArgumentError("expected a string like \"customer_id\" or an object");
  }
  if (!ValidIdentifier(part.field)) {
    return InvalidArgumentError("bad field name '" + part.field + "'");
  }
  if (part.output_name.empty()) part.output_name = part.field;
  if (!ValidIdentifier(part.output_name)) {
    return InvalidArgumentError("bad output name '" + part.output_name + "'");
  }
  return part;
}

StatusOr<AggFunction> ParseFunction(std::string_view name) {
  std::string u = Upper(Trim(name));
  if (u == "COUNT") return AggFunction::kCount;
  if (u == "SUM") return AggFunction::kSum;
  if (u == "AVG") return AggFunction::kAvg;
  if (u == "MIN") return AggFunction::kMin;
  if (u == "MAX") return AggFunction::kMax;
  return InvalidArgumentError("unknown function '" + std::string(name) +
                              "' (use count, sum, avg, min or max)");
}

StatusOr<Aggregation> ParseAggregation(const Json& j) {
  Aggregation agg;
  if (j.is_string()) {
    std::string expr;
    SplitAs(j.get<std::string>(), &expr, &agg.output_name);
    size_t open = expr.find('(');
    if (open == std::string::npos || !expr.ends_with(")")) {
      return InvalidArgumentError("'" + expr + "': expected FUNCTION(field) AS name");
    }
    ASSIGN_OR_RETURN(agg.function, ParseFunction(expr.substr(0, open)));
    agg.field = Trim(expr.substr(open + 1, expr.size() - open - 2));
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k != "function" && k != "field" && k != "as") {
        return InvalidArgumentError("unknown key '" + k + "' (expected function, field, as)");
      }
    }
    ASSIGN_OR_RETURN(std::string fn, GetJsonString(j, "function"));
    ASSIGN_OR_RETURN(agg.function, ParseFunction(fn));
    if (j.contains("field")) {
      ASSIGN_OR_RETURN(agg.field, GetJsonString(j, "field"));
    }
    ASSIGN_OR_RETURN(agg.output_name, GetJsonString(j, "as"));
  } else {
    return InvalidArgumentError("expected a string like \"SUM(x) AS y\" or an object");
  }
  if (agg.field == "*") agg.field.clear();
  if (agg.field.empty() && agg.function != AggFunction::kCount) {
    return InvalidArgumentError(std::string(AggFunctionName(agg.function)) + " needs a field");
  }
  if (!agg.field.empty() && !ValidIdentifier(agg.field)) {
    return InvalidArgumentError("bad field name '" + agg.field + "'");
  }
  if (!ValidIdentifier(agg.output_name)) {
    return InvalidArgumentError("missing or bad output name (\"as\") '" + agg.output_name + "'");
  }
  return agg;
}

StatusOr<FieldType> ParseFieldType(const Json& j) {
  if (!j.is_string()) return InvalidArgumentError("expected a type name");
  std::string t = Upper(j.get<std::string>());
  if (t == "STRING") return FieldType::kString;
  if (t == "NUMBER" || t == "FRACTIONAL" || t == "DOUBLE") return FieldType::kNumber;
  if (t == "INTEGER" || t == "INTEGRAL") return FieldType::kInteger;
  if (t == "TIME" || t == "TIMESTAMP") return FieldType::kTime;
  if (t == "ANY") return FieldType::kAny;
  return InvalidArgumentError("unknown type '" + j.get<std::string>() +
                              "' (use string, number, integer, time or any)");
}

// The parts of WindowSpec::FromJson, one per top-level field. Their errors
// read "<field>: <message>"; FromJson prefixes the spec's name.

Status FieldError(std::string_view field, const Status& status) {
  return InvalidArgumentError(std::string(field) + ": " + status.message());
}

Status FieldError(std::string_view field, std::string message) {
  return InvalidArgumentError(std::string(field) + ": " + message);
}

// Rejects a member of `object` that is not in `known`, naming it
// "<prefix><member>".
Status CheckKnownFields(const Json& object, std::initializer_list<std::string_view> known,
                        std::string_view prefix) {
  for (const auto& [k, v] : object.items()) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string expected;
    for (std::string_view name : known) {
      expected += expected.empty() ? "" : ", ";
      expected += name;
    }
    return FieldError(std::string(prefix) + k, "unknown field (expected " +
                                                   std::string(known.size() > 2 ? "one of " : "") +
                                                   expected + ")");
  }
  return Status::Ok();
}

// The string member `key` of `object`, or `fallback` if there is none.
StatusOr<std::string> OptionalString(const Json& object, std::string_view key,
                                     std::string_view prefix, std::string fallback) {
  if (!object.contains(key)) return fallback;
  auto value = GetJsonString(object, key);
  if (!value.ok()) return FieldError(std::string(prefix) + std::string(key), value.status());
  return *value;
}

// The string member `key` of `object` (required unless `fallback` is given),
// which must be a valid identifier; `complaint` says why one is not (empty:
// a message that quotes the value and the rule).
StatusOr<std::string> IdentifierField(const Json& object, std::string_view key,
                                      std::string_view prefix, std::string_view complaint,
                                      std::optional<std::string> fallback = std::nullopt) {
  const std::string field = std::string(prefix) + std::string(key);
  if (fallback && !object.contains(key)) return *fallback;
  auto value = GetJsonString(object, key);
  if (!value.ok()) return FieldError(field, value.status());
  if (ValidIdentifier(*value)) return *value;
  if (!complaint.empty()) return FieldError(field, std::string(complaint));
  return FieldError(field, "'" + *value + "' must be letters, digits, '_', '-', '.'");
}

Status ParseNameAndSource(const Json& json, WindowSpec* spec) {
  ASSIGN_OR_RETURN(spec->name, IdentifierField(json, "name", "", ""));
  ASSIGN_OR_RETURN(spec->source,
                   IdentifierField(json, "source", "", "bad stream name", "click_stream"));
  return Status::Ok();
}

Status ParsePartitionBy(const Json& json, WindowSpec* spec) {
  if (!json.contains("partition_by")) {
    return FieldError("partition_by", "missing (a list of key fields)");
  }
  const Json& pb = json["partition_by"];
  if (pb.is_string()) {
    auto part = ParseKeyPart(pb);
    if (!part.ok()) return FieldError("partition_by", part.status());
    spec->partition_by.push_back(*part);
  } else if (pb.is_array()) {
    // An empty list is one global window (KDA's WINDOW without PARTITION BY).
    for (size_t i = 0; i < pb.size(); ++i) {
      auto part = ParseKeyPart(pb[i]);
      if (!part.ok()) return FieldError("partition_by[" + std::to_string(i) + "]", part.status());
      spec->partition_by.push_back(*part);
    }
  } else {
    return FieldError("partition_by", "expected a list of fields");
  }
  return Status::Ok();
}

Status ParseTimeBasis(const Json& json, WindowSpec* spec) {
  ASSIGN_OR_RETURN(std::string basis, OptionalString(json, "time_basis", "", "arrival"));
  if (basis == "arrival") {
    for (const char* field : {"event_time_field", "allowed_lateness"}) {
      if (json.contains(field)) {
        return FieldError(field, "only valid with \"time_basis\": \"event_time\"");
      }
    }
    return Status::Ok();
  }
  if (basis != "event_time") {
    return FieldError("time_basis", "'" + basis + "' (use \"arrival\" or \"event_time\")");
  }
  ASSIGN_OR_RETURN(spec->event_time_field,
                   IdentifierField(json, "event_time_field", "", "bad name", "event_time"));
  ASSIGN_OR_RETURN(std::string lateness, OptionalString(json, "allowed_lateness", "", "0"));
  if (lateness != "0") {
    auto micros = ParseDurationMicros(lateness);
    if (!micros.ok()) return FieldError("allowed_lateness", micros.status());
    spec->allowed_lateness_micros = *micros;
  }
  return Status::Ok();
}

Status ParseWindow(const Json& json, WindowSpec* spec) {
  if (!json.contains("window") || !json["window"].is_object()) {
    return FieldError("window", "missing or not an object {type, size}");
  }
  const Json& w = json["window"];
  RETURN_IF_ERROR(CheckKnownFields(w, {"type", "size", "emit"}, "window."));
  auto t = GetJsonString(w, "type");
  if (!t.ok()) return FieldError("window.type", t.status());
  if (*t == "stagger") {
    spec->type = WindowType::kStagger;
  } else if (*t == "tumbling") {
    spec->type = WindowType::kTumbling;
  } else if (*t == "sliding") {
    spec->type = WindowType::kSliding;
  } else {
    return FieldError("window.type", "'" + *t + "' (use stagger, tumbling or sliding)");
  }
  auto s = GetJsonString(w, "size");
  if (!s.ok()) return FieldError("window.size", s.status());
  auto micros = ParseDurationMicros(*s);
  if (!micros.ok()) return FieldError("window.size", micros.status());
  spec->size_micros = *micros;
  if (w.contains("emit")) {
    auto e = GetJsonString(w, "emit");
    if (!e.ok()) return FieldError("window.emit", e.status());
    if (*e == "per_event" && spec->type == WindowType::kSliding) {
      spec->emit_per_event = true;
    } else if (*e != "per_event_and_expiry" || spec->type != WindowType::kSliding) {
      return FieldError("window.emit", "'" + *e +
                                           "' (sliding windows only: per_event or "
                                           "per_event_and_expiry)");
    }
  }
  return Status::Ok();
}

// Also fills value_fields (each aggregation's input index) and checks that
// output names are unique across the key parts and the aggregations.
Status ParseAggregations(const Json& json, WindowSpec* spec) {
  if (!json.contains("aggregations") || !json["aggregations"].is_array() ||
      json["aggregations"].empty()) {
    return FieldError("aggregations", "expected a non-empty list");
  }
  std::set<std::string> outputs;
  for (const KeyPart& p : spec->partition_by) {
    if (!outputs.insert(p.output_name).second) {
      return FieldError("partition_by", "duplicate output name '" + p.output_name + "'");
    }
  }
  static const std::set<std::string> kReserved = {"emission_time", "window_start", "window_end",
                                                  "emission_id", "spec"};
  const Json& aggs = json["aggregations"];
  for (size_t i = 0; i < aggs.size(); ++i) {
    std::string where = "aggregations[" + std::to_string(i) + "]";
    auto agg = ParseAggregation(aggs[i]);
    if (!agg.ok()) return FieldError(where, agg.status());
    if (!outputs.insert(agg->output_name).second) {
      return FieldError(where, "duplicate output name '" + agg->output_name + "'");
    }
    if (kReserved.count(agg->output_name)) {
      return FieldError(where, "output name '" + agg->output_name + "' is reserved");
    }
    if (!agg->field.empty()) {
      auto it = std::find(spec->value_fields.begin(), spec->value_fields.end(), agg->field);
      agg->input = static_cast<int>(it - spec->value_fields.begin());
      if (it == spec->value_fields.end()) spec->value_fields.push_back(agg->field);
    }
    spec->aggregations.push_back(*agg);
  }
  if (spec->aggregations.size() > kMaxAggregations) {
    return FieldError("aggregations", "at most " + std::to_string(kMaxAggregations));
  }
  if (spec->value_fields.size() > kMaxValueFields) {
    return FieldError("aggregations",
                      "at most " + std::to_string(kMaxValueFields) + " distinct aggregated fields");
  }
  return Status::Ok();
}

Status ParseSink(const Json& json, WindowSpec* spec) {
  if (!json.contains("sink")) return Status::Ok();
  const Json& s = json["sink"];
  if (!s.is_object()) return FieldError("sink", "expected an object");
  RETURN_IF_ERROR(CheckKnownFields(s, {"feature_group", "record_identifier"}, "sink."));
  ASSIGN_OR_RETURN(spec->sink_feature_group,
                   IdentifierField(s, "feature_group", "sink.", "bad name"));
  if (spec->partition_by.empty()) {
    return FieldError("sink", "a feature group needs a record identifier: partition_by is empty");
  }
  ASSIGN_OR_RETURN(
      spec->sink_record_identifier,
      OptionalString(s, "record_identifier", "sink.", spec->partition_by.front().output_name));
  bool found =
      std::any_of(spec->partition_by.begin(), spec->partition_by.end(),
                  [&](const KeyPart& p) { return p.output_name == spec->sink_record_identifier; });
  if (!found) {
    return FieldError("sink.record_identifier", "'" + spec->sink_record_identifier +
                                                    "' is not one of the partition_by outputs");
  }
  return Status::Ok();
}

Status ParseStrictAndFields(const Json& json, WindowSpec* spec) {
  if (json.contains("strict")) {
    auto b = GetJsonBool(json, "strict");
    if (!b.ok()) return FieldError("strict", b.status());
    spec->strict = *b;
  }
  if (!json.contains("fields")) {
    if (spec->strict) return FieldError("fields", "a strict spec must declare its event fields");
    return Status::Ok();
  }
  const Json& f = json["fields"];
  if (!f.is_object()) return FieldError("fields", "expected an object {name: type}");
  for (const auto& [k, v] : f.items()) {
    auto t = ParseFieldType(v);
    if (!t.ok()) return FieldError("fields." + k, t.status());
    spec->fields.emplace_back(k, *t);
  }
  return Status::Ok();
}

// Referenced fields must be declared (when fields are declared at all).
Status CheckReferencedFieldsDeclared(const WindowSpec& spec) {
  if (spec.fields.empty()) return Status::Ok();
  auto declared = [&](const std::string& name) {
    return std::any_of(spec.fields.begin(), spec.fields.end(),
                       [&](const auto& f) { return f.first == name; });
  };
  for (const KeyPart& p : spec.partition_by) {
    if (!declared(p.field)) {
      return FieldError("fields", "partition field '" + p.field + "' is not declared");
    }
  }
  for (const std::string& v : spec.value_fields) {
    if (!declared(v)) return FieldError("fields", "aggregated field '" + v + "' is not declared");
  }
  if (!spec.event_time_field.empty() && !declared(spec.event_time_field)) {
    return FieldError("fields", "event time field '" + spec.event_time_field + "' is not declared");
  }
  return Status::Ok();
}

Status ParseSpec(const Json& json, WindowSpec* spec) {
  if (!json.is_object()) return InvalidArgumentError("expected a JSON object");
  RETURN_IF_ERROR(CheckKnownFields(
      json,
      {"name", "source", "partition_by", "time_basis", "event_time_field", "allowed_lateness",
       "window", "aggregations", "sink", "strict", "fields", "description",
       // KDA SQL extensions (kda_sql_spec.h)
       "field_case", "columns", "computed", "filter", "select"},
      ""));
  RETURN_IF_ERROR(ParseNameAndSource(json, spec));
  RETURN_IF_ERROR(ParsePartitionBy(json, spec));
  RETURN_IF_ERROR(ParseTimeBasis(json, spec));
  RETURN_IF_ERROR(ParseWindow(json, spec));
  RETURN_IF_ERROR(ParseAggregations(json, spec));
  RETURN_IF_ERROR(ParseSink(json, spec));
  RETURN_IF_ERROR(ParseStrictAndFields(json, spec));
  return CheckReferencedFieldsDeclared(*spec);
}

}  // namespace

std::string_view WindowTypeName(WindowType type) {
  switch (type) {
    case WindowType::kStagger:
      return "stagger";
    case WindowType::kTumbling:
      return "tumbling";
    case WindowType::kSliding:
      return "sliding";
  }
  return "?";
}

std::string_view AggFunctionName(AggFunction fn) {
  switch (fn) {
    case AggFunction::kCount:
      return "count";
    case AggFunction::kSum:
      return "sum";
    case AggFunction::kAvg:
      return "avg";
    case AggFunction::kMin:
      return "min";
    case AggFunction::kMax:
      return "max";
  }
  return "?";
}

StatusOr<WindowSpec> WindowSpec::FromJson(const Json& json, std::string_view what) {
  WindowSpec spec;
  Status parsed = ParseSpec(json, &spec);
  if (!parsed.ok()) return InvalidArgumentError(std::string(what) + ": " + parsed.message());
  if (Status st = ParseSqlSpecExtensions(json, &spec); !st.ok()) {
    return Status(st.code(), std::string(what) + ": " + st.message());
  }
  return spec;
}

StatusOr<WindowSpec> WindowSpec::FromString(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(Json json, ParseJson(text, what));
  return FromJson(json, what);
}

StatusOr<WindowSpec> WindowSpec::FromFile(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return FromString(text, path.string());
}

namespace {

// The workshop's two specs differ only in name, description, window type and
// sink group (specs/workshop_*.json hold the same text).
std::string WorkshopSpecJson(std::string_view name, std::string_view description,
                             std::string_view window_type, std::string_view sink_group) {
  std::string json = "{\n  \"name\": \"" + std::string(name) + "\",\n  \"description\": \"" +
                     std::string(description) + "\",\n";
  json += R"(  "source": "click_stream",
  "partition_by": ["customer_id"],
  "time_basis": "arrival",
  "window": {"type": ")";
  json += window_type;
  json += R"(", "size": "2m"},
  "aggregations": [
    "SUM(activity_weight) AS sum_activity_weight_last_2m",
    "AVG(product_health_index) AS avg_product_health_index_last_2m"
  ],
  "sink": {"feature_group": ")";
  json += sink_group;
  json += R"(", "record_identifier": "customer_id"},
  "strict": false,
  "fields": {
    "event_time": "time", "customer_id": "string", "product_id": "string",
    "product_category": "string", "activity_type": "string",
    "activity_weight": "number", "product_health_index": "number"
  }
}
)";
  return json;
}

}  // namespace

std::string_view WorkshopStaggerSpecJson() {
  static const std::string* const json = new std::string(
      WorkshopSpecJson("click_stream_stagger_2m",
                       "The workshop's KDA aggregation: per customer, a 2-minute stagger window.",
                       "stagger", "click_stream"));
  return *json;
}

std::string_view WorkshopSlidingSpecJson() {
  static const std::string* const json = new std::string(
      WorkshopSpecJson("click_stream_live_2m",
                       "Live features: per customer, the last 2 minutes, updated on every event.",
                       "sliding", "click_stream_live"));
  return *json;
}

}  // namespace pantry::stream
