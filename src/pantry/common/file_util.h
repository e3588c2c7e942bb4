// Small POSIX file helpers with Status errors that name the path.
#ifndef PANTRY_COMMON_FILE_UTIL_H_
#define PANTRY_COMMON_FILE_UTIL_H_

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry {

StatusOr<std::string> ReadFileToString(const std::filesystem::path& path);

// Files and directories these helpers create are private (0600 and 0700,
// before the umask).

// Writes `contents` to a temporary file beside `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: readers see the old or the new file,
// never a torn one, also after a crash.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view contents);
// The same with the contents given as pieces written one after another, so
// that a large file need not be assembled in memory first.
Status WriteFileAtomic(const std::filesystem::path& path,
                       std::initializer_list<std::string_view> pieces);

// Appends `line` and a newline to `path` (created 0600 if missing) and
// fsyncs it: for small append-only logs that must survive a crash.
Status AppendLineDurably(const std::filesystem::path& path, std::string_view line);

// Creates `dir` and its parents if missing (mode 0700) and checks that it is a writable
// directory.
Status EnsureWritableDirectory(const std::filesystem::path& dir);

// fsyncs a directory so that a rename or create inside it is durable.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace pantry

#endif  // PANTRY_COMMON_FILE_UTIL_H_
