// The syntax tree of a KDA SQL application (kda_sql_parser.h builds it,
// kda_sql_compiler.h turns it into window specs). Identifiers are stored
// normalised the way KDA resolves them: unquoted ones upper-cased, quoted
// ones as written.
#ifndef PANTRY_STREAM_KDA_SQL_AST_H_
#define PANTRY_STREAM_KDA_SQL_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pantry/stream/kda_sql_lexer.h"

namespace pantry::stream::kda {

// A SQL type as declared: VARCHAR(8), DECIMAL(5,2), DOUBLE, TIMESTAMP...
struct SqlType {
  std::string name;  // upper-case base name; "DOUBLE PRECISION" is "DOUBLE"
  int precision = -1;
  int scale = -1;
  std::string ToString() const;
};

enum class ExprKind {
  kColumn,  // name (+ qualifier); ROWTIME is a column named "ROWTIME"
  kNumber,  // number / int_value / integer
  kString,  // text
  kBool,    // bool_value
  kNull,
  kTimestamp,  // TIMESTAMP '...': micros
  kUnary,      // op "-" or "NOT"; args[0]
  kBinary,     // op + - * / || = <> < <= > >= AND OR; args[0], args[1]
  kCall,       // name: COUNT SUM AVG MIN MAX (aggregates), ABS UPPER LOWER CHAR_LENGTH,
               // FLOOR/CEIL (micros > 0 for "x TO unit"), STEP (micros or int_value)
  kCast,       // args[0] AS type
  kIn,         // args[0] [NOT] IN (args[1..])
  kLike,       // args[0] [NOT] LIKE args[1]
  kIsNull,     // args[0] IS [NOT] NULL
  kBetween,    // args[0] [NOT] BETWEEN args[1] AND args[2]
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::kNull;
  SourcePos pos;
  std::string name;       // column, function or operator
  std::string qualifier;  // kColumn: "S" in "S".ROWTIME
  bool quoted = false;    // kColumn: written as a quoted identifier
  std::string text;       // kString value, kNumber source text
  double number = 0;
  int64_t int_value = 0;
  bool integer = false;  // kNumber without fraction or exponent
  bool bool_value = false;
  int64_t micros = 0;  // kTimestamp; FLOOR/CEIL "TO unit"; STEP interval
  SqlType type;        // kCast
  bool negated = false;
  bool star = false;  // COUNT(*)
  bool distinct = false;
  std::string over;  // aggregate OVER window name
  int slot = -1;     // set when an expression is bound for evaluation
  std::vector<ExprPtr> args;
};

bool IsAggregateName(const std::string& upper_name);
// True if `e` or any argument is an aggregate call.
bool ContainsAggregate(const Expr& e);
// Structural equality ignoring positions (used to match SELECT items with
// PARTITION BY / GROUP BY expressions).
bool SameExpr(const Expr& a, const Expr& b);
// SQL text of `e`, in a form the expression parser reads back.
std::string ExprToSql(const Expr& e);

struct ColumnDef {
  std::string name;
  bool quoted = false;
  SqlType type;
  SourcePos pos;
};

struct CreateStream {
  std::string name;
  SourcePos pos;
  std::vector<ColumnDef> columns;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty if none
  bool alias_quoted = false;
  SourcePos pos;
};

// WINDOW name AS (PARTITION BY ... RANGE INTERVAL 'n' unit PRECEDING), or an
// inline OVER (...) (named "$1", "$2"...).
struct WindowDef {
  std::string name;
  SourcePos pos;
  std::vector<ExprPtr> partition_by;
  int64_t range_micros = 0;
};

struct Select {
  SourcePos pos;
  std::vector<SelectItem> items;
  std::string from;
  SourcePos from_pos;
  std::string from_alias;
  ExprPtr where;
  bool stagger = false;
  SourcePos stagger_pos;
  std::vector<ExprPtr> stagger_partition;
  int64_t stagger_micros = 0;
  std::vector<ExprPtr> group_by;
  SourcePos group_pos;
  std::vector<WindowDef> windows;
};

struct CreatePump {
  std::string name;
  SourcePos pos;
  std::string target;
  SourcePos target_pos;
  std::vector<std::string> target_columns;  // INSERT INTO s (a, b); empty = all
  Select select;
};

struct Application {
  std::string source;  // the SQL text, for error messages
  std::vector<CreateStream> streams;
  std::vector<CreatePump> pumps;
};

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_AST_H_
