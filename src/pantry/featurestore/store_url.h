// Backend URLs, as the --online-store and --offline-store flags (and the
// config file) give them:
//   online:  rocksdb (default) | memory
//            | redis://[[user]:password@]host[:port][/db][?options]
//            | redis+cluster://[[user]:password@]host:port,host:port,...[?options]
//   offline: sqlite (default) | postgresql://... (or postgres://)
// Redis options: prefix=<key prefix> (default pantry; [A-Za-z0-9_.-]),
// connect_timeout_ms=<n> (default 1000), timeout_ms=<n> (per command,
// default 2000). Errors name the URL with any password masked.
#ifndef PANTRY_FEATURESTORE_STORE_URL_H_
#define PANTRY_FEATURESTORE_STORE_URL_H_

#include <string>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/online_store.h"

namespace pantry::featurestore {

StatusOr<RedisOptions> ParseRedisUrl(std::string_view url);

// Sets options->online_backend (and online_url for Redis) from `spec`,
// after checking it. InvalidArgument with the reason otherwise.
Status SetOnlineStore(std::string_view spec, FeatureStoreOptions* options);
// Sets options->offline_backend (and offline_url) from `spec`.
Status SetOfflineStore(std::string_view spec, FeatureStoreOptions* options);

// `url` with the password replaced by "***", for messages and logs.
std::string MaskPassword(std::string_view url);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_STORE_URL_H_
