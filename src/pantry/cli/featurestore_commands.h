// The feature store commands, in three files registered together by
// featurestore_command.cc (so that their order in --help stays put):
// fg_command.cc (`pantry fg ...`), record_command.cc (`ingest`, `get`, `put`,
// `delete`) and query_command.cc (`query`, `dataset`).
#ifndef PANTRY_CLI_FEATURESTORE_COMMANDS_H_
#define PANTRY_CLI_FEATURESTORE_COMMANDS_H_

#include <memory>

#include "pantry/cli/command.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::cli {

// Opens the home's feature store: read-write (creating the home) with the
// globals' hooks, or read-only over the offline store alone (SQL, datasets;
// works while another process writes). `query_limits` bound its queries.
StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenFeatureStore(
    const GlobalOptions& globals, bool read_only = false,
    const featurestore::QueryLimits& query_limits = {});

void AddFeatureGroupCommands(CLI::App& app, const GlobalOptions& globals);
void AddRecordCommands(CLI::App& app, const GlobalOptions& globals);
void AddQueryCommands(CLI::App& app, const GlobalOptions& globals);

}  // namespace pantry::cli

#endif  // PANTRY_CLI_FEATURESTORE_COMMANDS_H_
