// Internal to the KDA SQL parser: token helpers and the expression grammar,
// shared by the statement parser (kda_sql_parser.cc) and the standalone
// expression entry points.
#ifndef PANTRY_STREAM_KDA_SQL_EXPR_PARSER_H_
#define PANTRY_STREAM_KDA_SQL_EXPR_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_ast.h"
#include "pantry/stream/kda_sql_lexer.h"

namespace pantry::stream::kda {

class ExprParser {
 public:
  ExprParser(std::string_view source, std::vector<Token> tokens)
      : src_(source), toks_(std::move(tokens)) {}

  // One expression, optionally "AS name", then the end of input.
  StatusOr<ExprPtr> StandaloneExpr(std::string* alias, bool* quoted);
  void set_allow_aggregates(bool allow) { allow_aggregates_ = allow; }

 protected:
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  static SourcePos Pos(const Token& t) { return {t.line, t.column}; }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const;
  bool IsSymbol(std::string_view s, size_t ahead = 0) const;
  static std::string Describe(const Token& t);
  Status Error(const Token& t, std::string_view message) const;
  Status Unsupported(const Token& t, std::string_view what) const;
  Status ExpectKeyword(std::string_view word);
  Status ExpectSymbol(std::string_view s, std::string_view what = "");
  // An identifier: unquoted ones are upper-cased (KDA's rule), quoted kept.
  Status Name(std::string* out, bool* quoted, std::string_view what);
  Status Type(SqlType* type);
  StatusOr<int> SmallInt(std::string_view what);
  // INTERVAL 'n' SECOND|MINUTE|HOUR|DAY, in micros.
  StatusOr<int64_t> Interval();
  // (PARTITION BY ... RANGE INTERVAL ... PRECEDING)
  Status WindowBody(WindowDef* w);
  StatusOr<ExprPtr> Expression() { return Or(); }
  static std::string Upper(std::string_view s);

  std::string_view src_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  // Aggregates are refused where false (WHERE, keys, aggregate arguments).
  bool allow_aggregates_ = true;
  // OVER (...) windows, named "$1", "$2"..., until the query collects them.
  std::vector<WindowDef> inline_windows_;
  int inline_count_ = 0;

 private:
  static ExprPtr Binary(std::string op, SourcePos pos, ExprPtr a, ExprPtr b);
  StatusOr<ExprPtr> Or();
  StatusOr<ExprPtr> And();
  StatusOr<ExprPtr> Not();
  StatusOr<ExprPtr> Predicate();
  StatusOr<ExprPtr> InList(ExprPtr left, bool negated, SourcePos p);
  StatusOr<ExprPtr> Additive();
  StatusOr<ExprPtr> Multiplicative();
  StatusOr<ExprPtr> Unary();
  StatusOr<ExprPtr> Primary();
  StatusOr<ExprPtr> Literal();
  StatusOr<ExprPtr> Call(const Token& name_token);
  Status CallArgs(Expr* call);
  Status Over(Expr* call);
};

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_EXPR_PARSER_H_
