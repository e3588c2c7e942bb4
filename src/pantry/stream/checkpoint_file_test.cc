// CheckpointFile: pieces land in the file only once committed (readers see
// the previous file until then), in the background or not.
#include "pantry/stream/checkpoint_file.h"

#include <gtest/gtest.h>

#include "pantry/common/file_util.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

TEST(CheckpointFileTest, ReplacesThePreviousFileOnlyWhenCommitted) {
  testing::TempDir dir;
  const auto path = dir.path() / "processors" / "p.ckpt";
  CheckpointFile file(path);
  ASSERT_TRUE(file.Begin().ok());
  file.Append("first ");
  file.Append("version");
  ASSERT_TRUE(file.Commit(/*background=*/false).ok());
  EXPECT_EQ(*ReadFileToString(path), "first version");

  ASSERT_TRUE(file.Begin().ok());
  file.Append(std::string(3 << 20, 'x'));
  EXPECT_EQ(*ReadFileToString(path), "first version");  // not committed yet
  ASSERT_TRUE(file.Commit(/*background=*/true).ok());
  ASSERT_TRUE(file.Wait().ok());
  EXPECT_FALSE(file.busy());
  EXPECT_EQ(ReadFileToString(path)->size(), size_t{3} << 20);
  EXPECT_GE(file.last_sync_micros(), 0);

  // The next Begin waits for a background step in flight.
  ASSERT_TRUE(file.Begin().ok());
  file.Append("third");
  ASSERT_TRUE(file.Commit(/*background=*/true).ok());
  ASSERT_TRUE(file.Begin().ok());
  file.Append("fourth");
  ASSERT_TRUE(file.Commit(/*background=*/false).ok());
  EXPECT_EQ(*ReadFileToString(path), "fourth");
}

TEST(CheckpointFileTest, CommitWithoutBeginFails) {
  testing::TempDir dir;
  CheckpointFile file(dir.path() / "p.ckpt");
  file.Append("orphan");
  EXPECT_FALSE(file.Commit(/*background=*/false).ok());
}

}  // namespace
}  // namespace pantry::stream
