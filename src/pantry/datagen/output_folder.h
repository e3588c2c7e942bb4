// Where `pantry generate` writes: an append-only file with Status errors, and
// the partial-folder protocol that keeps an interrupted or failed run from
// leaving a folder that looks like a complete dataset.
#ifndef PANTRY_DATAGEN_OUTPUT_FOLDER_H_
#define PANTRY_DATAGEN_OUTPUT_FOLDER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::datagen {

// A file written front to back. Not thread-safe.
class OutputFile {
 public:
  static StatusOr<std::unique_ptr<OutputFile>> Create(const std::filesystem::path& path);
  ~OutputFile();
  Status Append(std::string_view data);
  // Flushes to disk (fsync) and closes.
  Status Close();

 private:
  OutputFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
};

// The staging folder DIR/.generate-partial-<pid>/. Destroying it without
// Commit() removes it and everything in it.
class StagedOutput {
 public:
  // Checks that `out` is (or can be made) a writable directory and, unless
  // `overwrite`, that it does not hold any of `entries` yet.
  static StatusOr<std::unique_ptr<StagedOutput>> Create(const std::filesystem::path& out,
                                                        std::vector<std::string> entries,
                                                        bool overwrite);
  ~StagedOutput();

  const std::filesystem::path& staging() const { return staging_; }
  // Moves `entries` from the staging folder into `out`, in order (the last
  // one should be the one whose presence marks completeness), after
  // removing the old marker `marker` (relative to out) when overwriting.
  Status Commit(const std::string& marker);

 private:
  StagedOutput(std::filesystem::path out, std::filesystem::path staging,
               std::vector<std::string> entries)
      : out_(std::move(out)), staging_(std::move(staging)), entries_(std::move(entries)) {}
  std::filesystem::path out_, staging_;
  std::vector<std::string> entries_;
  bool committed_ = false;
};

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_OUTPUT_FOLDER_H_
