#include "pantry/testing/boto3.h"

#include <unistd.h>

#include <utility>

#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {
namespace {
constexpr char kPython[] = "/usr/bin/python3";
}  // namespace

int RunBoto3Python(const std::vector<std::string>& args, std::string* out, std::string* err) {
  TempDir home;
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                        "HOME=" + home.path().string(),
                                        "AWS_CONFIG_FILE=/dev/null",
                                        "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                                        "AWS_EC2_METADATA_DISABLED=true",
                                        "NO_PROXY=*"};
  CommandResult result = RunCommand(kPython, args, &env);
  *out = std::move(result.out);
  *err = std::move(result.err);
  return result.exit_code;
}

std::optional<std::string> Boto3Unavailable() {
  if (access(kPython, X_OK) != 0) {
    return std::string(kPython) + " is missing (run scripts/install-deps)";
  }
  std::string out, err;
  if (RunBoto3Python({"-c", "import boto3"}, &out, &err) != 0) {
    return "boto3 is not importable by " + std::string(kPython) +
           " (run scripts/install-deps, which installs python3-boto3): " + err;
  }
  return std::nullopt;
}

}  // namespace pantry::testing
