#include "pantry/testing/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>

namespace pantry::testing {
namespace {

namespace fs = std::filesystem;

TEST(TempDirTest, FreshEmptyAndRemovedWithItsContents) {
  fs::path kept;
  {
    TempDir a("pantry_tempdir_test");
    TempDir b("pantry_tempdir_test");
    kept = a.path();
    EXPECT_NE(a.path(), b.path());
    ASSERT_TRUE(fs::is_directory(a.path()));
    EXPECT_TRUE(fs::is_empty(a.path()));
    EXPECT_TRUE(a.path().filename().string().starts_with("pantry_tempdir_test-"));
    EXPECT_EQ(a / "x", a.path() / "x");
    fs::create_directories(a / "sub" / "deeper");
    std::ofstream(a / "sub" / "deeper" / "file") << "data";
  }
  EXPECT_FALSE(fs::exists(kept));
}

}  // namespace
}  // namespace pantry::testing
