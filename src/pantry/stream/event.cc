#include "pantry/stream/event.h"

#include <cmath>

#include "pantry/common/time_format.h"
#include "pantry/featurestore/record.h"
#include "pantry/stream/kda_sql_spec.h"

namespace pantry::stream {
namespace {

constexpr char kSep = '\x1f';

std::string TypeName(const Json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

bool Reject(Rejection* r, RejectReason reason, std::string message) {
  r->reason = reason;
  r->message = std::move(message);
  return false;
}

// Reads a timestamp given as Unix seconds (number) or text.
bool TimeValue(const Json& v, const std::string& field, int64_t* micros, Rejection* r) {
  if (v.is_number()) {
    auto t = SecondsToEventTimeMicros(v.get<double>());
    if (!t.ok()) {
      return Reject(r, RejectReason::kBadTime, "field '" + field + "': " + t.status().message());
    }
    *micros = *t;
    return true;
  }
  if (v.is_string()) {
    auto t = ParseEventTimeMicros(v.get_ref<const std::string&>());
    if (!t.ok()) {
      return Reject(r, RejectReason::kBadTime, "field '" + field + "': " + t.status().message());
    }
    *micros = *t;
    return true;
  }
  return Reject(r, RejectReason::kWrongType,
                "field '" + field + "': expected a timestamp, got " + TypeName(v));
}

bool CheckDeclaredType(const Json& v, const std::string& field, FieldType type, Rejection* r) {
  if (v.is_null()) return true;  // absent-like; required fields are checked where used
  bool ok = true;
  std::string want;
  switch (type) {
    case FieldType::kString:
      ok = v.is_string();
      want = "a string";
      break;
    case FieldType::kNumber:
      ok = v.is_number();
      want = "a number";
      break;
    case FieldType::kInteger:
      ok = v.is_number_integer();
      want = "an integer";
      break;
    case FieldType::kTime: {
      int64_t ignored;
      return TimeValue(v, field, &ignored, r);
    }
    case FieldType::kAny:
      return true;
  }
  if (!ok) {
    return Reject(r, RejectReason::kWrongType,
                  "field '" + field + "': expected " + want + ", got " + TypeName(v));
  }
  return true;
}

// The parts of EventParser::ParseJsonValue, in order; each returns false and
// fills `r` for a bad event.

// With declared fields, a present field must have its declared type, and in
// strict mode no other field may be present.
bool CheckDeclaredFields(const WindowSpec& spec, const Json& json, Rejection* r) {
  if (!spec.strict && spec.fields.empty()) return true;
  for (const auto& [name, value] : json.items()) {
    if (name == "_arrival_time") continue;
    const FieldType* type = nullptr;
    for (const auto& f : spec.fields) {
      if (f.first == name) {
        type = &f.second;
        break;
      }
    }
    if (type == nullptr) {
      if (spec.strict) {
        return Reject(r, RejectReason::kUnknownField,
                      "unknown field '" + name + "' (spec '" + spec.name + "' is strict)");
      }
      continue;
    }
    if (!CheckDeclaredType(value, name, *type, r)) return false;
  }
  return true;
}

// Builds ParsedEvent::key from the partition_by fields.
bool EncodeKey(const WindowSpec& spec, const Json& json, std::string* key, Rejection* r) {
  key->clear();
  for (size_t i = 0; i < spec.partition_by.size(); ++i) {
    const KeyPart& part = spec.partition_by[i];
    auto it = json.find(part.field);
    if (it == json.end() || it->is_null()) {
      return Reject(r, RejectReason::kMissingField,
                    "missing partition key field '" + part.field + "'");
    }
    if (i > 0) key->push_back(kSep);
    if (part.floor_micros > 0) {
      int64_t t;
      if (!TimeValue(*it, part.field, &t, r)) return false;
      int64_t floored = t - ((t % part.floor_micros) + part.floor_micros) % part.floor_micros;
      key->push_back('t');
      key->append(std::to_string(floored));
    } else if (it->is_string()) {
      const std::string& s = it->get_ref<const std::string&>();
      if (s.empty()) {
        return Reject(r, RejectReason::kMissingField,
                      "partition key field '" + part.field + "' is empty");
      }
      if (s.find(kSep) != std::string::npos) {
        return Reject(r, RejectReason::kWrongType,
                      "field '" + part.field + "': contains the control character 0x1f");
      }
      key->push_back('s');
      key->append(s);
    } else if (it->is_number_integer()) {
      key->push_back('n');
      key->append(it->dump());
    } else {
      return Reject(
          r, RejectReason::kWrongType,
          "field '" + part.field + "': expected a string or an integer key, got " + TypeName(*it));
    }
  }
  return true;
}

// Reads the aggregated fields (finite numbers) in value_fields order.
bool ReadValues(const WindowSpec& spec, const Json& json,
                std::array<double, kMaxValueFields>* values, Rejection* r) {
  for (size_t i = 0; i < spec.value_fields.size(); ++i) {
    const std::string& field = spec.value_fields[i];
    auto it = json.find(field);
    if (it == json.end() || it->is_null()) {
      return Reject(r, RejectReason::kMissingField, "missing field '" + field + "'");
    }
    if (!it->is_number()) {
      return Reject(r, RejectReason::kWrongType,
                    "field '" + field + "': expected a number, got " + TypeName(*it));
    }
    double v = it->get<double>();
    if (!std::isfinite(v)) {
      return Reject(r, RejectReason::kWrongType, "field '" + field + "': not a finite number");
    }
    (*values)[i] = v;
  }
  return true;
}

// The time that places the event in windows: arrival or event time.
bool ReadWindowTime(const WindowSpec& spec, const Json& json, int64_t arrival_micros,
                    int64_t* micros, Rejection* r) {
  if (spec.arrival_time_basis()) {
    *micros = arrival_micros;
    return true;
  }
  auto it = json.find(spec.event_time_field);
  if (it == json.end() || it->is_null()) {
    return Reject(r, RejectReason::kMissingField,
                  "missing event time field '" + spec.event_time_field + "'");
  }
  return TimeValue(*it, spec.event_time_field, micros, r);
}

}  // namespace

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNotJson:
      return "not_json";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kTooLarge:
      return "too_large";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kWrongType:
      return "wrong_type";
    case RejectReason::kUnknownField:
      return "unknown_field";
    case RejectReason::kBadTime:
      return "bad_time";
    case RejectReason::kLate:
      return "late";
  }
  return "?";
}

bool EventParser::Parse(std::string_view payload, int64_t arrival_micros, ParsedEvent* out,
                        Rejection* rejection) const {
  if (payload.size() > kMaxEventBytes) {
    return Reject(rejection, RejectReason::kTooLarge,
                  "event is " + std::to_string(payload.size()) + " bytes, over the 1 MiB limit");
  }
  auto json = ParseJson(payload, "event");
  if (!json.ok()) return Reject(rejection, RejectReason::kNotJson, json.status().message());
  return ParseJsonValue(*json, arrival_micros, out, rejection);
}

bool EventParser::ParseJsonValue(const Json& json, int64_t arrival_micros, ParsedEvent* out,
                                 Rejection* r) const {
  if (!json.is_object()) {
    return Reject(r, RejectReason::kNotObject, "event is " + TypeName(json) + ", not an object");
  }
  if (spec_.sql != nullptr) return ParseSqlEvent(spec_, json, arrival_micros, out, r);
  out->skip = false;
  return CheckDeclaredFields(spec_, json, r) && EncodeKey(spec_, json, &out->key, r) &&
         ReadValues(spec_, json, &out->values, r) &&
         ReadWindowTime(spec_, json, arrival_micros, &out->time_micros, r);
}

std::string KeyPartText(std::string_view key, size_t part) {
  size_t start = 0;
  for (size_t i = 0; i < part; ++i) {
    size_t sep = key.find(kSep, start);
    if (sep == std::string_view::npos) return "";
    start = sep + 1;
  }
  size_t end = key.find(kSep, start);
  std::string_view piece =
      key.substr(start, end == std::string_view::npos ? key.npos : end - start);
  if (piece.empty()) return "";
  if (piece[0] == 't')
    return FormatIso8601Micros(std::strtoll(std::string(piece.substr(1)).c_str(), nullptr, 10));
  return std::string(piece.substr(1));
}

void AddKeyFieldsToJson(const WindowSpec& spec, std::string_view key, OrderedJson* row) {
  size_t start = 0;
  for (const KeyPart& part : spec.partition_by) {
    size_t end = key.find(kSep, start);
    std::string_view piece =
        key.substr(start, end == std::string_view::npos ? key.npos : end - start);
    start = end == std::string_view::npos ? key.size() : end + 1;
    if (piece.empty()) continue;
    std::string value(piece.substr(1));
    switch (piece[0]) {
      case 't':
        (*row)[part.output_name] = FormatIso8601Micros(std::strtoll(value.c_str(), nullptr, 10));
        break;
      case 'n':
        (*row)[part.output_name] = std::strtoll(value.c_str(), nullptr, 10);
        break;
      default:
        (*row)[part.output_name] = value;
    }
  }
}

Status CheckEventValueSizes(const Json& event) {
  if (event.is_string()) {
    const size_t size = event.get_ref<const std::string&>().size();
    if (size > featurestore::kMaxValueBytes) {
      return InvalidArgumentError("a value of " + std::to_string(size) +
                                  " bytes exceeds the 350 KB limit of feature values");
    }
    return Status::Ok();
  }
  if (event.is_object()) {
    for (auto it = event.begin(); it != event.end(); ++it) {
      Status s = CheckEventValueSizes(it.value());
      if (!s.ok()) return InvalidArgumentError("field '" + it.key() + "': " + s.message());
    }
  } else if (event.is_array()) {
    for (const Json& item : event) RETURN_IF_ERROR(CheckEventValueSizes(item));
  }
  return Status::Ok();
}

Status CheckEventPayloadSizes(std::string_view payload) {
  if (payload.size() <= featurestore::kMaxValueBytes) return Status::Ok();
  StatusOr<Json> parsed = ParseJson(payload, "record data");
  if (!parsed.ok()) return Status::Ok();  // not JSON: the processor rejects it
  return CheckEventValueSizes(*parsed);
}

}  // namespace pantry::stream
