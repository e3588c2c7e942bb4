#include "pantry/stream/dead_letter_log.h"

#include <fcntl.h>
#include <unistd.h>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"

namespace pantry::stream {

DeadLetterLog::DeadLetterLog(std::filesystem::path path, const WindowSpec& spec, int fd,
                             int64_t size, uint64_t last_id)
    : path_(std::move(path)), spec_(spec), fd_(fd), size_(size), last_id_(last_id) {}

DeadLetterLog::~DeadLetterLog() { ::close(fd_); }

StatusOr<std::unique_ptr<DeadLetterLog>> DeadLetterLog::Open(const std::filesystem::path& path,
                                                             const WindowSpec& spec) {
  RETURN_IF_ERROR(EnsureWritableDirectory(path.parent_path()));
  std::string text;
  if (std::filesystem::exists(path)) {
    ASSIGN_OR_RETURN(text, ReadFileToString(path));
  }
  // Keep complete lines only; read the last one's id.
  const size_t end = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  uint64_t last_id = 0;
  if (end > 0) {
    const size_t begin =
        text.rfind('\n', end - 2) == std::string::npos ? 0 : text.rfind('\n', end - 2) + 1;
    auto line = ParseJson(std::string_view(text).substr(begin, end - 1 - begin), path.string());
    if (line.ok() && line->is_object() && line->contains("emission_id") &&
        (*line)["emission_id"].is_number_unsigned()) {
      last_id = (*line)["emission_id"].get<uint64_t>();
    }
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("open " + path.string(), errno);
  if (end < text.size()) {
    PANTRY_LOG_WARN("{}: truncating a torn last line ({} bytes)", path.string(), text.size() - end);
    if (::ftruncate(fd, static_cast<off_t>(end)) != 0) {
      Status st = ErrnoError("truncate " + path.string(), errno);
      ::close(fd);
      return st;
    }
  }
  RETURN_IF_ERROR(SyncDirectory(path.parent_path()));
  return std::unique_ptr<DeadLetterLog>(
      new DeadLetterLog(path, spec, fd, static_cast<int64_t>(end), last_id));
}

Status DeadLetterLog::Append(const EmittedRow& row, const RowSource& source,
                             std::string_view reason) {
  OrderedJson j = OrderedJson::object();
  j["spec"] = spec_.name;
  j["emission_id"] = row.emission_id;
  j["reason"] = std::string(reason);
  if (source.shard >= 0) {
    j["source_shard"] = source.shard;
    j["source_sequence"] = source.sequence;
  }
  j["row"] = RowToJson(spec_, row, true);
  std::string line = DumpJson(j);
  line += '\n';
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n =
        ::pwrite(fd_, line.data() + done, line.size() - done, size_ + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + path_.string(), errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return ErrnoError("fdatasync " + path_.string(), errno);
  size_ += static_cast<int64_t>(line.size());
  last_id_ = row.emission_id;
  return Status::Ok();
}

}  // namespace pantry::stream
