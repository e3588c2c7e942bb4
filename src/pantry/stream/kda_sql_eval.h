// Values and evaluation of KDA SQL scalar expressions (filters, computed
// columns, output projections of window specs), with SQL's null semantics:
// an operation on NULL gives NULL, AND/OR are three-valued, and WHERE keeps a
// row only when its condition is TRUE.
#ifndef PANTRY_STREAM_KDA_SQL_EVAL_H_
#define PANTRY_STREAM_KDA_SQL_EVAL_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_ast.h"

namespace pantry::stream::kda {

struct SqlValue {
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kTime };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;  // kInt; kTime (micros since the epoch)
  double d = 0;
  std::string s;

  static SqlValue Null() { return {}; }
  static SqlValue Bool(bool v);
  static SqlValue Int(int64_t v);
  static SqlValue Double(double v);  // NaN becomes NULL
  static SqlValue String(std::string v);
  static SqlValue Time(int64_t micros);

  bool is_null() const { return kind == Kind::kNull; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  double AsDouble() const { return kind == Kind::kInt ? static_cast<double>(i) : d; }
  // SQL text of the value (numbers shortest round-trip, times ISO-8601).
  std::string ToText() const;
};

// JSON value as KDA maps it without a declared type: strings, booleans,
// integers and other numbers as such; null as NULL; arrays and objects as
// their JSON text.
SqlValue FromJson(const Json& v);
// NULL stays null; times become ISO-8601 strings.
OrderedJson ToJson(const SqlValue& v);

// KDA's coercion of an input value to a column's declared type (the
// InputSchema's SqlType). False with `error` set when the value does not
// convert (a KDA "coercion error"), e.g. 123.4 for an INTEGER column.
bool CoerceToType(const SqlValue& in, const SqlType& type, SqlValue* out, std::string* error);
// CAST: like CoerceToType, but a fraction cast to an integer type is rounded
// half away from zero.
bool CastToType(const SqlValue& in, const SqlType& type, SqlValue* out, std::string* error);

// Interprets a value as a timestamp: a time, ISO-8601 text, or Unix seconds.
bool ToTimeMicros(const SqlValue& v, int64_t* micros, std::string* error);

// Copies `e` with every column's `slot` set by `resolve`, which returns the
// slot for a column or an error (e.g. unknown column). Aggregates are refused
// (the compiler replaces them with references to aggregation outputs).
StatusOr<ExprPtr> BindExpr(const ExprPtr& e,
                           const std::function<StatusOr<int>(const Expr& column)>& resolve);

// Evaluates a bound expression over `slots`. False with `error` set on a
// type error, a failed CAST or a division by zero.
bool Evaluate(const Expr& e, std::span<const SqlValue> slots, SqlValue* out, std::string* error);

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_EVAL_H_
