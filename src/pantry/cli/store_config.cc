#include "pantry/cli/store_config.h"

#include <cstdlib>
#include <fstream>

#include "pantry/featurestore/store_url.h"

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;

std::string Strip(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

constexpr const char* kKeys[] = {"online-store", "offline-store", "event-log"};

}  // namespace

StatusOr<std::map<std::string, std::string>> ReadConfigFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("config file " + path.string() + " cannot be read");
  std::map<std::string, std::string> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string stripped = Strip(line);
    if (stripped.empty() || stripped[0] == '#') continue;
    const std::string where = path.string() + ":" + std::to_string(number);
    const size_t eq = stripped.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError(where + ": expected \"key = value\"");
    }
    std::string key = Strip(stripped.substr(0, eq));
    for (char& c : key) {
      if (c == '_') c = '-';
    }
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) {
      return InvalidArgumentError(where + ": unknown key \"" + key +
                                  "\" (known: online-store, offline-store, event-log)");
    }
    out[key] = Strip(stripped.substr(eq + 1));
  }
  return out;
}

StatusOr<featurestore::FeatureStoreOptions> ResolveStoreBackends(const StoreFlags& flags,
                                                                 const fs::path& home,
                                                                 std::string* event_log_url) {
  std::map<std::string, std::string> file;
  if (!flags.config.empty()) {
    ASSIGN_OR_RETURN(file, ReadConfigFile(flags.config));
  } else if (std::error_code ec; fs::exists(home / "pantry.conf", ec)) {
    ASSIGN_OR_RETURN(file, ReadConfigFile(home / "pantry.conf"));
  }
  auto pick = [&](const std::string& flag, const char* key, const char* fallback) {
    if (!flag.empty()) return flag;
    auto it = file.find(key);
    return it != file.end() ? it->second : std::string(fallback);
  };
  featurestore::FeatureStoreOptions options;
  RETURN_IF_ERROR(
      featurestore::SetOnlineStore(pick(flags.online_store, "online-store", "rocksdb"), &options)
          .WithContext("--online-store"));
  RETURN_IF_ERROR(
      featurestore::SetOfflineStore(pick(flags.offline_store, "offline-store", "sqlite"), &options)
          .WithContext("--offline-store"));
  const std::string event_log = pick(flags.event_log, "event-log", "file");
  std::string log_url;
  if (event_log.starts_with("redis://") || event_log.starts_with("redis+cluster://")) {
    RETURN_IF_ERROR(featurestore::ParseRedisUrl(event_log).status().WithContext("--event-log"));
    log_url = event_log;
  } else if (event_log != "file") {
    return InvalidArgumentError("--event-log \"" + featurestore::MaskPassword(event_log) +
                                "\": expected file (the embedded log) or redis://host:port[/db] "
                                "(Redis Streams)");
  }
  if (const char* pw = std::getenv("PANTRY_REDIS_PASSWORD"); pw != nullptr) {
    options.online_password = pw;
  }
  if (event_log_url != nullptr) *event_log_url = log_url;
  return options;
}

}  // namespace pantry::cli
