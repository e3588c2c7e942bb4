// A recursive-descent parser for the streaming subset of the Kinesis Data
// Analytics SQL dialect (docs/kda-sql.md lists the subset). Anything outside
// it is refused with the line, column, a caret under the token and the name
// of the construct, rather than misread.
#ifndef PANTRY_STREAM_KDA_SQL_PARSER_H_
#define PANTRY_STREAM_KDA_SQL_PARSER_H_

#include <string_view>

#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_ast.h"

namespace pantry::stream::kda {

// Parses a whole application: CREATE [OR REPLACE] STREAM and CREATE [OR
// REPLACE] PUMP ... AS INSERT INTO ... SELECT STREAM ... statements separated
// by ';'. Only syntax is checked here; names and semantics are the
// compiler's (kda_sql_compiler.h). Errors are SqlError-formatted.
StatusOr<Application> ParseApplication(std::string_view source);

// Parses one scalar or boolean expression (a window spec's "filter",
// "computed" or "select" entry). Aggregates and OVER are refused here.
StatusOr<ExprPtr> ParseExpression(std::string_view source);

// Parses "expr [AS name]" (a window spec's "select" entry). `name` is empty
// when there is no alias, and kept as written (not upper-cased) when it is
// not quoted; `quoted` tells whether it was a quoted identifier.
StatusOr<ExprPtr> ParseExpressionWithAlias(std::string_view source, std::string* name,
                                           bool* quoted);

// Micros of SECOND, MINUTE, HOUR or DAY (upper-case), 0 for anything else.
int64_t TimeUnitMicros(std::string_view upper_unit);

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_PARSER_H_
