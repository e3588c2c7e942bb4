// Where the backends are: --online-store, --offline-store and --event-log,
// the same keys in a config file (--config FILE, else <home>/pantry.conf if
// it exists), and secrets from the environment. Flags override the file.
//
// Config file: one "key = value" per line; blank lines and lines starting
// with '#' are ignored. Keys: online-store, offline-store, event-log.
// Environment: $PANTRY_REDIS_PASSWORD is the Redis password when the
// online store URL has none (so it need not appear in `ps`).
#ifndef PANTRY_CLI_STORE_CONFIG_H_
#define PANTRY_CLI_STORE_CONFIG_H_

#include <filesystem>
#include <map>
#include <string>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::cli {

struct StoreFlags {
  std::string config;  // --config
  std::string online_store;
  std::string offline_store;
  std::string event_log;
};

// Reads a config file into key -> value. Errors name the file and line.
StatusOr<std::map<std::string, std::string>> ReadConfigFile(const std::filesystem::path& path);

// Resolves flags, file and environment into the backend fields of
// FeatureStoreOptions (online/offline backend, URLs, password) and, if
// `event_log_url` is not null, the event log's URL into it: empty for
// "file", else a redis:// or redis+cluster:// URL (Redis Streams). Fails on
// an unknown key or a bad URL.
StatusOr<featurestore::FeatureStoreOptions> ResolveStoreBackends(
    const StoreFlags& flags, const std::filesystem::path& home,
    std::string* event_log_url = nullptr);

}  // namespace pantry::cli

#endif  // PANTRY_CLI_STORE_CONFIG_H_
