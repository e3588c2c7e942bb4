// The model registry in PostgreSQL (models/model_registry.h), in the
// offline store's database, for replicas on shared backends. It lives in
// workshop/ because it joins models/ (the interface) with featurestore/
// (PgConnection, the libpq adapter), which must not know each other.
//
// Tables (created if missing):
//   _pantry_model_versions (kind, version, created)     one row a version
//   _pantry_model_files (kind, version, path, content)  bytea, one row a file
//   _pantry_model_current (kind, version)               one row a kind
// Publish writes a version's rows and moves the current row in one
// transaction; Current is one primary-key lookup; Fetch reads one file per
// query, so memory holds one file at a time (a file is limited to
// PostgreSQL's 1 GB per value).
//
// Connection loss: a call reports Unavailable and the next one reconnects.
#ifndef PANTRY_WORKSHOP_POSTGRES_MODEL_REGISTRY_H_
#define PANTRY_WORKSHOP_POSTGRES_MODEL_REGISTRY_H_

#include <filesystem>
#include <memory>
#include <string>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/model_registry.h"

namespace pantry::workshop {

// `url`: a libpq URL (the offline store's; pantry's own parameter
// pantry_query_role is ignored). Unavailable if the server is unreachable.
StatusOr<std::unique_ptr<models::ModelRegistry>> OpenPostgresModelRegistry(const std::string& url);

// The shared registry for `backends`: PostgreSQL when the offline store is
// PostgreSQL, else nullptr (embedded backends: the home's models/ is the
// only copy).
StatusOr<std::unique_ptr<models::ModelRegistry>> OpenSharedModelRegistry(
    const featurestore::FeatureStoreOptions& backends);

// After training in `home`: pushes the home's current version of every
// model kind a server loads (cf, retrieval, rank) that the shared registry
// of `backends` lacks, making it the registry's current version; every
// replica then pulls it at its next model check. Nothing to do (OK) with
// embedded backends.
Status PushModelsToSharedRegistry(const std::filesystem::path& home,
                                  const featurestore::FeatureStoreOptions& backends);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_POSTGRES_MODEL_REGISTRY_H_
