// The FeatureStore facade: registry, validation, the event-time rule, TTL,
// and the offline-then-online write protocol with crash recovery.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "pantry/common/file_util.h"
#include "pantry/common/logging.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/offline_store.h"
#include "pantry/featurestore/online_record.h"
#include "pantry/featurestore/online_store.h"

namespace pantry::featurestore {
namespace {

namespace fs = std::filesystem;

using GroupPtr = std::shared_ptr<const FeatureGroupDefinition>;
using GroupMap = std::map<std::string, GroupPtr, std::less<>>;

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
constexpr size_t kOverlapMinRecords = 1000;

class FeatureStoreImpl final : public FeatureStore {
 public:
  explicit FeatureStoreImpl(const FeatureStoreOptions& options)
      : options_(options), clock_(options.clock ? options.clock : Clock::Real()) {
    root_ = options.home / "featurestore";
    groups_dir_ = root_ / "groups";
  }

  Status Init() {
    if (options_.offline_only && !options_.read_only) {
      return InvalidArgumentError("feature store: offline_only requires read_only");
    }
    if (const char* crash = std::getenv("PANTRY_TEST_CRASH_AFTER_OFFLINE_COMMITS")) {
      crash_after_offline_commits_ = std::atoll(crash);
    }
    if (!options_.read_only) {
      RETURN_IF_ERROR(EnsureWritableDirectory(groups_dir_));
    } else if (!fs::exists(root_)) {
      return NotFoundError("no feature store under " + options_.home.string() +
                           " (create a feature group first)");
    }
    // Registry.
    auto map = std::make_shared<GroupMap>();
    std::error_code ec;
    if (fs::exists(groups_dir_)) {
      for (const auto& entry : fs::directory_iterator(groups_dir_, ec)) {
        if (entry.path().extension() != ".json") continue;
        ASSIGN_OR_RETURN(std::string text, ReadFileToString(entry.path()));
        ASSIGN_OR_RETURN(FeatureGroupDefinition def,
                         FeatureGroupDefinition::FromJson(text, entry.path().string()));
        RETURN_IF_ERROR(def.Validate().WithContext(entry.path().string()));
        const std::string group_name = def.name;
        (*map)[group_name] = std::make_shared<const FeatureGroupDefinition>(std::move(def));
      }
    }
    if (ec) return IOError("cannot list " + groups_dir_.string() + ": " + ec.message());
    Publish(std::move(map));

    // Offline store.
    ASSIGN_OR_RETURN(offline_, OfflineStore::OpenSqlite(root_ / "offline.db",
                                                        {.sync = options_.sync_writes,
                                                         .read_only = options_.read_only}));
    if (!options_.read_only) {
      for (const auto& [name, def] : *groups_) {
        if (def->offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(*def));
      }
    }

    // Online store.
    if (options_.read_only && options_.offline_only) return Status::Ok();
    if (options_.online_backend == OnlineBackend::kMemory ||
        (options_.read_only && !fs::exists(root_ / "online"))) {
      ASSIGN_OR_RETURN(online_, OnlineStore::OpenMemory());
    } else {
      ASSIGN_OR_RETURN(
          online_, OnlineStore::OpenRocksDb(root_ / "online", {.sync = options_.sync_writes,
                                                               .read_only = options_.read_only}));
    }
    if (options_.read_only) return Status::Ok();
    return Recover();
  }

  // Replays journaled batches the online store has not applied (a crash
  // between the offline commit and the online write).
  Status Recover() {
    ASSIGN_OR_RETURN(int64_t last, offline_->LastSequence());
    ASSIGN_OR_RETURN(int64_t applied, online_->AppliedSequence());
    next_sequence_ = std::max(last, applied) + 1;
    if (!online_->durable() || last <= applied) return Status::Ok();
    int64_t replayed = 0;
    auto groups = groups_;
    RETURN_IF_ERROR(offline_->ReadJournal(
        applied,
        [&](std::string_view name) -> const FeatureGroupDefinition* {
          auto it = groups->find(name);
          return it == groups->end() || !it->second->online_enabled ? nullptr : it->second.get();
        },
        [&](const JournalEntry& entry) -> Status {
          const FeatureGroupDefinition& def = *groups->find(entry.group)->second;
          ASSIGN_OR_RETURN(std::vector<Prepared> prepared, PrepareAll(def, entry.records));
          std::vector<OnlineWrite> writes;
          if (entry.op == JournalOp::kPut) {
            RETURN_IF_ERROR(PlanPuts(def, prepared,
                                     entry.ttl_micros ? entry.ttl_micros : def.ttl_micros, &writes,
                                     nullptr));
          } else {
            for (const Prepared& p : prepared) {
              ASSIGN_OR_RETURN(auto current, online_->Get(def.name, p.id));
              RETURN_IF_ERROR(PlanDelete(def, p, entry.op, current, &writes, /*check=*/false));
            }
          }
          ++replayed;
          return online_->Write(writes, entry.sequence);
        }));
    // Mark everything journaled as applied, including batches of groups
    // deleted since.
    RETURN_IF_ERROR(online_->Write({}, last));
    PANTRY_LOG_INFO("feature store: replayed {} journaled batches into the online store", replayed);
    return Status::Ok();
  }

  // ---- Feature groups ---------------------------------------------------

  Status CreateFeatureGroup(FeatureGroupDefinition definition) override {
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
    RETURN_IF_ERROR(WriteFileAtomic(GroupFile(definition.name), definition.ToJson()));
    if (definition.offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(definition));
    auto map = std::make_shared<GroupMap>(*groups_);
    const std::string name = definition.name;
    (*map)[name] = std::make_shared<const FeatureGroupDefinition>(std::move(definition));
    Publish(std::move(map));
    return Status::Ok();
  }

  StatusOr<FeatureGroupDefinition> DescribeFeatureGroup(std::string_view name) const override {
    ASSIGN_OR_RETURN(const FeatureGroupDefinition* def, Lookup(name));
    return *def;
  }

  std::vector<FeatureGroupDefinition> ListFeatureGroups() const override {
    std::vector<FeatureGroupDefinition> out;
    for (const auto& [name, def] : Snapshot()) out.push_back(*def);
    return out;
  }

  Status DeleteFeatureGroup(std::string_view name) override {
    RETURN_IF_ERROR(CheckWritable());
    std::lock_guard lock(write_mu_);
    auto it = groups_->find(name);
    if (it == groups_->end()) return UnknownGroup(name);
    const std::string group = it->first;
    // Data first, definition last: a crash leaves the group registered (and
    // possibly empty), so `fg delete` can simply be run again.
    RETURN_IF_ERROR(offline_->DropTable(group));
    RETURN_IF_ERROR(online_->DeleteGroup(group));
    std::error_code ec;
    fs::remove(GroupFile(group), ec);
    if (ec) return IOError("cannot remove " + GroupFile(group).string() + ": " + ec.message());
    RETURN_IF_ERROR(SyncDirectory(groups_dir_));
    auto map = std::make_shared<GroupMap>(*groups_);
    map->erase(group);
    Publish(std::move(map));
    return Status::Ok();
  }

  Status AddFeatures(std::string_view name, std::vector<FeatureDefinition> features) override {
    RETURN_IF_ERROR(CheckWritable());
    std::lock_guard lock(write_mu_);
    auto it = groups_->find(name);
    if (it == groups_->end()) return UnknownGroup(name);
    if (features.empty()) return InvalidArgumentError("no features to add");
    FeatureGroupDefinition def = *it->second;
    for (FeatureDefinition& f : features) def.features.push_back(std::move(f));
    RETURN_IF_ERROR(def.Validate());
    RETURN_IF_ERROR(WriteFileAtomic(GroupFile(def.name), def.ToJson()));
    if (def.offline_enabled) RETURN_IF_ERROR(offline_->EnsureTable(def));
    auto map = std::make_shared<GroupMap>(*groups_);
    const std::string group_name = def.name;
    (*map)[group_name] = std::make_shared<const FeatureGroupDefinition>(std::move(def));
    Publish(std::move(map));
    return Status::Ok();
  }

  // ---- Records ----------------------------------------------------------

  Status PutRecord(std::string_view group, const Record& record,
                   std::optional<int64_t> ttl_micros) override {
    return PutRecords(group, std::span<const Record>(&record, 1), ttl_micros).status();
  }

  StatusOr<PutSummary> PutRecords(std::string_view group, std::span<const Record> records,
                                  std::optional<int64_t> ttl_micros) override {
    RETURN_IF_ERROR(CheckWritable());
    if (ttl_micros && *ttl_micros <= 0) return InvalidArgumentError("TTL must be > 0");
    const double invoked = clock_->NowSeconds();
    std::lock_guard lock(write_mu_);
    auto it = groups_->find(group);
    if (it == groups_->end()) return UnknownGroup(group);
    GroupPtr def = it->second;
    // Validate everything before writing anything.
    std::vector<Prepared> prepared;
    prepared.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      auto p = PrepareRecord(*def, records[i]);
      if (!p.ok()) {
        if (records.size() == 1) return p.status();
        return p.status().WithContext("record " + std::to_string(i));
      }
      prepared.push_back(std::move(*p));
    }
    PutSummary summary;
    summary.records = static_cast<int64_t>(records.size());
    std::vector<OnlineWrite> writes;
    const std::optional<int64_t> ttl = ttl_micros ? ttl_micros : def->ttl_micros;
    if (def->online_enabled && def->offline_enabled && records.size() >= kOverlapMinRecords) {
      // Large batches: the offline append (SQLite) and the online planning
      // (reads + encoding) are independent, so they overlap; the online
      // write still starts only after the offline commit.
      int64_t sequence = 0;
      Status offline;
      std::thread appender([&] {
        offline = AppendOffline(*def, records, JournalOp::kPut, ttl_micros, invoked, &sequence);
      });
      Status planned = PlanPuts(*def, prepared, ttl, &writes, &summary);
      appender.join();
      RETURN_IF_ERROR(offline);
      RETURN_IF_ERROR(WriteOnline(*def, writes, sequence, planned));
      return summary;
    }
    if (def->online_enabled) {
      RETURN_IF_ERROR(PlanPuts(*def, prepared, ttl, &writes, &summary));
    }
    RETURN_IF_ERROR(Commit(*def, records, JournalOp::kPut, ttl_micros, invoked, writes));
    return summary;
  }

  StatusOr<std::optional<Record>> GetRecord(
      std::string_view group, std::string_view record_id,
      std::span<const std::string> feature_names) const override {
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
    ASSIGN_OR_RETURN(std::optional<std::string> value, online_->Get(def->name, id));
    return DecodeVisible(value, feature_names);
  }

  StatusOr<BatchGetResult> BatchGetRecord(std::span<const BatchGetEntry> entries) const override {
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
            problem = InvalidArgumentError("feature group " + e.feature_group +
                                           " has no feature \"" + f + "\"");
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
      Status s = online_->MultiGet(def.name, ids, &values);
      if (!s.ok()) return s;
      for (size_t k = 0; k < ids.size(); ++k) {
        const std::string& original = e.record_ids[positions[k]];
        auto rec = DecodeVisible(values[k], e.feature_names);
        if (!rec.ok()) {
          result.errors.push_back({e.feature_group, original, rec.status()});
        } else if (!rec->has_value()) {
          result.unprocessed.emplace_back(e.feature_group, original);
        } else {
          result.records.push_back({e.feature_group, original, std::move(**rec)});
        }
      }
    }
    return result;
  }

  Status DeleteRecord(std::string_view group, std::string_view record_id, int64_t event_time_micros,
                      DeleteMode mode) override {
    RETURN_IF_ERROR(CheckWritable());
    const double invoked = clock_->NowSeconds();
    std::lock_guard lock(write_mu_);
    auto it = groups_->find(group);
    if (it == groups_->end()) return UnknownGroup(group);
    GroupPtr def = it->second;
    ASSIGN_OR_RETURN(std::string id, CanonicalId(*def, record_id));
    // The offline marker row: record id and event time, everything else
    // null, is_deleted = 1.
    Record marker;
    const FeatureDefinition* id_def = def->FindFeature(def->record_identifier_name);
    if (id_def->type == FeatureType::kIntegral) {
      int64_t v = 0;
      std::from_chars(id.data(), id.data() + id.size(), v);
      marker.Add(def->record_identifier_name, FeatureValue::Int(v));
    } else {
      marker.Add(def->record_identifier_name, FeatureValue::String(id));
    }
    const FeatureDefinition* et_def = def->FindFeature(def->event_time_name);
    marker.Add(def->event_time_name,
               et_def->type == FeatureType::kFractional
                   ? FeatureValue::Double(static_cast<double>(event_time_micros) / 1e6)
                   : FeatureValue::String(FormatIso8601Micros(event_time_micros)));
    const JournalOp op =
        mode == DeleteMode::kHard ? JournalOp::kHardDelete : JournalOp::kSoftDelete;
    std::vector<OnlineWrite> writes;
    if (def->online_enabled) {
      Prepared p{id, event_time_micros};
      ASSIGN_OR_RETURN(auto current, online_->Get(def->name, id));
      RETURN_IF_ERROR(PlanDelete(*def, p, op, current, &writes, /*check=*/true));
    }
    return Commit(*def, std::span<const Record>(&marker, 1), op, std::nullopt, invoked, writes);
  }

  StatusOr<QueryResult> Query(std::string_view sql) const override {
    QueryResult result;
    RETURN_IF_ERROR(QueryEach(sql, &result.column_names, [&](std::span<const FeatureValue> row) {
      result.rows.emplace_back(row.begin(), row.end());
      return Status::Ok();
    }));
    return result;
  }

  Status QueryEach(
      std::string_view sql, std::vector<std::string>* column_names,
      const std::function<Status(std::span<const FeatureValue> row)>& on_row) const override {
    return offline_->QueryEach(sql, column_names, on_row);
  }

  Clock* clock() const override { return clock_; }
  const FeatureStoreOptions& options() const override { return options_; }

 private:
  struct Prepared {
    std::string id;  // canonical string form
    int64_t event_time_micros = 0;
    const Record* record = nullptr;  // puts only
  };

  fs::path GroupFile(std::string_view name) const {
    return groups_dir_ / (std::string(name) + ".json");
  }

  static Status UnknownGroup(std::string_view name) {
    return NotFoundError("feature group " + std::string(name) + " does not exist");
  }

  Status CheckWritable() const {
    if (options_.read_only) {
      return FailedPreconditionError("feature store opened read-only");
    }
    if (needs_recovery_.load()) {
      return UnavailableError(
          "feature store: an online write failed after its offline commit; reopen the store to "
          "replay it before writing again");
    }
    return Status::Ok();
  }

  Status CheckOnlineOpen() const {
    if (online_ == nullptr) {
      return FailedPreconditionError("feature store opened offline-only (no online reads)");
    }
    return Status::Ok();
  }

  void Publish(std::shared_ptr<GroupMap> map) {
    std::lock_guard lock(snapshot_mu_);
    groups_ = std::move(map);
    version_.store(g_snapshot_version.fetch_add(1) + 1, std::memory_order_release);
  }

  // The registry as this thread last saw it, refreshed when it changed. The
  // common case is one relaxed atomic load and no shared writes, so reads
  // from many threads do not contend. The reference stays valid until this
  // thread's next Snapshot() call.
  const GroupMap& Snapshot() const {
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

  StatusOr<const FeatureGroupDefinition*> Lookup(std::string_view name) const {
    const GroupMap& map = Snapshot();
    auto it = map.find(name);
    if (it == map.end()) return UnknownGroup(name);
    return it->second.get();
  }

  static StatusOr<std::string> CanonicalId(const FeatureGroupDefinition& def, std::string_view id) {
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

  StatusOr<Prepared> PrepareRecord(const FeatureGroupDefinition& def, const Record& record) const {
    RETURN_IF_ERROR(ValidateRecord(def, record));
    Prepared p;
    p.record = &record;
    const FeatureValue* id = record.Find(def.record_identifier_name);
    p.id = id->is_int() ? std::to_string(id->int_value()) : id->string_value();
    ASSIGN_OR_RETURN(p.event_time_micros, EventTimeMicros(*record.Find(def.event_time_name)));
    return p;
  }

  StatusOr<std::vector<Prepared>> PrepareAll(const FeatureGroupDefinition& def,
                                             std::span<const Record> records) const {
    std::vector<Prepared> out;
    for (const Record& r : records) {
      const FeatureValue* id = r.Find(def.record_identifier_name);
      const FeatureValue* et = r.Find(def.event_time_name);
      if (!id || !et) return CorruptionError("journaled row without id or event time");
      Prepared p;
      p.record = &r;
      p.id = id->is_int() ? std::to_string(id->int_value()) : id->ToString();
      ASSIGN_OR_RETURN(p.event_time_micros, EventTimeMicros(*et));
      out.push_back(std::move(p));
    }
    return out;
  }

  // Decides which records replace the online record: strictly newer event
  // time than what is stored (or pending earlier in this batch).
  Status PlanPuts(const FeatureGroupDefinition& def, std::span<const Prepared> prepared,
                  std::optional<int64_t> ttl, std::vector<OnlineWrite>* writes,
                  PutSummary* summary) const;

  Status PlanDelete(const FeatureGroupDefinition& def, const Prepared& p, JournalOp op,
                    const std::optional<std::string>& current, std::vector<OnlineWrite>* writes,
                    bool check) const;

  // Offline (with journal) first, then online with the applied sequence.
  Status AppendOffline(const FeatureGroupDefinition& def, std::span<const Record> rows,
                       JournalOp op, std::optional<int64_t> ttl, double invoked, int64_t* sequence);
  // `planned` is the outcome of planning the writes; an error there after an
  // offline commit is reported like a failed online write.
  Status WriteOnline(const FeatureGroupDefinition& def, std::span<const OnlineWrite> writes,
                     int64_t sequence, Status planned);
  Status Commit(const FeatureGroupDefinition& def, std::span<const Record> rows, JournalOp op,
                std::optional<int64_t> ttl, double invoked, std::vector<OnlineWrite>& writes);

  StatusOr<std::optional<Record>> DecodeVisible(const std::optional<std::string>& value,
                                                std::span<const std::string> features) const {
    if (!value) return std::optional<Record>();
    ASSIGN_OR_RETURN(OnlineRecordHeader h, DecodeOnlineRecordHeader(*value));
    if (h.deleted) return std::optional<Record>();
    if (h.expires_at_micros != 0 && clock_->NowMicros() >= h.expires_at_micros) {
      return std::optional<Record>();
    }
    Record record;
    RETURN_IF_ERROR(DecodeOnlineRecord(*value, features, &record));
    return std::optional<Record>(std::move(record));
  }

  const FeatureStoreOptions options_;
  Clock* const clock_;
  fs::path root_;
  fs::path groups_dir_;
  std::unique_ptr<OnlineStore> online_;
  std::unique_ptr<OfflineStore> offline_;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const GroupMap> groups_ = std::make_shared<GroupMap>();
  std::atomic<uint64_t> version_{0};

  std::mutex write_mu_;  // serialises all writes
  // PANTRY_TEST_CRASH_AFTER_OFFLINE_COMMITS=N: SIGKILL the process right
  // after the N-th offline commit, before its online write (crash tests).
  int64_t crash_after_offline_commits_ = 0;
  std::atomic<bool> needs_recovery_{false};
  int64_t next_sequence_ = 1;
};

Status FeatureStoreImpl::PlanPuts(const FeatureGroupDefinition& def,
                                  std::span<const Prepared> prepared, std::optional<int64_t> ttl,
                                  std::vector<OnlineWrite>* writes, PutSummary* summary) const {
  // Within the batch, the first record with the highest event time per id
  // wins (later equal ones lose, as they would one put at a time).
  std::unordered_map<std::string_view, size_t> winner;
  winner.reserve(prepared.size());
  std::vector<std::string> unique_ids;
  for (size_t i = 0; i < prepared.size(); ++i) {
    auto [it, inserted] = winner.try_emplace(prepared[i].id, i);
    if (inserted) {
      unique_ids.push_back(prepared[i].id);
    } else if (prepared[i].event_time_micros > prepared[it->second].event_time_micros) {
      it->second = i;
    }
  }
  std::vector<std::optional<std::string>> current;
  RETURN_IF_ERROR(online_->MultiGet(def.name, unique_ids, &current));
  writes->clear();
  writes->reserve(unique_ids.size());
  for (size_t k = 0; k < unique_ids.size(); ++k) {
    const Prepared& p = prepared[winner[unique_ids[k]]];
    if (current[k]) {
      ASSIGN_OR_RETURN(OnlineRecordHeader h, DecodeOnlineRecordHeader(*current[k]));
      if (p.event_time_micros <= h.event_time_micros) continue;  // older or equal: offline only
    }
    OnlineRecordHeader header;
    header.event_time_micros = p.event_time_micros;
    header.expires_at_micros = ttl ? p.event_time_micros + *ttl : 0;
    if (header.expires_at_micros == 0 && ttl) header.expires_at_micros = 1;
    OnlineWrite w;
    w.group = def.name;
    w.record_id = std::move(unique_ids[k]);
    w.value.emplace();
    EncodeOnlineRecord(header, *p.record, &*w.value);
    writes->push_back(std::move(w));
    if (summary) ++summary->online_updated;
  }
  return Status::Ok();
}

Status FeatureStoreImpl::PlanDelete(const FeatureGroupDefinition& def, const Prepared& p,
                                    JournalOp op, const std::optional<std::string>& current,
                                    std::vector<OnlineWrite>* writes, bool check) const {
  std::optional<OnlineRecordHeader> stored;
  if (current) {
    ASSIGN_OR_RETURN(OnlineRecordHeader h, DecodeOnlineRecordHeader(*current));
    stored = h;
  }
  if (op == JournalOp::kHardDelete) {
    if (stored && p.event_time_micros < stored->event_time_micros) {
      if (check) {
        return InvalidArgumentError(
            "hard delete of record " + p.id + " in " + def.name + " rejected: its event time " +
            FormatIso8601Micros(p.event_time_micros) + " is older than the stored record's (" +
            FormatIso8601Micros(stored->event_time_micros) + ")");
      }
      return Status::Ok();
    }
    writes->push_back({def.name, p.id, std::nullopt});
    return Status::Ok();
  }
  // Soft delete: a tombstone that reads as absent, unless the stored record
  // is newer (then only the offline marker is written).
  if (stored && p.event_time_micros < stored->event_time_micros) return Status::Ok();
  OnlineRecordHeader header;
  header.event_time_micros = p.event_time_micros;
  header.deleted = true;
  OnlineWrite w{def.name, p.id, std::string()};
  EncodeOnlineRecord(header, Record(), &*w.value);
  writes->push_back(std::move(w));
  return Status::Ok();
}

Status FeatureStoreImpl::AppendOffline(const FeatureGroupDefinition& def,
                                       std::span<const Record> rows, JournalOp op,
                                       std::optional<int64_t> ttl, double invoked,
                                       int64_t* sequence) {
  *sequence = 0;
  if (!def.offline_enabled) return Status::Ok();
  const int64_t seq = next_sequence_++;
  OfflineBatch batch;
  batch.group = &def;
  batch.records = rows;
  batch.op = op;
  batch.write_time_seconds = clock_->NowSeconds();
  batch.api_invocation_time_seconds = invoked;
  batch.sequence = online_->durable() && def.online_enabled ? seq : 0;
  batch.ttl_micros = ttl;
  RETURN_IF_ERROR(offline_->Append(batch));
  *sequence = batch.sequence;
  if (crash_after_offline_commits_ > 0 && --crash_after_offline_commits_ == 0) {
    // Fault injection for the crash test: die between the two writes.
    std::raise(SIGKILL);
  }
  return Status::Ok();
}

Status FeatureStoreImpl::WriteOnline(const FeatureGroupDefinition& def,
                                     std::span<const OnlineWrite> writes, int64_t sequence,
                                     Status planned) {
  if (!def.online_enabled) return Status::Ok();
  Status s = planned.ok() ? online_->Write(writes, sequence) : planned;
  if (!s.ok() && def.offline_enabled) {
    // Later batches would move the applied sequence past this one, so stop
    // writing until a reopen has replayed it.
    needs_recovery_.store(true);
    // The batch is committed offline (and journaled if the online store is
    // durable; the next Open() applies it online). Report the failure so the
    // caller knows reads may lag.
    return UnavailableError(
        "offline write committed but online write failed (it will be "
        "re-applied when the store is reopened): " +
        s.message());
  }
  return s;
}

Status FeatureStoreImpl::Commit(const FeatureGroupDefinition& def, std::span<const Record> rows,
                                JournalOp op, std::optional<int64_t> ttl, double invoked,
                                std::vector<OnlineWrite>& writes) {
  int64_t sequence = 0;
  RETURN_IF_ERROR(AppendOffline(def, rows, op, ttl, invoked, &sequence));
  return WriteOnline(def, writes, sequence, Status::Ok());
}

}  // namespace

StatusOr<std::unique_ptr<FeatureStore>> FeatureStore::Open(const FeatureStoreOptions& options) {
  if (options.home.empty()) return InvalidArgumentError("feature store: no home directory");
  auto store = std::make_unique<FeatureStoreImpl>(options);
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<FeatureStore>(std::move(store));
}

}  // namespace pantry::featurestore
