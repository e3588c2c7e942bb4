#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pantry/common/csv.h"

namespace pantry {
namespace {

// Field boundaries found while parsing a record, turned into string_views
// only once the whole record is in the buffer (the buffer may move before).
struct FieldRef {
  size_t start;
  size_t length;
  bool in_scratch;
};

thread_local std::vector<FieldRef> t_field_refs;

}  // namespace

CsvReader::CsvReader(std::string name, int fd, CsvReadOptions options)
    : name_(std::move(name)), fd_(fd), options_(options) {
  special_[static_cast<unsigned char>(options_.delimiter)] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('\r')] = true;
}

CsvReader::~CsvReader() {
  if (fd_ > STDERR_FILENO) ::close(fd_);
}

StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::filesystem::path& path,
                                                     CsvReadOptions options) {
  int fd;
  if (path == "-") {
    fd = STDIN_FILENO;
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("cannot open " + path.string(), errno);
  }
  options.buffer_bytes = std::max<size_t>(options.buffer_bytes, 16);
  std::unique_ptr<CsvReader> reader(new CsvReader(path.string(), fd, options));
  reader->capacity_ = options.buffer_bytes;
  reader->buffer_ = std::make_unique<char[]>(reader->capacity_);
  RETURN_IF_ERROR(reader->Init());
  return reader;
}

StatusOr<std::unique_ptr<CsvReader>> CsvReader::FromString(std::string data, std::string name,
                                                           CsvReadOptions options) {
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(name), -1, options));
  reader->capacity_ = data.size();
  reader->buffer_ = std::make_unique<char[]>(data.size() + 1);
  std::memcpy(reader->buffer_.get(), data.data(), data.size());
  reader->end_ = data.size();
  reader->eof_ = true;
  RETURN_IF_ERROR(reader->Init());
  return reader;
}

Status CsvReader::Init() {
  while (end_ < 3 && !eof_) RETURN_IF_ERROR(Refill());
  if (end_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  if (!options_.has_header) return Status::Ok();
  CsvRecord record;
  ASSIGN_OR_RETURN(bool found, ReadRecord(&record));
  if (!found) return InvalidArgumentError(name_ + ":1:1: empty file, expected a header row");
  header_.assign(record.fields().begin(), record.fields().end());
  return Status::Ok();
}

std::optional<size_t> CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

StatusOr<size_t> CsvReader::RequireColumn(std::string_view name) const {
  if (auto index = ColumnIndex(name)) return *index;
  std::string columns;
  for (const auto& column : header_) {
    if (!columns.empty()) columns += ", ";
    columns += column;
  }
  return InvalidArgumentError(name_ + ":1: no column '" + std::string(name) +
                              "' in the header (columns: " + columns + ")");
}

Status CsvReader::Refill() {
  if (fd_ < 0) {
    eof_ = true;
    return Status::Ok();
  }
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    consumed_bytes_ += static_cast<int64_t>(pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == capacity_) {
    if (capacity_ >= options_.max_record_bytes) {
      return InvalidArgumentError(name_ + ":" + std::to_string(line_) + ":1: record longer than " +
                                  std::to_string(options_.max_record_bytes) + " bytes");
    }
    size_t new_capacity = std::min(capacity_ * 2, options_.max_record_bytes);
    auto bigger = std::make_unique<char[]>(new_capacity);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = new_capacity;
  }
  while (true) {
    ssize_t n = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read " + name_, errno);
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return Status::Ok();
  }
}

Status CsvReader::ErrorAt(const char* where, std::string_view what) const {
  const char* begin = buffer_.get() + pos_;
  int64_t line = line_;
  const char* line_begin = begin;
  for (const char* p = begin; p < where; ++p) {
    if (*p == '\n') {
      ++line;
      line_begin = p + 1;
    }
  }
  return InvalidArgumentError(name_ + ":" + std::to_string(line) + ":" +
                              std::to_string(where - line_begin + 1) + ": " + std::string(what));
}

std::string CsvReader::Location(const CsvRecord& record, size_t field) const {
  int64_t line = record.line_;
  int64_t column = 1;
  if (field < record.raw_offsets_.size() && record.raw_begin_ != nullptr) {
    const char* begin = record.raw_begin_;
    const char* line_begin = begin;
    const char* where = begin + record.raw_offsets_[field];
    for (const char* p = begin; p < where; ++p) {
      if (*p == '\n') {
        ++line;
        line_begin = p + 1;
      }
    }
    column = where - line_begin + 1;
  }
  return name_ + ":" + std::to_string(line) + ":" + std::to_string(column);
}

CsvReader::ParseResult CsvReader::SkipBlankLines() {
  const char* const base = buffer_.get();
  const char* const end = base + end_;
  const char* p = base + pos_;
  while (p < end && (*p == '\n' || *p == '\r')) {
    if (*p == '\r' && p + 1 == end && !eof_) return ParseResult::kNeedMore;
    if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
    ++p;
    ++line_;
  }
  pos_ = static_cast<size_t>(p - base);
  if (p == end) return eof_ ? ParseResult::kEnd : ParseResult::kNeedMore;
  return ParseResult::kContinue;
}

CsvReader::ParseResult CsvReader::ScanQuotedField(const char** pos, int64_t* newlines_inside) {
  const char* const base = buffer_.get();
  const char* const end = base + end_;
  const char* const field_begin = *pos;
  const char* q = field_begin + 1;
  const char* closing;
  bool escaped = false;
  while (true) {
    const char* r = static_cast<const char*>(std::memchr(q, '"', end - q));
    if (r == nullptr) {
      if (!eof_) return ParseResult::kNeedMore;
      parse_error_ = ErrorAt(field_begin, "unterminated quoted field (no closing '\"')");
      return ParseResult::kError;
    }
    if (r + 1 == end && !eof_) return ParseResult::kNeedMore;
    if (r + 1 < end && r[1] == '"') {
      escaped = true;
      q = r + 2;
      continue;
    }
    closing = r;
    break;
  }
  const char* content = field_begin + 1;
  *newlines_inside += std::count(content, closing, '\n');
  if (escaped) {
    size_t start = scratch_.size();
    for (const char* c = content; c < closing; ++c) {
      scratch_.push_back(*c);
      if (*c == '"') ++c;  // the second quote of ""
    }
    t_field_refs.push_back({start, scratch_.size() - start, true});
  } else {
    t_field_refs.push_back(
        {static_cast<size_t>(content - base), static_cast<size_t>(closing - content), false});
  }
  const char* p = closing + 1;
  if (p < end && *p != options_.delimiter && *p != '\n' && *p != '\r') {
    parse_error_ = ErrorAt(p, std::string("unexpected character '") + *p +
                                  "' after a closing quote (expected the delimiter or a line "
                                  "break; write a quote inside a quoted field as \"\")");
    return ParseResult::kError;
  }
  *pos = p;
  return ParseResult::kContinue;
}

CsvReader::ParseResult CsvReader::FinishRecord(const char* record_begin, const char* p,
                                               int64_t newlines_inside, CsvRecord* record) {
  const std::vector<FieldRef>& refs = t_field_refs;
  size_t expected = expected_fields_;
  if (expected != 0 && refs.size() != expected) {
    const char* where = refs.size() > expected ? record_begin + record->raw_offsets_[expected]
                                               : record_begin + record->raw_offsets_.back();
    parse_error_ = ErrorAt(where, "expected " + std::to_string(expected) + " fields" +
                                      (options_.has_header ? " (as in the header)" : "") +
                                      ", found " + std::to_string(refs.size()));
    return ParseResult::kError;
  }
  if (expected_fields_ == 0) expected_fields_ = refs.size();

  const char* const base = buffer_.get();
  record->fields_.resize(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    const FieldRef& ref = refs[i];
    record->fields_[i] = ref.in_scratch ? std::string_view(scratch_.data() + ref.start, ref.length)
                                        : std::string_view(base + ref.start, ref.length);
  }
  record->raw_begin_ = record_begin;
  record->line_ = line_;
  line_ += 1 + newlines_inside;
  pos_ = static_cast<size_t>(p - base);
  return ParseResult::kRecord;
}

CsvReader::ParseResult CsvReader::Parse(CsvRecord* record) {
  // Blank lines are consumed for good.
  if (ParseResult r = SkipBlankLines(); r != ParseResult::kContinue) return r;

  char* const base = buffer_.get();
  const char* const end = base + end_;
  const char delimiter = options_.delimiter;
  const char* p = base + pos_;
  const char* const record_begin = p;
  std::vector<FieldRef>& refs = t_field_refs;
  refs.clear();
  record->raw_offsets_.clear();
  scratch_.clear();
  int64_t newlines_inside = 0;

  while (true) {
    const char* field_begin = p;
    record->raw_offsets_.push_back(static_cast<uint32_t>(field_begin - record_begin));
    if (p == end) {
      if (!eof_) return ParseResult::kNeedMore;
      refs.push_back({static_cast<size_t>(p - base), 0, false});
      break;
    }
    if (*p == '"') {
      ParseResult r = ScanQuotedField(&p, &newlines_inside);
      if (r != ParseResult::kContinue) return r;
    } else {
      while (p < end && !special_[static_cast<unsigned char>(*p)]) ++p;
      if (p == end && !eof_) return ParseResult::kNeedMore;
      refs.push_back(
          {static_cast<size_t>(field_begin - base), static_cast<size_t>(p - field_begin), false});
    }
    if (p == end) break;  // eof_
    if (*p == delimiter) {
      ++p;
      continue;
    }
    if (*p == '\r') {
      if (p + 1 == end && !eof_) return ParseResult::kNeedMore;
      ++p;
      if (p < end && *p == '\n') ++p;
      break;
    }
    ++p;  // '\n'
    break;
  }
  return FinishRecord(record_begin, p, newlines_inside, record);
}

StatusOr<bool> CsvReader::ReadRecord(CsvRecord* record) {
  if (!parse_error_.ok()) return parse_error_;
  while (true) {
    switch (Parse(record)) {
      case ParseResult::kRecord:
        return true;
      case ParseResult::kEnd:
        return false;
      case ParseResult::kError:
        return parse_error_;
      case ParseResult::kContinue:  // internal to Parse, never returned
        break;
      case ParseResult::kNeedMore: {
        Status status = Refill();
        if (!status.ok()) {
          parse_error_ = status;
          return status;
        }
        break;
      }
    }
  }
}

}  // namespace pantry
