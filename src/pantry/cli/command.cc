#include "pantry/cli/command.h"

#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <map>
#include <vector>

#include "pantry/cli/store_config.h"
#include "pantry/common/file_util.h"
#include "pantry/common/logging.h"
#include "pantry/common/progress.h"

#ifndef PANTRY_VERSION
#define PANTRY_VERSION "0.0.0"
#endif

namespace pantry::cli {
namespace {

struct Registration {
  const char* name;
  CommandSetup setup;
};

std::vector<Registration>& Registrations() {
  static auto* registrations = new std::vector<Registration>();
  return *registrations;
}

Action& PendingAction() {
  static auto* action = new Action();
  return *action;
}

}  // namespace

CommandRegistrar::CommandRegistrar(const char* name, CommandSetup setup) {
  Registrations().push_back({name, std::move(setup)});
}

void SetAction(CLI::App* command, Action action) {
  command->callback([action = std::move(action)] { PendingAction() = action; });
}

void GlobalOptions::ApplyStoreBackends(featurestore::FeatureStoreOptions* options) const {
  options->online_backend = store_backends_.online_backend;
  options->online_url = store_backends_.online_url;
  options->online_password = store_backends_.online_password;
  options->offline_backend = store_backends_.offline_backend;
  options->offline_url = store_backends_.offline_url;
}

StatusOr<std::filesystem::path> GlobalOptions::RequireHome() const {
  Status status = EnsureWritableDirectory(home_);
  if (!status.ok()) return status.WithContext("--home");
  return home_;
}

int RunMain(int argc, char** argv, const featurestore::FeatureStoreHooks& hooks) {
  InitLogging();
  CLI::App app{"pantry: a self-hosted real-time grocery recommendation engine", "pantry"};
  app.set_version_flag("--version", std::string("pantry ") + PANTRY_VERSION);
  app.fallthrough();  // global flags may also follow the subcommand

  GlobalOptions globals;
  globals.featurestore_hooks_ = hooks;
  std::string home_flag;
  std::string log_level = "info";
  app.add_option("--home", home_flag,
                 "Where stores, logs and models live (default: $PANTRY_HOME or ./pantry-home)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off");
  app.add_flag("-q,--quiet", globals.quiet_, "No progress bars");
  // Stores, logs and models hold customer data: private unless asked.
  std::string umask_flag = "077";
  app.add_option("--umask", umask_flag,
                 "File mode creation mask (octal) for everything pantry writes; the default "
                 "077 makes files 0600 and directories 0700")
      ->capture_default_str();

  StoreFlags store_flags;
  app.add_option("--online-store", store_flags.online_store,
                 "Online store: rocksdb (default, in the home), memory, redis://host:port[/db] or "
                 "redis+cluster://host:port,host:port,... (password: $PANTRY_REDIS_PASSWORD)");
  app.add_option("--offline-store", store_flags.offline_store,
                 "Offline store: sqlite (default, in the home) or postgresql://...");
  app.add_option("--event-log", store_flags.event_log,
                 "Event log: file (default, in the home) | redis://host:port[/db] (Redis Streams, "
                 "shared by replicas)");
  app.add_option("--config", store_flags.config,
                 "Config file of key = value lines (online-store, offline-store, event-log); "
                 "default: <home>/pantry.conf if it exists. Flags override it");

  auto& registrations = Registrations();
  std::sort(registrations.begin(), registrations.end(),
            [](const Registration& a, const Registration& b) {
              return std::string_view(a.name) < std::string_view(b.name);
            });
  for (const Registration& registration : registrations) registration.setup(app, globals);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pantry: error: " << e.what() << "\nRun 'pantry --help' for usage.\n";
    return 2;
  }

  if (Status status = SetLogLevel(log_level); !status.ok()) {
    std::cerr << "pantry: error: --log-level: " << status.message() << "\n";
    return 2;
  }
  SetProgressQuiet(globals.quiet_);
  {
    unsigned mask = 0;
    auto [end, ec] =
        std::from_chars(umask_flag.data(), umask_flag.data() + umask_flag.size(), mask, 8);
    if (ec != std::errc() || end != umask_flag.data() + umask_flag.size() || mask > 0777) {
      std::cerr << "pantry: error: --umask: expected an octal mask such as 077 or 022\n";
      return 2;
    }
    ::umask(static_cast<mode_t>(mask));
  }

  if (!home_flag.empty()) {
    globals.home_ = home_flag;
    // An explicit --home must be usable before any work starts.
    if (Status status = EnsureWritableDirectory(globals.home_); !status.ok()) {
      std::cerr << "pantry: error: --home: " << status.message() << "\n";
      return 2;
    }
  } else if (const char* env = std::getenv("PANTRY_HOME"); env != nullptr && *env != '\0') {
    globals.home_ = env;
  } else {
    globals.home_ = "pantry-home";
  }

  {
    auto backends = ResolveStoreBackends(store_flags, globals.home_, &globals.event_log_url_);
    if (!backends.ok()) {
      std::cerr << "pantry: error: " << backends.status().message() << "\n";
      return 2;
    }
    globals.store_backends_ = std::move(*backends);
  }

  Action& action = PendingAction();
  if (!action) {
    std::cerr << "pantry: error: no command given\nRun 'pantry --help' for usage.\n";
    return 2;
  }
  Status status = action();
  if (!status.ok()) {
    std::cerr << "pantry: error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

std::vector<std::shared_ptr<void>>& CommandFlagsStore() {
  static std::vector<std::shared_ptr<void>> store;
  return store;
}

}  // namespace pantry::cli
