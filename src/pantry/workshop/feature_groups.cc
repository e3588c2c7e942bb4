#include "pantry/workshop/feature_groups.h"

#include <algorithm>
#include <chrono>

#include "pantry/common/csv.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/stream/feature_store_sink.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;
using featurestore::FeatureGroupDefinition;
using featurestore::FeatureType;

constexpr FeatureType kString = FeatureType::kString;
constexpr FeatureType kIntegral = FeatureType::kIntegral;
constexpr FeatureType kFractional = FeatureType::kFractional;

WorkshopGroup Group(std::string name, std::string record_id,
                    std::vector<featurestore::FeatureDefinition> features, std::string csv_file,
                    bool required) {
  WorkshopGroup g;
  g.definition.name = std::move(name);
  g.definition.record_identifier_name = std::move(record_id);
  g.definition.event_time_name = "event_time";
  g.definition.features = std::move(features);
  g.csv_file = std::move(csv_file);
  g.required = required;
  return g;
}

// A group the stream processor writes: exactly what the feature-store sink
// would create for the workshop specs (stream/feature_store_sink.cc), so the
// sink finds every feature it writes.
WorkshopGroup StreamGroup(std::string name, std::string description) {
  WorkshopGroup g = Group(std::move(name), "customer_id",
                          {{"customer_id", kString},
                           {"sum_activity_weight_last_2m", kFractional},
                           {"avg_product_health_index_last_2m", kFractional},
                           {"event_time", kFractional},
                           {std::string(stream::kEmissionIdFeature), kIntegral}},
                          "", false);
  g.definition.description = std::move(description);
  return g;
}

std::vector<WorkshopGroup> Declare() {
  std::vector<WorkshopGroup> groups;
  groups.push_back(Group("customers", "customer_id",
                         {{"customer_id", kString},
                          {"name", kString},
                          {"state", kString},
                          {"age", kIntegral},
                          {"is_married", kIntegral},
                          {"customer_health_index", kFractional},
                          {"event_time", kString}},
                         "customers.csv", true));
  groups.push_back(Group("products", "product_id",
                         {{"product_name", kString},
                          {"product_category", kString},
                          {"product_id", kString},
                          {"product_health_index", kFractional},
                          {"event_time", kString}},
                         "products.csv", true));
  groups.push_back(Group("orders", "customer_id",
                         {{"customer_id", kString},
                          {"product_id", kString},
                          {"purchase_amount", kFractional},
                          {"event_time", kString}},
                         "orders.csv", false));
  WorkshopGroup clicks = Group("click_stream_historical", "customer_id",
                               {{"customer_id", kString},
                                {"product_id", kString},
                                {"bought", kIntegral},
                                {"rating", kIntegral},
                                {"healthy_activity_last_2m", kFractional},
                                {"sum_activity_weight_last_2m", kIntegral},
                                {"avg_product_health_index_last_2m", kFractional},
                                {"event_time", kString}},
                               "click_stream_historical.csv", true);
  clicks.definition.online_enabled = false;
  groups.push_back(std::move(clicks));
  WorkshopGroup stagger =
      StreamGroup("click_stream",
                  "Per customer, a 2-minute stagger window over click_stream (stream spec "
                  "workshop); may be seeded from click_stream.csv");
  stagger.csv_file = "click_stream.csv";
  groups.push_back(std::move(stagger));
  groups.push_back(StreamGroup(
      "click_stream_live",
      "Per customer, the last 2 minutes, updated on every event (stream spec workshop-live)"));
  return groups;
}

StatusOr<bool> HasColumn(const fs::path& csv, const std::string& column) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(csv));
  const auto& header = reader->header();
  return std::find(header.begin(), header.end(), column) != header.end();
}

}  // namespace

std::span<const WorkshopGroup> WorkshopGroups() {
  static const std::vector<WorkshopGroup>* const groups = new std::vector<WorkshopGroup>(Declare());
  return *groups;
}

StatusOr<const WorkshopGroup*> FindWorkshopGroup(std::string_view name) {
  for (const WorkshopGroup& g : WorkshopGroups()) {
    if (g.definition.name == name) return &g;
  }
  return NotFoundError("the workshop has no feature group " + std::string(name));
}

std::vector<std::string> TrainingGroupNames() {
  return {"customers", "products", "click_stream_historical"};
}

Status CreateWorkshopGroup(featurestore::FeatureStore& store, std::string_view name) {
  ASSIGN_OR_RETURN(const WorkshopGroup* group, FindWorkshopGroup(name));
  return store.CreateFeatureGroup(group->definition);
}

Status EnsureWorkshopGroups(featurestore::FeatureStore& store, std::span<const std::string> names) {
  for (const std::string& name : names) {
    if (store.DescribeFeatureGroup(name).ok()) continue;
    Status created = CreateWorkshopGroup(store, name);
    // Another process (a CLI next to the server) may have created it.
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  }
  return Status::Ok();
}

StatusOr<GroupLoad> LoadWorkshopGroup(featurestore::FeatureStore& store, std::string_view name,
                                      const fs::path& data) {
  ASSIGN_OR_RETURN(const WorkshopGroup* group, FindWorkshopGroup(name));
  GroupLoad load;
  load.group = group->definition.name;
  if (group->csv_file.empty()) {
    return InvalidArgumentError("feature group " + load.group + " is not loaded from a file");
  }
  load.csv = data / group->csv_file;
  std::error_code ec;
  if (!fs::exists(load.csv, ec)) {
    if (group->required) return InvalidArgumentError(load.csv.string() + " is missing");
    load.file_missing = true;
    return load;
  }
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(bool has_event_time, HasColumn(load.csv, group->definition.event_time_name));
  RETURN_IF_ERROR(store.CreateFeatureGroup(group->definition));
  featurestore::IngestOptions options;
  options.event_time_now = load.stamped_now = !has_event_time;
  options.batch_size = 50000;
  ASSIGN_OR_RETURN(featurestore::IngestReport report,
                   featurestore::IngestCsv(store, load.group, load.csv, options));
  load.rows = report.rows_committed;
  load.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return load;
}

Status CheckDatasetFolder(const fs::path& data) {
  for (const WorkshopGroup& group : WorkshopGroups()) {
    if (!group.required) continue;
    const fs::path csv = data / group.csv_file;
    std::error_code ec;
    if (fs::exists(csv, ec)) continue;
    if (group.definition.name == "click_stream_historical") {
      return FailedPreconditionError(
          csv.string() +
          " is missing: the ranker trains on the click history (customer_id, product_id, "
          "bought, rating, healthy_activity_last_2m, event_time). Generating one for a foreign "
          "catalog is not supported yet; use a dataset from `pantry generate`.");
    }
    return InvalidArgumentError(csv.string() + " is missing");
  }
  return Status::Ok();
}

Status LoadDataset(featurestore::FeatureStore& store, const fs::path& data,
                   std::span<const std::string> names,
                   const std::function<void(const GroupLoad&)>& on_loaded) {
  for (const WorkshopGroup& group : WorkshopGroups()) {
    const std::string& name = group.definition.name;
    if (group.csv_file.empty()) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (store.DescribeFeatureGroup(name).ok()) continue;
    ASSIGN_OR_RETURN(GroupLoad load, LoadWorkshopGroup(store, name, data));
    if (on_loaded) on_loaded(load);
  }
  return Status::Ok();
}

}  // namespace pantry::workshop
