// Malformed and unsupported KDA SQL: every text is refused with the line and
// column of the offending token, a caret under it, and what is wrong; and no
// input (including every prefix of a valid application) crashes the parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/stream/kda_sql_compiler.h"
#include "pantry/stream/kda_sql_parser.h"

namespace pantry::stream::kda {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kDest =
    "CREATE OR REPLACE STREAM \"D\" (k VARCHAR(8), n INTEGER);\n"
    "CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"D\"\n";
#define STAGGER_BODY "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' MINUTE)"
constexpr const char* kStaggerOpen = STAGGER_BODY;
constexpr const char* kStagger = STAGGER_BODY ";";

struct Case {
  std::string sql;
  std::string marker;  // unique text the caret must point at
  size_t offset;       // into the marker
  std::string message;
};

std::string Pump(const std::string& body) { return std::string(kDest) + body; }

std::vector<Case> Cases() {
  const std::string from = " FROM \"SOURCE_SQL_STREAM_001\"";
  return {
      {Pump("SELECT STREAM k, COUNT(*)" + from + " JOIN other ON a = b" + kStagger), "JOIN", 0,
       "JOIN is not supported"},
      {Pump("SELECT k, COUNT(*)" + from + kStagger), "SELECT k,", 7,
       "expected STREAM after SELECT"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + kStaggerOpen + "\nORDER BY k;"), "ORDER", 0,
       "ORDER BY is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nGROUP BY k, STEP(ROWTIME BY INTERVAL '1' MINUTE) HAVING COUNT(*) > 2;"),
       "HAVING", 0, "HAVING is not supported"},
      {Pump("SELECT STREAM k, COUNT(*) OVER w" + from + "\nWINDOW w AS (ROWS 3 PRECEDING);"),
       "ROWS", 0, "row-based window (ROWS n PRECEDING) is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            " WHERE k = 'abc\nGROUP BY k, FLOOR(ROWTIME TO "
            "MINUTE);"),
       "'abc", 0, "unterminated string literal"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " /* never closed" + kStagger), "/*", 0,
       "unterminated /* comment"},
      {Pump("SELECT STREAM k, STDDEV_POP(n)" + from + kStagger), "STDDEV_POP", 0,
       "function STDDEV_POP is not supported"},
      {Pump("SELECT STREAM k, COUNT(DISTINCT n)" + from + kStagger), "DISTINCT", 0,
       "COUNT(DISTINCT ...) is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' YEAR);"),
       "YEAR", 0, "interval unit 'YEAR' is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '0' MINUTE);"),
       "'0'", 0, "must be a positive whole number"},
      {Pump("SELECT STREAM k, COUNT(*) FROM nowhere" + std::string(kStagger)), "nowhere", 0,
       "unknown stream NOWHERE"},
      {Pump("SELECT STREAM k" + from + kStagger), "SELECT", 0,
       "the SELECT has 1 columns but D takes 2"},
      {Pump("SELECT STREAM x, COUNT(*)" + from + kStagger), "x, COUNT", 0,
       "column x must be in GROUP BY / PARTITION BY or inside an aggregate"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " WHERE SUM(n) > 1" + kStagger), "SUM", 0,
       "aggregate SUM is not allowed here"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + ";"), "COUNT", 0, "an aggregate needs a window"},
      {Pump("SELECT STREAM AVG(n) OVER w1, MAX(n) OVER w2" + from +
            "\nWINDOW w1 AS (RANGE INTERVAL '1' MINUTE PRECEDING),"
            " w2 AS (RANGE INTERVAL '1' HOUR PRECEDING);"),
       "MAX", 0, "several windows in one query (W1 and W2) are not supported"},
      {Pump("SELECT STREAM k, SUM(COUNT(*))" + from + kStagger), "COUNT", 0,
       "aggregate COUNT is not allowed here"},
      {Pump("SELECT STREAM k, COUNT(*) FROM (SELECT STREAM * FROM x)" + std::string(kStagger)),
       "(SELECT", 0, "a subquery in FROM is not supported"},
      {Pump("SELECT STREAM *" + from + kStagger), "*", 0, "SELECT * (name the columns)"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " WHERE k = @x" + kStagger), "@", 0,
       "unexpected character '@'"},
      {Pump("SELECT STREAM \"\", COUNT(*)" + from + kStagger), "\"\"", 0,
       "empty quoted identifier"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' MINUTE;"),
       "MINUTE;", 6, "expected ')'"},
      {"CREATE OR REPLACE STREAM \"D\" (k VARCHAR(8), n INTEGER);\n"
       "CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"NOPE\"\nSELECT STREAM k, COUNT(*)" +
           from + kStagger,
       "\"NOPE\"", 0, "stream NOPE is not declared before this pump"},
      {Pump("SELECT STREAM CASE WHEN n > 1 THEN k END, COUNT(*)" + from + kStagger), "CASE", 0,
       "CASE is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + "\nGROUP BY k;"), "GROUP", 0,
       "GROUP BY needs a window on ROWTIME"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' MINUTE)\nGROUP BY k;"),
       "GROUP", 0, "GROUP BY cannot be combined with WINDOWED BY STAGGER"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY ROWTIME RANGE INTERVAL '1' MINUTE);"),
       "ROWTIME RANGE", 0, "ROWTIME cannot be a partition key"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + kStagger +
            "\nCREATE OR REPLACE STREAM \"E\" (k VARCHAR(8), n INTEGER);\n"
            "CREATE OR REPLACE PUMP \"Q\" AS INSERT INTO \"E\"\n"
            "SELECT STREAM k, COUNT(*) FROM \"D\"" +
            kStagger),
       "FROM \"D\"", 5, "reading D, the output of windowed pump P, is not supported"},
      {Pump("SELECT STREAM k, n" + from + " WHERE n > 2;"), "CREATE OR REPLACE PUMP", 23,
       "pump P only filters or projects rows into D"},
      {Pump("SELECT STREAM k, SUM(n) OVER w + COUNT(*)" + from +
            "\nWINDOW w AS (PARTITION BY k RANGE INTERVAL '1' MINUTE PRECEDING);"),
       "COUNT", 0, "COUNT needs OVER W"},
      {Pump("SELECT STREAM k, SUM(n) OVER w9" + from +
            "\nWINDOW w AS (PARTITION BY k RANGE INTERVAL '1' MINUTE PRECEDING);"),
       "SUM", 0, "window W9 is not defined"},
      {"CREATE TABLE t (a INTEGER);", "TABLE", 0, "CREATE TABLE"},
      {"SELECT STREAM a FROM b;", "SELECT", 0, "a bare SELECT is not supported"},
      {"CREATE OR REPLACE STREAM \"D\" (k VARCHAR(8))\nCREATE OR REPLACE STREAM \"E\" (k INT);",
       "CREATE OR REPLACE STREAM \"E\"", 0, "expected ';' after the statement"},
      {"CREATE OR REPLACE STREAM \"D\" (k VARCHAR2(8));", "VARCHAR2", 0,
       "unknown or unsupported type VARCHAR2"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " WHERE ROWTIME > TIMESTAMP '2020-01-01'" +
            kStagger),
       "ROWTIME >", 0, "ROWTIME in WHERE is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " WHERE k LIKE 'a!%' ESCAPE '!'" + kStagger),
       "ESCAPE", 0, "LIKE ... ESCAPE is not supported"},
      {Pump("SELECT STREAM X.k, COUNT(*)" + from + kStagger), "X.k", 0,
       "unknown stream or alias X"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nWINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL 2 MINUTE);"),
       "2 MINUTE", 0, "expected the interval length as a quoted number"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + "\nWINDOWED BY STAGGER (PARTITION BY k ROWS 3);"),
       "ROWS", 0, "a row-based stagger window (ROWS) is not supported"},
      {Pump("SELECT STREAM DISTINCT k, COUNT(*)" + from + kStagger), "DISTINCT", 0,
       "SELECT STREAM DISTINCT is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + kStaggerOpen + "\nUNION SELECT STREAM 1;"),
       "UNION", 0, "UNION is not supported"},
      {Pump("SELECT STREAM k, n % 2" + from + kStagger), "%", 0, "the % operator"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + " WHERE CURRENT_ROW_TIMESTAMP > ROWTIME" +
            kStagger),
       "CURRENT_ROW_TIMESTAMP", 0, "CURRENT_ROW_TIMESTAMP (wall-clock time"},
      {Pump("SELECT STREAM k, COUNT(*)" + from +
            "\nGROUP BY k, FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO "
            "SECOND);"),
       "SECOND /", 0, "interval arithmetic ((t1 - t2) SECOND)"},
      {Pump("SELECT STREAM k, FLOOR(n TO WEEK)" + from + kStagger), "WEEK", 0,
       "FLOOR/CEIL unit 'WEEK' is not supported"},
      {Pump("SELECT STREAM k, COUNT(*)" + from + kStagger + " ; ;\nINSERT INTO x VALUES (1);"),
       "INSERT INTO x", 0, "expected CREATE OR REPLACE STREAM or CREATE OR REPLACE PUMP"},
  };
}

SourcePos PosOf(const std::string& text, size_t offset) {
  SourcePos pos;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

void ExpectError(const Status& st, const std::string& sql, SourcePos pos,
                 const std::string& message) {
  ASSERT_FALSE(st.ok()) << sql;
  const std::string& m = st.message();
  EXPECT_THAT(m, StartsWith("line " + std::to_string(pos.line) + ", column " +
                            std::to_string(pos.column) + ": "))
      << sql << "\n"
      << m;
  EXPECT_THAT(m, HasSubstr(message)) << sql;
  // Three lines: the message, "  L | source line", "    |    ^".
  const size_t nl1 = m.find('\n');
  const size_t nl2 = m.find('\n', nl1 + 1);
  ASSERT_NE(nl2, std::string::npos) << m;
  const std::string source_line = m.substr(nl1 + 1, nl2 - nl1 - 1);
  const std::string caret_line = m.substr(nl2 + 1);
  const size_t bar = caret_line.find('|');
  ASSERT_NE(bar, std::string::npos) << m;
  EXPECT_EQ(caret_line.find('^'), bar + 2 + static_cast<size_t>(pos.column - 1)) << m;
  EXPECT_EQ(source_line.find('|'), bar) << m;
}

TEST(KdaSqlErrorsTest, EachIsRefusedWithLineColumnCaretAndConstruct) {
  const std::vector<Case> cases = Cases();
  EXPECT_GE(cases.size(), 25u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    const size_t at = c.sql.find(c.marker);
    ASSERT_NE(at, std::string::npos) << c.marker;
    ASSERT_EQ(c.sql.find(c.marker, at + 1), std::string::npos) << "marker not unique: " << c.marker;
    auto compiled = CompileSql(c.sql, CompileOptions());
    ExpectError(compiled.status(), c.sql, PosOf(c.sql, at + c.offset), c.message);
  }
}

TEST(KdaSqlErrorsTest, UnknownInputColumnNamesTheSchema) {
  CompileOptions o;
  o.input_columns = {{"CUSTOMER_ID", "VARCHAR(8)", "$.customer_id"},
                     {"WEIGHT", "DOUBLE", "$.activity_weight"}};
  const std::string sql = std::string(kDest) +
                          "SELECT STREAM customer_id, SUM(weigth) FROM \"SOURCE_SQL_STREAM_001\"\n"
                          "WINDOWED BY STAGGER (PARTITION BY customer_id RANGE INTERVAL '1' "
                          "MINUTE);";
  ExpectError(CompileSql(sql, o).status(), sql, PosOf(sql, sql.find("weigth")),
              "column WEIGTH is not in the input schema (CUSTOMER_ID, WEIGHT)");
}

TEST(KdaSqlErrorsTest, ErrorAtEndOfInputPointsPastTheLastToken) {
  const std::string sql = "CREATE OR REPLACE STREAM \"D\" (k VARCHAR(8)";
  ExpectError(ParseApplication(sql).status(), sql, PosOf(sql, sql.size()),
              "expected ',' or ')' in the column list, found end of input");
}

// Every prefix of a valid application, and the application with each
// character replaced by one of a few troublemakers, parse or fail cleanly.
TEST(KdaSqlErrorsTest, NoInputCrashes) {
  const std::string app =
      "-- workshop\nCREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (\n"
      "  customer_id VARCHAR(8), s INTEGER, a DOUBLE);\n"
      "CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
      "SELECT STREAM CUSTOMER_ID, SUM(W) AS s, AVG(CAST(H AS DOUBLE) * 2) AS a\n"
      "FROM \"SOURCE_SQL_STREAM_001\" WHERE t IN ('a', 'b') AND NOT x LIKE '%y_' /* c */\n"
      "WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' MINUTE);";
  ASSERT_TRUE(CompileSql(app, CompileOptions()).ok()) << CompileSql(app, {}).status();
  int refused = 0;
  for (size_t n = 0; n < app.size(); ++n) {
    auto r = CompileSql(app.substr(0, n), CompileOptions());
    if (!r.ok()) {
      ++refused;
      EXPECT_THAT(r.status().message(), StartsWith("line ")) << app.substr(0, n);
    }
  }
  EXPECT_GT(refused, static_cast<int>(app.size()) / 2);
  for (char bad : std::string("'\"()*;,.\x01\xff-/")) {
    for (size_t i = 0; i < app.size(); i += 3) {
      std::string mutated = app;
      mutated[i] = bad;
      auto r = CompileSql(mutated, CompileOptions());
      if (!r.ok()) {
        EXPECT_THAT(r.status().message(), StartsWith("line ")) << mutated;
      }
    }
  }
}

}  // namespace
}  // namespace pantry::stream::kda
