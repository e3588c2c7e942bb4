#include "pantry/stream/kda_sql_eval.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "pantry/common/time_format.h"

namespace pantry::stream::kda {
namespace {

using Kind = SqlValue::Kind;

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

std::string KindName(Kind k) {
  switch (k) {
    case Kind::kNull:
      return "NULL";
    case Kind::kBool:
      return "a BOOLEAN";
    case Kind::kInt:
      return "an INTEGER";
    case Kind::kDouble:
      return "a DOUBLE";
    case Kind::kString:
      return "a VARCHAR";
    case Kind::kTime:
      return "a TIMESTAMP";
  }
  return "?";
}

int64_t FloorTo(int64_t v, int64_t unit) { return v - (((v % unit) + unit) % unit); }

bool IsIntegerType(const std::string& n) {
  return n == "INTEGER" || n == "BIGINT" || n == "SMALLINT" || n == "TINYINT";
}
bool IsFractionalType(const std::string& n) {
  return n == "DOUBLE" || n == "REAL" || n == "FLOAT" || n == "DECIMAL" || n == "NUMERIC";
}

bool ParseNumber(const std::string& text, double* out) {
  std::string t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  size_t b = 0;
  while (b < t.size() && std::isspace(static_cast<unsigned char>(t[b]))) ++b;
  if (b == t.size()) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str() + b, &end);
  return end == t.c_str() + t.size() && std::isfinite(*out);
}

// Rounds half away from zero into int64 (SQL CAST to an integer type).
bool RoundToInt(double v, int64_t* out) {
  if (!std::isfinite(v) || std::fabs(v) >= 9.2e18) return false;
  *out = std::llround(v);
  return true;
}

bool LikeMatch(std::string_view s, std::string_view p) {
  // Iterative wildcard match: '%' any run, '_' one character.
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '_' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// -1, 0, 1; false on incomparable kinds.
bool Compare(const SqlValue& a, const SqlValue& b, int* cmp, std::string* error) {
  if (a.kind == Kind::kInt && b.kind == Kind::kInt) {
    *cmp = a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    return true;
  }
  if (a.is_number() && b.is_number()) {
    double x = a.AsDouble(), y = b.AsDouble();
    *cmp = x < y ? -1 : (x > y ? 1 : 0);
    return true;
  }
  if (a.kind == Kind::kString && b.kind == Kind::kString) {
    int c = a.s.compare(b.s);
    *cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  if (a.kind == Kind::kBool && b.kind == Kind::kBool) {
    *cmp = static_cast<int>(a.b) - static_cast<int>(b.b);
    return true;
  }
  if (a.kind == Kind::kTime || b.kind == Kind::kTime) {
    int64_t x, y;
    if (ToTimeMicros(a, &x, error) && ToTimeMicros(b, &y, error)) {
      *cmp = x < y ? -1 : (x > y ? 1 : 0);
      return true;
    }
  }
  return Fail(error, "cannot compare " + KindName(a.kind) + " with " + KindName(b.kind));
}

bool Arithmetic(const std::string& op, const SqlValue& a, const SqlValue& b, SqlValue* out,
                std::string* error) {
  if (op == "||") {
    *out = SqlValue::String(a.ToText() + b.ToText());
    return true;
  }
  if (!a.is_number() || !b.is_number()) {
    return Fail(error, "operator " + op + " needs numbers, got " + KindName(a.kind) + " and " +
                           KindName(b.kind));
  }
  if (a.kind == Kind::kInt && b.kind == Kind::kInt) {
    int64_t r = 0;
    bool overflow = false;
    if (op == "+") {
      overflow = __builtin_add_overflow(a.i, b.i, &r);
    } else if (op == "-") {
      overflow = __builtin_sub_overflow(a.i, b.i, &r);
    } else if (op == "*") {
      overflow = __builtin_mul_overflow(a.i, b.i, &r);
    } else {
      if (b.i == 0) return Fail(error, "division by zero");
      if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) return Fail(error, "overflow");
      r = a.i / b.i;  // SQL integer division truncates
    }
    if (overflow) return Fail(error, "integer overflow in " + op);
    *out = SqlValue::Int(r);
    return true;
  }
  const double x = a.AsDouble(), y = b.AsDouble();
  double r = 0;
  if (op == "+") {
    r = x + y;
  } else if (op == "-") {
    r = x - y;
  } else if (op == "*") {
    r = x * y;
  } else {
    if (y == 0) return Fail(error, "division by zero");
    r = x / y;
  }
  *out = SqlValue::Double(r);
  return true;
}

bool EvalBinary(const Expr& e, std::span<const SqlValue> slots, SqlValue* out, std::string* error) {
  SqlValue a, b;
  if (!Evaluate(*e.args[0], slots, &a, error)) return false;
  if (e.name == "AND" || e.name == "OR") {
    if (!a.is_null() && a.kind != Kind::kBool) return Fail(error, e.name + " needs BOOLEANs");
    const bool is_and = e.name == "AND";
    if (!a.is_null() && a.b != is_and) {  // FALSE AND x, TRUE OR x
      *out = SqlValue::Bool(!is_and);
      return true;
    }
    if (!Evaluate(*e.args[1], slots, &b, error)) return false;
    if (!b.is_null() && b.kind != Kind::kBool) return Fail(error, e.name + " needs BOOLEANs");
    if (!b.is_null() && b.b != is_and) {
      *out = SqlValue::Bool(!is_and);
    } else if (a.is_null() || b.is_null()) {
      *out = SqlValue::Null();
    } else {
      *out = SqlValue::Bool(is_and);
    }
    return true;
  }
  if (!Evaluate(*e.args[1], slots, &b, error)) return false;
  if (a.is_null() || b.is_null()) {
    *out = SqlValue::Null();
    return true;
  }
  const std::string& op = e.name;
  if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    int c = 0;
    if (!Compare(a, b, &c, error)) return false;
    bool r = op == "="    ? c == 0
             : op == "<>" ? c != 0
             : op == "<"  ? c < 0
             : op == "<=" ? c <= 0
             : op == ">"  ? c > 0
                          : c >= 0;
    *out = SqlValue::Bool(r);
    return true;
  }
  return Arithmetic(op, a, b, out, error);
}

bool EvalTimeFloor(const Expr& e, const SqlValue& a, SqlValue* out, std::string* error) {
  int64_t t;
  if (!ToTimeMicros(a, &t, error)) return false;
  int64_t f = FloorTo(t, e.micros);
  if (e.name == "CEIL" && f != t) f += e.micros;
  *out = SqlValue::Time(f);
  return true;
}

bool EvalCall(const Expr& e, std::span<const SqlValue> slots, SqlValue* out, std::string* error) {
  SqlValue a;
  if (!Evaluate(*e.args[0], slots, &a, error)) return false;
  if (a.is_null()) {
    *out = SqlValue::Null();
    return true;
  }
  const std::string& n = e.name;
  if ((n == "FLOOR" || n == "CEIL") && e.micros > 0) return EvalTimeFloor(e, a, out, error);
  if (n == "STEP") {
    if (e.micros > 0) {
      int64_t t;
      if (!ToTimeMicros(a, &t, error)) return false;
      *out = SqlValue::Time(FloorTo(t, e.micros));
    } else if (a.kind == Kind::kInt) {
      *out = SqlValue::Int(FloorTo(a.i, e.int_value));
    } else if (a.kind == Kind::kDouble) {
      const double step = static_cast<double>(e.int_value);
      *out = SqlValue::Double(std::floor(a.d / step) * step);
    } else {
      return Fail(error, "STEP needs a number or a timestamp, got " + KindName(a.kind));
    }
    return true;
  }
  if (n == "UPPER" || n == "LOWER" || n == "CHAR_LENGTH") {
    if (a.kind != Kind::kString)
      return Fail(error, n + " needs a VARCHAR, got " + KindName(a.kind));
    if (n == "CHAR_LENGTH") {
      *out = SqlValue::Int(static_cast<int64_t>(a.s.size()));
      return true;
    }
    std::string s = a.s;
    for (char& c : s) {
      c = static_cast<char>(n == "UPPER" ? std::toupper(static_cast<unsigned char>(c))
                                         : std::tolower(static_cast<unsigned char>(c)));
    }
    *out = SqlValue::String(std::move(s));
    return true;
  }
  if (!a.is_number()) return Fail(error, n + " needs a number, got " + KindName(a.kind));
  if (a.kind == Kind::kInt) {
    *out = n == "ABS" ? SqlValue::Int(a.i < 0 ? -a.i : a.i) : a;
  } else {
    *out = SqlValue::Double(n == "ABS"     ? std::fabs(a.d)
                            : n == "FLOOR" ? std::floor(a.d)
                                           : std::ceil(a.d));
  }
  return true;
}

bool EvalPredicate(const Expr& e, std::span<const SqlValue> slots, SqlValue* out,
                   std::string* error) {
  SqlValue a;
  if (!Evaluate(*e.args[0], slots, &a, error)) return false;
  if (e.kind == ExprKind::kIsNull) {
    *out = SqlValue::Bool(a.is_null() != e.negated);
    return true;
  }
  if (a.is_null()) {
    *out = SqlValue::Null();
    return true;
  }
  if (e.kind == ExprKind::kLike) {
    SqlValue p;
    if (!Evaluate(*e.args[1], slots, &p, error)) return false;
    if (p.is_null()) {
      *out = SqlValue::Null();
      return true;
    }
    if (a.kind != Kind::kString || p.kind != Kind::kString) {
      return Fail(error, "LIKE needs VARCHARs, got " + KindName(a.kind));
    }
    *out = SqlValue::Bool(LikeMatch(a.s, p.s) != e.negated);
    return true;
  }
  if (e.kind == ExprKind::kBetween) {
    SqlValue lo, hi;
    int c1 = 0, c2 = 0;
    if (!Evaluate(*e.args[1], slots, &lo, error) || !Evaluate(*e.args[2], slots, &hi, error)) {
      return false;
    }
    if (lo.is_null() || hi.is_null()) {
      *out = SqlValue::Null();
      return true;
    }
    if (!Compare(a, lo, &c1, error) || !Compare(a, hi, &c2, error)) return false;
    *out = SqlValue::Bool((c1 >= 0 && c2 <= 0) != e.negated);
    return true;
  }
  bool saw_null = false;  // kIn
  for (size_t i = 1; i < e.args.size(); ++i) {
    SqlValue v;
    int c = 0;
    if (!Evaluate(*e.args[i], slots, &v, error)) return false;
    if (v.is_null()) {
      saw_null = true;
      continue;
    }
    if (!Compare(a, v, &c, error)) return false;
    if (c == 0) {
      *out = SqlValue::Bool(!e.negated);
      return true;
    }
  }
  *out = saw_null ? SqlValue::Null() : SqlValue::Bool(e.negated);
  return true;
}

}  // namespace

SqlValue SqlValue::Bool(bool v) {
  SqlValue x;
  x.kind = Kind::kBool;
  x.b = v;
  return x;
}
SqlValue SqlValue::Int(int64_t v) {
  SqlValue x;
  x.kind = Kind::kInt;
  x.i = v;
  return x;
}
SqlValue SqlValue::Double(double v) {
  if (std::isnan(v)) return Null();
  SqlValue x;
  x.kind = Kind::kDouble;
  x.d = v;
  return x;
}
SqlValue SqlValue::String(std::string v) {
  SqlValue x;
  x.kind = Kind::kString;
  x.s = std::move(v);
  return x;
}
SqlValue SqlValue::Time(int64_t micros) {
  SqlValue x;
  x.kind = Kind::kTime;
  x.i = micros;
  return x;
}

std::string SqlValue::ToText() const {
  switch (kind) {
    case Kind::kNull:
      return "";
    case Kind::kBool:
      return b ? "TRUE" : "FALSE";
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kDouble: {
      char buf[64];
      auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      return std::string(buf, ec == std::errc() ? p : buf);
    }
    case Kind::kString:
      return s;
    case Kind::kTime:
      return FormatIso8601Micros(i);
  }
  return "";
}

SqlValue FromJson(const Json& v) {
  if (v.is_string()) return SqlValue::String(v.get<std::string>());
  if (v.is_boolean()) return SqlValue::Bool(v.get<bool>());
  if (v.is_number_integer() && !v.is_number_unsigned()) return SqlValue::Int(v.get<int64_t>());
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return SqlValue::Int(static_cast<int64_t>(u));
    }
    return SqlValue::Double(static_cast<double>(u));
  }
  if (v.is_number()) return SqlValue::Double(v.get<double>());
  if (v.is_null()) return SqlValue::Null();
  return SqlValue::String(DumpJson(v));
}

OrderedJson ToJson(const SqlValue& v) {
  switch (v.kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return v.b;
    case Kind::kInt:
      return v.i;
    case Kind::kDouble:
      return v.d;
    case Kind::kString:
      return v.s;
    case Kind::kTime:
      return FormatIso8601Micros(v.i);
  }
  return nullptr;
}

bool ToTimeMicros(const SqlValue& v, int64_t* micros, std::string* error) {
  switch (v.kind) {
    case Kind::kTime:
      *micros = v.i;
      return true;
    case Kind::kString: {
      auto t = ParseEventTimeMicros(v.s);
      if (!t.ok()) return Fail(error, t.status().message());
      *micros = *t;
      return true;
    }
    case Kind::kInt:
    case Kind::kDouble: {
      double secs = v.AsDouble();
      if (!std::isfinite(secs) || std::fabs(secs) > 1e11) return Fail(error, "time out of range");
      *micros = static_cast<int64_t>(std::llround(secs * 1e6));
      return true;
    }
    default:
      return Fail(error, "expected a timestamp, got " + KindName(v.kind));
  }
}

namespace {

bool CastToNumber(const SqlValue& in, const SqlType& type, bool round, SqlValue* out,
                  std::string* error) {
  double x = 0;
  if (in.kind == Kind::kBool) {
    x = in.b ? 1 : 0;
  } else if (in.kind == Kind::kString) {
    if (!ParseNumber(in.s, &x)) return Fail(error, "'" + in.s + "' is not a number");
  } else if (in.is_number()) {
    x = in.AsDouble();
  } else {
    return Fail(error, "cannot convert " + KindName(in.kind) + " to " + type.ToString());
  }
  if (IsIntegerType(type.name)) {
    if (in.kind == Kind::kInt) {
      *out = in;
      return true;
    }
    int64_t r;
    if (!round && x != std::trunc(x)) {
      return Fail(error, in.ToText() + " is not a whole number");
    }
    if (!RoundToInt(x, &r)) return Fail(error, "value out of range for " + type.name);
    *out = SqlValue::Int(r);
    return true;
  }
  if ((type.name == "DECIMAL" || type.name == "NUMERIC") && type.scale >= 0) {
    const double scale = std::pow(10.0, type.scale);
    x = std::round(x * scale) / scale;
  } else if ((type.name == "DECIMAL" || type.name == "NUMERIC") && type.scale < 0) {
    x = std::round(x);
  }
  *out = SqlValue::Double(x);
  return true;
}

bool Convert(const SqlValue& in, const SqlType& type, bool cast, SqlValue* out,
             std::string* error) {
  if (in.is_null()) {
    *out = in;
    return true;
  }
  const std::string& n = type.name;
  if (n == "VARCHAR" || n == "CHAR") {
    std::string s = in.ToText();
    if (in.kind == Kind::kBool) s = in.b ? "true" : "false";
    if (type.precision >= 0 && s.size() > static_cast<size_t>(type.precision)) {
      s.resize(static_cast<size_t>(type.precision));
    }
    *out = SqlValue::String(std::move(s));
    return true;
  }
  if (IsIntegerType(n) || IsFractionalType(n)) return CastToNumber(in, type, cast, out, error);
  if (n == "BOOLEAN") {
    if (in.kind == Kind::kBool) {
      *out = in;
    } else if (in.is_number()) {
      *out = SqlValue::Bool(in.AsDouble() != 0);
    } else if (in.kind == Kind::kString) {
      std::string l = in.s;
      std::transform(l.begin(), l.end(), l.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      *out = SqlValue::Bool(l == "true");
    } else {
      return Fail(error, "cannot convert " + KindName(in.kind) + " to BOOLEAN");
    }
    return true;
  }
  if (n == "TIMESTAMP" || n == "DATE") {
    int64_t t;
    if (in.kind == Kind::kTime) {
      t = in.i;
    } else if (in.kind == Kind::kString) {
      auto parsed = ParseIso8601Micros(in.s);
      if (!parsed.ok()) return Fail(error, parsed.status().message());
      t = *parsed;
    } else {
      return Fail(error, "cannot convert " + KindName(in.kind) + " to " + n);
    }
    *out = SqlValue::Time(n == "DATE" ? FloorTo(t, 86'400'000'000) : t);
    return true;
  }
  return Fail(error, "conversion to " + type.ToString() + " is not supported");
}

}  // namespace

bool CoerceToType(const SqlValue& in, const SqlType& type, SqlValue* out, std::string* error) {
  return Convert(in, type, false, out, error);
}

bool CastToType(const SqlValue& in, const SqlType& type, SqlValue* out, std::string* error) {
  return Convert(in, type, true, out, error);
}

StatusOr<ExprPtr> BindExpr(const ExprPtr& e,
                           const std::function<StatusOr<int>(const Expr& column)>& resolve) {
  auto copy = std::make_shared<Expr>(*e);
  if (e->kind == ExprKind::kCall && IsAggregateName(e->name)) {
    return InvalidArgumentError("aggregate " + e->name + " is not allowed here");
  }
  if (e->kind == ExprKind::kColumn) {
    ASSIGN_OR_RETURN(copy->slot, resolve(*e));
    return ExprPtr(copy);
  }
  for (ExprPtr& arg : copy->args) {
    ASSIGN_OR_RETURN(arg, BindExpr(arg, resolve));
  }
  return ExprPtr(copy);
}

bool Evaluate(const Expr& e, std::span<const SqlValue> slots, SqlValue* out, std::string* error) {
  switch (e.kind) {
    case ExprKind::kColumn:
      if (e.slot < 0 || static_cast<size_t>(e.slot) >= slots.size()) {
        return Fail(error, "unbound column " + e.name);
      }
      *out = slots[static_cast<size_t>(e.slot)];
      return true;
    case ExprKind::kNumber:
      *out = e.integer ? SqlValue::Int(e.int_value) : SqlValue::Double(e.number);
      return true;
    case ExprKind::kString:
      *out = SqlValue::String(e.text);
      return true;
    case ExprKind::kBool:
      *out = SqlValue::Bool(e.bool_value);
      return true;
    case ExprKind::kNull:
      *out = SqlValue::Null();
      return true;
    case ExprKind::kTimestamp:
      *out = SqlValue::Time(e.micros);
      return true;
    case ExprKind::kUnary: {
      SqlValue a;
      if (!Evaluate(*e.args[0], slots, &a, error)) return false;
      if (a.is_null()) {
        *out = a;
      } else if (e.name == "NOT") {
        if (a.kind != Kind::kBool)
          return Fail(error, "NOT needs a BOOLEAN, got " + KindName(a.kind));
        *out = SqlValue::Bool(!a.b);
      } else if (a.kind == Kind::kInt) {
        *out = SqlValue::Int(-a.i);
      } else if (a.kind == Kind::kDouble) {
        *out = SqlValue::Double(-a.d);
      } else {
        return Fail(error, "unary - needs a number, got " + KindName(a.kind));
      }
      return true;
    }
    case ExprKind::kBinary:
      return EvalBinary(e, slots, out, error);
    case ExprKind::kCall:
      return EvalCall(e, slots, out, error);
    case ExprKind::kCast: {
      SqlValue a;
      if (!Evaluate(*e.args[0], slots, &a, error)) return false;
      return CastToType(a, e.type, out, error);
    }
    case ExprKind::kIn:
    case ExprKind::kLike:
    case ExprKind::kIsNull:
    case ExprKind::kBetween:
      return EvalPredicate(e, slots, out, error);
  }
  return Fail(error, "unknown expression");
}

}  // namespace pantry::stream::kda
