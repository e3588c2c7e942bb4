#include "pantry/stream/kda_sql_lexer.h"

#include <cctype>

namespace pantry::stream::kda {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      RETURN_IF_ERROR(SkipSpaceAndComments());
      Token t;
      t.line = line_;
      t.column = Column();
      if (pos_ >= src_.size()) {
        t.kind = TokenKind::kEnd;
        out.push_back(std::move(t));
        return out;
      }
      const char c = src_[pos_];
      if (IsIdentStart(c)) {
        size_t start = pos_;
        while (pos_ < src_.size() && IsIdentChar(src_[pos_])) ++pos_;
        t.kind = TokenKind::kIdentifier;
        t.text = std::string(src_.substr(start, pos_ - start));
      } else if (c == '"' || c == '\'') {
        RETURN_IF_ERROR(Quoted(c, &t));
      } else if (IsDigit(c) || (c == '.' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1]))) {
        RETURN_IF_ERROR(Number(&t));
      } else {
        RETURN_IF_ERROR(Symbol(&t));
      }
      out.push_back(std::move(t));
    }
  }

 private:
  int Column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void NewLine() {
    ++line_;
    line_start_ = pos_;
  }

  Status SkipSpaceAndComments() {
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (c == '\n') {
        ++pos_;
        NewLine();
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '-' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '-') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '*') {
        SourcePos start{line_, Column()};
        pos_ += 2;
        while (true) {
          if (pos_ + 1 >= src_.size()) {
            return SqlError(src_, start, "unterminated /* comment (missing */)");
          }
          if (src_[pos_] == '*' && src_[pos_ + 1] == '/') {
            pos_ += 2;
            break;
          }
          if (src_[pos_++] == '\n') NewLine();
        }
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  // '...' strings and "..." identifiers; a doubled quote stands for itself.
  Status Quoted(char quote, Token* t) {
    SourcePos start{line_, Column()};
    ++pos_;
    std::string text;
    while (true) {
      if (pos_ >= src_.size()) {
        return SqlError(src_, start,
                        quote == '\'' ? "unterminated string literal (missing closing ')"
                                      : "unterminated quoted identifier (missing closing \")");
      }
      char ch = src_[pos_++];
      if (ch == quote) {
        if (pos_ < src_.size() && src_[pos_] == quote) {
          text.push_back(quote);
          ++pos_;
          continue;
        }
        break;
      }
      if (ch == '\n') NewLine();
      text.push_back(ch);
    }
    if (quote == '"') {
      if (text.empty()) return SqlError(src_, start, "empty quoted identifier \"\"");
      t->kind = TokenKind::kQuotedIdentifier;
    } else {
      t->kind = TokenKind::kString;
    }
    t->text = std::move(text);
    return Status::Ok();
  }

  Status Number(Token* t) {
    size_t start = pos_;
    while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    if (pos_ < src_.size() && src_[pos_] == '.') {
      ++pos_;
      while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t save = pos_++;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      if (pos_ < src_.size() && IsDigit(src_[pos_])) {
        while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
      } else {
        pos_ = save;
      }
    }
    if (pos_ < src_.size() && IsIdentStart(src_[pos_])) {
      return SqlError(src_, {line_, Column()}, "unexpected character after a number");
    }
    t->kind = TokenKind::kNumber;
    t->text = std::string(src_.substr(start, pos_ - start));
    return Status::Ok();
  }

  Status Symbol(Token* t) {
    static constexpr std::string_view kTwo[] = {"<>", "!=", "<=", ">=", "||"};
    std::string_view rest = src_.substr(pos_);
    for (std::string_view op : kTwo) {
      if (rest.starts_with(op)) {
        t->kind = TokenKind::kSymbol;
        t->text = std::string(op);
        pos_ += 2;
        return Status::Ok();
      }
    }
    const char c = src_[pos_];
    if (std::string_view("(),;.*+-/=<>%[]:").find(c) != std::string_view::npos) {
      t->kind = TokenKind::kSymbol;
      t->text = std::string(1, c);
      ++pos_;
      return Status::Ok();
    }
    std::string shown = std::isprint(static_cast<unsigned char>(c))
                            ? std::string("'") + c + "'"
                            : "byte " + std::to_string(static_cast<unsigned char>(c));
    return SqlError(src_, {line_, Column()}, "unexpected character " + shown);
  }

  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

StatusOr<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

Status SqlError(std::string_view source, SourcePos pos, std::string_view message) {
  // Find the line.
  size_t start = 0;
  for (int l = 1; l < pos.line && start < source.size(); ++l) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      start = source.size();
      break;
    }
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  std::string_view text =
      source.substr(start, end == std::string_view::npos ? source.npos : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  const std::string number = std::to_string(pos.line);
  std::string out = "line " + number + ", column " + std::to_string(pos.column) + ": " +
                    std::string(message) + "\n  " + number + " | " + std::string(text) + "\n  " +
                    std::string(number.size(), ' ') + " | ";
  // Keep tabs so the caret lines up under the token.
  for (int i = 0; i + 1 < pos.column && static_cast<size_t>(i) < text.size(); ++i) {
    out.push_back(text[static_cast<size_t>(i)] == '\t' ? '\t' : ' ');
  }
  out.push_back('^');
  return InvalidArgumentError(std::move(out));
}

}  // namespace pantry::stream::kda
