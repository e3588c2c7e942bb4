// Tokens of the Kinesis Data Analytics (KDA) streaming SQL dialect, and the
// error format every stage of the SQL front end shares: a message with the
// line and column, the source line, and a caret under the offending token.
#ifndef PANTRY_STREAM_KDA_SQL_LEXER_H_
#define PANTRY_STREAM_KDA_SQL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::stream::kda {

enum class TokenKind {
  kIdentifier,        // unquoted; `text` as written (the parser upper-cases it)
  kQuotedIdentifier,  // "..." with "" unescaped; case is kept
  kString,            // '...' with '' unescaped
  kNumber,            // digits, optional fraction and exponent
  kSymbol,            // ( ) , ; . * + - / = <> != < <= > >= ||
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

// A position in the source, for errors raised after lexing.
struct SourcePos {
  int line = 1;
  int column = 1;
};

// Splits `source` into tokens, ending with one kEnd token. `--` comments run
// to the end of the line, `/* ... */` comments may span lines. Errors
// (unterminated string, quoted identifier or comment; a character that
// starts no token) are formatted by SqlError.
StatusOr<std::vector<Token>> Lex(std::string_view source);

// InvalidArgument "line L, column C: <message>" followed by the source line
// and a caret under column C:
//   line 3, column 8: JOIN is not supported
//     3 | FROM a JOIN b
//       |        ^
Status SqlError(std::string_view source, SourcePos pos, std::string_view message);

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_LEXER_H_
