// crashing_pantry: the pantry CLI for crash tests. Its leading flags choose
// a crash point, installed as a feature store hook (FeatureStoreHooks); the
// remaining arguments are an ordinary pantry command line:
//
//   crashing_pantry --crash-after-offline-commits N  <pantry arguments...>
//
// kills the process with SIGKILL right after the N-th write batch is
// committed to the offline store, before its online write: the window that
// the store's recovery must repair. Only this test executable sets hooks;
// the pantry binary never crashes itself.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "pantry/cli/command.h"

namespace {

constexpr const char* kCrashAfterOfflineCommits = "--crash-after-offline-commits";

}  // namespace

int main(int argc, char** argv) {
  pantry::featurestore::FeatureStoreHooks hooks;
  int first = 1;
  if (argc > 2 && std::strcmp(argv[1], kCrashAfterOfflineCommits) == 0) {
    const long long n = std::atoll(argv[2]);
    if (n < 1) {
      std::fprintf(stderr, "crashing_pantry: %s needs a count >= 1\n", kCrashAfterOfflineCommits);
      return 2;
    }
    // One hook, called with the store's writer lock held, so the counter
    // needs no synchronisation of its own.
    auto remaining = std::make_shared<long long>(n);
    hooks.after_offline_commit = [remaining] {
      if (--*remaining == 0) std::raise(SIGKILL);
    };
    first = 3;
  }
  // argv[first - 1] stands in for argv[0]: CLI11 skips it.
  argv[first - 1] = argv[0];
  return pantry::cli::RunMain(argc - (first - 1), argv + (first - 1), hooks);
}
