// The workshop's feature groups, declared once: the four loaded from a
// dataset folder (customers, products, orders, click_stream_historical; the
// files `pantry generate` writes, or the workshop's own) and the two the
// stream processor writes (click_stream from the stagger window,
// click_stream_live from the sliding one). `pantry eval`, `pantry demo` and
// the server create groups from these declarations, so every home gets the
// same types whichever command created it.
#ifndef PANTRY_WORKSHOP_FEATURE_GROUPS_H_
#define PANTRY_WORKSHOP_FEATURE_GROUPS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_group.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::workshop {

struct WorkshopGroup {
  // Name, record identifier, event_time, features, online/offline.
  featurestore::FeatureGroupDefinition definition;
  // The CSV file of a dataset folder that fills it (e.g. "customers.csv").
  std::string csv_file;
  // Whether a dataset must have the file (customers, products, click
  // history); the others are loaded when present.
  bool required = false;
};

// All six groups, in load order: customers, products, orders,
// click_stream_historical, click_stream, click_stream_live. Event times are
// String (ISO-8601 or numeric seconds both parse) for the groups loaded from
// files, and Fractional seconds for the two the stream sink writes (the
// recommender reads them as numbers). click_stream_historical is
// offline-only: only training reads it, and skipping the online store keeps
// a 1M-row load fast.
std::span<const WorkshopGroup> WorkshopGroups();

// The declaration of `name`; NotFound for a group the workshop does not have.
StatusOr<const WorkshopGroup*> FindWorkshopGroup(std::string_view name);

// The groups the training queries read: customers, products,
// click_stream_historical.
std::vector<std::string> TrainingGroupNames();

// Creates `name` from its declaration. AlreadyExists if the home has it.
Status CreateWorkshopGroup(featurestore::FeatureStore& store, std::string_view name);

// Creates the groups among `names` that the store does not have yet
// (existing groups are left as they are, whatever their definition).
Status EnsureWorkshopGroups(featurestore::FeatureStore& store, std::span<const std::string> names);

struct GroupLoad {
  std::string group;
  std::filesystem::path csv;
  bool file_missing = false;  // optional file absent: nothing done
  bool stamped_now = false;   // the CSV had no event_time column
  int64_t rows = 0;
  double seconds = 0;
};

// Creates group `name` and ingests <data>/<its csv_file> into it in batches
// of 50,000 rows. A file without an event_time column is stamped with the
// store clock's now (the workshop's customers.csv and products.csv). A
// missing optional file is reported in the result, a missing required one
// is InvalidArgument. AlreadyExists if the group exists; ingest errors name
// file, line and column.
StatusOr<GroupLoad> LoadWorkshopGroup(featurestore::FeatureStore& store, std::string_view name,
                                      const std::filesystem::path& data);

// Checks that `data` has every required file (InvalidArgument naming the
// first missing one; FailedPrecondition for the click history, which only a
// generated dataset has).
Status CheckDatasetFolder(const std::filesystem::path& data);

// The groups of `names` (all file-loaded groups when empty) that the store
// does not have yet are created and loaded from `data`, in declaration
// order; `on_loaded` (may be empty) runs after each, also for an optional
// file that is absent (file_missing). Groups that exist are skipped.
Status LoadDataset(featurestore::FeatureStore& store, const std::filesystem::path& data,
                   std::span<const std::string> names,
                   const std::function<void(const GroupLoad&)>& on_loaded = nullptr);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_FEATURE_GROUPS_H_
