#include "pantry/stream/flat_event.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace pantry::stream {
namespace {

// Nested values deeper than this are left to the full parser.
constexpr int kMaxScanDepth = 16;
// Integers with more digits may not fit int64 (the full parser then makes
// them unsigned or floating point): left to the full parser.
constexpr size_t kMaxIntegerDigits = 18;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool at_end() {
    SkipSpace();
    return p_ == end_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string without escapes, control or non-ASCII characters.
  bool String(std::string_view* out) {
    SkipSpace();
    if (p_ == end_ || *p_ != '"') return false;
    const char* start = ++p_;
    while (p_ != end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  bool Value(FlatField* f, int depth) {
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        f->kind = FlatField::Kind::kString;
        return String(&f->text);
      case '{':
        f->kind = FlatField::Kind::kObject;
        return Object(depth + 1);
      case '[':
        f->kind = FlatField::Kind::kArray;
        return Array(depth + 1);
      case 't':
        f->kind = FlatField::Kind::kBool;
        return Literal("true");
      case 'f':
        f->kind = FlatField::Kind::kBool;
        return Literal("false");
      case 'n':
        f->kind = FlatField::Kind::kNull;
        return Literal("null");
      default:
        return Number(f);
    }
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  static bool Digit(char c) { return c >= '0' && c <= '9'; }

  // JSON's number grammar; the value converted as the full parser does
  // (integers exactly, then to double; others correctly rounded).
  bool Number(FlatField* f) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !Digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    const char* int_end = p_;
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    f->text = std::string_view(start, static_cast<size_t>(p_ - start));
    if (integer) {
      const size_t digits = static_cast<size_t>(int_end - start) - (*start == '-' ? 1 : 0);
      if (digits > kMaxIntegerDigits || f->text == "-0") return false;
      int64_t v = 0;
      auto r = std::from_chars(start, p_, v);
      if (r.ec != std::errc() || r.ptr != p_) return false;
      f->kind = FlatField::Kind::kInteger;
      f->number = static_cast<double>(v);
      return true;
    }
    double v = 0;
    auto r = std::from_chars(start, p_, v);
    if (r.ec != std::errc() || r.ptr != p_ || !std::isfinite(v)) return false;
    f->kind = FlatField::Kind::kFloat;
    f->number = v;
    return true;
  }

  bool Object(int depth) {
    if (depth > kMaxScanDepth || !Consume('{')) return false;
    if (Consume('}')) return true;
    FlatField ignored;
    do {
      std::string_view name;
      if (!String(&name) || !Consume(':') || !Value(&ignored, depth)) return false;
    } while (Consume(','));
    return Consume('}');
  }

  bool Array(int depth) {
    if (depth > kMaxScanDepth || !Consume('[')) return false;
    if (Consume(']')) return true;
    FlatField ignored;
    do {
      if (!Value(&ignored, depth)) return false;
    } while (Consume(','));
    return Consume(']');
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool FlatEvent::Scan(std::string_view text) {
  fields_.clear();
  Scanner s(text);
  if (!s.Consume('{')) return false;
  if (!s.Consume('}')) {
    do {
      FlatField f;
      if (!s.String(&f.name) || !s.Consume(':') || !s.Value(&f, 1)) return false;
      // The full parser keeps one of duplicate members; leave that to it.
      if (Find(f.name) != nullptr) return false;
      fields_.push_back(f);
    } while (s.Consume(','));
    if (!s.Consume('}')) return false;
  }
  return s.at_end();
}

}  // namespace pantry::stream
