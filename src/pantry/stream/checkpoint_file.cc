#include "pantry/stream/checkpoint_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "pantry/common/file_util.h"
#include "pantry/common/logging.h"

namespace pantry::stream {

CheckpointFile::CheckpointFile(std::filesystem::path path)
    : path_(std::move(path)), tmp_(std::filesystem::path(path_) += ".tmp") {}

CheckpointFile::~CheckpointFile() {
  Status st = Wait();
  if (!st.ok()) PANTRY_LOG_ERROR("checkpoint {}: {}", path_.string(), st.message());
  Abandon();
}

void CheckpointFile::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status CheckpointFile::Wait() {
  if (!thread_.joinable()) return Status::Ok();
  thread_.join();
  done_.store(false, std::memory_order_relaxed);
  Status result = std::move(background_result_);
  background_result_ = Status::Ok();
  return result;
}

Status CheckpointFile::Begin() {
  RETURN_IF_ERROR(Wait());
  Abandon();
  append_error_ = Status::Ok();
  RETURN_IF_ERROR(EnsureWritableDirectory(path_.parent_path()));
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return ErrnoError("cannot create " + tmp_.string(), errno);
  return Status::Ok();
}

void CheckpointFile::Append(std::string_view bytes) {
  if (!append_error_.ok()) return;
  if (fd_ < 0) {
    append_error_ = FailedPreconditionError("checkpoint " + path_.string() + ": not begun");
    return;
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      append_error_ = ErrnoError("cannot write " + tmp_.string(), errno);
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

Status CheckpointFile::Sync(int fd) {
  const auto start = std::chrono::steady_clock::now();
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("cannot fsync " + tmp_.string(), err);
  }
  ::close(fd);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    return ErrnoError("cannot rename " + tmp_.string() + " to " + path_.string(), errno);
  }
  Status st = SyncDirectory(path_.parent_path());
  last_sync_micros_ = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return st;
}

Status CheckpointFile::Commit(bool background) {
  if (!append_error_.ok()) {
    Abandon();
    return append_error_;
  }
  if (fd_ < 0) return FailedPreconditionError("checkpoint " + path_.string() + ": not begun");
  const int fd = fd_;
  fd_ = -1;
  if (!background) return Sync(fd);
  done_.store(false, std::memory_order_relaxed);
  thread_ = std::thread([this, fd] {
    background_result_ = Sync(fd);
    done_.store(true, std::memory_order_release);
  });
  return Status::Ok();
}

}  // namespace pantry::stream
