// FeatureStore writes: validation, the event-time rule, TTL, and the
// offline-then-online write protocol with crash recovery (see
// docs/featurestore.md, "Durability, exactly-once and crash recovery").
#include <algorithm>
#include <charconv>
#include <future>
#include <unordered_map>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/feature_store_impl.h"
#include "pantry/featurestore/online_record.h"

namespace pantry::featurestore::detail {
namespace {

constexpr size_t kOverlapMinRecords = 1000;

}  // namespace

Status FeatureStoreImpl::Recover() {
  ASSIGN_OR_RETURN(int64_t last, offline_->LastSequence());
  ASSIGN_OR_RETURN(int64_t applied, online_->AppliedSequence());
  next_sequence_ = std::max(last, applied) + 1;
  if (!online_->durable() || last <= applied) return Status::Ok();
  int64_t replayed = 0, quarantined = 0;
  auto groups = groups_;
  RETURN_IF_ERROR(offline_->ReadJournal(
      applied,
      [&](std::string_view name) -> const FeatureGroupDefinition* {
        auto it = groups->find(name);
        return it == groups->end() || !it->second->online_enabled ? nullptr : it->second.get();
      },
      [&](const JournalEntry& entry) -> Status {
        const FeatureGroupDefinition& def = *groups->find(entry.group)->second;
        StatusOr<std::vector<OnlineWrite>> writes = PlanReplay(def, entry);
        if (!writes.ok()) {
          // A batch that can no longer be applied (rows an older version
          // accepted, a damaged online record) must not keep the store
          // from opening: set it aside, say so, and go on.
          RETURN_IF_ERROR(Quarantine(entry, writes.status()));
          ++quarantined;
          return online_->Write({}, entry.sequence);
        }
        ++replayed;
        return online_->Write(*writes, entry.sequence);
      }));
  // Mark everything journaled as applied, including batches of groups
  // deleted since.
  RETURN_IF_ERROR(online_->Write({}, last));
  PANTRY_LOG_INFO("feature store: replayed {} journaled batches into the online store", replayed);
  if (quarantined > 0) {
    PANTRY_LOG_ERROR(
        "feature store: {} journaled batches could not be applied online and were quarantined "
        "(their rows stay in the offline store; see {})",
        quarantined, (root_ / kQuarantineFile).string());
  }
  return Status::Ok();
}

StatusOr<std::vector<OnlineWrite>> FeatureStoreImpl::PlanReplay(const FeatureGroupDefinition& def,
                                                                const JournalEntry& entry) const {
  ASSIGN_OR_RETURN(std::vector<Prepared> prepared, PrepareAll(def, entry.records));
  std::vector<OnlineWrite> writes;
  if (entry.op == JournalOp::kPut) {
    RETURN_IF_ERROR(PlanPuts(def, prepared, entry.ttl_micros ? entry.ttl_micros : def.ttl_micros,
                             &writes, nullptr));
    return writes;
  }
  for (const Prepared& p : prepared) {
    ASSIGN_OR_RETURN(auto current, online_->Get(def.name, p.id));
    RETURN_IF_ERROR(PlanDelete(def, p, entry.op, current, &writes, /*check=*/false));
  }
  return writes;
}

Status FeatureStoreImpl::Quarantine(const JournalEntry& entry, const Status& reason) const {
  const char* op = entry.op == JournalOp::kPut          ? "put"
                   : entry.op == JournalOp::kSoftDelete ? "soft_delete"
                                                        : "hard_delete";
  Json line = {{"sequence", entry.sequence},
               {"feature_group", entry.group},
               {"op", op},
               {"rows", entry.records.size()},
               {"reason", reason.ToString()},
               {"quarantined_at", FormatIso8601Micros(clock_->NowMicros())}};
  PANTRY_LOG_ERROR(
      "feature store: journaled batch {} ({} of {} rows into {}) cannot be applied to the online "
      "store and is quarantined: {}",
      entry.sequence, op, entry.records.size(), entry.group, reason.ToString());
  return AppendLineDurably(root_ / kQuarantineFile, line.dump());
}

Status FeatureStoreImpl::PutRecord(std::string_view group, const Record& record,
                                   std::optional<int64_t> ttl_micros, WriteTargets targets) {
  return PutRecords(group, std::span<const Record>(&record, 1), ttl_micros, targets).status();
}

namespace {

// The group as one put sees it: a store left out of `targets` is treated
// as disabled, which keeps the write path (and its journal) unchanged. A
// target store the group lacks is an error, as in SageMaker.
StatusOr<GroupPtr> RestrictToTargets(GroupPtr def, WriteTargets targets) {
  if (targets == WriteTargets::kAll) return def;
  const bool online = targets == WriteTargets::kOnlineOnly;
  if (online ? !def->online_enabled : !def->offline_enabled) {
    return InvalidArgumentError("TargetStores: feature group " + def->name + " has no " +
                                (online ? "online" : "offline") + " store");
  }
  auto restricted = std::make_shared<FeatureGroupDefinition>(*def);
  restricted->online_enabled = online;
  restricted->offline_enabled = !online;
  return GroupPtr(std::move(restricted));
}

}  // namespace

StatusOr<PutSummary> FeatureStoreImpl::PutRecords(std::string_view group,
                                                  std::span<const Record> records,
                                                  std::optional<int64_t> ttl_micros,
                                                  WriteTargets targets) {
  return PutRecordsImpl(group, records, ttl_micros, targets, Mark{});
}

StatusOr<PutSummary> FeatureStoreImpl::PutRecordsMarked(std::string_view group,
                                                        std::span<const Record> records,
                                                        std::string_view writer, int64_t mark) {
  if (writer.empty()) return InvalidArgumentError("PutRecordsMarked: empty writer");
  return PutRecordsImpl(group, records, std::nullopt, WriteTargets::kAll, Mark{writer, mark});
}

StatusOr<PutSummary> FeatureStoreImpl::PutRecordsImpl(std::string_view group,
                                                      std::span<const Record> records,
                                                      std::optional<int64_t> ttl_micros,
                                                      WriteTargets targets, const Mark& mark) {
  RETURN_IF_ERROR(CheckWritable());
  if (ttl_micros && *ttl_micros <= 0) return InvalidArgumentError("TTL must be > 0");
  const double invoked = clock_->NowSeconds();
  std::lock_guard lock(write_mu_);
  auto it = groups_->find(group);
  if (it == groups_->end()) return UnknownGroup(group);
  ASSIGN_OR_RETURN(GroupPtr def, RestrictToTargets(it->second, targets));
  if (!mark.writer.empty() && !def->offline_enabled) {
    return FailedPreconditionError("feature group " + def->name +
                                   " has no offline store to keep the writer mark in");
  }
  const std::optional<int64_t> ttl = ttl_micros ? ttl_micros : def->ttl_micros;
  std::vector<Prepared> prepared;
  RETURN_IF_ERROR(PrepareBatch(*def, records, ttl, &prepared));
  PutSummary summary;
  summary.records = static_cast<int64_t>(records.size());
  std::vector<OnlineWrite> writes;
  if (def->online_enabled && def->offline_enabled && records.size() >= kOverlapMinRecords) {
    // Large batches: the offline append (SQLite) and the online planning
    // (reads + encoding) are independent, so they overlap; the online
    // write still starts only after the offline commit.
    int64_t sequence = 0;
    std::future<Status> offline = offline_worker_.Submit([&] {
      return AppendOffline(*def, records, JournalOp::kPut, ttl_micros, invoked, &sequence, mark);
    });
    Status planned = PlanPuts(*def, prepared, ttl, &writes, &summary);
    RETURN_IF_ERROR(offline.get());
    RETURN_IF_ERROR(WriteOnline(*def, writes, sequence, planned));
    return summary;
  }
  if (def->online_enabled) {
    RETURN_IF_ERROR(PlanPuts(*def, prepared, ttl, &writes, &summary));
  }
  RETURN_IF_ERROR(Commit(*def, records, JournalOp::kPut, ttl_micros, invoked, writes, mark));
  return summary;
}

Status FeatureStoreImpl::PrepareBatch(const FeatureGroupDefinition& def,
                                      std::span<const Record> records, std::optional<int64_t> ttl,
                                      std::vector<Prepared>* prepared) const {
  prepared->clear();
  prepared->reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    auto p = PrepareRecord(def, records[i]);
    if (!p.ok()) {
      if (records.size() == 1) return p.status();
      return p.status().WithContext("record " + std::to_string(i));
    }
    prepared->push_back(std::move(*p));
  }
  if (ttl) {
    for (size_t i = 0; i < prepared->size(); ++i) {
      if (auto expires = ExpiresAtMicros((*prepared)[i].event_time_micros, *ttl); !expires.ok()) {
        return expires.status().WithContext("record " + std::to_string(i));
      }
    }
  }
  return Status::Ok();
}

Status FeatureStoreImpl::DeleteRecord(std::string_view group, std::string_view record_id,
                                      int64_t event_time_micros, DeleteMode mode) {
  RETURN_IF_ERROR(CheckWritable());
  RETURN_IF_ERROR(CheckEventTimeRange(event_time_micros));
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
  const JournalOp op = mode == DeleteMode::kHard ? JournalOp::kHardDelete : JournalOp::kSoftDelete;
  std::vector<OnlineWrite> writes;
  if (def->online_enabled) {
    Prepared p{id, event_time_micros};
    ASSIGN_OR_RETURN(auto current, online_->Get(def->name, id));
    RETURN_IF_ERROR(PlanDelete(*def, p, op, current, &writes, /*check=*/true));
  }
  return Commit(*def, std::span<const Record>(&marker, 1), op, std::nullopt, invoked, writes,
                Mark{});
}

StatusOr<FeatureStoreImpl::Prepared> FeatureStoreImpl::PrepareRecord(
    const FeatureGroupDefinition& def, const Record& record) const {
  RETURN_IF_ERROR(ValidateRecord(def, record));
  Prepared p;
  p.record = &record;
  const FeatureValue* id = record.Find(def.record_identifier_name);
  p.id = id->is_int() ? std::to_string(id->int_value()) : id->string_value();
  ASSIGN_OR_RETURN(p.event_time_micros, EventTimeMicros(*record.Find(def.event_time_name)));
  return p;
}

StatusOr<std::vector<FeatureStoreImpl::Prepared>> FeatureStoreImpl::PrepareAll(
    const FeatureGroupDefinition& def, std::span<const Record> records) const {
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
    if (ttl) {
      ASSIGN_OR_RETURN(header.expires_at_micros, ExpiresAtMicros(p.event_time_micros, *ttl));
    }
    if (header.expires_at_micros == 0 && ttl) header.expires_at_micros = 1;
    OnlineWrite w;
    w.group = def.name;
    w.record_id = std::move(unique_ids[k]);
    w.event_time_micros = p.event_time_micros;
    w.expires_at_micros = header.expires_at_micros;
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
    writes->push_back({.group = def.name,
                       .record_id = p.id,
                       .value = std::nullopt,
                       .event_time_micros = p.event_time_micros,
                       .replace_equal = true});
    return Status::Ok();
  }
  // Soft delete: a tombstone that reads as absent, unless the stored record
  // is newer (then only the offline marker is written).
  if (stored && p.event_time_micros < stored->event_time_micros) return Status::Ok();
  OnlineRecordHeader header;
  header.event_time_micros = p.event_time_micros;
  header.deleted = true;
  OnlineWrite w{.group = def.name,
                .record_id = p.id,
                .value = std::string(),
                .event_time_micros = p.event_time_micros,
                .replace_equal = true};
  EncodeOnlineRecord(header, Record(), &*w.value);
  writes->push_back(std::move(w));
  return Status::Ok();
}

Status FeatureStoreImpl::AppendOffline(const FeatureGroupDefinition& def,
                                       std::span<const Record> rows, JournalOp op,
                                       std::optional<int64_t> ttl, double invoked,
                                       int64_t* sequence, const Mark& mark, bool run_hook) {
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
  batch.mark_writer = mark.writer;
  batch.mark_value = mark.value;
  RETURN_IF_ERROR(offline_->Append(batch));
  *sequence = batch.sequence;
  if (run_hook && options_.hooks.after_offline_commit) options_.hooks.after_offline_commit();
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
                                std::vector<OnlineWrite>& writes, const Mark& mark) {
  int64_t sequence = 0;
  RETURN_IF_ERROR(AppendOffline(def, rows, op, ttl, invoked, &sequence, mark));
  return WriteOnline(def, writes, sequence, Status::Ok());
}

}  // namespace pantry::featurestore::detail
