// The JSON-lines file sink (phase A's durable sink, and `--sink-dir`).
#include <fcntl.h>
#include <unistd.h>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/stream/row_sink.h"

namespace pantry::stream {
namespace {

class JsonLinesSink final : public RowSink {
 public:
  JsonLinesSink(std::filesystem::path path, const WindowSpec& spec, int fd, uint64_t last_id,
                int64_t size)
      : path_(std::move(path)), spec_(spec), fd_(fd), last_id_(last_id), size_(size) {}
  ~JsonLinesSink() override { ::close(fd_); }

  StatusOr<uint64_t> DeliveredUpTo() override { return last_id_; }

  Status Write(std::span<const EmittedRow> rows) override {
    std::string buf;
    uint64_t last = last_id_;
    for (const EmittedRow& row : rows) {
      if (row.emission_id <= last) continue;
      buf += DumpJson(RowToJson(spec_, row, true));
      buf += '\n';
      last = row.emission_id;
    }
    if (buf.empty()) return Status::Ok();
    size_t done = 0;
    while (done < buf.size()) {
      ssize_t n =
          ::pwrite(fd_, buf.data() + done, buf.size() - done, size_ + static_cast<int64_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        Status st = ErrnoError("write " + path_.string(), errno);
        if (::ftruncate(fd_, size_) != 0) PANTRY_LOG_ERROR("cannot truncate {}", path_.string());
        return st;
      }
      done += static_cast<size_t>(n);
    }
    if (::fdatasync(fd_) != 0) return ErrnoError("sync " + path_.string(), errno);
    size_ += static_cast<int64_t>(buf.size());
    last_id_ = last;
    return Status::Ok();
  }

 private:
  std::filesystem::path path_;
  const WindowSpec& spec_;
  int fd_;
  uint64_t last_id_;
  int64_t size_;
};

}  // namespace

StatusOr<std::unique_ptr<RowSink>> OpenJsonLinesSink(const std::filesystem::path& path,
                                                     const WindowSpec& spec) {
  if (path.has_parent_path()) RETURN_IF_ERROR(EnsureWritableDirectory(path.parent_path()));
  std::string text;
  if (std::filesystem::exists(path)) {
    ASSIGN_OR_RETURN(text, ReadFileToString(path));
  }
  // Keep only complete lines; a crash mid-write leaves at most one torn one.
  size_t keep = text.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  uint64_t last_id = 0;
  if (keep >= 2) {
    size_t begin = text.rfind('\n', keep - 2);
    begin = begin == std::string::npos ? 0 : begin + 1;
    auto json = ParseJson(std::string_view(text).substr(begin, keep - 1 - begin),
                          path.string() + " (last line)");
    if (!json.ok()) return json.status();
    auto id = GetJsonInt(*json, "emission_id");
    if (!id.ok()) return id.status().WithContext(path.string() + " (last line)");
    last_id = static_cast<uint64_t>(*id);
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open " + path.string(), errno);
  if (keep < text.size()) {
    PANTRY_LOG_WARN("{}: truncating a torn last line ({} bytes)", path.string(),
                    text.size() - keep);
    if (::ftruncate(fd, static_cast<off_t>(keep)) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("truncate " + path.string(), err);
    }
  }
  return std::unique_ptr<RowSink>(
      new JsonLinesSink(path, spec, fd, last_id, static_cast<int64_t>(keep)));
}

}  // namespace pantry::stream
