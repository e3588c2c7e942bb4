#include "pantry/models/model_registry.h"

#include <functional>
#include <mutex>
#include <system_error>

#include "pantry/common/file_util.h"
#include "pantry/models/model_store.h"

namespace pantry::models {
namespace {

namespace fs = std::filesystem;

// Version and kind names become path components: no separators, no dots
// first (".partial-*" staging names stay private).
Status CheckName(const std::string& name, const char* what) {
  if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos) {
    return InvalidArgumentError(std::string("bad model ") + what + " name '" + name + "'");
  }
  return Status::Ok();
}

Status CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec)
    return IOError("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  return Status::Ok();
}

// <root>/<kind>/<version> placed complete: copied under a temporary name,
// then renamed. An existing version is kept (versions are immutable).
Status PlaceVersion(const fs::path& root, const std::string& kind, const std::string& version,
                    const std::function<Status(const fs::path&)>& fill) {
  const fs::path kind_dir = root / kind;
  RETURN_IF_ERROR(EnsureWritableDirectory(kind_dir));
  const fs::path final_dir = kind_dir / version;
  std::error_code ec;
  if (fs::is_directory(final_dir, ec)) return Status::Ok();
  const fs::path staging = kind_dir / (".partial-" + version);
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return IOError("cannot create " + staging.string() + ": " + ec.message());
  Status status = fill(staging);
  if (status.ok()) status = SyncDirectory(staging);
  if (status.ok()) {
    fs::rename(staging, final_dir, ec);
    // Another process placed the same version first: theirs is as good.
    if (std::error_code exists; ec && fs::is_directory(final_dir, exists)) ec.clear();
    if (ec) status = IOError("cannot rename " + staging.string() + ": " + ec.message());
  }
  if (!status.ok()) fs::remove_all(staging, ec);
  if (status.ok()) status = SyncDirectory(kind_dir);
  return status;
}

// The version <root>/<kind>/current names (root: a home's models/ or a
// directory registry); nullopt if there is none yet.
StatusOr<std::optional<std::string>> LocalCurrent(const fs::path& root, const std::string& kind) {
  const fs::path file = root / kind / "current";
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string id, ReadFileToString(file));
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) id.pop_back();
  if (CheckName(id, "version").ok() && fs::is_directory(root / kind / id, ec)) {
    return std::optional<std::string>(std::move(id));
  }
  return CorruptionError(file.string() + " names a missing version '" + id + "'");
}

class DirectoryModelRegistry final : public ModelRegistry {
 public:
  // `root` plays <home>/models, so CurrentModelVersion reads it as is.
  explicit DirectoryModelRegistry(fs::path root) : root_(std::move(root)) {}

  Status Publish(const std::string& kind, const std::string& version,
                 const fs::path& dir) override {
    RETURN_IF_ERROR(CheckName(kind, "kind"));
    RETURN_IF_ERROR(CheckName(version, "version"));
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(PlaceVersion(root_, kind, version,
                                 [&](const fs::path& staging) { return CopyTree(dir, staging); }));
    return WriteFileAtomic(root_ / kind / "current", version + "\n");
  }

  StatusOr<std::optional<std::string>> Current(const std::string& kind) const override {
    RETURN_IF_ERROR(CheckName(kind, "kind"));
    return LocalCurrent(root_, kind);
  }

  StatusOr<bool> Contains(const std::string& kind, const std::string& version) const override {
    RETURN_IF_ERROR(CheckName(kind, "kind"));
    RETURN_IF_ERROR(CheckName(version, "version"));
    std::error_code ec;
    return fs::is_directory(root_ / kind / version, ec);
  }

  Status Fetch(const std::string& kind, const std::string& version,
               const fs::path& dir) const override {
    ASSIGN_OR_RETURN(bool stored, Contains(kind, version));
    if (!stored) return NotFoundError("model " + kind + "/" + version + " not in " + Describe());
    return CopyTree(root_ / kind / version, dir);
  }

  std::string Describe() const override { return "model registry " + root_.string(); }

 private:
  const fs::path root_;
  std::mutex mu_;  // serialises this process's publishes
};

}  // namespace

StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::OpenDirectory(const fs::path& root) {
  RETURN_IF_ERROR(EnsureWritableDirectory(root));
  return std::unique_ptr<ModelRegistry>(new DirectoryModelRegistry(root));
}

StatusOr<bool> PushCurrentVersion(ModelRegistry& registry, const fs::path& home,
                                  const std::string& kind) {
  auto dir = CurrentModelVersion(home, kind);
  if (!dir.ok()) {
    if (dir.status().code() == StatusCode::kNotFound) return false;
    return dir.status();
  }
  const std::string version = dir->filename().string();
  ASSIGN_OR_RETURN(bool stored, registry.Contains(kind, version));
  if (stored) return false;
  RETURN_IF_ERROR(registry.Publish(kind, version, *dir));
  return true;
}

StatusOr<bool> PullCurrentVersion(const ModelRegistry& registry, const fs::path& home,
                                  const std::string& kind) {
  ASSIGN_OR_RETURN(std::optional<std::string> wanted, registry.Current(kind));
  if (!wanted.has_value()) return false;
  RETURN_IF_ERROR(CheckName(*wanted, "version"));
  const fs::path root = home / "models";
  ASSIGN_OR_RETURN(std::optional<std::string> have, LocalCurrent(root, kind));
  if (have == wanted) return false;
  RETURN_IF_ERROR(PlaceVersion(root, kind, *wanted, [&](const fs::path& staging) {
    return registry.Fetch(kind, *wanted, staging);
  }));
  RETURN_IF_ERROR(WriteFileAtomic(root / kind / "current", *wanted + "\n"));
  return true;
}

}  // namespace pantry::models
