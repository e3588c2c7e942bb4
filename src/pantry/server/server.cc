#include "pantry/server/server.h"

#include "pantry/server/featurestore_api.h"

namespace pantry::server {

StatusOr<std::unique_ptr<PantryServer>> PantryServer::Start(const ServerOptions& options,
                                                            ServerComponents components) {
  std::unique_ptr<PantryServer> server(new PantryServer());
  HttpService::Options service_options;
  service_options.token = options.token;
  service_options.aws = options.aws;
  service_options.clock = options.clock;
  service_options.access_log = options.access_log;
  service_options.access_log_writer = options.access_log_writer;
  service_options.metrics = options.metrics;
  server->service_ = std::make_unique<HttpService>(service_options);
  HttpService* service = server->service_.get();

  for (auto& [name, check] : components.readiness) {
    server->readiness_.Add(name, std::move(check));
  }
  RETURN_IF_ERROR(
      RegisterOpsApi(service, &server->readiness_, options.metrics, options.metrics_public));
  if (components.events != nullptr) {
    RETURN_IF_ERROR(
        RegisterKinesisApi(service, components.events, options.kinesis, options.metrics));
    RETURN_IF_ERROR(RegisterEventsApi(service, components.events, options.events, options.metrics));
  }
  if (components.features != nullptr) {
    RETURN_IF_ERROR(RegisterFeatureStoreApi(service, components.features, options.metrics,
                                            options.feature_store));
    RETURN_IF_ERROR(RegisterSageMakerApi(service, components.features, options.sagemaker));
  }
  for (auto& add : components.extra_routes) RETURN_IF_ERROR(add(service));

  ASSIGN_OR_RETURN(server->http_, HttpServer::Start(options.http, service));
  return server;
}

PantryServer::~PantryServer() { Shutdown(); }

void PantryServer::Shutdown() {
  if (http_) http_->Shutdown();
}

}  // namespace pantry::server
