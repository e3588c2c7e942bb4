#include "pantry/models/model_store.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <system_error>

#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"

namespace pantry::models {

std::string NewVersionId(Clock& clock) {
  std::string iso = FormatIso8601Micros(clock.NowMicros());  // 2026-11-27T03:55:12.123456Z
  std::string compact;
  for (char c : iso.substr(0, 19)) {
    if (c != '-' && c != ':') compact.push_back(c);
  }
  std::random_device device;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%04x", static_cast<unsigned>(device() & 0xffff));
  return compact + "Z-" + suffix;
}

StatusOr<std::filesystem::path> PublishModelVersion(
    const std::filesystem::path& home, const std::string& kind, Clock& clock,
    const std::function<Status(const std::filesystem::path& dir)>& write) {
  const std::filesystem::path root = home / "models" / kind;
  RETURN_IF_ERROR(EnsureWritableDirectory(root));
  const std::string id = NewVersionId(clock);
  const std::filesystem::path staging = root / (".partial-" + id);
  const std::filesystem::path final_dir = root / id;
  std::error_code ec;
  std::filesystem::create_directories(staging, ec);
  if (ec) return IOError("cannot create " + staging.string() + ": " + ec.message());
  Status status = write(staging);
  if (status.ok()) status = SyncDirectory(staging);
  if (status.ok()) {
    std::filesystem::rename(staging, final_dir, ec);
    if (ec) status = IOError("cannot rename " + staging.string() + ": " + ec.message());
  }
  if (status.ok()) status = SyncDirectory(root);
  if (status.ok()) status = WriteFileAtomic(root / "current", id + "\n");
  if (!status.ok()) {
    std::filesystem::remove_all(staging, ec);
    return status;
  }
  return final_dir;
}

StatusOr<std::filesystem::path> CurrentModelVersion(const std::filesystem::path& home,
                                                    const std::string& kind) {
  const std::filesystem::path root = home / "models" / kind;
  if (!std::filesystem::exists(root / "current")) {
    return NotFoundError("no trained " + kind + " model in " + root.string() +
                         " (run `pantry train " + kind + "`)");
  }
  ASSIGN_OR_RETURN(std::string id, ReadFileToString(root / "current"));
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) id.pop_back();
  if (id.empty() || id.find('/') != std::string::npos ||
      !std::filesystem::is_directory(root / id)) {
    return CorruptionError(root.string() + "/current names a missing version '" + id + "'");
  }
  return root / id;
}

}  // namespace pantry::models
