#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "pantry/common/csv.h"

namespace pantry {
namespace {
constexpr size_t kFlushBytes = 1 << 20;
}  // namespace

void AppendCsvField(std::string* out, std::string_view value, char delimiter) {
  bool needs_quotes = false;
  for (char c : value) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

CsvWriter::CsvWriter(std::filesystem::path path, int fd, CsvWriteOptions options)
    : path_(std::move(path)), fd_(fd), options_(options) {
  buffer_.reserve(kFlushBytes + 4096);
}

CsvWriter::~CsvWriter() { Close().IgnoreError(); }

StatusOr<std::unique_ptr<CsvWriter>> CsvWriter::Create(const std::filesystem::path& path,
                                                       CsvWriteOptions options) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create " + path.string(), errno);
  return std::unique_ptr<CsvWriter>(new CsvWriter(path, fd, options));
}

void CsvWriter::AddField(std::string_view value) {
  if (row_started_) buffer_.push_back(options_.delimiter);
  row_started_ = true;
  AppendCsvField(&buffer_, value, options_.delimiter);
}

void CsvWriter::EndRow() {
  if (options_.crlf) buffer_.push_back('\r');
  buffer_.push_back('\n');
  row_started_ = false;
  FlushIfFull();
}

void CsvWriter::WriteRow(std::initializer_list<std::string_view> fields) {
  for (std::string_view field : fields) AddField(field);
  EndRow();
}

void CsvWriter::WriteRow(std::span<const std::string_view> fields) {
  for (std::string_view field : fields) AddField(field);
  EndRow();
}

void CsvWriter::WriteRow(const std::vector<std::string>& fields) {
  for (const std::string& field : fields) AddField(field);
  EndRow();
}

void CsvWriter::FlushIfFull() {
  if (buffer_.size() >= kFlushBytes) Flush();
}

void CsvWriter::Flush() {
  if (fd_ < 0 || !error_.ok()) {
    buffer_.clear();
    return;
  }
  size_t written = 0;
  while (written < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = ErrnoError("cannot write " + path_.string(), errno);
      break;
    }
    written += static_cast<size_t>(n);
  }
  flushed_bytes_ += static_cast<int64_t>(written);
  buffer_.clear();
}

Status CsvWriter::Close(bool sync) {
  if (fd_ < 0) return error_;
  Flush();
  if (sync && error_.ok() && ::fsync(fd_) != 0) {
    error_ = ErrnoError("cannot fsync " + path_.string(), errno);
  }
  if (::close(fd_) != 0 && error_.ok())
    error_ = ErrnoError("cannot close " + path_.string(), errno);
  fd_ = -1;
  return error_;
}

}  // namespace pantry
