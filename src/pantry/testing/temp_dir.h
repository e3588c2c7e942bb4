// TempDir: a fresh, empty directory for one test (or benchmark), removed
// with everything in it when the object is destroyed.
#ifndef PANTRY_TESTING_TEMP_DIR_H_
#define PANTRY_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <string_view>

namespace pantry::testing {

class TempDir {
 public:
  // Creates <temp_directory_path>/<prefix>-XXXXXX (mkdtemp: unique across
  // processes and threads). Aborts with a message if it cannot, since no
  // test can run without it.
  explicit TempDir(std::string_view prefix = "pantry_test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, for brevity at call sites.
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_TEMP_DIR_H_
