#include "pantry/featurestore/dataset_builder.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "pantry/common/csv.h"
#include "pantry/common/logging.h"
#include "pantry/featurestore/sql_quote.h"

namespace pantry::featurestore {
namespace {

// One joined group's history, per record id sorted by event time with
// duplicates (same id and event time) collapsed to the last written row.
struct History {
  struct Row {
    int64_t event_time = 0;
    int64_t order = 0;  // offline rowid order
    bool deleted = false;
    std::vector<FeatureValue> values;
  };
  std::vector<std::string> feature_names;
  std::unordered_map<std::string, std::vector<Row>> by_id;

  // The latest row with event_time <= t (and >= t - max_age), or nullptr if
  // none or if it is a delete marker.
  const Row* AsOf(const std::string& id, int64_t t, std::optional<int64_t> max_age) const {
    auto it = by_id.find(id);
    if (it == by_id.end()) return nullptr;
    const auto& rows = it->second;
    auto pos = std::upper_bound(rows.begin(), rows.end(), t,
                                [](int64_t v, const Row& r) { return v < r.event_time; });
    if (pos == rows.begin()) return nullptr;
    const Row& row = *std::prev(pos);
    if (row.deleted) return nullptr;
    if (max_age && row.event_time < t - *max_age) return nullptr;
    return &row;
  }
};

// Offline rows are append-only, so a row whose event time cannot be read
// (out of range, written before times were range-checked) would otherwise
// fail every dataset for good: such rows are left out, with one warning per
// group naming the first reason.
class UnreadableTimes {
 public:
  explicit UnreadableTimes(std::string group) : group_(std::move(group)) {}
  ~UnreadableTimes() {
    if (count_ > 0) {
      PANTRY_LOG_WARN("dataset: left out {} rows of {} whose event time is unreadable ({})", count_,
                      group_, first_reason_);
    }
  }
  Status Add(const Status& reason) {
    if (count_++ == 0) first_reason_ = reason.message();
    return Status::Ok();
  }

 private:
  std::string group_;
  int64_t count_ = 0;
  std::string first_reason_;
};

StatusOr<History> LoadHistory(const FeatureStore& store, const DatasetJoin& join) {
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store.DescribeFeatureGroup(join.feature_group));
  if (!def.offline_enabled) {
    return FailedPreconditionError("feature group " + def.name + " has no offline store");
  }
  History h;
  if (join.feature_names.empty()) {
    for (const FeatureDefinition& f : def.features) {
      if (f.name != def.record_identifier_name && f.name != def.event_time_name) {
        h.feature_names.push_back(f.name);
      }
    }
  } else {
    for (const std::string& f : join.feature_names) {
      if (def.FindFeature(f) == nullptr) {
        return InvalidArgumentError("feature group " + def.name + " has no feature " + f);
      }
      h.feature_names.push_back(f);
    }
  }
  std::string sql = "SELECT " + QuoteSqlIdentifier(def.record_identifier_name) + ", " +
                    QuoteSqlIdentifier(def.event_time_name) + ", is_deleted";
  for (const std::string& f : h.feature_names) sql += ", " + QuoteSqlIdentifier(f);
  sql += " FROM " + QuoteSqlIdentifier(def.name) + " ORDER BY rowid";
  int64_t order = 0;
  UnreadableTimes skipped(def.name);
  RETURN_IF_ERROR(store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) -> Status {
    if (row[0].is_null()) return Status::Ok();
    auto t = EventTimeMicros(row[1]);
    if (!t.ok()) return skipped.Add(t.status());
    History::Row r;
    r.event_time = *t;
    r.order = order++;
    r.deleted = row[2].is_int() && row[2].int_value() != 0;
    r.values.assign(row.begin() + 3, row.end());
    h.by_id[row[0].ToString()].push_back(std::move(r));
    return Status::Ok();
  }));
  for (auto& [id, rows] : h.by_id) {
    std::stable_sort(rows.begin(), rows.end(), [](const History::Row& a, const History::Row& b) {
      return a.event_time < b.event_time;
    });
    // Collapse equal event times to the last written row.
    std::vector<History::Row> unique;
    for (auto& r : rows) {
      if (!unique.empty() && unique.back().event_time == r.event_time) {
        unique.back() = std::move(r);
      } else {
        unique.push_back(std::move(r));
      }
    }
    rows = std::move(unique);
  }
  return h;
}

StatusOr<std::vector<History>> LoadHistories(const FeatureStore& store, const DatasetSpec& spec) {
  std::vector<History> histories;
  for (const DatasetJoin& j : spec.joins) {
    auto h = LoadHistory(store, j);
    if (!h.ok()) return h.status();
    histories.push_back(std::move(*h));
  }
  return histories;
}

// Writes the output CSV: the header once the base columns are known, then
// one row per base row with each join's features as of the row's time.
class DatasetWriter {
 public:
  DatasetWriter(const DatasetSpec& spec, const std::vector<History>& histories)
      : spec_(spec), histories_(histories), key_index_(spec.joins.size()) {
    stats_.matched.assign(spec.joins.size(), 0);
  }

  // Opens `out` and writes the header; resolves each join's key column.
  Status Start(const std::vector<std::string>& base_columns, const std::filesystem::path& out) {
    std::set<std::string> used(base_columns.begin(), base_columns.end());
    std::vector<std::string> header = base_columns;
    for (size_t j = 0; j < spec_.joins.size(); ++j) {
      for (const std::string& f : histories_[j].feature_names) {
        std::string name = used.count(f) ? spec_.joins[j].feature_group + "." + f : f;
        used.insert(name);
        header.push_back(name);
      }
      auto it = std::find(base_columns.begin(), base_columns.end(), spec_.joins[j].key_column);
      if (it == base_columns.end()) {
        return InvalidArgumentError("join " + spec_.joins[j].feature_group +
                                    ": the base has no column \"" + spec_.joins[j].key_column +
                                    "\"");
      }
      key_index_[j] = static_cast<size_t>(it - base_columns.begin());
    }
    ASSIGN_OR_RETURN(writer_, CsvWriter::Create(out));
    writer_->WriteRow(header);
    return Status::Ok();
  }

  // The base column holding join `j`'s key (after Start).
  size_t key_index(size_t j) const { return key_index_[j]; }

  // Writes one base row observed at time `t`.
  void Emit(std::span<const FeatureValue> row, int64_t t) {
    cells_.clear();
    for (const FeatureValue& v : row) cells_.push_back(v.ToString());
    for (size_t j = 0; j < spec_.joins.size(); ++j) {
      const History::Row* match =
          row[key_index_[j]].is_null()
              ? nullptr
              : histories_[j].AsOf(row[key_index_[j]].ToString(), t, spec_.max_age_micros);
      if (match) ++stats_.matched[j];
      for (size_t k = 0; k < histories_[j].feature_names.size(); ++k) {
        cells_.push_back(match ? match->values[k].ToString() : std::string());
      }
    }
    writer_->WriteRow(cells_);
    ++stats_.base_rows;
  }

  StatusOr<DatasetStats> Finish() {
    RETURN_IF_ERROR(writer_->Close(/*sync=*/false));
    return stats_;
  }

 private:
  const DatasetSpec& spec_;
  const std::vector<History>& histories_;
  std::vector<size_t> key_index_;
  std::unique_ptr<CsvWriter> writer_;
  DatasetStats stats_;
  std::vector<std::string> cells_;
};

// Base rows from a feature group: non-deleted rows, duplicates (same id and
// event time) collapsed to the last written.
Status WriteGroupBase(const FeatureStore& store, const std::string& group,
                      const std::filesystem::path& out, DatasetWriter* writer) {
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store.DescribeFeatureGroup(group));
  std::vector<std::string> base_columns;
  for (const FeatureDefinition& f : def.features) base_columns.push_back(f.name);
  const size_t time_index = static_cast<size_t>(def.FeatureIndex(def.event_time_name));
  RETURN_IF_ERROR(writer->Start(base_columns, out));
  std::string cols;
  for (size_t i = 0; i < base_columns.size(); ++i) {
    cols += (i ? ", " : "") + QuoteSqlIdentifier(base_columns[i]);
  }
  const std::string t = QuoteSqlIdentifier(def.name);
  const std::string sql =
      "SELECT " + cols + " FROM " + t + " WHERE rowid IN (SELECT max(rowid) FROM " + t +
      " GROUP BY " + QuoteSqlIdentifier(def.record_identifier_name) + ", " +
      QuoteSqlIdentifier(def.event_time_name) + ") AND is_deleted = 0 ORDER BY rowid";
  UnreadableTimes skipped(def.name);
  return store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) -> Status {
    auto when = EventTimeMicros(row[time_index]);
    if (!when.ok()) return skipped.Add(when.status());
    writer->Emit(row, *when);
    return Status::Ok();
  });
}

// Base rows from a CSV file; every cell is a string except join keys that
// look integral.
Status WriteCsvBase(const DatasetSpec& spec, const std::filesystem::path& out,
                    DatasetWriter* writer) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(spec.base_csv));
  const std::string time_column =
      spec.base_event_time_column.empty() ? "event_time" : spec.base_event_time_column;
  ASSIGN_OR_RETURN(size_t time_index, reader->RequireColumn(time_column));
  RETURN_IF_ERROR(writer->Start(reader->header(), out));
  CsvRecord record;
  std::vector<FeatureValue> row;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) break;
    row.clear();
    for (std::string_view f : record.fields()) {
      row.push_back(f.empty() ? FeatureValue() : FeatureValue::String(std::string(f)));
    }
    // Integral-looking keys are normalised so "007" joins id 7.
    for (size_t j = 0; j < spec.joins.size(); ++j) {
      FeatureValue& key = row[writer->key_index(j)];
      if (key.is_string()) {
        auto as_int = ParseFeatureValue(FeatureType::kIntegral, key.string_value());
        if (as_int.ok()) key = *as_int;
      }
    }
    auto when = EventTimeMicros(row[time_index]);
    if (!when.ok()) {
      return InvalidArgumentError(reader->Location(record, time_index) + ": " +
                                  when.status().message());
    }
    writer->Emit(row, *when);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<DatasetStats> BuildDataset(const FeatureStore& store, const DatasetSpec& spec,
                                    const std::filesystem::path& out) {
  if (spec.base_group.empty() == spec.base_csv.empty()) {
    return InvalidArgumentError("dataset: give exactly one base (a feature group or a CSV)");
  }
  ASSIGN_OR_RETURN(std::vector<History> histories, LoadHistories(store, spec));
  DatasetWriter writer(spec, histories);
  RETURN_IF_ERROR(spec.base_group.empty() ? WriteCsvBase(spec, out, &writer)
                                          : WriteGroupBase(store, spec.base_group, out, &writer));
  return writer.Finish();
}

}  // namespace pantry::featurestore
