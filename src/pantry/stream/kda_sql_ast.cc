#include "pantry/stream/kda_sql_ast.h"

#include <cctype>
#include <cstdio>
#include <set>

#include "pantry/common/time_format.h"

namespace pantry::stream::kda {
namespace {

bool PlainIdentifier(const std::string& s) {
  static const std::set<std::string> kReserved = {
      "AND",   "OR",    "NOT",  "IN",      "LIKE",    "IS",       "NULL",      "TRUE",   "FALSE",
      "CAST",  "AS",    "FROM", "BETWEEN", "CASE",    "INTERVAL", "TIMESTAMP", "DATE",   "SELECT",
      "WHERE", "GROUP", "OVER", "WINDOW",  "ROWTIME", "TO",       "BY",        "ESCAPE", "SIMILAR"};
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  std::string upper;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return !kReserved.count(upper) || upper == "ROWTIME";
}

std::string Ident(const std::string& s) {
  if (PlainIdentifier(s)) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string UnitText(int64_t micros) {
  struct Unit {
    int64_t micros;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86'400'000'000, "DAY"},
                                    {3'600'000'000, "HOUR"},
                                    {60'000'000, "MINUTE"},
                                    {1'000'000, "SECOND"}};
  for (const Unit& u : kUnits) {
    if (micros % u.micros == 0) {
      return "INTERVAL '" + std::to_string(micros / u.micros) + "' " + u.name;
    }
  }
  return "INTERVAL '" + std::to_string(micros / 1'000'000) + "' SECOND";
}

std::string FloorUnit(int64_t micros) {
  switch (micros) {
    case 86'400'000'000:
      return "DAY";
    case 3'600'000'000:
      return "HOUR";
    case 60'000'000:
      return "MINUTE";
    default:
      return "SECOND";
  }
}

int Precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      if (e.name == "OR") return 1;
      if (e.name == "AND") return 2;
      if (e.name == "+" || e.name == "-" || e.name == "||") return 5;
      if (e.name == "*" || e.name == "/") return 6;
      return 4;  // comparisons
    case ExprKind::kUnary:
      return e.name == "NOT" ? 3 : 7;
    case ExprKind::kIn:
    case ExprKind::kLike:
    case ExprKind::kIsNull:
    case ExprKind::kBetween:
      return 4;
    default:
      return 8;
  }
}

std::string Render(const Expr& e, int min_prec);

std::string Child(const Expr& e, int min_prec) {
  std::string s = Render(e, min_prec);
  return Precedence(e) < min_prec ? "(" + s + ")" : s;
}

std::string RenderCall(const Expr& e) {
  std::string out = e.name + "(";
  if (e.star) {
    out += "*";
  } else if (!e.args.empty()) {
    out += Render(*e.args[0], 0);
  }
  if (e.name == "FLOOR" || e.name == "CEIL") {
    if (e.micros > 0) out += " TO " + FloorUnit(e.micros);
  } else if (e.name == "STEP") {
    out += " BY " + (e.micros > 0 ? UnitText(e.micros) : std::to_string(e.int_value));
  }
  out += ")";
  if (!e.over.empty()) out += " OVER " + Ident(e.over);
  return out;
}

std::string Render(const Expr& e, int /*min_prec*/) {
  const int p = Precedence(e);
  switch (e.kind) {
    case ExprKind::kColumn:
      return e.qualifier.empty() ? Ident(e.name) : Ident(e.qualifier) + "." + Ident(e.name);
    case ExprKind::kNumber: {
      if (!e.text.empty()) return e.text;
      if (e.integer) return std::to_string(e.int_value);
      char buf[40];
      std::snprintf(buf, sizeof(buf), "%.17g", e.number);
      return buf;
    }
    case ExprKind::kString:
      return Quote(e.text);
    case ExprKind::kBool:
      return e.bool_value ? "TRUE" : "FALSE";
    case ExprKind::kNull:
      return "NULL";
    case ExprKind::kTimestamp:
      return "TIMESTAMP " + Quote(FormatIso8601Micros(e.micros));
    case ExprKind::kUnary:
      return e.name == "NOT" ? "NOT " + Child(*e.args[0], p) : "-" + Child(*e.args[0], p + 1);
    case ExprKind::kBinary: {
      // Left-associative: the right operand binds tighter.
      const int right = (p >= 5) ? p + 1 : p;
      return Child(*e.args[0], p == 4 ? 5 : p) + " " + e.name + " " +
             Child(*e.args[1], p == 4 ? 5 : right);
    }
    case ExprKind::kCall:
      return RenderCall(e);
    case ExprKind::kCast:
      return "CAST(" + Render(*e.args[0], 0) + " AS " + e.type.ToString() + ")";
    case ExprKind::kIn: {
      std::string out = Child(*e.args[0], 5) + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i > 1) out += ", ";
        out += Render(*e.args[i], 0);
      }
      return out + ")";
    }
    case ExprKind::kLike:
      return Child(*e.args[0], 5) + (e.negated ? " NOT LIKE " : " LIKE ") + Child(*e.args[1], 5);
    case ExprKind::kIsNull:
      return Child(*e.args[0], 5) + (e.negated ? " IS NOT NULL" : " IS NULL");
    case ExprKind::kBetween:
      return Child(*e.args[0], 5) + (e.negated ? " NOT BETWEEN " : " BETWEEN ") +
             Child(*e.args[1], 5) + " AND " + Child(*e.args[2], 5);
  }
  return "";
}

}  // namespace

std::string SqlType::ToString() const {
  std::string out = name;
  if (precision >= 0) {
    out += "(" + std::to_string(precision);
    if (scale >= 0) out += "," + std::to_string(scale);
    out += ")";
  }
  return out;
}

bool IsAggregateName(const std::string& n) {
  return n == "COUNT" || n == "SUM" || n == "AVG" || n == "MIN" || n == "MAX";
}

bool ContainsAggregate(const Expr& e) {
  if (e.kind == ExprKind::kCall && IsAggregateName(e.name)) return true;
  for (const ExprPtr& a : e.args) {
    if (ContainsAggregate(*a)) return true;
  }
  return false;
}

bool SameExpr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.name != b.name || a.negated != b.negated || a.star != b.star ||
      a.distinct != b.distinct || a.over != b.over || a.micros != b.micros ||
      a.args.size() != b.args.size()) {
    return false;
  }
  switch (a.kind) {
    case ExprKind::kNumber:
      if (a.number != b.number || a.integer != b.integer) return false;
      break;
    case ExprKind::kString:
      if (a.text != b.text) return false;
      break;
    case ExprKind::kBool:
      if (a.bool_value != b.bool_value) return false;
      break;
    case ExprKind::kCast:
      if (a.type.ToString() != b.type.ToString()) return false;
      break;
    case ExprKind::kCall:
      if (a.int_value != b.int_value) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!SameExpr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

std::string ExprToSql(const Expr& e) { return Render(e, 0); }

}  // namespace pantry::stream::kda
