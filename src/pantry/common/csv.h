// Streaming CSV reading and writing per RFC 4180.
//
// Reading: quoted fields may hold the delimiter, doubled quotes ("") and line
// breaks; records end in LF or CRLF; a leading UTF-8 byte-order mark is
// skipped; the first record is the header (optional). Memory use is bounded
// by the largest record, not the file, so multi-gigabyte files stream.
//
// Rules where RFC 4180 is silent or where real files break it (documented in
// docs/csv.md):
//  - Field bytes are returned exactly as they are in the file. Invalid UTF-8
//    is kept as bytes, never rejected or replaced: pantry treats CSV fields as
//    byte strings and only interprets them when a typed feature asks for it.
//  - A quote inside an unquoted field is an ordinary character (a"b).
//  - After a closing quote only the delimiter or a line break may follow;
//    anything else ("a"b) is an error.
//  - Blank lines (nothing between two line breaks) are skipped.
//  - With a header, every record must have exactly as many fields as the
//    header; without one, as many as the first record.
//  - A quoted field still open at end of file is an error.
// Every error names the file, the line and the column (1-based bytes).
//
// Why pantry has its own parser: libcsv (libcsv-dev) delivers fields through
// per-field callbacks and reports no line or column for errors, and libfccp
// is not packaged for Debian 12; this reader parses in place from a
// refillable buffer with a table-driven scan (see docs/benchmarks.md for its
// throughput).
#ifndef PANTRY_COMMON_CSV_H_
#define PANTRY_COMMON_CSV_H_

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry {

struct CsvReadOptions {
  char delimiter = ',';
  bool has_header = true;
  // Initial buffer; it grows for longer records up to max_record_bytes.
  size_t buffer_bytes = 1 << 20;
  size_t max_record_bytes = 64 << 20;
};

// One record. The views point into the reader's buffer and stay valid until
// the reader's next ReadRecord() call.
class CsvRecord {
 public:
  size_t size() const { return fields_.size(); }
  std::string_view operator[](size_t i) const { return fields_[i]; }
  std::span<const std::string_view> fields() const { return fields_; }
  // Line (1-based) on which the record starts.
  int64_t line() const { return line_; }

 private:
  friend class CsvReader;
  std::vector<std::string_view> fields_;
  std::vector<uint32_t> raw_offsets_;  // each field's start, from the record start
  const char* raw_begin_ = nullptr;
  int64_t line_ = 0;
};

// Not thread-safe; one reader per thread.
class CsvReader {
 public:
  // Opens `path` ("-" reads standard input). With has_header, the header is
  // read here, so a malformed header fails Open.
  static StatusOr<std::unique_ptr<CsvReader>> Open(const std::filesystem::path& path,
                                                   CsvReadOptions options = {});
  // Reads from memory; `name` is used in error messages.
  static StatusOr<std::unique_ptr<CsvReader>> FromString(std::string data,
                                                         std::string name = "<string>",
                                                         CsvReadOptions options = {});
  ~CsvReader();

  // The header's column names (empty without a header).
  const std::vector<std::string>& header() const { return header_; }
  // Index of a header column, or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
  // Like ColumnIndex, but a missing column is an InvalidArgument error that
  // names the file and lists the columns it has.
  StatusOr<size_t> RequireColumn(std::string_view name) const;

  // Reads the next record into `record`. Returns true if a record was read,
  // false at the end of the input, or an error naming file, line and column.
  // After an error the reader must not be used again.
  StatusOr<bool> ReadRecord(CsvRecord* record);

  // "file:line:column" of field `field` of `record` (the last record read),
  // for callers that reject a value.
  std::string Location(const CsvRecord& record, size_t field) const;

  // Bytes consumed so far (for progress bars).
  int64_t bytes_read() const { return consumed_bytes_ + static_cast<int64_t>(pos_); }
  const std::string& name() const { return name_; }

 private:
  // kContinue: a step of Parse succeeded and the record goes on.
  enum class ParseResult { kRecord, kNeedMore, kEnd, kError, kContinue };

  CsvReader(std::string name, int fd, CsvReadOptions options);
  Status Init();
  ParseResult Parse(CsvRecord* record);
  // The steps of Parse; kNeedMore means "refill and parse the record again".
  ParseResult SkipBlankLines();
  // Scans the quoted field at *pos, records it and moves *pos past it.
  ParseResult ScanQuotedField(const char** pos, int64_t* newlines_inside);
  // Checks the field count and fills `record` from the scanned fields.
  ParseResult FinishRecord(const char* record_begin, const char* p, int64_t newlines_inside,
                           CsvRecord* record);
  Status Refill();
  Status ErrorAt(const char* where, std::string_view what) const;

  const std::string name_;
  const int fd_;  // -1 for in-memory input
  const CsvReadOptions options_;
  bool special_[256] = {};
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t pos_ = 0;  // start of unconsumed data
  size_t end_ = 0;  // end of valid data
  bool eof_ = false;
  int64_t consumed_bytes_ = 0;     // bytes discarded before buffer_[0]
  int64_t line_ = 1;               // line at buffer_[pos_]
  int64_t line_start_offset_ = 0;  // absolute offset of the start of line_
  std::string scratch_;            // unescaped quoted fields
  std::vector<std::string> header_;
  size_t expected_fields_ = 0;
  Status parse_error_;
};

struct CsvWriteOptions {
  char delimiter = ',';
  bool crlf = false;  // LF by default, as the workshop's files
};

// Buffered writer. Fields are quoted only when they contain the delimiter, a
// quote, CR or LF. Write errors are remembered and returned by Close(). Not
// thread-safe.
class CsvWriter {
 public:
  // Creates or truncates `path`.
  static StatusOr<std::unique_ptr<CsvWriter>> Create(const std::filesystem::path& path,
                                                     CsvWriteOptions options = {});
  ~CsvWriter();  // Close()s, ignoring errors; call Close() to see them.

  void AddField(std::string_view value);
  void EndRow();
  void WriteRow(std::initializer_list<std::string_view> fields);
  void WriteRow(std::span<const std::string_view> fields);
  void WriteRow(const std::vector<std::string>& fields);

  // Flushes, fsyncs if `sync`, closes. Returns the first error seen.
  Status Close(bool sync = false);

  int64_t bytes_written() const { return flushed_bytes_ + static_cast<int64_t>(buffer_.size()); }

 private:
  CsvWriter(std::filesystem::path path, int fd, CsvWriteOptions options);
  void FlushIfFull();
  void Flush();

  const std::filesystem::path path_;
  int fd_;
  const CsvWriteOptions options_;
  std::string buffer_;
  bool row_started_ = false;
  int64_t flushed_bytes_ = 0;
  Status error_;
};

// Appends `value` to `out`, quoted if needed. For code that builds rows itself.
void AppendCsvField(std::string* out, std::string_view value, char delimiter = ',');

}  // namespace pantry

#endif  // PANTRY_COMMON_CSV_H_
