// Running programs from tests: RunCommand / RunPantry run one to completion
// and capture its output; Subprocess keeps one running in the background
// (servers, processes a test kills). All use posix_spawn (no shell) with
// stdin from /dev/null.
#ifndef PANTRY_TESTING_SUBPROCESS_H_
#define PANTRY_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pantry::testing {

// The `pantry` binary of this build.
const char* PantryBinary();
// The test-only `crashing_pantry` of this build (tests/crashing_pantry_main.cc):
// pantry with feature store crash hooks set from its first flags.
const char* CrashingPantryBinary();

struct CommandResult {
  int exit_code = -1;  // 128 + N if killed by signal N
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `binary` with `args` and waits. `env` (NAME=value entries) replaces
// the environment when not null.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>* env = nullptr);

// Runs PantryBinary() with `args` and this process's environment.
CommandResult RunPantry(const std::vector<std::string>& args);

struct SubprocessOptions {
  // Read stdout through ReadLine() instead of sending it to stdout_path.
  bool pipe_stdout = false;
  // Files that receive stdout / stderr (created or truncated); empty means
  // /dev/null.
  std::filesystem::path stdout_path{};
  std::filesystem::path stderr_path{};
  // NAME=value entries replacing the environment; null keeps this process's.
  const std::vector<std::string>* env = nullptr;
};

// One child process. Not thread-safe.
class Subprocess {
 public:
  // Starts `binary` with `args`; if that fails, started() is false and
  // error() says why.
  Subprocess(const std::string& binary, const std::vector<std::string>& args,
             const SubprocessOptions& options = {});
  // Kills (SIGKILL) and reaps the child if it has not been waited for.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }

  // The next line of the piped stdout without its newline; nullopt at end of
  // output. Blocks until a line or the end arrives.
  std::optional<std::string> ReadLine();

  // Sends `signal` (if the child still runs) and waits for it to end.
  // Returns the exit code, or 128 + N if signal N ended it.
  int Stop(int signal);
  // Waits for the child to end; same return value. Later calls return the
  // same value again.
  int Wait();
  // After Wait/Stop: the signal that ended the child, or 0 if it exited.
  int term_signal() const { return term_signal_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;  // read from stdout_fd_ past the last returned line
  std::string error_;
  std::optional<int> exit_code_;
  int term_signal_ = 0;
};

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_SUBPROCESS_H_
