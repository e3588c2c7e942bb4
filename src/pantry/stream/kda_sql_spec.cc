#include "pantry/stream/kda_sql_spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "pantry/common/time_format.h"
#include "pantry/stream/kda_sql_parser.h"

namespace pantry::stream {
namespace {

using kda::Expr;
using kda::ExprPtr;
using kda::SqlValue;

constexpr char kSep = '\x1f';

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

Status KeyError(std::string_view key, const Status& st) {
  return Status(st.code(), std::string(key) + ": " + st.message());
}

StatusOr<std::vector<SqlSpecExtensions::PathStep>> ParsePath(std::string_view mapping) {
  std::vector<SqlSpecExtensions::PathStep> path;
  if (mapping.empty() || mapping[0] != '$') {
    return InvalidArgumentError("mapping '" + std::string(mapping) + "' must start with '$'");
  }
  size_t i = 1;
  while (i < mapping.size()) {
    SqlSpecExtensions::PathStep step;
    if (mapping[i] == '.') {
      size_t end = mapping.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = mapping.size();
      step.key = std::string(mapping.substr(i + 1, end - i - 1));
      if (step.key.empty()) return InvalidArgumentError("empty name in mapping");
      i = end;
    } else if (mapping[i] == '[') {
      size_t end = mapping.find(']', i);
      if (end == std::string_view::npos) return InvalidArgumentError("missing ']' in mapping");
      std::string_view inner = mapping.substr(i + 1, end - i - 1);
      int index = -1;
      auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), index);
      if (ec != std::errc() || p != inner.data() + inner.size() || index < 0) {
        return InvalidArgumentError("mapping '" + std::string(mapping) +
                                    "': only [n] array indexes are supported (KDA's [0:] "
                                    "flattening is not)");
      }
      step.index = index;
      i = end + 1;
    } else {
      return InvalidArgumentError("mapping '" + std::string(mapping) + "': unexpected '" +
                                  std::string(1, mapping[i]) + "'");
    }
    path.push_back(std::move(step));
  }
  return path;
}

StatusOr<kda::SqlType> ParseTypeText(const std::string& text) {
  // Reuse the parser: "CAST(NULL AS <type>)".
  ASSIGN_OR_RETURN(ExprPtr e, kda::ParseExpression("CAST(NULL AS " + text + ")"));
  return e->type;
}

Status ParseColumns(const Json& j, SqlSpecExtensions* x) {
  if (!j.is_object()) return InvalidArgumentError("expected an object {name: mapping}");
  for (const auto& [name, v] : j.items()) {
    SqlSpecExtensions::Column c;
    c.name = name;
    if (v.is_string()) {
      c.mapping = v.get<std::string>();
    } else if (v.is_object()) {
      for (const auto& [k, ignored] : v.items()) {
        if (k != "mapping" && k != "type") {
          return InvalidArgumentError(name + ": unknown key '" + k + "' (expected mapping, type)");
        }
      }
      ASSIGN_OR_RETURN(c.mapping, GetJsonString(v, "mapping"));
      if (v.contains("type")) {
        ASSIGN_OR_RETURN(std::string t, GetJsonString(v, "type"));
        auto type = ParseTypeText(t);
        if (!type.ok()) return InvalidArgumentError(name + ": bad type '" + t + "'");
        c.type = *type;
        c.typed = true;
      }
    } else {
      return InvalidArgumentError(name + ": expected \"$.path\" or {mapping, type}");
    }
    auto path = ParsePath(c.mapping);
    if (!path.ok()) return KeyError(name, path.status());
    c.path = std::move(*path);
    x->columns.push_back(std::move(c));
  }
  return Status::Ok();
}

// "EXPR AS name" or {"expr", "as"[, "type"]}.
Status ParseNamedExpr(const Json& j, std::string* name, std::string* sql, std::string* type,
                      ExprPtr* expr) {
  if (j.is_string()) {
    bool quoted = false;
    const std::string text = j.get<std::string>();
    ASSIGN_OR_RETURN(*expr, kda::ParseExpressionWithAlias(text, name, &quoted));
    if (name->empty()) return InvalidArgumentError("'" + text + "': missing AS name");
    *sql = kda::ExprToSql(**expr);
    return Status::Ok();
  }
  if (!j.is_object()) return InvalidArgumentError("expected \"EXPR AS name\" or {expr, as}");
  for (const auto& [k, ignored] : j.items()) {
    if (k != "expr" && k != "as" && (type == nullptr || k != "type")) {
      return InvalidArgumentError("unknown key '" + k + "'");
    }
  }
  ASSIGN_OR_RETURN(*sql, GetJsonString(j, "expr"));
  ASSIGN_OR_RETURN(*name, GetJsonString(j, "as"));
  if (type != nullptr && j.contains("type")) {
    ASSIGN_OR_RETURN(*type, GetJsonString(j, "type"));
    auto t = ParseTypeText(*type);
    if (!t.ok()) return InvalidArgumentError("bad type '" + *type + "'");
    *type = t->ToString();
  }
  ASSIGN_OR_RETURN(*expr, kda::ParseExpression(*sql));
  *sql = kda::ExprToSql(**expr);
  return Status::Ok();
}

bool UsesSlotBelow(const Expr& e, int limit) {
  if (e.kind == kda::ExprKind::kColumn) return e.slot < limit;
  return std::any_of(e.args.begin(), e.args.end(),
                     [&](const ExprPtr& a) { return UsesSlotBelow(*a, limit); });
}

// Resolves event-side names to slots, adding inputs as they are first used.
class EventBinder {
 public:
  explicit EventBinder(SqlSpecExtensions* x) : x_(x) {}

  // `limit`: how many computed columns are visible (those defined earlier).
  StatusOr<int> Resolve(const std::string& name, bool exact_only, size_t limit) {
    for (size_t i = 0; i < limit; ++i) {
      if (x_->computed[i].name == name) return static_cast<int>(i);
    }
    for (size_t i = 0; i < x_->columns.size(); ++i) {
      if (x_->columns[i].name == name) return Input(name, static_cast<int>(i));
    }
    if (!exact_only) {
      int computed = -1, column = -1, count = 0;
      for (size_t i = 0; i < limit; ++i) {
        if (EqualsIgnoreCase(x_->computed[i].name, name)) {
          computed = static_cast<int>(i);
          ++count;
        }
      }
      for (size_t i = 0; i < x_->columns.size(); ++i) {
        if (EqualsIgnoreCase(x_->columns[i].name, name)) {
          column = static_cast<int>(i);
          ++count;
        }
      }
      if (count == 1) return computed >= 0 ? computed : Input(x_->columns[column].name, column);
    }
    if (!x_->columns.empty()) {
      return InvalidArgumentError("unknown column '" + name + "' (not in \"columns\")");
    }
    return Input(name, -1);
  }

  StatusOr<ExprPtr> Bind(const ExprPtr& e, size_t limit) {
    return kda::BindExpr(e, [&](const Expr& col) -> StatusOr<int> {
      if (!col.qualifier.empty()) {
        return InvalidArgumentError("qualified name " + col.qualifier + "." + col.name +
                                    " (use the column name alone)");
      }
      if (EqualsIgnoreCase(col.text, "ROWTIME") && !col.quoted) {
        return InvalidArgumentError("ROWTIME is not available per event here");
      }
      return Resolve(col.quoted ? col.name : col.text, col.quoted, limit);
    });
  }

 private:
  int Input(const std::string& name, int column) {
    for (size_t i = 0; i < x_->inputs.size(); ++i) {
      if (x_->inputs[i].name == name && x_->inputs[i].column == column) {
        return static_cast<int>(x_->computed.size() + i);
      }
    }
    x_->inputs.push_back({name, column});
    return static_cast<int>(x_->computed.size() + x_->inputs.size() - 1);
  }

  SqlSpecExtensions* x_;
};

Status BindEventSide(const WindowSpec& spec, SqlSpecExtensions* x) {
  EventBinder binder(x);
  for (size_t i = 0; i < x->computed.size(); ++i) {
    auto bound = binder.Bind(x->computed[i].expr, i);
    if (!bound.ok()) return KeyError("computed." + x->computed[i].name, bound.status());
    x->computed[i].expr = *bound;
  }
  if (x->filter != nullptr) {
    auto bound = binder.Bind(x->filter, x->computed.size());
    if (!bound.ok()) return KeyError("filter", bound.status());
    x->filter = *bound;
    x->filter_uses_computed = UsesSlotBelow(*x->filter, static_cast<int>(x->computed.size()));
  }
  const size_t all = x->computed.size();
  for (const KeyPart& p : spec.partition_by) {
    auto slot = binder.Resolve(p.field, false, all);
    if (!slot.ok()) return KeyError("partition_by", slot.status());
    x->key_slots.push_back(*slot);
  }
  for (const std::string& f : spec.value_fields) {
    auto slot = binder.Resolve(f, false, all);
    if (!slot.ok()) return KeyError("aggregations", slot.status());
    x->value_slots.push_back(*slot);
  }
  if (!spec.arrival_time_basis()) {
    auto slot = binder.Resolve(spec.event_time_field, false, all);
    if (!slot.ok()) return KeyError("event_time_field", slot.status());
    x->time_slot = *slot;
  }
  for (size_t i = 0; i < x->inputs.size(); ++i) {
    if (x->inputs[i].column < 0) {
      x->inputs_by_lower_name[Lower(x->inputs[i].name)].push_back(static_cast<int>(i));
    }
  }
  return Status::Ok();
}

// Row slots: key parts, aggregations, then ROWTIME, WINDOW_START, WINDOW_END.
Status BindRowSide(const WindowSpec& spec, SqlSpecExtensions* x) {
  std::vector<std::string> names;
  for (const KeyPart& p : spec.partition_by) names.push_back(p.output_name);
  for (const Aggregation& a : spec.aggregations) names.push_back(a.output_name);
  const int specials = static_cast<int>(names.size());
  auto resolve = [&](const Expr& col) -> StatusOr<int> {
    const std::string& want = col.quoted ? col.name : col.text;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == want) return static_cast<int>(i);
    }
    if (!col.quoted) {
      static const char* kSpecial[] = {"ROWTIME", "WINDOW_START", "WINDOW_END"};
      for (int i = 0; i < 3; ++i) {
        if (EqualsIgnoreCase(want, kSpecial[i])) return specials + i;
      }
      int found = -1, count = 0;
      for (size_t i = 0; i < names.size(); ++i) {
        if (EqualsIgnoreCase(names[i], want)) {
          found = static_cast<int>(i);
          ++count;
        }
      }
      if (count == 1) return found;
    }
    return InvalidArgumentError("unknown column '" + want +
                                "' (a select expression can use the key parts, the "
                                "aggregations, ROWTIME, WINDOW_START and WINDOW_END)");
  };
  static const std::set<std::string> kReserved = {"emission_time", "window_start", "window_end",
                                                  "emission_id", "spec"};
  std::set<std::string> seen;
  for (auto& p : x->select) {
    if (kReserved.count(p.name)) {
      return InvalidArgumentError("select: output name '" + p.name + "' is reserved");
    }
    if (!seen.insert(p.name).second) {
      return InvalidArgumentError("select: duplicate output name '" + p.name + "'");
    }
    auto bound = kda::BindExpr(p.expr, resolve);
    if (!bound.ok()) return KeyError("select." + p.name, bound.status());
    p.expr = *bound;
  }
  return Status::Ok();
}

Status ParseExtensionKeys(const Json& json, SqlSpecExtensions* x) {
  if (json.contains("field_case")) {
    ASSIGN_OR_RETURN(std::string c, GetJsonString(json, "field_case"));
    if (c != "exact" && c != "insensitive") {
      return InvalidArgumentError("field_case: '" + c + "' (use exact or insensitive)");
    }
    x->case_insensitive = c == "insensitive";
  }
  if (json.contains("columns")) {
    if (Status st = ParseColumns(json["columns"], x); !st.ok()) return KeyError("columns", st);
  }
  if (json.contains("computed")) {
    const Json& c = json["computed"];
    if (!c.is_array()) return InvalidArgumentError("computed: expected a list of \"EXPR AS name\"");
    for (size_t i = 0; i < c.size(); ++i) {
      SqlSpecExtensions::Computed comp;
      Status st = ParseNamedExpr(c[i], &comp.name, &comp.sql, nullptr, &comp.expr);
      if (!st.ok()) return KeyError("computed[" + std::to_string(i) + "]", st);
      x->computed.push_back(std::move(comp));
    }
  }
  if (json.contains("filter")) {
    ASSIGN_OR_RETURN(std::string f, GetJsonString(json, "filter"));
    auto e = kda::ParseExpression(f);
    if (!e.ok()) return KeyError("filter", e.status());
    x->filter = *e;
    x->filter_sql = kda::ExprToSql(**e);
  }
  if (json.contains("select")) {
    const Json& s = json["select"];
    if (!s.is_array() || s.empty()) {
      return InvalidArgumentError("select: expected a non-empty list of \"EXPR AS name\"");
    }
    for (size_t i = 0; i < s.size(); ++i) {
      SqlSpecExtensions::Projection p;
      Status st = ParseNamedExpr(s[i], &p.name, &p.sql, &p.type, &p.expr);
      if (!st.ok()) return KeyError("select[" + std::to_string(i) + "]", st);
      x->select.push_back(std::move(p));
    }
  }
  return Status::Ok();
}

bool Reject(Rejection* r, RejectReason reason, std::string message) {
  r->reason = reason;
  r->message = std::move(message);
  return false;
}

const Json* Walk(const Json& root, const std::vector<SqlSpecExtensions::PathStep>& path) {
  const Json* cur = &root;
  for (const auto& step : path) {
    if (step.index >= 0) {
      if (!cur->is_array() || static_cast<size_t>(step.index) >= cur->size()) return nullptr;
      cur = &(*cur)[static_cast<size_t>(step.index)];
    } else {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(step.key);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    }
  }
  return cur;
}

bool LoadInputs(const SqlSpecExtensions& x, const Json& json, std::vector<SqlValue>& slots,
                Rejection* r) {
  const size_t base = x.computed.size();
  if (x.case_insensitive && !x.inputs_by_lower_name.empty()) {
    std::vector<bool> set(x.inputs.size(), false);
    for (const auto& [key, value] : json.items()) {
      auto it = x.inputs_by_lower_name.find(Lower(key));
      if (it == x.inputs_by_lower_name.end()) continue;
      for (int i : it->second) {
        if (set[i]) continue;  // the first of several keys differing only in case wins
        set[i] = true;
        slots[base + i] = kda::FromJson(value);
      }
    }
  }
  for (size_t i = 0; i < x.inputs.size(); ++i) {
    const SqlSpecExtensions::Input& in = x.inputs[i];
    if (in.column < 0) {
      if (x.case_insensitive) continue;
      auto it = json.find(in.name);
      if (it != json.end()) slots[base + i] = kda::FromJson(*it);
      continue;
    }
    const SqlSpecExtensions::Column& c = x.columns[static_cast<size_t>(in.column)];
    const Json* v = Walk(json, c.path);
    SqlValue raw = v == nullptr ? SqlValue::Null() : kda::FromJson(*v);
    if (!c.typed) {
      slots[base + i] = std::move(raw);
      continue;
    }
    std::string error;
    if (!kda::CoerceToType(raw, c.type, &slots[base + i], &error)) {
      const bool time = c.type.name == "TIMESTAMP" || c.type.name == "DATE";
      return Reject(r, time ? RejectReason::kBadTime : RejectReason::kWrongType,
                    "column '" + c.name + "' (" + c.type.ToString() + "): " + error);
    }
  }
  return true;
}

std::string SlotName(const SqlSpecExtensions& x, int slot) {
  const size_t s = static_cast<size_t>(slot);
  if (s < x.computed.size()) return x.computed[s].name;
  return x.inputs[s - x.computed.size()].name;
}

bool AppendKey(const KeyPart& part, const SqlValue& v, const std::string& name, std::string* key,
               Rejection* r) {
  using Kind = SqlValue::Kind;
  if (v.is_null()) {
    return Reject(r, RejectReason::kMissingField, "missing partition key field '" + name + "'");
  }
  std::string error;
  if (part.floor_micros > 0) {
    int64_t t;
    if (!kda::ToTimeMicros(v, &t, &error)) {
      return Reject(r, RejectReason::kBadTime, "field '" + name + "': " + error);
    }
    const int64_t f = part.floor_micros;
    key->push_back('t');
    key->append(std::to_string(t - ((t % f) + f) % f));
  } else if (v.kind == Kind::kString) {
    if (v.s.empty()) {
      return Reject(r, RejectReason::kMissingField, "partition key field '" + name + "' is empty");
    }
    if (v.s.find(kSep) != std::string::npos) {
      return Reject(r, RejectReason::kWrongType,
                    "field '" + name + "': contains the control character 0x1f");
    }
    key->push_back('s');
    key->append(v.s);
  } else if (v.kind == Kind::kInt) {
    key->push_back('n');
    key->append(std::to_string(v.i));
  } else if (v.kind == Kind::kTime) {
    key->push_back('t');
    key->append(std::to_string(v.i));
  } else {
    return Reject(r, RejectReason::kWrongType,
                  "field '" + name + "': expected a string or an integer key");
  }
  return true;
}

bool BuildKeyAndValues(const WindowSpec& spec, const std::vector<SqlValue>& slots, ParsedEvent* out,
                       Rejection* r) {
  const SqlSpecExtensions& x = *spec.sql;
  out->key.clear();
  for (size_t i = 0; i < x.key_slots.size(); ++i) {
    if (i > 0) out->key.push_back(kSep);
    const int slot = x.key_slots[i];
    if (!AppendKey(spec.partition_by[i], slots[static_cast<size_t>(slot)], SlotName(x, slot),
                   &out->key, r)) {
      return false;
    }
  }
  for (size_t i = 0; i < x.value_slots.size(); ++i) {
    const SqlValue& v = slots[static_cast<size_t>(x.value_slots[i])];
    if (v.is_null()) {
      return Reject(r, RejectReason::kMissingField,
                    "missing field '" + SlotName(x, x.value_slots[i]) + "'");
    }
    if (!v.is_number() || !std::isfinite(v.AsDouble())) {
      return Reject(r, RejectReason::kWrongType,
                    "field '" + SlotName(x, x.value_slots[i]) + "': expected a number");
    }
    out->values[i] = v.AsDouble();
  }
  return true;
}

}  // namespace

Status ParseSqlSpecExtensions(const Json& json, WindowSpec* spec) {
  static const char* kKeys[] = {"field_case", "columns", "computed", "filter", "select"};
  if (std::none_of(std::begin(kKeys), std::end(kKeys),
                   [&](const char* k) { return json.contains(k); })) {
    return Status::Ok();
  }
  if (spec->strict || !spec->fields.empty()) {
    return InvalidArgumentError(
        "strict/fields cannot be combined with field_case, columns, computed, filter or select "
        "(declare input types with \"columns\" instead)");
  }
  auto x = std::make_shared<SqlSpecExtensions>();
  RETURN_IF_ERROR(ParseExtensionKeys(json, x.get()));
  RETURN_IF_ERROR(BindEventSide(*spec, x.get()));
  RETURN_IF_ERROR(BindRowSide(*spec, x.get()));
  if (!spec->sink_feature_group.empty() && !x->select.empty() &&
      std::none_of(x->select.begin(), x->select.end(),
                   [&](const auto& p) { return p.name == spec->sink_record_identifier; })) {
    return InvalidArgumentError("sink.record_identifier: '" + spec->sink_record_identifier +
                                "' is not one of the select columns");
  }
  spec->sql = std::move(x);
  return Status::Ok();
}

bool ParseSqlEvent(const WindowSpec& spec, const Json& json, int64_t arrival_micros,
                   ParsedEvent* out, Rejection* r) {
  const SqlSpecExtensions& x = *spec.sql;
  thread_local std::vector<SqlValue> slots;
  slots.assign(x.computed.size() + x.inputs.size(), SqlValue());
  if (!LoadInputs(x, json, slots, r)) return false;
  out->time_micros = arrival_micros;
  out->skip = false;
  std::string error;
  // A filter that needs no computed column runs first, so that the events it
  // drops cannot fail a computation.
  auto filter = [&]() {
    SqlValue keep;
    if (!kda::Evaluate(*x.filter, slots, &keep, &error)) {
      return Reject(r, RejectReason::kWrongType, "filter: " + error);
    }
    out->skip = keep.kind != SqlValue::Kind::kBool || !keep.b;
    return true;
  };
  if (x.filter != nullptr && !x.filter_uses_computed && (!filter() || out->skip)) {
    return out->skip;
  }
  for (size_t i = 0; i < x.computed.size(); ++i) {
    SqlValue v;
    if (!kda::Evaluate(*x.computed[i].expr, slots, &v, &error)) {
      return Reject(r, RejectReason::kWrongType,
                    "computed column '" + x.computed[i].name + "': " + error);
    }
    slots[i] = std::move(v);
  }
  if (x.filter != nullptr && x.filter_uses_computed && (!filter() || out->skip)) {
    return out->skip;
  }
  if (x.time_slot >= 0) {
    const SqlValue& t = slots[static_cast<size_t>(x.time_slot)];
    if (t.is_null()) {
      return Reject(r, RejectReason::kMissingField,
                    "missing event time field '" + spec.event_time_field + "'");
    }
    if (!kda::ToTimeMicros(t, &out->time_micros, &error)) {
      return Reject(r, RejectReason::kBadTime, "field '" + spec.event_time_field + "': " + error);
    }
  }
  return BuildKeyAndValues(spec, slots, out, r);
}

std::vector<std::pair<std::string, SqlValue>> ProjectRow(const WindowSpec& spec,
                                                         const EmittedRow& row) {
  std::vector<SqlValue> slots;
  slots.reserve(spec.partition_by.size() + spec.aggregations.size() + 3);
  std::string_view key = row.key;
  for (size_t i = 0; i < spec.partition_by.size(); ++i) {
    size_t end = key.find(kSep);
    std::string_view piece = key.substr(0, end);
    key = end == std::string_view::npos ? std::string_view() : key.substr(end + 1);
    std::string value(piece.empty() ? piece : piece.substr(1));
    const char tag = piece.empty() ? 's' : piece[0];
    if (tag == 't' || tag == 'n') {
      int64_t n = std::strtoll(value.c_str(), nullptr, 10);
      slots.push_back(tag == 't' ? SqlValue::Time(n) : SqlValue::Int(n));
    } else {
      slots.push_back(SqlValue::String(std::move(value)));
    }
  }
  for (size_t i = 0; i < spec.aggregations.size(); ++i) {
    const double v = row.values[i];
    slots.push_back(spec.aggregations[i].function == AggFunction::kCount && !std::isnan(v)
                        ? SqlValue::Int(static_cast<int64_t>(v))
                        : SqlValue::Double(v));
  }
  slots.push_back(SqlValue::Time(row.emission_time));
  slots.push_back(SqlValue::Time(row.window_start));
  slots.push_back(SqlValue::Time(row.window_end));
  std::vector<std::pair<std::string, SqlValue>> out;
  for (const auto& p : spec.sql->select) {
    SqlValue v;
    std::string error;
    if (!kda::Evaluate(*p.expr, slots, &v, &error)) v = SqlValue::Null();
    out.emplace_back(p.name, std::move(v));
  }
  return out;
}

namespace {

SqlColumnClass ClassOfType(const std::string& name) {
  if (name == "INTEGER" || name == "BIGINT" || name == "SMALLINT" || name == "TINYINT") {
    return SqlColumnClass::kIntegral;
  }
  if (name == "DOUBLE" || name == "REAL" || name == "FLOAT" || name == "DECIMAL" ||
      name == "NUMERIC") {
    return SqlColumnClass::kFractional;
  }
  return SqlColumnClass::kString;
}

SqlColumnClass ClassOfExpr(const WindowSpec& spec, const Expr& e) {
  using kda::ExprKind;
  const int keys = static_cast<int>(spec.partition_by.size());
  const int aggs = static_cast<int>(spec.aggregations.size());
  switch (e.kind) {
    case ExprKind::kColumn:
      if (e.slot >= keys && e.slot < keys + aggs) {
        return spec.aggregations[static_cast<size_t>(e.slot - keys)].function == AggFunction::kCount
                   ? SqlColumnClass::kIntegral
                   : SqlColumnClass::kFractional;
      }
      return SqlColumnClass::kString;
    case ExprKind::kNumber:
      return e.integer ? SqlColumnClass::kIntegral : SqlColumnClass::kFractional;
    case ExprKind::kCast:
      return ClassOfType(e.type.name);
    case ExprKind::kUnary:
      return e.name == "-" ? ClassOfExpr(spec, *e.args[0]) : SqlColumnClass::kString;
    case ExprKind::kBinary: {
      if (e.name != "+" && e.name != "-" && e.name != "*" && e.name != "/") {
        return SqlColumnClass::kString;
      }
      const bool ints = ClassOfExpr(spec, *e.args[0]) == SqlColumnClass::kIntegral &&
                        ClassOfExpr(spec, *e.args[1]) == SqlColumnClass::kIntegral;
      return ints ? SqlColumnClass::kIntegral : SqlColumnClass::kFractional;
    }
    case ExprKind::kCall:
      if (e.name == "CHAR_LENGTH") return SqlColumnClass::kIntegral;
      if ((e.name == "ABS" || e.name == "FLOOR" || e.name == "CEIL" || e.name == "STEP") &&
          e.micros == 0) {
        return ClassOfExpr(spec, *e.args[0]);
      }
      return SqlColumnClass::kString;
    default:
      return SqlColumnClass::kString;
  }
}

}  // namespace

std::vector<SqlColumnClass> SelectColumnClasses(const WindowSpec& spec) {
  std::vector<SqlColumnClass> out;
  for (const auto& p : spec.sql->select) {
    out.push_back(p.type.empty() ? ClassOfExpr(spec, *p.expr)
                                 : ClassOfType(p.type.substr(0, p.type.find('('))));
  }
  return out;
}

OrderedJson SqlRowToJson(const WindowSpec& spec, const EmittedRow& row, bool with_id) {
  OrderedJson j = OrderedJson::object();
  if (with_id) j["emission_id"] = row.emission_id;
  j["emission_time"] = FormatIso8601Micros(row.emission_time);
  j["window_start"] = FormatIso8601Micros(row.window_start);
  j["window_end"] = FormatIso8601Micros(row.window_end);
  for (auto& [name, value] : ProjectRow(spec, row)) j[name] = kda::ToJson(value);
  return j;
}

}  // namespace pantry::stream
