// The CLI's behaviour on good and bad command lines, through the real binary.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {
namespace {

using ::testing::HasSubstr;

TEST(CliTest, HelpListsCommandsAndGlobalFlags) {
  CommandResult r = RunPantry({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--home"));
  EXPECT_THAT(r.out, HasSubstr("--log-level"));
}

TEST(CliTest, VersionPrintsVersion) {
  CommandResult r = RunPantry({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("pantry 0."));
}

TEST(CliTest, UnknownFlagFailsWithMessage) {
  CommandResult r = RunPantry({"--no-such-flag"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("pantry: error:"));
  EXPECT_THAT(r.err, HasSubstr("--no-such-flag"));
}

TEST(CliTest, UnknownCommandFails) {
  CommandResult r = RunPantry({"frobnicate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("frobnicate"));
}

TEST(CliTest, MissingArgumentFails) {
  CommandResult r = RunPantry({"--home"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--home"));
}

TEST(CliTest, NoCommandFails) {
  CommandResult r = RunPantry({});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("pantry: error:"));
}

TEST(CliTest, BadLogLevelFails) {
  CommandResult r = RunPantry({"--log-level", "loud", "info"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown log level 'loud'"));
}

TEST(CliTest, InfoCreatesHome) {
  TempDir dir;
  CommandResult r = RunPantry({"--home", (dir.path() / "h").string(), "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("home: "));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "h"));
}

TEST(CliTest, UnwritableHomeFails) {
  TempDir dir;
  // A path below a regular file can never be a directory, even for root.
  auto file = dir.path() / "file";
  { std::ofstream(file) << "x"; }
  CommandResult r = RunPantry({"--home", (file / "home").string(), "info"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("pantry: error: --home"));
  EXPECT_THAT(r.err, HasSubstr("file/home"));
}

}  // namespace
}  // namespace pantry::testing
