// ModelRegistry: model versions kept where several homes can reach them,
// so that replicas on shared backends need no shared disk. A home's
// <home>/models/<kind>/ (model_store.h) stays what the server loads from;
// with a registry it is a cache of it: `pantry train` publishes a version
// into its home as always and then pushes it (PushCurrentVersion); every
// replica pulls the registry's current version into its own home before
// each hot-reload check (PullCurrentVersion), atomically, so the reload
// sees the old or the new version, never a partial one.
//
// A version is the set of files under its directory (relative paths, any
// depth), stored whole. Implementations: OpenDirectory here (a directory
// laid out as <home>/models, e.g. on a shared file system, and for tests),
// and PostgreSQL (workshop/postgres_model_registry.h, beside the offline
// store), which models/ cannot know about.
//
// Thread-safety: implementations are safe for concurrent calls.
#ifndef PANTRY_MODELS_MODEL_REGISTRY_H_
#define PANTRY_MODELS_MODEL_REGISTRY_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pantry/common/status.h"

namespace pantry::models {

class ModelRegistry {
 public:
  // A registry in `root` (<root>/<kind>/<version>/ and <root>/<kind>/current),
  // created if missing.
  static StatusOr<std::unique_ptr<ModelRegistry>> OpenDirectory(const std::filesystem::path& root);
  virtual ~ModelRegistry() = default;

  // Stores the files under `dir` as `version` of `kind` (unless that
  // version is already stored: versions are immutable) and makes it the
  // current version, in one step: readers see the old or the new current
  // version, complete. Unavailable if the registry cannot be reached.
  virtual Status Publish(const std::string& kind, const std::string& version,
                         const std::filesystem::path& dir) = 0;
  // The current version of `kind`; nullopt if none was ever published.
  // Cheap (one lookup): replicas call it every model check.
  virtual StatusOr<std::optional<std::string>> Current(const std::string& kind) const = 0;
  // True if `version` of `kind` is stored.
  virtual StatusOr<bool> Contains(const std::string& kind, const std::string& version) const = 0;
  // Writes the files of `version` of `kind` into `dir` (an existing empty
  // directory). NotFound if the version is not stored.
  virtual Status Fetch(const std::string& kind, const std::string& version,
                       const std::filesystem::path& dir) const = 0;
  // For messages: where the registry is (never a password).
  virtual std::string Describe() const = 0;
};

// Pushes the home's current version of `kind` to `registry` if the
// registry does not have it yet (a version trained in this home); a version
// the registry already has (pulled from it) is left alone, so that a
// replica's older cache never moves the registry's current version back.
// Returns true if it pushed. NotFound-free: a kind with no local version
// pushes nothing.
StatusOr<bool> PushCurrentVersion(ModelRegistry& registry, const std::filesystem::path& home,
                                  const std::string& kind);

// Makes the registry's current version of `kind` the home's current one,
// fetching it into <home>/models/<kind>/<version>/ if the home lacks it
// (under a temporary name, renamed complete, then `current` replaced).
// Returns true if the home's current version changed. A kind the registry
// has no version of changes nothing.
StatusOr<bool> PullCurrentVersion(const ModelRegistry& registry, const std::filesystem::path& home,
                                  const std::string& kind);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_MODEL_REGISTRY_H_
