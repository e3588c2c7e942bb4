#include "pantry/stream/window_spec.h"

#include <algorithm>
#include <cctype>
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
  auto fail = [&](std::string_view field, const Status& st) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(what) + ": " + std::string(field) + ": " + st.message());
  };
  if (!json.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected a JSON object");
  }
  static const std::set<std::string> kKnown = {
      "name", "source", "partition_by", "time_basis", "event_time_field", "allowed_lateness",
      "window", "aggregations", "sink", "strict", "fields", "description",
      // KDA SQL extensions (kda_sql_spec.h)
      "field_case", "columns", "computed", "filter", "select"};
  for (const auto& [k, v] : json.items()) {
    if (!kKnown.count(k)) {
      return fail(k, InvalidArgumentError("unknown field (expected one of name, source, "
                                          "partition_by, time_basis, event_time_field, "
                                          "allowed_lateness, window, aggregations, sink, "
                                          "strict, fields, description, field_case, columns, "
                                          "computed, filter, select)"));
    }
  }
  WindowSpec spec;
  {
    auto name = GetJsonString(json, "name");
    if (!name.ok()) return fail("name", name.status());
    spec.name = *name;
    if (!ValidIdentifier(spec.name)) {
      return fail("name", InvalidArgumentError("'" + spec.name +
                                               "' must be letters, digits, '_', '-', '.'"));
    }
  }
  spec.source = "click_stream";
  if (json.contains("source")) {
    auto s = GetJsonString(json, "source");
    if (!s.ok()) return fail("source", s.status());
    if (!ValidIdentifier(*s)) return fail("source", InvalidArgumentError("bad stream name"));
    spec.source = *s;
  }
  // partition_by
  if (!json.contains("partition_by")) {
    return fail("partition_by", InvalidArgumentError("missing (a list of key fields)"));
  }
  const Json& pb = json["partition_by"];
  if (pb.is_string()) {
    auto part = ParseKeyPart(pb);
    if (!part.ok()) return fail("partition_by", part.status());
    spec.partition_by.push_back(*part);
  } else if (pb.is_array()) {
    // An empty list is one global window (KDA's WINDOW without PARTITION BY).
    for (size_t i = 0; i < pb.size(); ++i) {
      auto part = ParseKeyPart(pb[i]);
      if (!part.ok()) return fail("partition_by[" + std::to_string(i) + "]", part.status());
      spec.partition_by.push_back(*part);
    }
  } else {
    return fail("partition_by", InvalidArgumentError("expected a list of fields"));
  }
  // time basis
  std::string basis = "arrival";
  if (json.contains("time_basis")) {
    auto b = GetJsonString(json, "time_basis");
    if (!b.ok()) return fail("time_basis", b.status());
    basis = *b;
  }
  if (basis == "event_time") {
    spec.event_time_field = "event_time";
    if (json.contains("event_time_field")) {
      auto f = GetJsonString(json, "event_time_field");
      if (!f.ok()) return fail("event_time_field", f.status());
      if (!ValidIdentifier(*f)) return fail("event_time_field", InvalidArgumentError("bad name"));
      spec.event_time_field = *f;
    }
    if (json.contains("allowed_lateness")) {
      auto l = GetJsonString(json, "allowed_lateness");
      if (!l.ok()) return fail("allowed_lateness", l.status());
      if (*l != "0") {
        auto micros = ParseDurationMicros(*l);
        if (!micros.ok()) return fail("allowed_lateness", micros.status());
        spec.allowed_lateness_micros = *micros;
      }
    }
  } else if (basis == "arrival") {
    if (json.contains("event_time_field") || json.contains("allowed_lateness")) {
      return fail(json.contains("event_time_field") ? "event_time_field" : "allowed_lateness",
                  InvalidArgumentError("only valid with \"time_basis\": \"event_time\""));
    }
  } else {
    return fail("time_basis",
                InvalidArgumentError("'" + basis + "' (use \"arrival\" or \"event_time\")"));
  }
  // window
  if (!json.contains("window") || !json["window"].is_object()) {
    return fail("window", InvalidArgumentError("missing or not an object {type, size}"));
  }
  const Json& w = json["window"];
  for (const auto& [k, v] : w.items()) {
    if (k != "type" && k != "size" && k != "emit") {
      return fail("window." + k, InvalidArgumentError("unknown field (expected type, size, emit)"));
    }
  }
  {
    auto t = GetJsonString(w, "type");
    if (!t.ok()) return fail("window.type", t.status());
    if (*t == "stagger") {
      spec.type = WindowType::kStagger;
    } else if (*t == "tumbling") {
      spec.type = WindowType::kTumbling;
    } else if (*t == "sliding") {
      spec.type = WindowType::kSliding;
    } else {
      return fail("window.type",
                  InvalidArgumentError("'" + *t + "' (use stagger, tumbling or sliding)"));
    }
    auto s = GetJsonString(w, "size");
    if (!s.ok()) return fail("window.size", s.status());
    auto micros = ParseDurationMicros(*s);
    if (!micros.ok()) return fail("window.size", micros.status());
    spec.size_micros = *micros;
    if (w.contains("emit")) {
      auto e = GetJsonString(w, "emit");
      if (!e.ok()) return fail("window.emit", e.status());
      if (*e == "per_event" && spec.type == WindowType::kSliding) {
        spec.emit_per_event = true;
      } else if (*e != "per_event_and_expiry" || spec.type != WindowType::kSliding) {
        return fail("window.emit", InvalidArgumentError("'" + *e +
                                                        "' (sliding windows only: per_event or "
                                                        "per_event_and_expiry)"));
      }
    }
  }
  // aggregations
  if (!json.contains("aggregations") || !json["aggregations"].is_array() ||
      json["aggregations"].empty()) {
    return fail("aggregations", InvalidArgumentError("expected a non-empty list"));
  }
  std::set<std::string> outputs;
  for (const KeyPart& p : spec.partition_by) {
    if (!outputs.insert(p.output_name).second) {
      return fail("partition_by",
                  InvalidArgumentError("duplicate output name '" + p.output_name + "'"));
    }
  }
  const Json& aggs = json["aggregations"];
  for (size_t i = 0; i < aggs.size(); ++i) {
    std::string where = "aggregations[" + std::to_string(i) + "]";
    auto agg = ParseAggregation(aggs[i]);
    if (!agg.ok()) return fail(where, agg.status());
    if (!outputs.insert(agg->output_name).second) {
      return fail(where, InvalidArgumentError("duplicate output name '" + agg->output_name + "'"));
    }
    static const std::set<std::string> kReserved = {"emission_time", "window_start", "window_end",
                                                    "emission_id", "spec"};
    if (kReserved.count(agg->output_name)) {
      return fail(where,
                  InvalidArgumentError("output name '" + agg->output_name + "' is reserved"));
    }
    if (!agg->field.empty()) {
      auto it = std::find(spec.value_fields.begin(), spec.value_fields.end(), agg->field);
      agg->input = static_cast<int>(it - spec.value_fields.begin());
      if (it == spec.value_fields.end()) spec.value_fields.push_back(agg->field);
    }
    spec.aggregations.push_back(*agg);
  }
  if (spec.aggregations.size() > kMaxAggregations) {
    return fail("aggregations",
                InvalidArgumentError("at most " + std::to_string(kMaxAggregations)));
  }
  if (spec.value_fields.size() > kMaxValueFields) {
    return fail("aggregations", InvalidArgumentError("at most " + std::to_string(kMaxValueFields) +
                                                     " distinct aggregated fields"));
  }
  // sink
  if (json.contains("sink")) {
    const Json& s = json["sink"];
    if (!s.is_object()) return fail("sink", InvalidArgumentError("expected an object"));
    for (const auto& [k, v] : s.items()) {
      if (k != "feature_group" && k != "record_identifier") {
        return fail("sink." + k, InvalidArgumentError("unknown field (expected feature_group, "
                                                      "record_identifier)"));
      }
    }
    auto g = GetJsonString(s, "feature_group");
    if (!g.ok()) return fail("sink.feature_group", g.status());
    if (!ValidIdentifier(*g)) return fail("sink.feature_group", InvalidArgumentError("bad name"));
    spec.sink_feature_group = *g;
    if (spec.partition_by.empty()) {
      return fail("sink", InvalidArgumentError("a feature group needs a record identifier: "
                                               "partition_by is empty"));
    }
    spec.sink_record_identifier = spec.partition_by.front().output_name;
    if (s.contains("record_identifier")) {
      auto r = GetJsonString(s, "record_identifier");
      if (!r.ok()) return fail("sink.record_identifier", r.status());
      spec.sink_record_identifier = *r;
    }
    bool found =
        std::any_of(spec.partition_by.begin(), spec.partition_by.end(),
                    [&](const KeyPart& p) { return p.output_name == spec.sink_record_identifier; });
    if (!found) {
      return fail("sink.record_identifier",
                  InvalidArgumentError("'" + spec.sink_record_identifier +
                                       "' is not one of the partition_by outputs"));
    }
  }
  if (json.contains("strict")) {
    auto b = GetJsonBool(json, "strict");
    if (!b.ok()) return fail("strict", b.status());
    spec.strict = *b;
  }
  if (json.contains("fields")) {
    const Json& f = json["fields"];
    if (!f.is_object()) {
      return fail("fields", InvalidArgumentError("expected an object {name: type}"));
    }
    for (const auto& [k, v] : f.items()) {
      auto t = ParseFieldType(v);
      if (!t.ok()) return fail("fields." + k, t.status());
      spec.fields.emplace_back(k, *t);
    }
  } else if (spec.strict) {
    return fail("fields", InvalidArgumentError("a strict spec must declare its event fields"));
  }
  // Referenced fields must be declared (when fields are declared at all).
  if (!spec.fields.empty()) {
    auto declared = [&](const std::string& name) {
      return std::any_of(spec.fields.begin(), spec.fields.end(),
                         [&](const auto& f) { return f.first == name; });
    };
    for (const KeyPart& p : spec.partition_by) {
      if (!declared(p.field)) {
        return fail("fields",
                    InvalidArgumentError("partition field '" + p.field + "' is not declared"));
      }
    }
    for (const std::string& v : spec.value_fields) {
      if (!declared(v)) {
        return fail("fields", InvalidArgumentError("aggregated field '" + v + "' is not declared"));
      }
    }
    if (!spec.event_time_field.empty() && !declared(spec.event_time_field)) {
      return fail("fields", InvalidArgumentError("event time field '" + spec.event_time_field +
                                                 "' is not declared"));
    }
  }
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

std::string_view WorkshopStaggerSpecJson() {
  return R"({
  "name": "click_stream_stagger_2m",
  "description": "The workshop's KDA aggregation: per customer, a 2-minute stagger window.",
  "source": "click_stream",
  "partition_by": ["customer_id"],
  "time_basis": "arrival",
  "window": {"type": "stagger", "size": "2m"},
  "aggregations": [
    "SUM(activity_weight) AS sum_activity_weight_last_2m",
    "AVG(product_health_index) AS avg_product_health_index_last_2m"
  ],
  "sink": {"feature_group": "click_stream", "record_identifier": "customer_id"},
  "strict": false,
  "fields": {
    "event_time": "time", "customer_id": "string", "product_id": "string",
    "product_category": "string", "activity_type": "string",
    "activity_weight": "number", "product_health_index": "number"
  }
}
)";
}

std::string_view WorkshopSlidingSpecJson() {
  return R"({
  "name": "click_stream_live_2m",
  "description": "Live features: per customer, the last 2 minutes, updated on every event.",
  "source": "click_stream",
  "partition_by": ["customer_id"],
  "time_basis": "arrival",
  "window": {"type": "sliding", "size": "2m"},
  "aggregations": [
    "SUM(activity_weight) AS sum_activity_weight_last_2m",
    "AVG(product_health_index) AS avg_product_health_index_last_2m"
  ],
  "sink": {"feature_group": "click_stream_live", "record_identifier": "customer_id"},
  "strict": false,
  "fields": {
    "event_time": "time", "customer_id": "string", "product_id": "string",
    "product_category": "string", "activity_type": "string",
    "activity_weight": "number", "product_health_index": "number"
  }
}
)";
}

}  // namespace pantry::stream
