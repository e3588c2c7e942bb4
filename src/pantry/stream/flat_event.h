// FlatEvent: the top-level members of a JSON object event, found by one
// validating scan without building a DOM. The processor's hot path reads the
// few fields a spec needs from it; building nlohmann's DOM per event cost
// more than the window update itself (docs/stream.md, "Throughput").
//
// The scan is deliberately conservative: it accepts only text it can judge
// exactly as the full parser (ParseJson) would, and answers "unsure" for
// anything else (escapes, non-ASCII bytes, duplicate keys, very long
// integers, deep nesting, ...). An unsure or invalid event goes through the
// full parser, which gives the exact result and rejection message; so the
// scan can only make the common case faster, never change an outcome.
#ifndef PANTRY_STREAM_FLAT_EVENT_H_
#define PANTRY_STREAM_FLAT_EVENT_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace pantry::stream {

struct FlatField {
  enum class Kind { kString, kInteger, kFloat, kBool, kNull, kArray, kObject };
  std::string_view name;
  Kind kind = Kind::kNull;
  // kString: the characters between the quotes (the scan refuses escapes, so
  // this is the value); numbers: the number's text; other kinds: unused.
  std::string_view text;
  double number = 0;  // kInteger / kFloat, converted as the full parser does

  bool is_number() const { return kind == Kind::kInteger || kind == Kind::kFloat; }
};

// Thread-compatible; reuse one per thread to keep its buffer.
class FlatEvent {
 public:
  // Scans `text` (which must outlive the use of fields()). Returns true if
  // it is a JSON object the scan is sure about; false means "ask the full
  // parser" (the text may still be valid JSON).
  bool Scan(std::string_view text);

  // The member called `name`, or null.
  const FlatField* Find(std::string_view name) const {
    for (const FlatField& f : fields_) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  const std::vector<FlatField>& fields() const { return fields_; }

 private:
  std::vector<FlatField> fields_;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_FLAT_EVENT_H_
