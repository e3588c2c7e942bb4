// Helpers for integration tests: temporary directories and running the real
// pantry binary.
#ifndef PANTRY_TESTS_TEST_UTIL_H_
#define PANTRY_TESTS_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <vector>

namespace pantry::testing {

// A fresh directory under $TMPDIR, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `binary` with `args` (no shell), stdin from /dev/null, and waits.
// `env` (NAME=value entries) replaces the environment when not null.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>* env = nullptr);

// Runs PANTRY_BINARY with `args` and this process's environment.
CommandResult RunPantry(const std::vector<std::string>& args);

}  // namespace pantry::testing

#endif  // PANTRY_TESTS_TEST_UTIL_H_
