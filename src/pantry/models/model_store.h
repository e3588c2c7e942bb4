// Where trained models live: <home>/models/<kind>/<version-id>/ holds one
// model version (model file(s), encoders.json, metrics.json), and
// <home>/models/<kind>/current holds the id of the version to serve. A
// version directory is written under a temporary name and renamed into
// place complete; `current` is replaced atomically (write + rename) after
// that, so a reader (the server's hot reload) sees either the old or the
// new version, never a partial one.
#ifndef PANTRY_MODELS_MODEL_STORE_H_
#define PANTRY_MODELS_MODEL_STORE_H_

#include <filesystem>
#include <functional>
#include <string>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"

namespace pantry::models {

// Version ids sort by creation time: "20261127T035512Z-3f2a" (UTC time and
// a random suffix).
std::string NewVersionId(Clock& clock);

// Writes a new version of `kind` ("cf" or "rank"): calls `write(dir)` on a
// fresh temporary directory, renames it to <home>/models/<kind>/<id>/, then
// points `current` at it. Returns the version directory. On error nothing
// becomes visible.
StatusOr<std::filesystem::path> PublishModelVersion(
    const std::filesystem::path& home, const std::string& kind, Clock& clock,
    const std::function<Status(const std::filesystem::path& dir)>& write);

// The directory of the current version of `kind`. NotFound if none.
StatusOr<std::filesystem::path> CurrentModelVersion(const std::filesystem::path& home,
                                                    const std::string& kind);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_MODEL_STORE_H_
