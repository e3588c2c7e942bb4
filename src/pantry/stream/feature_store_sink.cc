#include "pantry/stream/feature_store_sink.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "pantry/common/logging.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/sql_quote.h"
#include "pantry/stream/event.h"
#include "pantry/stream/kda_sql_spec.h"

namespace pantry::stream {
namespace {

using featurestore::FeatureDefinition;
using featurestore::FeatureGroupDefinition;
using featurestore::FeatureType;
using featurestore::FeatureValue;
using featurestore::QuoteSqlIdentifier;
using featurestore::Record;

// A processor delivers a poll's rows in one Write (a few thousand rows);
// writing them as one atomic PutRecords lets the store coalesce the online
// writes of all of them (only the newest row per key goes online: one
// MultiGet and one online write per key, not per row) and commit the offline
// rows in one transaction. Larger deliveries are split to bound memory.
constexpr size_t kRowsPerBatch = 20000;

class FeatureStoreSink final : public RowSink {
 public:
  FeatureStoreSink(featurestore::FeatureStore* store, const WindowSpec& spec)
      : store_(store), spec_(spec) {}

  Status Init() {
    if (spec_.sink_feature_group.empty()) {
      return InvalidArgumentError("window spec '" + spec_.name +
                                  "' has no sink.feature_group to write to");
    }
    const std::vector<FeatureDefinition> wanted = WantedFeatures();
    RETURN_IF_ERROR(DescribeOrCreateGroup(wanted));
    RETURN_IF_ERROR(AddMissingFeatures(wanted));
    CacheLayout();
    return Status::Ok();
  }

  StatusOr<uint64_t> DeliveredUpTo() override {
    // Online only: no mark to read, and none needed. A re-delivered row is
    // never newer than what the store holds for its key (rows of a key are
    // emitted in time order), and the online store ignores a write that is
    // not newer, so replaying from 0 changes nothing.
    if (!def_.offline_enabled) return uint64_t{0};
    // The private mark each batch sets with its rows: clients can write the
    // group's rows (when it is opened to them) but never the mark.
    ASSIGN_OR_RETURN(std::optional<int64_t> mark, store_->ReadMark(MarkWriter()));
    if (mark) return static_cast<uint64_t>(*mark);
    // No mark yet: a group delivered to before marks existed (or never).
    ASSIGN_OR_RETURN(auto result,
                     store_->Query("SELECT MAX(" + QuoteSqlIdentifier(kEmissionIdFeature) +
                                   ") FROM " + QuoteSqlIdentifier(spec_.sink_feature_group)));
    if (result.rows.empty() || result.rows[0].empty() || !result.rows[0][0].is_int()) {
      return uint64_t{0};
    }
    return static_cast<uint64_t>(result.rows[0][0].int_value());
  }

  Status Write(std::span<const EmittedRow> rows) override {
    if (!def_.offline_enabled) return WriteLatestPerKey(rows);
    std::vector<Record> records;
    records.reserve(std::min(rows.size(), kRowsPerBatch));
    for (size_t i = 0; i < rows.size(); ++i) {
      records.push_back(ToRecord(rows[i]));
      if (records.size() == kRowsPerBatch || i + 1 == rows.size()) {
        auto put = store_->PutRecordsMarked(spec_.sink_feature_group, records, MarkWriter(),
                                            static_cast<int64_t>(rows[i].emission_id));
        if (!put.ok()) return put.status().WithContext("feature group " + spec_.sink_feature_group);
        records.clear();
      }
    }
    return Status::Ok();
  }

 private:
  // An online-only group keeps one record per key, so only each key's last
  // row of the batch is worth converting and writing (the store would drop
  // the others anyway). The last rather than the store's "first of the
  // newest" keeps the newer of two rows with the same emission time (an
  // expiry and an event in the same microsecond).
  Status WriteLatestPerKey(std::span<const EmittedRow> rows) {
    latest_.clear();
    for (size_t i = 0; i < rows.size(); ++i) latest_[rows[i].key] = i;
    std::vector<size_t> keep;
    keep.reserve(latest_.size());
    for (const auto& [key, index] : latest_) keep.push_back(index);
    std::sort(keep.begin(), keep.end());
    std::vector<Record> records;
    records.reserve(std::min(keep.size(), kRowsPerBatch));
    for (size_t k = 0; k < keep.size(); ++k) {
      records.push_back(ToRecord(rows[keep[k]]));
      if (records.size() == kRowsPerBatch || k + 1 == keep.size()) {
        auto put = store_->PutRecords(spec_.sink_feature_group, records);
        if (!put.ok()) return put.status().WithContext("feature group " + spec_.sink_feature_group);
        records.clear();
      }
    }
    return Status::Ok();
  }
  // One mark per spec and group: several specs may write one group (the
  // built-in stagger spec and a Kinesis Analytics application both write
  // click_stream), each with its own emission ids.
  std::string MarkWriter() const {
    return "stream_sink:" + spec_.name + ":" + spec_.sink_feature_group;
  }

  // The features the rows need: key parts, aggregates, an event time (named
  // "emission_time" if a key part already is "event_time") and the emission id.
  std::vector<FeatureDefinition> WantedFeatures() {
    event_time_name_ = "event_time";
    std::vector<FeatureDefinition> wanted = Columns();
    for (const KeyPart& p : spec_.partition_by) {
      if (p.output_name == "event_time" && !projected()) event_time_name_ = "emission_time";
    }
    for (const FeatureDefinition& f : wanted) {
      if (f.name == "event_time" && projected()) event_time_name_ = "emission_time";
    }
    wanted.push_back({event_time_name_, FeatureType::kFractional});
    wanted.push_back({std::string(kEmissionIdFeature), FeatureType::kIntegral});
    return wanted;
  }

  // Reads the sink group's definition into def_, creating the group with
  // `wanted` if it does not exist, and checks that the sink can use it.
  Status DescribeOrCreateGroup(const std::vector<FeatureDefinition>& wanted) {
    const std::string& group = spec_.sink_feature_group;
    auto existing = store_->DescribeFeatureGroup(group);
    if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
      return existing.status();
    }
    if (!existing.ok()) {
      FeatureGroupDefinition def;
      def.name = group;
      def.record_identifier_name = spec_.sink_record_identifier;
      def.event_time_name = event_time_name_;
      def.features = wanted;
      def.description = "Written by the stream processor for window spec '" + spec_.name + "'";
      Status st = store_->CreateFeatureGroup(def);
      if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
        return st.WithContext("creating feature group " + group);
      }
      PANTRY_LOG_INFO("created feature group {} for window spec {}", group, spec_.name);
      ASSIGN_OR_RETURN(existing, store_->DescribeFeatureGroup(group));
    }
    def_ = *existing;
    if (def_.record_identifier_name != spec_.sink_record_identifier) {
      return FailedPreconditionError("feature group " + group + " has record identifier '" +
                                     def_.record_identifier_name + "', spec '" + spec_.name +
                                     "' writes '" + spec_.sink_record_identifier + "'");
    }
    event_time_name_ = def_.event_time_name;
    return Status::Ok();
  }

  // Per-row type decisions, made once (ToRecord runs for every row).
  void CacheLayout() {
    key_is_int_.clear();
    for (const KeyPart& p : spec_.partition_by) {
      const FeatureDefinition* f = def_.FindFeature(p.output_name);
      key_is_int_.push_back(f != nullptr && f->type == FeatureType::kIntegral);
    }
    const FeatureDefinition* et = def_.FindFeature(event_time_name_);
    event_time_is_string_ = et != nullptr && et->type == FeatureType::kString;
  }

  // An existing group may lack features the spec gained since; those are
  // added. A feature of another type is an error, except a record id the
  // group stores as an integer and an event time it stores as a string.
  Status AddMissingFeatures(const std::vector<FeatureDefinition>& wanted) {
    const std::string& group = spec_.sink_feature_group;
    std::vector<FeatureDefinition> missing;
    for (const FeatureDefinition& f : wanted) {
      if (f.name == "event_time" || f.name == "emission_time") {
        if (f.name != event_time_name_) continue;
      }
      const FeatureDefinition* have = def_.FindFeature(f.name);
      if (have == nullptr) {
        missing.push_back(f);
        continue;
      }
      bool ok = have->type == f.type ||
                (f.type == FeatureType::kString && have->type == FeatureType::kIntegral &&
                 f.name == def_.record_identifier_name) ||
                (f.name == event_time_name_ && have->type == FeatureType::kString);
      if (!ok) {
        return FailedPreconditionError("feature group " + group + ": feature '" + f.name + "' is " +
                                       std::string(featurestore::FeatureTypeName(have->type)) +
                                       ", the stream writes " +
                                       std::string(featurestore::FeatureTypeName(f.type)));
      }
    }
    if (!missing.empty()) {
      RETURN_IF_ERROR(store_->AddFeatures(group, missing).WithContext("feature group " + group));
      ASSIGN_OR_RETURN(def_, store_->DescribeFeatureGroup(group));
    }
    return Status::Ok();
  }

  bool projected() const { return spec_.sql != nullptr && !spec_.sql->select.empty(); }

  // The row's columns: key parts and aggregations, or a "select" (KDA SQL).
  std::vector<FeatureDefinition> Columns() const {
    std::vector<FeatureDefinition> out;
    if (projected()) {
      const std::vector<SqlColumnClass> classes = SelectColumnClasses(spec_);
      for (size_t i = 0; i < classes.size(); ++i) {
        out.push_back({spec_.sql->select[i].name,
                       classes[i] == SqlColumnClass::kIntegral     ? FeatureType::kIntegral
                       : classes[i] == SqlColumnClass::kFractional ? FeatureType::kFractional
                                                                   : FeatureType::kString});
      }
      return out;
    }
    for (const KeyPart& p : spec_.partition_by)
      out.push_back({p.output_name, FeatureType::kString});
    for (const Aggregation& a : spec_.aggregations) {
      out.push_back({a.output_name, a.function == AggFunction::kCount ? FeatureType::kIntegral
                                                                      : FeatureType::kFractional});
    }
    return out;
  }

  void AddProjected(const EmittedRow& row, Record* r) const {
    for (auto& [name, v] : ProjectRow(spec_, row)) {
      const FeatureDefinition* f = def_.FindFeature(name);
      if (v.is_null() || f == nullptr) continue;  // NULL: the feature is absent
      if (f->type == FeatureType::kString) {
        r->Add(name, FeatureValue::String(v.ToText()));
      } else if (v.is_number() && std::isfinite(v.AsDouble())) {
        r->Add(name, f->type == FeatureType::kIntegral
                         ? FeatureValue::Int(v.kind == kda::SqlValue::Kind::kInt
                                                 ? v.i
                                                 : std::llround(v.AsDouble()))
                         : FeatureValue::Double(v.AsDouble()));
      }
    }
  }

  Record ToRecord(const EmittedRow& row) const {
    Record r;
    if (projected()) {
      AddProjected(row, &r);
      AddEmission(row, &r);
      return r;
    }
    for (size_t i = 0; i < spec_.partition_by.size(); ++i) {
      const std::string& name = spec_.partition_by[i].output_name;
      std::string text = KeyPartText(row.key, i);
      if (key_is_int_[i]) {
        r.Add(name, FeatureValue::Int(std::strtoll(text.c_str(), nullptr, 10)));
      } else {
        r.Add(name, FeatureValue::String(std::move(text)));
      }
    }
    for (size_t i = 0; i < spec_.aggregations.size(); ++i) {
      const double v = row.values[i];
      if (std::isnan(v)) continue;  // avg/min/max of an empty sliding window: absent
      const Aggregation& a = spec_.aggregations[i];
      r.Add(a.output_name, a.function == AggFunction::kCount
                               ? FeatureValue::Int(static_cast<int64_t>(v))
                               : FeatureValue::Double(v));
    }
    AddEmission(row, &r);
    return r;
  }

  void AddEmission(const EmittedRow& row, Record* r) const {
    if (event_time_is_string_) {
      r->Add(event_time_name_, FeatureValue::String(FormatIso8601Micros(row.emission_time)));
    } else {
      r->Add(event_time_name_, FeatureValue::Double(static_cast<double>(row.emission_time) / 1e6));
    }
    r->Add(std::string(kEmissionIdFeature),
           FeatureValue::Int(static_cast<int64_t>(row.emission_id)));
  }

  featurestore::FeatureStore* store_;
  const WindowSpec& spec_;
  FeatureGroupDefinition def_;
  std::string event_time_name_;
  std::vector<bool> key_is_int_;  // per key part
  bool event_time_is_string_ = false;
  std::unordered_map<std::string_view, size_t> latest_;  // WriteLatestPerKey's scratch
};

}  // namespace

StatusOr<std::unique_ptr<RowSink>> OpenFeatureStoreSink(featurestore::FeatureStore* store,
                                                        const WindowSpec& spec) {
  auto sink = std::make_unique<FeatureStoreSink>(store, spec);
  RETURN_IF_ERROR(sink->Init().WithContext("stream sink for spec " + spec.name));
  return std::unique_ptr<RowSink>(std::move(sink));
}

SinkFactory FeatureStoreSinkFactory(featurestore::FeatureStore* store) {
  return [store](const WindowSpec& spec) { return OpenFeatureStoreSink(store, spec); };
}

}  // namespace pantry::stream
