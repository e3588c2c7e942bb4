// The command-line adapter: the one place CLI11 is included. Each subsystem's
// commands live in their own cli/<subsystem>_command.cc and register
// themselves with PANTRY_REGISTER_COMMANDS, so main.cc never changes when a
// command is added. Command actions return a Status: OK exits 0, an error is
// printed as "pantry: error: <message>" and exits 1.
#ifndef PANTRY_CLI_COMMAND_H_
#define PANTRY_CLI_COMMAND_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::cli {

// Options shared by every command, filled in by main before an action runs.
class GlobalOptions {
 public:
  // --home, else $PANTRY_HOME, else ./pantry-home.
  const std::filesystem::path& home() const { return home_; }
  // Creates the home directory if needed and checks that it is writable.
  StatusOr<std::filesystem::path> RequireHome() const;
  bool quiet() const { return quiet_; }
  Clock* clock() const { return Clock::Real(); }
  // Hooks for the feature stores that commands open read-write. Always empty
  // in the pantry binary; a test executable sets them through RunMain (see
  // tests/crashing_pantry_main.cc).
  const featurestore::FeatureStoreHooks& featurestore_hooks() const { return featurestore_hooks_; }
  // The feature store backends chosen by --online-store/--offline-store (or
  // the config file; see store_config.h): copies the backend fields into
  // `options`, leaving the rest as it is.
  void ApplyStoreBackends(featurestore::FeatureStoreOptions* options) const;
  const featurestore::FeatureStoreOptions& store_backends() const { return store_backends_; }
  // --event-log: empty for the embedded file log, else the Redis Streams URL.
  const std::string& event_log_url() const { return event_log_url_; }

 private:
  friend int RunMain(int argc, char** argv, const featurestore::FeatureStoreHooks& hooks);
  std::filesystem::path home_;
  bool quiet_ = false;
  featurestore::FeatureStoreHooks featurestore_hooks_;
  featurestore::FeatureStoreOptions store_backends_;
  std::string event_log_url_;
};

using Action = std::function<Status()>;
using CommandSetup = std::function<void(CLI::App& app, const GlobalOptions& globals)>;

// Makes `action` run (after all flags are parsed) when `command` is chosen.
void SetAction(CLI::App* command, Action action);

// Registers a function that adds subcommands to the root app.
class CommandRegistrar {
 public:
  CommandRegistrar(const char* name, CommandSetup setup);
};

// Parses `argv`, runs the chosen command and returns the exit code. `hooks`
// are passed to feature stores opened by commands (tests only).
int RunMain(int argc, char** argv, const featurestore::FeatureStoreHooks& hooks = {});

// The flags of one subcommand: CLI11 binds options to their addresses at
// setup, so they must live until the process exits. They are owned by a
// static list (freed at exit, so leak checkers stay quiet), not leaked.
std::vector<std::shared_ptr<void>>& CommandFlagsStore();
template <typename T>
T* NewCommandFlags() {
  auto owned = std::make_shared<T>();
  T* raw = owned.get();
  CommandFlagsStore().push_back(std::move(owned));
  return raw;
}

}  // namespace pantry::cli

#define PANTRY_REGISTER_COMMANDS(name, setup) \
  static ::pantry::cli::CommandRegistrar pantry_registrar_##name(#name, setup)

#endif  // PANTRY_CLI_COMMAND_H_
