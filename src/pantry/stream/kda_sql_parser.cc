#include "pantry/stream/kda_sql_parser.h"

#include <set>

#include "pantry/stream/kda_sql_expr_parser.h"

namespace pantry::stream::kda {
namespace {

const std::set<std::string>& ClauseWords() {
  static const std::set<std::string> kWords = {
      "FROM",    "WHERE", "GROUP",  "WINDOWED",  "WINDOW", "HAVING", "ORDER", "UNION",
      "LIMIT",   "JOIN",  "LEFT",   "RIGHT",     "INNER",  "OUTER",  "FULL",  "CROSS",
      "ON",      "AS",    "AND",    "OR",        "NOT",    "IN",     "LIKE",  "IS",
      "BETWEEN", "OVER",  "EXCEPT", "INTERSECT", "NATURAL"};
  return kWords;
}

class StatementParser : public ExprParser {
 public:
  using ExprParser::ExprParser;

  StatusOr<Application> App() {
    Application app;
    app.source = std::string(src_);
    while (!AtEnd()) {
      if (IsSymbol(";")) {
        Next();
        continue;
      }
      RETURN_IF_ERROR(Statement(&app));
      if (!AtEnd()) RETURN_IF_ERROR(ExpectSymbol(";", "';' after the statement"));
    }
    if (app.streams.empty() && app.pumps.empty()) {
      return SqlError(src_, Pos(Peek()), "the application has no statements");
    }
    return app;
  }

  Status Statement(Application* app) {
    const Token& first = Peek();
    if (!IsKeyword("CREATE")) {
      std::string word = first.kind == TokenKind::kIdentifier ? Upper(first.text) : "";
      if (word == "SELECT") {
        return Error(first,
                     "a bare SELECT is not supported: wrap it in CREATE OR REPLACE PUMP ... AS "
                     "INSERT INTO <stream> SELECT STREAM ...");
      }
      return Error(first, "expected CREATE OR REPLACE STREAM or CREATE OR REPLACE PUMP, found " +
                              Describe(first));
    }
    Next();
    if (IsKeyword("OR")) {
      Next();
      RETURN_IF_ERROR(ExpectKeyword("REPLACE"));
    }
    if (IsKeyword("STREAM")) {
      Next();
      return CreateStreamStmt(app);
    }
    if (IsKeyword("PUMP")) {
      Next();
      return CreatePumpStmt(app);
    }
    const Token& what = Peek();
    std::string word = what.kind == TokenKind::kIdentifier ? Upper(what.text) : Describe(what);
    if (word == "TABLE" || word == "VIEW" || word == "FUNCTION" || word == "INDEX") {
      return Unsupported(what,
                         "CREATE " + word + " (an application is made of streams and pumps only)");
    }
    return Error(what, "expected STREAM or PUMP after CREATE, found " + Describe(what));
  }

  Status CreateStreamStmt(Application* app) {
    CreateStream s;
    s.pos = Pos(Peek());
    RETURN_IF_ERROR(Name(&s.name, nullptr, "a stream name"));
    RETURN_IF_ERROR(ExpectSymbol("(", "'(' and the stream's columns"));
    while (true) {
      ColumnDef c;
      c.pos = Pos(Peek());
      RETURN_IF_ERROR(Name(&c.name, &c.quoted, "a column name"));
      RETURN_IF_ERROR(Type(&c.type));
      s.columns.push_back(std::move(c));
      if (IsSymbol(",")) {
        Next();
        continue;
      }
      RETURN_IF_ERROR(ExpectSymbol(")", "',' or ')' in the column list"));
      break;
    }
    if (IsKeyword("WITH") || IsKeyword("DESCRIPTION")) {
      return Unsupported(Peek(), "stream options after the column list");
    }
    app->streams.push_back(std::move(s));
    return Status::Ok();
  }

  Status CreatePumpStmt(Application* app) {
    CreatePump p;
    p.pos = Pos(Peek());
    RETURN_IF_ERROR(Name(&p.name, nullptr, "a pump name"));
    RETURN_IF_ERROR(ExpectKeyword("AS"));
    RETURN_IF_ERROR(ExpectKeyword("INSERT"));
    RETURN_IF_ERROR(ExpectKeyword("INTO"));
    p.target_pos = Pos(Peek());
    RETURN_IF_ERROR(Name(&p.target, nullptr, "the stream to insert into"));
    if (IsSymbol("(")) {
      Next();
      while (true) {
        std::string col;
        RETURN_IF_ERROR(Name(&col, nullptr, "a column name"));
        p.target_columns.push_back(col);
        if (IsSymbol(",")) {
          Next();
          continue;
        }
        RETURN_IF_ERROR(ExpectSymbol(")", "',' or ')'"));
        break;
      }
    }
    if (IsSymbol("(")) return Unsupported(Peek(), "a parenthesised SELECT after INSERT INTO");
    RETURN_IF_ERROR(SelectStmt(&p.select));
    app->pumps.push_back(std::move(p));
    return Status::Ok();
  }

  Status SelectStmt(Select* s) {
    s->pos = Pos(Peek());
    if (IsKeyword("VALUES")) return Unsupported(Peek(), "INSERT ... VALUES");
    RETURN_IF_ERROR(ExpectKeyword("SELECT"));
    if (!IsKeyword("STREAM")) {
      return Error(Peek(),
                   "expected STREAM after SELECT: only streaming queries (SELECT STREAM "
                   "...) can feed a stream");
    }
    Next();
    if (IsKeyword("DISTINCT")) return Unsupported(Peek(), "SELECT STREAM DISTINCT");
    if (IsKeyword("ALL")) Next();
    RETURN_IF_ERROR(SelectItems(s));
    RETURN_IF_ERROR(From(s));
    if (IsKeyword("WHERE")) {
      Next();
      allow_aggregates_ = false;
      ASSIGN_OR_RETURN(s->where, Expression());
      allow_aggregates_ = true;
    }
    if (IsKeyword("WINDOWED")) RETURN_IF_ERROR(Stagger(s));
    if (IsKeyword("GROUP")) RETURN_IF_ERROR(GroupBy(s));
    if (IsKeyword("HAVING")) return Unsupported(Peek(), "HAVING");
    if (IsKeyword("WINDOW")) RETURN_IF_ERROR(WindowClause(s));
    for (WindowDef& w : inline_windows_) s->windows.push_back(std::move(w));
    inline_windows_.clear();
    return TrailingClauses();
  }

  Status TrailingClauses() {
    const Token& t = Peek();
    if (IsKeyword("ORDER")) return Unsupported(t, "ORDER BY");
    if (IsKeyword("UNION") || IsKeyword("EXCEPT") || IsKeyword("INTERSECT")) {
      return Unsupported(t, Upper(t.text));
    }
    if (IsKeyword("LIMIT") || IsKeyword("FETCH")) return Unsupported(t, Upper(t.text));
    if (IsKeyword("HAVING")) return Unsupported(t, "HAVING");
    if (IsKeyword("GROUP") || IsKeyword("WINDOWED") || IsKeyword("WHERE")) {
      return Error(t, Upper(t.text) +
                          " is out of place: the order is FROM, WHERE, WINDOWED BY "
                          "or GROUP BY, WINDOW");
    }
    if (!AtEnd() && !IsSymbol(";")) {
      return Error(t, "expected ';' after the query, found " + Describe(t));
    }
    return Status::Ok();
  }

  Status SelectItems(Select* s) {
    while (true) {
      SelectItem item;
      item.pos = Pos(Peek());
      if (IsSymbol("*")) return Unsupported(Peek(), "SELECT * (name the columns)");
      ASSIGN_OR_RETURN(item.expr, Expression());
      if (IsKeyword("AS")) {
        Next();
        RETURN_IF_ERROR(Name(&item.alias, &item.alias_quoted, "a column name after AS"));
      } else if (Peek().kind == TokenKind::kQuotedIdentifier ||
                 (Peek().kind == TokenKind::kIdentifier &&
                  !ClauseWords().count(Upper(Peek().text)))) {
        RETURN_IF_ERROR(Name(&item.alias, &item.alias_quoted, "a column name"));
      }
      s->items.push_back(std::move(item));
      if (IsSymbol(",")) {
        Next();
        continue;
      }
      return Status::Ok();
    }
  }

  Status From(Select* s) {
    if (!IsKeyword("FROM")) {
      return Error(Peek(),
                   "expected FROM or ',' after the selected columns, found " + Describe(Peek()));
    }
    Next();
    if (IsSymbol("(")) return Unsupported(Peek(), "a subquery in FROM");
    if (IsKeyword("TABLE")) return Unsupported(Peek(), "TABLE(...) in FROM");
    s->from_pos = Pos(Peek());
    RETURN_IF_ERROR(Name(&s->from, nullptr, "a stream name after FROM"));
    if (IsKeyword("AS")) {
      Next();
      RETURN_IF_ERROR(Name(&s->from_alias, nullptr, "an alias"));
    } else if (Peek().kind == TokenKind::kQuotedIdentifier ||
               (Peek().kind == TokenKind::kIdentifier &&
                !ClauseWords().count(Upper(Peek().text)))) {
      RETURN_IF_ERROR(Name(&s->from_alias, nullptr, "an alias"));
    }
    if (IsSymbol(",")) return Unsupported(Peek(), "reading several streams in FROM (a join)");
    for (std::string_view j :
         {"JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS", "NATURAL"}) {
      if (IsKeyword(j)) return Unsupported(Peek(), "JOIN");
    }
    return Status::Ok();
  }

  Status Stagger(Select* s) {
    Next();  // WINDOWED
    RETURN_IF_ERROR(ExpectKeyword("BY"));
    s->stagger_pos = Pos(Peek());
    if (!IsKeyword("STAGGER")) {
      return Error(Peek(), "expected STAGGER after WINDOWED BY (the only KDA window of this form)");
    }
    Next();
    RETURN_IF_ERROR(ExpectSymbol("("));
    RETURN_IF_ERROR(ExpectKeyword("PARTITION"));
    RETURN_IF_ERROR(ExpectKeyword("BY"));
    allow_aggregates_ = false;
    while (true) {
      ASSIGN_OR_RETURN(ExprPtr e, Expression());
      s->stagger_partition.push_back(std::move(e));
      if (!IsSymbol(",")) break;
      Next();
    }
    allow_aggregates_ = true;
    if (!IsKeyword("RANGE")) {
      if (IsKeyword("ROWS")) return Unsupported(Peek(), "a row-based stagger window (ROWS)");
      return Error(Peek(), "expected RANGE INTERVAL 'n' unit after the partition keys, found " +
                               Describe(Peek()));
    }
    Next();
    ASSIGN_OR_RETURN(s->stagger_micros, Interval());
    s->stagger = true;
    return ExpectSymbol(")");
  }

  Status GroupBy(Select* s) {
    s->group_pos = Pos(Peek());
    Next();
    RETURN_IF_ERROR(ExpectKeyword("BY"));
    allow_aggregates_ = false;
    while (true) {
      if (IsKeyword("ROLLUP") || IsKeyword("CUBE") || IsKeyword("GROUPING")) {
        return Unsupported(Peek(), Upper(Peek().text));
      }
      ASSIGN_OR_RETURN(ExprPtr e, Expression());
      s->group_by.push_back(std::move(e));
      if (!IsSymbol(",")) break;
      Next();
    }
    allow_aggregates_ = true;
    return Status::Ok();
  }

  Status WindowClause(Select* s) {
    Next();  // WINDOW
    while (true) {
      WindowDef w;
      w.pos = Pos(Peek());
      RETURN_IF_ERROR(Name(&w.name, nullptr, "a window name"));
      RETURN_IF_ERROR(ExpectKeyword("AS"));
      RETURN_IF_ERROR(WindowBody(&w));
      s->windows.push_back(std::move(w));
      if (!IsSymbol(",")) break;
      Next();
    }
    return Status::Ok();
  }
};

}  // namespace

int64_t TimeUnitMicros(std::string_view unit) {
  if (unit == "SECOND") return 1'000'000;
  if (unit == "MINUTE") return 60'000'000;
  if (unit == "HOUR") return 3'600'000'000;
  if (unit == "DAY") return 86'400'000'000;
  return 0;
}

StatusOr<Application> ParseApplication(std::string_view source) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  return StatementParser(source, std::move(tokens)).App();
}

StatusOr<ExprPtr> ParseExpression(std::string_view source) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  ExprParser p(source, std::move(tokens));
  p.set_allow_aggregates(false);
  return p.StandaloneExpr(nullptr, nullptr);
}

StatusOr<ExprPtr> ParseExpressionWithAlias(std::string_view source, std::string* name,
                                           bool* quoted) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  ExprParser p(source, std::move(tokens));
  p.set_allow_aggregates(false);
  return p.StandaloneExpr(name, quoted);
}

}  // namespace pantry::stream::kda
