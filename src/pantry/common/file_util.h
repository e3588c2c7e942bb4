// Small POSIX file helpers with Status errors that name the path.
#ifndef PANTRY_COMMON_FILE_UTIL_H_
#define PANTRY_COMMON_FILE_UTIL_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry {

StatusOr<std::string> ReadFileToString(const std::filesystem::path& path);

// Writes `contents` to a temporary file beside `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: readers see the old or the new file,
// never a torn one, also after a crash.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view contents);

// Creates `dir` and its parents if missing and checks that it is a writable
// directory.
Status EnsureWritableDirectory(const std::filesystem::path& dir);

// fsyncs a directory so that a rename or create inside it is durable.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace pantry

#endif  // PANTRY_COMMON_FILE_UTIL_H_
