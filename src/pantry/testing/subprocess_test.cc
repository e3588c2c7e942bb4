#include "pantry/testing/subprocess.h"

#include <signal.h>

#include <gtest/gtest.h>

namespace pantry::testing {
namespace {

TEST(RunCommandTest, CapturesOutputAndExitCode) {
  CommandResult r = RunCommand("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunCommandTest, EnvReplacesTheEnvironment) {
  const std::vector<std::string> env = {"PANTRY_SUBPROCESS_TEST=1"};
  CommandResult r = RunCommand("/usr/bin/env", {}, &env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "PANTRY_SUBPROCESS_TEST=1\n");
}

TEST(RunCommandTest, ReportsAProgramThatCannotStart) {
  CommandResult r = RunCommand("/nonexistent/program", {});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_NE(r.err.find("/nonexistent/program"), std::string::npos) << r.err;
}

TEST(SubprocessTest, ReadsPipedLinesUntilTheEnd) {
  Subprocess p("/bin/sh", {"-c", "printf 'a\\n\\nb\\nlast'"}, {.pipe_stdout = true});
  ASSERT_TRUE(p.started()) << p.error();
  EXPECT_EQ(p.ReadLine(), "a");
  EXPECT_EQ(p.ReadLine(), "");
  EXPECT_EQ(p.ReadLine(), "b");
  EXPECT_EQ(p.ReadLine(), "last");
  EXPECT_EQ(p.ReadLine(), std::nullopt);
  EXPECT_EQ(p.Wait(), 0);
  EXPECT_EQ(p.term_signal(), 0);
  EXPECT_EQ(p.Wait(), 0) << "waiting again returns the same code";
}

TEST(SubprocessTest, StopReportsTheSignal) {
  Subprocess p("/bin/sleep", {"60"});
  ASSERT_TRUE(p.started()) << p.error();
  EXPECT_EQ(p.Stop(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(p.term_signal(), SIGKILL);
}

TEST(SubprocessTest, DestructorKillsARunningChild) {
  pid_t pid;
  {
    Subprocess p("/bin/sleep", {"60"});
    ASSERT_TRUE(p.started()) << p.error();
    pid = p.pid();
  }
  EXPECT_NE(::kill(pid, 0), 0) << "the child was reaped";
}

}  // namespace
}  // namespace pantry::testing
