// The web UI (docs/ui.md): the live storefront (`GET /`, `/?customer=ID`),
// the operator console (`GET /console`), their embedded assets under /ui/,
// and the JSON endpoints the pages read, which are documented in
// docs/server.md and usable without the UI. Pages and assets are public (so
// a page can load and ask for the token); every JSON endpoint needs
// credentials when authentication is on, like the other /v1 routes.
//
//   WebUiSources sources;
//   sources.store = store; sources.recommender = recommender; ...
//   RETURN_IF_ERROR(RegisterWebUi(&service, sources));
#ifndef PANTRY_WEBUI_WEBUI_H_
#define PANTRY_WEBUI_WEBUI_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/http_service.h"
#include "pantry/stream/stream_service.h"

namespace pantry::webui {

struct WebUiSources {
  // Not owned; each must outlive the service's last request. `store` and
  // `recommender` are required; `streams` may be null (no processors shown).
  const featurestore::FeatureStore* store = nullptr;
  const recommend::Recommender* recommender = nullptr;
  const stream::StreamService* streams = nullptr;
  // The home, for the training metrics of the served model versions
  // (<home>/models/<kind>/<version>/metrics.json).
  std::filesystem::path home;
  // Up to n customers worth watching (the demo's MixedTopShoppers); may be
  // empty, then GET /v1/shoppers/suggested lists the first customers.
  std::function<StatusOr<std::vector<std::string>>(size_t n)> suggested_shoppers;
};

// Registers the pages, the assets and the UI's JSON endpoints on `service`.
// InvalidArgument without a store or recommender; AlreadyExists when a path
// is taken.
Status RegisterWebUi(server::HttpService* service, WebUiSources sources);

// The catalogue and customer endpoints (catalog_api.cc) and the console's
// endpoints (console_api.cc); RegisterWebUi calls both.
Status RegisterCatalogApi(server::HttpService* service, const WebUiSources& sources);
Status RegisterConsoleApi(server::HttpService* service, const WebUiSources& sources);

// `text` as an SQL string literal ('it''s'); for LIKE patterns, with
// `like` the wildcards % and _ and the escape \ are escaped (use ESCAPE '\').
std::string SqlLiteral(std::string_view text, bool like = false);

}  // namespace pantry::webui

#endif  // PANTRY_WEBUI_WEBUI_H_
