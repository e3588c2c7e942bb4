// Feature store commands: `pantry fg create|list|describe|add-features|
// delete`, `pantry ingest`, `pantry get`, `pantry put`, `pantry delete`,
// `pantry query`, `pantry dataset`. Thin: flags in, FeatureStore calls out.
#include "pantry/cli/featurestore_commands.h"

namespace pantry::cli {

StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenFeatureStore(
    const GlobalOptions& globals, bool read_only, const featurestore::QueryLimits& query_limits) {
  featurestore::FeatureStoreOptions options;
  options.query_limits = query_limits;
  if (read_only) {
    options.home = globals.home();
    options.read_only = true;
    options.offline_only = true;
  } else {
    ASSIGN_OR_RETURN(options.home, globals.RequireHome());
    options.hooks = globals.featurestore_hooks();
  }
  options.clock = globals.clock();
  globals.ApplyStoreBackends(&options);
  return featurestore::FeatureStore::Open(options);
}

namespace {

void Setup(CLI::App& app, const GlobalOptions& globals) {
  AddFeatureGroupCommands(app, globals);
  AddRecordCommands(app, globals);
  AddQueryCommands(app, globals);
}

}  // namespace

PANTRY_REGISTER_COMMANDS(featurestore, Setup);

}  // namespace pantry::cli
