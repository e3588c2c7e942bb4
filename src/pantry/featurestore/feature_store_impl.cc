// The FeatureStore facade: opening, the registry, online reads and SQL.
// Writes are in feature_store_write.cc.
#include <algorithm>
#include <atomic>
#include <cctype>

#include "pantry/common/file_util.h"
#include "pantry/common/logging.h"
#include "pantry/featurestore/feature_store_impl.h"
#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/record_json.h"
#include "pantry/featurestore/store_url.h"

namespace pantry::featurestore {
namespace detail {
namespace {

namespace fs = std::filesystem;

// Globally unique snapshot versions, so a thread-local cache can never
// confuse two stores (or a store re-created at the same address).
std::atomic<uint64_t> g_snapshot_version{1};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr size_t kMaxBatchGetEntries = 10;
constexpr size_t kMaxBatchGetIds = 100;

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace

Status FeatureStoreImpl::OpenOffline() {
  const std::string& url = options_.offline_url;
  if (IsPostgresUrl(url)) {
    ASSIGN_OR_RETURN(offline_,
                     OfflineStore::OpenPostgres(url, {.read_only = options_.read_only,
                                                      .query_limits = options_.query_limits}));
    return Status::Ok();
  }
  if (!url.empty() && url != "sqlite") {
    return InvalidArgumentError("offline store \"" + url +
                                "\": expected sqlite or a postgresql:// URL");
  }
  ASSIGN_OR_RETURN(offline_,
                   OfflineStore::OpenSqlite(root_ / "offline.db",
                                            {.sync = options_.sync_writes,
                                             .read_only = options_.read_only,
                                             .query_limits = options_.query_limits,
                                             .cache_bytes = options_.caches.offline_cache_bytes}));
  return Status::Ok();
}

Status FeatureStoreImpl::LoadRegistry(GroupMap* map) const {
  std::vector<std::pair<std::string, std::string>> texts;  // {where, json}
  if (offline_->stores_definitions()) {
    ASSIGN_OR_RETURN(std::vector<std::string> stored, offline_->LoadDefinitions());
    for (std::string& json : stored) texts.emplace_back("offline store", std::move(json));
  } else if (fs::exists(groups_dir_)) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(groups_dir_, ec)) {
      if (entry.path().extension() != ".json") continue;
      ASSIGN_OR_RETURN(std::string text, ReadFileToString(entry.path()));
      texts.emplace_back(entry.path().string(), std::move(text));
    }
    if (ec) return IOError("cannot list " + groups_dir_.string() + ": " + ec.message());
  }
  for (const auto& [where, text] : texts) {
    ASSIGN_OR_RETURN(FeatureGroupDefinition def, FeatureGroupDefinition::FromJson(text, where));
    RETURN_IF_ERROR(def.Validate().WithContext(where));
    const std::string group_name = def.name;
    (*map)[group_name] = std::make_shared<const FeatureGroupDefinition>(std::move(def));
  }
  return Status::Ok();
}

Status FeatureStoreImpl::SaveDefinition(const FeatureGroupDefinition& def) {
  if (offline_->stores_definitions()) return offline_->SaveDefinition(def.name, def.ToJson());
  return WriteFileAtomic(GroupFile(def.name), def.ToJson());
}

Status FeatureStoreImpl::RemoveDefinition(std::string_view name) {
  if (offline_->stores_definitions()) return offline_->DeleteDefinition(name);
  std::error_code ec;
  fs::remove(GroupFile(name), ec);
  if (ec) return IOError("cannot remove " + GroupFile(name).string() + ": " + ec.message());
  return SyncDirectory(groups_dir_);
}

Status FeatureStoreImpl::Init() {
  if (options_.offline_only && !options_.read_only) {
    return InvalidArgumentError("feature store: offline_only requires read_only");
  }
  const bool shared_registry = IsPostgresUrl(options_.offline_url);
  if (!options_.read_only) {
    RETURN_IF_ERROR(EnsureWritableDirectory(groups_dir_));
  } else if (!shared_registry && !fs::exists(root_)) {
    return NotFoundError("no feature store under " + options_.home.string() +
                         " (create a feature group first)");
  }
  RETURN_IF_ERROR(OpenOffline());
  auto map = std::make_shared<GroupMap>();
  RETURN_IF_ERROR(LoadRegistry(map.get()));
  Publish(std::move(map));
  if (!options_.read_only) {
    for (const auto& [name, def] : *groups_) {
      if (def->offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(*def));
    }
  }

  // Online store.
  if (options_.read_only && options_.offline_only) return Status::Ok();
  if (options_.online_backend == OnlineBackend::kRedis) {
    ASSIGN_OR_RETURN(RedisOptions redis, ParseRedisUrl(options_.online_url));
    if (redis.password.empty()) redis.password = options_.online_password;
    auto opened = OnlineStore::OpenRedis(redis, clock_);
    if (!opened.ok()) {
      return opened.status().WithContext("online store " + MaskPassword(options_.online_url));
    }
    online_ = std::move(*opened);
  } else if (options_.online_backend == OnlineBackend::kMemory ||
             (options_.read_only && !fs::exists(root_ / "online"))) {
    ASSIGN_OR_RETURN(online_, OnlineStore::OpenMemory());
  } else {
    ASSIGN_OR_RETURN(
        online_,
        OnlineStore::OpenRocksDb(
            root_ / "online", {.sync = options_.sync_writes,
                               .read_only = options_.read_only,
                               .block_cache_bytes = options_.caches.online_block_cache_bytes,
                               .write_buffer_bytes = options_.caches.online_write_buffer_bytes,
                               .record_cache_bytes = options_.caches.online_record_cache_bytes}));
  }
  if (options_.read_only) return Status::Ok();
  return Recover();
}

Status FeatureStoreImpl::CreateFeatureGroup(FeatureGroupDefinition definition) {
  RETURN_IF_ERROR(CheckWritable());
  RETURN_IF_ERROR(definition.Validate());
  std::lock_guard lock(write_mu_);
  for (const auto& [name, def] : *groups_) {
    if (Lower(name) == Lower(definition.name)) {
      return AlreadyExistsError("feature group " + name + " already exists");
    }
  }
  definition.creation_time_micros = clock_->NowMicros();
  // Definition first: Open() re-creates a missing table for every
  // registered group, so a crash in between leaves a usable group.
  RETURN_IF_ERROR(SaveDefinition(definition));
  if (definition.offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(definition));
  auto map = std::make_shared<GroupMap>(*groups_);
  const std::string name = definition.name;
  (*map)[name] = std::make_shared<const FeatureGroupDefinition>(std::move(definition));
  Publish(std::move(map));
  return Status::Ok();
}

StatusOr<FeatureGroupDefinition> FeatureStoreImpl::DescribeFeatureGroup(
    std::string_view name) const {
  ASSIGN_OR_RETURN(const FeatureGroupDefinition* def, Lookup(name));
  return *def;
}

std::vector<FeatureGroupDefinition> FeatureStoreImpl::ListFeatureGroups() const {
  std::vector<FeatureGroupDefinition> out;
  for (const auto& [name, def] : Snapshot()) out.push_back(*def);
  return out;
}

Status FeatureStoreImpl::DeleteFeatureGroup(std::string_view name) {
  RETURN_IF_ERROR(CheckWritable());
  std::lock_guard lock(write_mu_);
  auto it = groups_->find(name);
  if (it == groups_->end()) return UnknownGroup(name);
  const std::string group = it->first;
  // Data first, definition last: a crash leaves the group registered (and
  // possibly empty), so `fg delete` can simply be run again.
  RETURN_IF_ERROR(offline_->DropTable(group));
  RETURN_IF_ERROR(online_->DeleteGroup(group));
  RETURN_IF_ERROR(RemoveDefinition(group));
  auto map = std::make_shared<GroupMap>(*groups_);
  map->erase(group);
  Publish(std::move(map));
  return Status::Ok();
}

Status FeatureStoreImpl::AddFeatures(std::string_view name,
                                     std::vector<FeatureDefinition> features) {
  RETURN_IF_ERROR(CheckWritable());
  std::lock_guard lock(write_mu_);
  auto it = groups_->find(name);
  if (it == groups_->end()) return UnknownGroup(name);
  if (features.empty()) return InvalidArgumentError("no features to add");
  FeatureGroupDefinition def = *it->second;
  for (FeatureDefinition& f : features) def.features.push_back(std::move(f));
  RETURN_IF_ERROR(def.Validate());
  RETURN_IF_ERROR(SaveDefinition(def));
  if (def.offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(def));
  auto map = std::make_shared<GroupMap>(*groups_);
  const std::string group_name = def.name;
  (*map)[group_name] = std::make_shared<const FeatureGroupDefinition>(std::move(def));
  Publish(std::move(map));
  return Status::Ok();
}

Status FeatureStoreImpl::SetOnlineTtl(std::string_view name, std::optional<int64_t> ttl_micros) {
  RETURN_IF_ERROR(CheckWritable());
  if (ttl_micros && *ttl_micros <= 0) return InvalidArgumentError("TTL must be > 0");
  std::lock_guard lock(write_mu_);
  auto it = groups_->find(name);
  if (it == groups_->end()) return UnknownGroup(name);
  FeatureGroupDefinition def = *it->second;
  if (!def.online_enabled) {
    return InvalidArgumentError("feature group " + def.name +
                                " has no online store to set a TTL on");
  }
  def.ttl_micros = ttl_micros;
  RETURN_IF_ERROR(def.Validate());
  RETURN_IF_ERROR(SaveDefinition(def));
  auto map = std::make_shared<GroupMap>(*groups_);
  const std::string group_name = def.name;
  (*map)[group_name] = std::make_shared<const FeatureGroupDefinition>(std::move(def));
  Publish(std::move(map));
  return Status::Ok();
}

StatusOr<std::optional<Record>> FeatureStoreImpl::GetRecord(
    std::string_view group, std::string_view record_id, std::span<const std::string> feature_names,
    int64_t* expires_at_micros) const {
  bool declined = false;
  return ReadRecord(group, record_id, feature_names, expires_at_micros, /*memory_only=*/false,
                    &declined);
}

std::optional<StatusOr<std::optional<Record>>> FeatureStoreImpl::TryGetRecordInMemory(
    std::string_view group, std::string_view record_id, std::span<const std::string> feature_names,
    int64_t* expires_at_micros) const {
  bool declined = false;
  StatusOr<std::optional<Record>> result = ReadRecord(
      group, record_id, feature_names, expires_at_micros, /*memory_only=*/true, &declined);
  if (declined) return std::nullopt;
  return result;
}

StatusOr<BatchGetResult> FeatureStoreImpl::BatchGetRecord(
    std::span<const BatchGetEntry> entries) const {
  bool declined = false;
  return ReadBatch(entries, /*memory_only=*/false, &declined);
}

std::optional<StatusOr<BatchGetResult>> FeatureStoreImpl::TryBatchGetRecordInMemory(
    std::span<const BatchGetEntry> entries) const {
  bool declined = false;
  StatusOr<BatchGetResult> result = ReadBatch(entries, /*memory_only=*/true, &declined);
  if (declined) return std::nullopt;
  return result;
}

StatusOr<std::optional<Record>> FeatureStoreImpl::ReadRecord(
    std::string_view group, std::string_view record_id, std::span<const std::string> feature_names,
    int64_t* expires_at_micros, bool memory_only, bool* declined) const {
  ASSIGN_OR_RETURN(const FeatureGroupDefinition* def, Lookup(group));
  if (!def->online_enabled) {
    return FailedPreconditionError("feature group " + def->name + " has no online store");
  }
  for (const std::string& f : feature_names) {
    if (def->FindFeature(f) == nullptr) {
      return InvalidArgumentError("feature group " + def->name + " has no feature \"" + f + "\"");
    }
  }
  RETURN_IF_ERROR(CheckOnlineOpen());
  ASSIGN_OR_RETURN(std::string id, CanonicalId(*def, record_id));
  std::optional<std::string> value;
  if (memory_only) {
    ASSIGN_OR_RETURN(bool answered, online_->TryGetInMemory(def->name, id, &value));
    if (!answered) {
      *declined = true;
      return std::optional<Record>();
    }
  } else {
    ASSIGN_OR_RETURN(value, online_->Get(def->name, id));
  }
  return DecodeVisible(value, feature_names, expires_at_micros);
}

StatusOr<BatchGetResult> FeatureStoreImpl::ReadBatch(std::span<const BatchGetEntry> entries,
                                                     bool memory_only, bool* declined) const {
  if (entries.size() > kMaxBatchGetEntries) {
    return InvalidArgumentError("at most " + std::to_string(kMaxBatchGetEntries) +
                                " feature groups per batch get");
  }
  RETURN_IF_ERROR(CheckOnlineOpen());
  BatchGetResult result;
  for (const BatchGetEntry& e : entries) {
    if (e.record_ids.size() > kMaxBatchGetIds) {
      return InvalidArgumentError("at most " + std::to_string(kMaxBatchGetIds) +
                                  " record ids per feature group in a batch get");
    }
  }
  std::vector<std::string> ids;
  std::vector<size_t> positions;
  std::vector<std::optional<std::string>> values;
  for (const BatchGetEntry& e : entries) {
    auto def_or = Lookup(e.feature_group);
    Status problem = def_or.ok() ? Status::Ok() : def_or.status();
    if (problem.ok() && !(*def_or)->online_enabled) {
      problem =
          FailedPreconditionError("feature group " + e.feature_group + " has no online store");
    }
    if (problem.ok()) {
      for (const std::string& f : e.feature_names) {
        if ((*def_or)->FindFeature(f) == nullptr) {
          problem = InvalidArgumentError("feature group " + e.feature_group + " has no feature \"" +
                                         f + "\"");
          break;
        }
      }
    }
    if (!problem.ok()) {
      for (const std::string& id : e.record_ids) {
        result.errors.push_back({e.feature_group, id, problem});
      }
      continue;
    }
    const FeatureGroupDefinition& def = **def_or;
    ids.clear();
    positions.clear();
    for (size_t i = 0; i < e.record_ids.size(); ++i) {
      auto id = CanonicalId(def, e.record_ids[i]);
      if (!id.ok()) {
        result.errors.push_back({e.feature_group, e.record_ids[i], id.status()});
        continue;
      }
      ids.push_back(std::move(*id));
      positions.push_back(i);
    }
    if (memory_only) {
      ASSIGN_OR_RETURN(bool answered, online_->TryMultiGetInMemory(def.name, ids, &values));
      if (!answered) {
        *declined = true;
        return BatchGetResult();
      }
    } else {
      RETURN_IF_ERROR(online_->MultiGet(def.name, ids, &values));
    }
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string& original = e.record_ids[positions[k]];
      StatusOr<std::optional<OnlineRecordHeader>> header = VisibleHeader(values[k]);
      if (header.ok() && !header->has_value()) {
        result.unprocessed.emplace_back(e.feature_group, original);
        continue;
      }
      BatchGetResult::Found found;
      found.feature_group = e.feature_group;
      found.record_id = original;
      Status decoded = header.status();
      if (decoded.ok()) {
        found.expires_at_micros = (*header)->expires_at_micros;
        decoded = e.form == RecordForm::kJsonList
                      ? AppendOnlineRecordJsonList(*values[k], e.feature_names, &found.record_json)
                      : DecodeOnlineRecord(*values[k], e.feature_names, &found.record);
      }
      if (decoded.ok()) {
        result.records.push_back(std::move(found));
      } else {
        result.errors.push_back({e.feature_group, original, std::move(decoded)});
      }
    }
  }
  return result;
}

StatusOr<QueryResult> FeatureStoreImpl::Query(std::string_view sql) const {
  QueryResult result;
  RETURN_IF_ERROR(QueryEach(sql, &result.column_names, [&](std::span<const FeatureValue> row) {
    result.rows.emplace_back(row.begin(), row.end());
    return Status::Ok();
  }));
  return result;
}

Status FeatureStoreImpl::QueryEach(
    std::string_view sql, std::vector<std::string>* column_names,
    const std::function<Status(std::span<const FeatureValue> row)>& on_row) const {
  return offline_->QueryEach(sql, column_names, on_row);
}

void FeatureStoreImpl::Publish(std::shared_ptr<GroupMap> map) {
  std::lock_guard lock(snapshot_mu_);
  groups_ = std::move(map);
  version_.store(g_snapshot_version.fetch_add(1) + 1, std::memory_order_release);
}

const GroupMap& FeatureStoreImpl::Snapshot() const {
  struct Cache {
    uint64_t version = 0;
    std::shared_ptr<const GroupMap> map;
  };
  thread_local Cache cache;
  const uint64_t v = version_.load(std::memory_order_acquire);
  if (cache.version != v) {
    std::lock_guard lock(snapshot_mu_);
    cache.map = groups_;
    cache.version = version_.load(std::memory_order_relaxed);
  }
  return *cache.map;
}

StatusOr<std::string> FeatureStoreImpl::CanonicalId(const FeatureGroupDefinition& def,
                                                    std::string_view id) {
  const FeatureDefinition* f = def.FindFeature(def.record_identifier_name);
  if (f->type == FeatureType::kIntegral) {
    auto v = ParseFeatureValue(FeatureType::kIntegral, id);
    if (!v.ok()) {
      return InvalidArgumentError("record identifier " + def.record_identifier_name + ": " +
                                  v.status().message());
    }
    return std::to_string(v->int_value());
  }
  if (id.empty()) return InvalidArgumentError("empty record identifier");
  return std::string(id);
}

StatusOr<std::optional<OnlineRecordHeader>> FeatureStoreImpl::VisibleHeader(
    const std::optional<std::string>& value) const {
  if (!value) return std::nullopt;
  ASSIGN_OR_RETURN(OnlineRecordHeader h, DecodeOnlineRecordHeader(*value));
  if (h.deleted) return std::nullopt;
  if (h.expires_at_micros != 0 && clock_->NowMicros() >= h.expires_at_micros) {
    return std::nullopt;
  }
  return h;
}

StatusOr<std::optional<Record>> FeatureStoreImpl::DecodeVisible(
    const std::optional<std::string>& value, std::span<const std::string> features,
    int64_t* expires_at_micros) const {
  ASSIGN_OR_RETURN(std::optional<OnlineRecordHeader> header, VisibleHeader(value));
  if (!header) return std::optional<Record>();
  Record record;
  RETURN_IF_ERROR(DecodeOnlineRecord(*value, features, &record));
  if (expires_at_micros != nullptr) *expires_at_micros = header->expires_at_micros;
  return std::optional<Record>(std::move(record));
}

}  // namespace detail

StatusOr<std::unique_ptr<FeatureStore>> FeatureStore::Open(const FeatureStoreOptions& options) {
  if (options.home.empty()) return InvalidArgumentError("feature store: no home directory");
  auto store = std::make_unique<detail::FeatureStoreImpl>(options);
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<FeatureStore>(std::move(store));
}

}  // namespace pantry::featurestore
