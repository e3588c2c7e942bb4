#include "pantry/stream/kda_sql_expr_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <set>

#include "pantry/common/time_format.h"
#include "pantry/stream/kda_sql_parser.h"

namespace pantry::stream::kda {
namespace {

const std::set<std::string>& ScalarFunctions() {
  static const std::set<std::string> kNames = {"ABS",   "UPPER", "LOWER",   "CHAR_LENGTH",
                                               "FLOOR", "CEIL",  "CEILING", "STEP"};
  return kNames;
}

}  // namespace

std::string ExprParser::Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

StatusOr<ExprPtr> ExprParser::StandaloneExpr(std::string* alias, bool* quoted) {
  ASSIGN_OR_RETURN(ExprPtr e, Expression());
  if (alias != nullptr) {
    if (IsKeyword("AS")) {
      Next();
      // Spec names are case-sensitive: an unquoted alias is kept as written.
      const Token& t = Peek();
      RETURN_IF_ERROR(Name(alias, quoted, "a column name after AS"));
      if (!*quoted) *alias = t.text;
    } else {
      alias->clear();
    }
  }
  if (!AtEnd()) return Error(Peek(), "unexpected " + Describe(Peek()) + " after the expression");
  return e;
}

const Token& ExprParser::Peek(size_t ahead) const {
  return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
}

const Token& ExprParser::Next() {
  const Token& t = Peek();
  if (pos_ < toks_.size() - 1) ++pos_;
  return t;
}

bool ExprParser::IsKeyword(std::string_view word, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kIdentifier && Upper(t.text) == word;
}

bool ExprParser::IsSymbol(std::string_view s, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kSymbol && t.text == s;
}

std::string ExprParser::Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return "string '" + t.text + "'";
    case TokenKind::kQuotedIdentifier:
      return "\"" + t.text + "\"";
    default:
      return "'" + t.text + "'";
  }
}

Status ExprParser::Error(const Token& t, std::string_view message) const {
  return SqlError(src_, Pos(t), message);
}

Status ExprParser::Unsupported(const Token& t, std::string_view what) const {
  return Error(t, std::string(what) + " is not supported");
}

Status ExprParser::ExpectKeyword(std::string_view word) {
  if (!IsKeyword(word)) {
    return Error(Peek(), "expected " + std::string(word) + ", found " + Describe(Peek()));
  }
  Next();
  return Status::Ok();
}

Status ExprParser::ExpectSymbol(std::string_view s, std::string_view what) {
  if (!IsSymbol(s)) {
    std::string want = what.empty() ? "'" + std::string(s) + "'" : std::string(what);
    return Error(Peek(), "expected " + want + ", found " + Describe(Peek()));
  }
  Next();
  return Status::Ok();
}

Status ExprParser::Name(std::string* out, bool* quoted, std::string_view what) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kIdentifier) {
    *out = Upper(t.text);
    if (quoted != nullptr) *quoted = false;
  } else if (t.kind == TokenKind::kQuotedIdentifier) {
    *out = t.text;
    if (quoted != nullptr) *quoted = true;
  } else {
    return Error(t, "expected " + std::string(what) + ", found " + Describe(t));
  }
  Next();
  return Status::Ok();
}

Status ExprParser::Type(SqlType* type) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdentifier) {
    return Error(t, "expected a column type, found " + Describe(t));
  }
  static const std::set<std::string> kTypes = {
      "VARCHAR",  "CHAR",    "CHARACTER", "INTEGER", "INT",   "BIGINT",
      "SMALLINT", "TINYINT", "DOUBLE",    "REAL",    "FLOAT", "DECIMAL",
      "NUMERIC",  "BOOLEAN", "TIMESTAMP", "DATE",    "TIME"};
  type->name = Upper(t.text);
  if (!kTypes.count(type->name)) {
    return Error(t, "unknown or unsupported type " + type->name +
                        " (use VARCHAR, CHAR, INTEGER, BIGINT, SMALLINT, TINYINT, DOUBLE, "
                        "REAL, DECIMAL, BOOLEAN, TIMESTAMP, DATE or TIME)");
  }
  Next();
  if (type->name == "INT") type->name = "INTEGER";
  if (type->name == "CHARACTER") {
    if (IsKeyword("VARYING")) {
      Next();
      type->name = "VARCHAR";
    } else {
      type->name = "CHAR";
    }
  }
  if (type->name == "DOUBLE" && IsKeyword("PRECISION")) Next();
  if (IsSymbol("(")) {
    Next();
    ASSIGN_OR_RETURN(type->precision, SmallInt("a type length"));
    if (IsSymbol(",")) {
      Next();
      ASSIGN_OR_RETURN(type->scale, SmallInt("a scale"));
    }
    RETURN_IF_ERROR(ExpectSymbol(")"));
  }
  return Status::Ok();
}

StatusOr<int> ExprParser::SmallInt(std::string_view what) {
  const Token& t = Peek();
  int v = 0;
  auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (t.kind != TokenKind::kNumber || ec != std::errc() || p != t.text.data() + t.text.size() ||
      v < 0 || v > 65535) {
    return Error(t, "expected " + std::string(what) + " (a whole number), found " + Describe(t));
  }
  Next();
  return v;
}

StatusOr<int64_t> ExprParser::Interval() {
  const Token& kw = Peek();
  RETURN_IF_ERROR(ExpectKeyword("INTERVAL"));
  const Token& lit = Peek();
  if (lit.kind != TokenKind::kString) {
    return Error(lit,
                 "expected the interval length as a quoted number, e.g. INTERVAL '2' "
                 "MINUTE; found " +
                     Describe(lit));
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(lit.text.data(), lit.text.data() + lit.text.size(), n);
  if (ec != std::errc() || p != lit.text.data() + lit.text.size() || n <= 0 || n > 1'000'000'000) {
    return Error(lit, "interval length '" + lit.text + "' must be a positive whole number");
  }
  Next();
  const Token& unit = Peek();
  const int64_t micros = unit.kind == TokenKind::kIdentifier ? TimeUnitMicros(Upper(unit.text)) : 0;
  if (micros == 0) {
    return Error(unit, "interval unit " + Describe(unit) +
                           " is not supported (use SECOND, MINUTE, HOUR or DAY)");
  }
  Next();
  if (IsKeyword("TO")) return Unsupported(Peek(), "a compound interval (... TO ...)");
  if (n > INT64_MAX / micros) return Error(kw, "interval too long");
  return n * micros;
}

Status ExprParser::WindowBody(WindowDef* w) {
  RETURN_IF_ERROR(ExpectSymbol("("));
  if (IsKeyword("PARTITION")) {
    Next();
    RETURN_IF_ERROR(ExpectKeyword("BY"));
    allow_aggregates_ = false;
    while (true) {
      ASSIGN_OR_RETURN(ExprPtr e, Expression());
      w->partition_by.push_back(std::move(e));
      if (!IsSymbol(",")) break;
      Next();
    }
    allow_aggregates_ = true;
  }
  if (IsKeyword("ORDER"))
    return Unsupported(Peek(), "ORDER BY in a window (windows are in ROWTIME order)");
  if (IsKeyword("ROWS")) return Unsupported(Peek(), "a row-based window (ROWS n PRECEDING)");
  if (!IsKeyword("RANGE")) {
    return Error(Peek(), "expected RANGE INTERVAL 'n' unit PRECEDING, found " + Describe(Peek()));
  }
  Next();
  if (IsKeyword("CURRENT") || IsKeyword("UNBOUNDED") || IsKeyword("BETWEEN")) {
    return Unsupported(Peek(), "RANGE " + Upper(Peek().text) +
                                   " (use RANGE INTERVAL 'n' unit "
                                   "PRECEDING)");
  }
  ASSIGN_OR_RETURN(w->range_micros, Interval());
  if (!IsKeyword("PRECEDING")) {
    if (IsKeyword("FOLLOWING")) return Unsupported(Peek(), "FOLLOWING");
    return Error(Peek(), "expected PRECEDING, found " + Describe(Peek()));
  }
  Next();
  return ExpectSymbol(")");
}

ExprPtr ExprParser::Binary(std::string op, SourcePos pos, ExprPtr a, ExprPtr b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->name = std::move(op);
  e->pos = pos;
  e->args = {std::move(a), std::move(b)};
  return e;
}

StatusOr<ExprPtr> ExprParser::Or() {
  ASSIGN_OR_RETURN(ExprPtr left, And());
  while (IsKeyword("OR")) {
    SourcePos p = Pos(Next());
    ASSIGN_OR_RETURN(ExprPtr right, And());
    left = Binary("OR", p, left, right);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::And() {
  ASSIGN_OR_RETURN(ExprPtr left, Not());
  while (IsKeyword("AND")) {
    SourcePos p = Pos(Next());
    ASSIGN_OR_RETURN(ExprPtr right, Not());
    left = Binary("AND", p, left, right);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::Not() {
  if (IsKeyword("NOT")) {
    SourcePos p = Pos(Next());
    ASSIGN_OR_RETURN(ExprPtr arg, Not());
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kUnary;
    e->name = "NOT";
    e->pos = p;
    e->args = {arg};
    return ExprPtr(e);
  }
  return Predicate();
}

StatusOr<ExprPtr> ExprParser::Predicate() {
  ASSIGN_OR_RETURN(ExprPtr left, Additive());
  static const std::set<std::string> kCompare = {"=", "<>", "!=", "<", "<=", ">", ">="};
  if (Peek().kind == TokenKind::kSymbol && kCompare.count(Peek().text)) {
    const Token& op = Next();
    std::string name = op.text == "!=" ? "<>" : op.text;
    SourcePos p = Pos(op);
    if (IsKeyword("ANY") || IsKeyword("ALL") || IsKeyword("SOME")) {
      return Unsupported(Peek(), "quantified comparison (" + Upper(Peek().text) + ")");
    }
    ASSIGN_OR_RETURN(ExprPtr right, Additive());
    return Binary(name, p, left, right);
  }
  bool negated = false;
  SourcePos p = Pos(Peek());
  if (IsKeyword("NOT") && (IsKeyword("IN", 1) || IsKeyword("LIKE", 1) || IsKeyword("BETWEEN", 1) ||
                           IsKeyword("SIMILAR", 1))) {
    Next();
    negated = true;
  }
  if (IsKeyword("IN")) {
    Next();
    return InList(left, negated, p);
  }
  if (IsKeyword("SIMILAR")) return Unsupported(Peek(), "SIMILAR TO");
  if (IsKeyword("LIKE") || IsKeyword("BETWEEN")) {
    const bool like = IsKeyword("LIKE");
    Next();
    auto e = std::make_shared<Expr>();
    e->kind = like ? ExprKind::kLike : ExprKind::kBetween;
    e->pos = p;
    e->negated = negated;
    ASSIGN_OR_RETURN(ExprPtr a, Additive());
    e->args = {left, a};
    if (like && IsKeyword("ESCAPE")) return Unsupported(Peek(), "LIKE ... ESCAPE");
    if (!like) {
      RETURN_IF_ERROR(ExpectKeyword("AND"));
      ASSIGN_OR_RETURN(ExprPtr b, Additive());
      e->args.push_back(b);
    }
    return ExprPtr(e);
  }
  if (IsKeyword("IS")) {
    Next();
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kIsNull;
    e->pos = p;
    if (IsKeyword("NOT")) {
      Next();
      e->negated = true;
    }
    if (!IsKeyword("NULL")) {
      return Error(Peek(), "only IS [NOT] NULL is supported, found IS " + Describe(Peek()));
    }
    Next();
    e->args = {left};
    return ExprPtr(e);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::InList(ExprPtr left, bool negated, SourcePos p) {
  RETURN_IF_ERROR(ExpectSymbol("(", "'(' and a list of values after IN"));
  if (IsKeyword("SELECT")) return Unsupported(Peek(), "a subquery in IN (...)");
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kIn;
  e->pos = p;
  e->negated = negated;
  e->args.push_back(left);
  while (true) {
    ASSIGN_OR_RETURN(ExprPtr v, Additive());
    e->args.push_back(v);
    if (!IsSymbol(",")) break;
    Next();
  }
  RETURN_IF_ERROR(ExpectSymbol(")", "',' or ')' in the IN list"));
  return ExprPtr(e);
}

StatusOr<ExprPtr> ExprParser::Additive() {
  ASSIGN_OR_RETURN(ExprPtr left, Multiplicative());
  while (IsSymbol("+") || IsSymbol("-") || IsSymbol("||")) {
    const Token& op = Next();
    ASSIGN_OR_RETURN(ExprPtr right, Multiplicative());
    left = Binary(op.text, Pos(op), left, right);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::Multiplicative() {
  ASSIGN_OR_RETURN(ExprPtr left, Unary());
  while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%")) {
    if (IsSymbol("%")) return Unsupported(Peek(), "the % operator");
    const Token& op = Next();
    ASSIGN_OR_RETURN(ExprPtr right, Unary());
    left = Binary(op.text, Pos(op), left, right);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::Unary() {
  if (IsSymbol("-") || IsSymbol("+")) {
    const Token& op = Next();
    ASSIGN_OR_RETURN(ExprPtr arg, Unary());
    if (op.text == "+") return arg;
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kUnary;
    e->name = "-";
    e->pos = Pos(op);
    e->args = {arg};
    return ExprPtr(e);
  }
  return Primary();
}

StatusOr<ExprPtr> ExprParser::Literal() {
  const Token& t = Next();
  auto e = std::make_shared<Expr>();
  e->pos = Pos(t);
  if (t.kind == TokenKind::kString) {
    e->kind = ExprKind::kString;
    e->text = t.text;
    return ExprPtr(e);
  }
  e->kind = ExprKind::kNumber;
  e->text = t.text;
  const bool integral = t.text.find_first_of(".eE") == std::string::npos;
  if (integral) {
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), e->int_value);
    if (ec == std::errc() && p == t.text.data() + t.text.size()) {
      e->integer = true;
      e->number = static_cast<double>(e->int_value);
      return ExprPtr(e);
    }
  }
  e->number = std::strtod(t.text.c_str(), nullptr);
  return ExprPtr(e);
}

StatusOr<ExprPtr> ExprParser::Primary() {
  const Token& t = Peek();
  if (t.kind == TokenKind::kString || t.kind == TokenKind::kNumber) return Literal();
  if (IsSymbol("(")) {
    Next();
    if (IsKeyword("SELECT")) return Unsupported(Peek(), "a subquery");
    ASSIGN_OR_RETURN(ExprPtr inner, Expression());
    if (IsSymbol(",")) return Unsupported(Peek(), "a row value (a, b, ...)");
    RETURN_IF_ERROR(ExpectSymbol(")", "')'"));
    if (Peek().kind == TokenKind::kIdentifier && TimeUnitMicros(Upper(Peek().text)) > 0) {
      return Unsupported(Peek(), "interval arithmetic ((t1 - t2) " + Upper(Peek().text) +
                                     "); for windows use STEP(ROWTIME BY INTERVAL 'n' unit)");
    }
    return inner;
  }
  if (t.kind == TokenKind::kQuotedIdentifier || t.kind == TokenKind::kIdentifier) {
    const std::string word = t.kind == TokenKind::kIdentifier ? Upper(t.text) : "";
    auto e = std::make_shared<Expr>();
    e->pos = Pos(t);
    if (word == "TRUE" || word == "FALSE") {
      Next();
      e->kind = ExprKind::kBool;
      e->bool_value = word == "TRUE";
      return ExprPtr(e);
    }
    if (word == "NULL") {
      Next();
      e->kind = ExprKind::kNull;
      return ExprPtr(e);
    }
    if (word == "CASE") return Unsupported(t, "CASE");
    if (word == "INTERVAL") {
      return Error(t, "INTERVAL is only supported in RANGE INTERVAL and STEP(... BY INTERVAL)");
    }
    if ((word == "TIMESTAMP" || word == "DATE") && Peek(1).kind == TokenKind::kString) {
      Next();
      const Token& lit = Next();
      auto micros = ParseIso8601Micros(lit.text);
      if (!micros.ok()) return Error(lit, micros.status().message());
      e->kind = ExprKind::kTimestamp;
      e->micros = *micros;
      return ExprPtr(e);
    }
    if (word == "CURRENT_ROW_TIMESTAMP" || word == "CURRENT_TIMESTAMP" || word == "LOCALTIME" ||
        word == "CURRENT_DATE" || word == "LOCALTIMESTAMP") {
      return Unsupported(t, word +
                                " (wall-clock time makes rows depend on when they are "
                                "processed; use ROWTIME)");
    }
    if (IsSymbol("(", 1) && t.kind == TokenKind::kIdentifier) return Call(t);
    Next();
    e->kind = ExprKind::kColumn;
    e->name = t.kind == TokenKind::kIdentifier ? word : t.text;
    e->text = t.text;
    e->quoted = t.kind == TokenKind::kQuotedIdentifier;
    if (IsSymbol(".")) {
      Next();
      const Token& col = Peek();
      e->qualifier = e->name;
      if (col.kind == TokenKind::kIdentifier) {
        e->name = Upper(col.text);
        e->quoted = false;
      } else if (col.kind == TokenKind::kQuotedIdentifier) {
        e->name = col.text;
        e->quoted = true;
      } else {
        return Error(col, "expected a column name after '.', found " + Describe(col));
      }
      e->text = col.text;
      Next();
      if (IsSymbol(".")) return Unsupported(Peek(), "a name with more than two parts");
    }
    return ExprPtr(e);
  }
  if (IsSymbol("*")) return Error(t, "'*' is only allowed in COUNT(*)");
  return Error(t, "expected an expression, found " + Describe(t));
}

StatusOr<ExprPtr> ExprParser::Call(const Token& name_token) {
  const std::string name = Upper(name_token.text);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCall;
  e->name = name;
  e->pos = Pos(name_token);
  const bool aggregate = IsAggregateName(name);
  if (name == "CAST") {
    Next();
    Next();  // (
    e->kind = ExprKind::kCast;
    ASSIGN_OR_RETURN(ExprPtr arg, Expression());
    e->args = {arg};
    RETURN_IF_ERROR(ExpectKeyword("AS"));
    RETURN_IF_ERROR(Type(&e->type));
    RETURN_IF_ERROR(ExpectSymbol(")"));
    return ExprPtr(e);
  }
  if (!aggregate && !ScalarFunctions().count(name)) {
    return Error(name_token, "function " + name +
                                 " is not supported (supported: COUNT, SUM, AVG, MIN, MAX, CAST, "
                                 "FLOOR, CEIL, STEP, ABS, UPPER, LOWER, CHAR_LENGTH)");
  }
  if (aggregate && !allow_aggregates_) {
    return Error(name_token,
                 "aggregate " + name + " is not allowed here (only in the SELECT list)");
  }
  Next();
  Next();  // (
  RETURN_IF_ERROR(CallArgs(e.get()));
  RETURN_IF_ERROR(ExpectSymbol(")", "')' after the arguments of " + name));
  if (IsKeyword("OVER")) {
    if (!aggregate) return Error(Peek(), "OVER applies only to COUNT, SUM, AVG, MIN and MAX");
    RETURN_IF_ERROR(Over(e.get()));
  }
  return ExprPtr(e);
}

Status ExprParser::CallArgs(Expr* e) {
  const std::string& name = e->name;
  if (name == "COUNT" && IsSymbol("*")) {
    Next();
    e->star = true;
    return Status::Ok();
  }
  if (IsKeyword("DISTINCT")) return Unsupported(Peek(), name + "(DISTINCT ...)");
  if (IsKeyword("ALL")) Next();
  if (IsSymbol(")")) return Error(Peek(), name + " needs an argument");
  const bool aggregate = IsAggregateName(name);
  const bool saved = allow_aggregates_;
  if (aggregate) allow_aggregates_ = false;  // no nested aggregates
  ASSIGN_OR_RETURN(ExprPtr arg, Expression());
  allow_aggregates_ = saved;
  e->args.push_back(arg);
  if ((name == "FLOOR" || name == "CEIL" || name == "CEILING") && IsKeyword("TO")) {
    Next();
    const Token& unit = Peek();
    e->micros = unit.kind == TokenKind::kIdentifier ? TimeUnitMicros(Upper(unit.text)) : 0;
    if (e->micros == 0) {
      return Error(unit, "FLOOR/CEIL unit " + Describe(unit) +
                             " is not supported (use SECOND, MINUTE, HOUR or DAY)");
    }
    Next();
    if (name == "CEILING") e->name = "CEIL";
  } else if (name == "STEP") {
    RETURN_IF_ERROR(ExpectKeyword("BY"));
    if (IsKeyword("INTERVAL")) {
      ASSIGN_OR_RETURN(e->micros, Interval());
    } else {
      const Token& t = Peek();
      if (t.kind != TokenKind::kNumber) {
        return Error(t, "expected INTERVAL 'n' unit or a whole number after STEP(... BY");
      }
      ASSIGN_OR_RETURN(ExprPtr n, Literal());
      if (!n->integer || n->int_value <= 0) {
        return Error(t, "STEP(... BY n) needs a positive whole number");
      }
      e->int_value = n->int_value;
    }
  } else if (IsSymbol(",")) {
    return Error(Peek(), name + " takes one argument");
  }
  return Status::Ok();
}

Status ExprParser::Over(Expr* e) {
  Next();  // OVER
  if (IsSymbol("(")) {
    WindowDef w;
    w.pos = Pos(Peek());
    w.name = "$" + std::to_string(++inline_count_);
    RETURN_IF_ERROR(WindowBody(&w));
    e->over = w.name;
    inline_windows_.push_back(std::move(w));
    return Status::Ok();
  }
  return Name(&e->over, nullptr, "a window name or (...) after OVER");
}

}  // namespace pantry::stream::kda
