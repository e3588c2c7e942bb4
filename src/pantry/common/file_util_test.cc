#include "pantry/common/file_util.h"

#include <gtest/gtest.h>

#include <string>

#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

TEST(FileUtilTest, PiecesAreWrittenInOrderAndReplaceTheFile) {
  testing::TempDir tmp{"pantry_file_util_test"};
  const auto path = tmp / "state";
  ASSERT_TRUE(WriteFileAtomic(path, "old contents, longer than the new ones").ok());
  const std::string big(3 << 20, 'x');  // more than one write() may take
  ASSERT_TRUE(WriteFileAtomic(path, {"head:", big, "", ":tail"}).ok());
  auto read = ReadFileToString(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "head:" + big + ":tail");
  EXPECT_FALSE(std::filesystem::exists(tmp / "state.tmp"));
}

TEST(FileUtilTest, PiecesIntoAMissingDirectoryFailWithThePath) {
  testing::TempDir tmp{"pantry_file_util_test"};
  Status st = WriteFileAtomic(tmp / "missing" / "state", {"a", "b"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pantry
