#include "pantry/stream/event.h"

#include <cmath>

#include "pantry/common/time_format.h"
#include "pantry/featurestore/record.h"
#include "pantry/stream/flat_event.h"
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

// The timestamp rules, shared by the DOM path and the flat path so that the
// two cannot disagree: empty on success, else what is wrong.
std::string TimeFromSeconds(double secs, int64_t* micros) {
  auto t = SecondsToEventTimeMicros(secs);  // years 0001-9999
  if (!t.ok()) return t.status().message().empty() ? "time out of range" : t.status().message();
  *micros = *t;
  return "";
}

std::string TimeFromText(std::string_view text, int64_t* micros) {
  auto t = ParseEventTimeMicros(text);
  if (!t.ok()) return t.status().message().empty() ? "bad time" : t.status().message();
  *micros = *t;
  return "";
}

// Reads a timestamp given as Unix seconds (number) or text.
bool TimeValue(const Json& v, const std::string& field, int64_t* micros, Rejection* r) {
  if (v.is_number() || v.is_string()) {
    std::string problem = v.is_number() ? TimeFromSeconds(v.get<double>(), micros)
                                        : TimeFromText(v.get_ref<const std::string&>(), micros);
    if (!problem.empty()) {
      return Reject(r, RejectReason::kBadTime, "field '" + field + "': " + problem);
    }
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

// The fast path over a FlatEvent: the same checks as the functions above,
// but it only ever accepts. Anything it would reject, or is unsure about,
// returns false and the event goes through the DOM path, which produces
// the exact outcome and message.

bool FlatTime(const FlatField& f, int64_t* micros) {
  if (f.is_number()) return TimeFromSeconds(f.number, micros).empty();
  return f.kind == FlatField::Kind::kString && TimeFromText(f.text, micros).empty();
}

bool FlatDeclaredFieldsOk(const WindowSpec& spec, const FlatEvent& flat) {
  if (!spec.strict && spec.fields.empty()) return true;
  for (const FlatField& f : flat.fields()) {
    if (f.name == "_arrival_time") continue;
    const FieldType* type = nullptr;
    for (const auto& declared : spec.fields) {
      if (declared.first == f.name) {
        type = &declared.second;
        break;
      }
    }
    if (type == nullptr) {
      if (spec.strict) return false;
      continue;
    }
    if (f.kind == FlatField::Kind::kNull) continue;
    int64_t ignored;
    switch (*type) {
      case FieldType::kString:
        if (f.kind != FlatField::Kind::kString) return false;
        break;
      case FieldType::kNumber:
        if (!f.is_number()) return false;
        break;
      case FieldType::kInteger:
        if (f.kind != FlatField::Kind::kInteger) return false;
        break;
      case FieldType::kTime:
        if (!FlatTime(f, &ignored)) return false;
        break;
      case FieldType::kAny:
        break;
    }
  }
  return true;
}

bool FlatEncodeKey(const WindowSpec& spec, const FlatEvent& flat, std::string* key) {
  key->clear();
  for (size_t i = 0; i < spec.partition_by.size(); ++i) {
    const KeyPart& part = spec.partition_by[i];
    const FlatField* f = flat.Find(part.field);
    if (f == nullptr) return false;
    if (i > 0) key->push_back(kSep);
    if (part.floor_micros > 0) {
      int64_t t;
      if (!FlatTime(*f, &t)) return false;
      int64_t floored = t - ((t % part.floor_micros) + part.floor_micros) % part.floor_micros;
      key->push_back('t');
      key->append(std::to_string(floored));
    } else if (f->kind == FlatField::Kind::kString) {
      if (f->text.empty() || f->text.find(kSep) != std::string_view::npos) return false;
      key->push_back('s');
      key->append(f->text);
    } else if (f->kind == FlatField::Kind::kInteger) {
      key->push_back('n');
      key->append(f->text);  // the scan keeps only canonical integers
    } else {
      return false;
    }
  }
  return true;
}

bool FlatReadValues(const WindowSpec& spec, const FlatEvent& flat,
                    std::array<double, kMaxValueFields>* values) {
  for (size_t i = 0; i < spec.value_fields.size(); ++i) {
    const FlatField* f = flat.Find(spec.value_fields[i]);
    if (f == nullptr || !f->is_number() || !std::isfinite(f->number)) return false;
    (*values)[i] = f->number;
  }
  return true;
}

bool FlatParse(const WindowSpec& spec, const FlatEvent& flat, int64_t arrival_micros,
               ParsedEvent* out) {
  if (!FlatDeclaredFieldsOk(spec, flat) || !FlatEncodeKey(spec, flat, &out->key) ||
      !FlatReadValues(spec, flat, &out->values)) {
    return false;
  }
  out->skip = false;
  if (spec.arrival_time_basis()) {
    out->time_micros = arrival_micros;
    return true;
  }
  const FlatField* f = flat.Find(spec.event_time_field);
  return f != nullptr && FlatTime(*f, &out->time_micros);
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
  thread_local FlatEvent flat;
  const bool scanned = spec_.sql == nullptr && flat.Scan(payload);
  return ParseScanned(payload, scanned ? &flat : nullptr, arrival_micros, out, rejection);
}

bool EventParser::ParseScanned(std::string_view payload, const FlatEvent* flat,
                               int64_t arrival_micros, ParsedEvent* out,
                               Rejection* rejection) const {
  if (flat != nullptr && spec_.sql == nullptr && payload.size() <= kMaxEventBytes &&
      FlatParse(spec_, *flat, arrival_micros, out)) {
    return true;
  }
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
