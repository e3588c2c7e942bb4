#include "pantry/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "pantry/testing/temp_dir.h"

extern char** environ;

namespace pantry::testing {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// NUL-terminated pointers into `storage` for execve-style arrays.
std::vector<char*> CStrings(std::vector<std::string>& storage) {
  std::vector<char*> out;
  for (std::string& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void AddOutput(posix_spawn_file_actions_t* actions, int fd, const std::filesystem::path& path) {
  if (path.empty()) {
    posix_spawn_file_actions_addopen(actions, fd, "/dev/null", O_WRONLY, 0);
  } else {
    posix_spawn_file_actions_addopen(actions, fd, path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
}

}  // namespace

const char* PantryBinary() { return PANTRY_BINARY; }
const char* CrashingPantryBinary() { return PANTRY_CRASHING_BINARY; }

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>* env) {
  TempDir io("pantry_run");
  SubprocessOptions options;
  options.stdout_path = io / "stdout";
  options.stderr_path = io / "stderr";
  options.env = env;
  CommandResult result;
  {
    Subprocess process(binary, args, options);
    if (!process.started()) {
      result.err = process.error();
      return result;
    }
    result.exit_code = process.Wait();
  }
  result.out = Slurp(options.stdout_path);
  result.err = Slurp(options.stderr_path);
  return result;
}

CommandResult RunPantry(const std::vector<std::string>& args) {
  return RunCommand(PantryBinary(), args);
}

Subprocess::Subprocess(const std::string& binary, const std::vector<std::string>& args,
                       const SubprocessOptions& options) {
  int pipe_fds[2] = {-1, -1};
  if (options.pipe_stdout && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    error_ = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.pipe_stdout) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  } else {
    AddOutput(&actions, 1, options.stdout_path);
  }
  AddOutput(&actions, 2, options.stderr_path);
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv = CStrings(argv_storage);
  std::vector<std::string> env_storage = options.env ? *options.env : std::vector<std::string>();
  std::vector<char*> envp = CStrings(env_storage);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(),
                             options.env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  if (options.pipe_stdout) {
    ::close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
  }
  if (rc != 0) {
    pid_ = -1;
    error_ = "posix_spawn " + binary + ": " + std::strerror(rc);
  }
}

Subprocess::~Subprocess() {
  if (started() && !exit_code_) Stop(SIGKILL);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::optional<std::string> Subprocess::ReadLine() {
  while (true) {
    if (size_t newline = buffered_.find('\n'); newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    char chunk[4096];
    const ssize_t n = stdout_fd_ < 0 ? 0 : ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (buffered_.empty()) return std::nullopt;
      return std::exchange(buffered_, std::string());
    }
    buffered_.append(chunk, static_cast<size_t>(n));
  }
}

int Subprocess::Stop(int signal) {
  if (started() && !exit_code_) ::kill(pid_, signal);
  return Wait();
}

int Subprocess::Wait() {
  if (exit_code_) return *exit_code_;
  if (!started()) return -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  term_signal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + term_signal_;
  return *exit_code_;
}

}  // namespace pantry::testing
