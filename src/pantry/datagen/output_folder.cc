#include "pantry/datagen/output_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "pantry/common/file_util.h"

namespace pantry::datagen {

StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create " + path.string(), errno);
  return std::unique_ptr<OutputFile>(new OutputFile(path, fd));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status OutputFile::Append(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write " + path_.string(), errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status OutputFile::Close() {
  if (fd_ < 0) return Status::Ok();
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("cannot sync " + path_.string(), err);
  }
  if (::close(fd) != 0) return ErrnoError("cannot close " + path_.string(), errno);
  return Status::Ok();
}

StatusOr<std::unique_ptr<StagedOutput>> StagedOutput::Create(const std::filesystem::path& out,
                                                             std::vector<std::string> entries,
                                                             bool overwrite) {
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_directory(out, ec)) {
    return InvalidArgumentError("--out " + out.string() + " exists and is not a directory");
  }
  RETURN_IF_ERROR(EnsureWritableDirectory(out).WithContext("--out"));
  if (!overwrite) {
    for (const std::string& entry : entries) {
      if (std::filesystem::exists(out / entry, ec)) {
        return AlreadyExistsError("--out " + out.string() + " already holds " + entry +
                                  "; pass --overwrite to replace the dataset there");
      }
    }
  }
  // Leftovers of killed runs: never mistaken for a dataset (no
  // truth/summary.json in `out`), but removed so they do not pile up.
  const std::string prefix = ".generate-partial-";
  for (const auto& entry : std::filesystem::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code remove_ec;
      std::filesystem::remove_all(entry.path(), remove_ec);
    }
  }
  std::filesystem::path staging = out / (prefix + std::to_string(::getpid()));
  std::filesystem::remove_all(staging, ec);
  if (!std::filesystem::create_directory(staging, ec)) {
    return IOError("cannot create " + staging.string() + ": " + ec.message());
  }
  return std::unique_ptr<StagedOutput>(new StagedOutput(out, staging, std::move(entries)));
}

StagedOutput::~StagedOutput() {
  std::error_code ec;
  std::filesystem::remove_all(staging_, ec);
}

Status StagedOutput::Commit(const std::string& marker) {
  std::error_code ec;
  // The old marker goes first so that an interrupted replace is never taken
  // for a complete dataset.
  std::filesystem::remove(out_ / marker, ec);
  if (ec) return IOError("cannot remove " + (out_ / marker).string() + ": " + ec.message());
  RETURN_IF_ERROR(SyncDirectory(out_));
  for (const std::string& entry : entries_) {
    const std::filesystem::path target = out_ / entry;
    if (std::filesystem::is_directory(target, ec)) std::filesystem::remove_all(target, ec);
    std::filesystem::rename(staging_ / entry, target, ec);
    if (ec) {
      return IOError("cannot move " + (staging_ / entry).string() + " to " + target.string() +
                     ": " + ec.message());
    }
  }
  RETURN_IF_ERROR(SyncDirectory(out_));
  committed_ = true;
  return Status::Ok();
}

}  // namespace pantry::datagen
