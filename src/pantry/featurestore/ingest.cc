// CSV ingestion pipeline:
//   reader thread   : CsvReader -> raw batches (field bytes copied)
//   N worker threads: raw batch -> typed, validated Records
//   calling thread  : batches in file order -> FeatureStore::PutBatches
//                     (which appends batch n+1 offline on the store's
//                     offline thread while it writes batch n online)
// Bad rows are reported as (row ordinal, field, reason); the exact
// file:line:column is recovered afterwards by re-scanning the file up to the
// row (errors are rare, so the happy path never tracks positions).
#include "pantry/featurestore/ingest.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "pantry/common/csv.h"
#include "pantry/common/time_format.h"

namespace pantry::featurestore {
namespace {

constexpr size_t kMaxReportedErrors = 10;

struct RawBatch {
  int64_t number = 0;
  int64_t first_ordinal = 0;  // data row ordinal (0-based) of the first row
  int64_t bytes_read = 0;
  size_t width = 0;
  std::string arena;
  // End offset of each field in arena: 64-bit, since a batch of wide rows
  // (values up to 350 KB each) can pass 4 GiB.
  std::vector<uint64_t> ends;
  size_t rows() const { return width == 0 ? 0 : ends.size() / width; }
};

struct RowError {
  int64_t ordinal = 0;
  int field = -1;  // CSV column index, -1 if not field-specific
  std::string reason;
};

struct TypedBatch {
  int64_t bytes_read = 0;
  std::vector<Record> records;
  std::vector<RowError> errors;  // in row order
};

// How CSV column i maps onto the group.
struct ColumnPlan {
  int feature = -1;  // index into group.features
  bool is_event_time = false;
};

class Pipeline {
 public:
  Pipeline(FeatureStore& store, const FeatureGroupDefinition& group, const IngestOptions& options,
           std::vector<ColumnPlan> plan, std::unique_ptr<CsvReader> reader)
      : store_(store),
        group_(group),
        options_(options),
        plan_(std::move(plan)),
        reader_(std::move(reader)) {
    const FeatureDefinition* et = group_.FindFeature(group_.event_time_name);
    if (options_.event_time_now) {
      const int64_t now = store_.clock()->NowMicros();
      now_value_ = et->type == FeatureType::kFractional
                       ? FeatureValue::Double(static_cast<double>(now) / 1e6)
                       : FeatureValue::String(FormatIso8601Micros(now));
    }
    for (size_t c = 0; c < plan_.size(); ++c) {
      const int f = plan_[c].feature;
      if (f >= 0 && group_.features[f].name == group_.record_identifier_name) id_column_ = c;
      if (f >= 0 && group_.features[f].name == group_.event_time_name) time_column_ = c;
    }
  }

  Status Run(IngestReport* report) {
    const int workers = std::max(1, options_.workers);
    std::thread reader([this] { ReadLoop(); });
    std::vector<std::thread> pool;
    for (int i = 0; i < workers; ++i) pool.emplace_back([this] { ConvertLoop(); });
    Status status = WriteLoop(report);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    reader.join();
    for (auto& t : pool) t.join();
    if (status.ok() && !read_status_.ok()) status = read_status_;
    return status;
  }

  // Row errors as "file:line:column: reason", by re-reading up to each row.
  std::vector<std::string> Locate(const std::vector<RowError>& errors) {
    std::vector<std::string> out;
    auto reader = CsvReader::Open(reader_->name());
    if (!reader.ok()) {
      for (const RowError& e : errors) out.push_back(e.reason);
      return out;
    }
    CsvRecord record;
    int64_t ordinal = -1;
    for (const RowError& e : errors) {
      while (ordinal < e.ordinal) {
        auto more = (*reader)->ReadRecord(&record);
        if (!more.ok() || !*more) break;
        ++ordinal;
      }
      if (ordinal == e.ordinal) {
        std::string where = (*reader)->Location(record, e.field >= 0 ? e.field : 0);
        if (e.field < 0) where = where.substr(0, where.rfind(':'));
        out.push_back(where + ": " + e.reason);
      } else {
        out.push_back(reader_->name() + ": row " + std::to_string(e.ordinal + 1) + ": " + e.reason);
      }
    }
    return out;
  }

 private:
  void ReadLoop() {
    const size_t width = reader_->header().size();
    int64_t ordinal = 0;
    int64_t number = 0;
    CsvRecord record;
    bool done = false;
    while (!done) {
      RawBatch batch;
      batch.number = number++;
      batch.first_ordinal = ordinal;
      batch.width = width;
      batch.ends.reserve(static_cast<size_t>(options_.batch_size) * width);
      while (static_cast<int64_t>(batch.rows()) < options_.batch_size) {
        auto more = reader_->ReadRecord(&record);
        if (!more.ok()) {
          std::lock_guard lock(mu_);
          read_status_ = more.status();
          done = true;
          break;
        }
        if (!*more) {
          done = true;
          break;
        }
        for (size_t i = 0; i < width; ++i) {
          batch.arena.append(record[i]);
          batch.ends.push_back(static_cast<uint64_t>(batch.arena.size()));
        }
        ++ordinal;
      }
      batch.bytes_read = reader_->bytes_read();
      std::unique_lock lock(mu_);
      // Bound the batches in flight (read but not yet written).
      cv_.wait(lock, [&] { return stop_ || batch.number - written_ < InFlightLimit(); });
      if (stop_) return;
      if (!read_status_.ok()) {
        total_batches_ = batch.number;  // the failing batch is never written
        cv_.notify_all();
        return;
      }
      if (batch.rows() == 0 && batch.number > 0) {
        total_batches_ = batch.number;  // nothing left after the last full batch
        cv_.notify_all();
        return;
      }
      raw_.push_back(std::move(batch));
      if (done) total_batches_ = number;
      cv_.notify_all();
    }
  }

  int64_t InFlightLimit() const { return 2 * std::max(1, options_.workers) + 2; }

  void ConvertLoop() {
    while (true) {
      RawBatch raw;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !raw_.empty(); });
        if (stop_) return;
        raw = std::move(raw_.front());
        raw_.pop_front();
      }
      TypedBatch typed = Convert(raw);
      {
        std::lock_guard lock(mu_);
        converted_.emplace(raw.number, std::move(typed));
      }
      cv_.notify_all();
    }
  }

  TypedBatch Convert(const RawBatch& raw) const {
    TypedBatch out;
    out.bytes_read = raw.bytes_read;
    const size_t rows = raw.rows();
    out.records.reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      Record record;
      record.mutable_fields().reserve(raw.width + 1);
      RowError error;
      error.ordinal = raw.first_ordinal + static_cast<int64_t>(r);
      bool ok = true;
      for (size_t c = 0; c < raw.width && ok; ++c) {
        const size_t k = r * raw.width + c;
        const uint64_t begin = k == 0 ? 0 : raw.ends[k - 1];
        const std::string_view text(raw.arena.data() + begin, raw.ends[k] - begin);
        const ColumnPlan& p = plan_[c];
        if (p.feature < 0) continue;  // event-time column overridden by --event-time-now
        const FeatureDefinition& def = group_.features[p.feature];
        if (text.empty()) {
          if (c == id_column_) {
            error = {error.ordinal, static_cast<int>(c),
                     "missing record identifier \"" + def.name + "\""};
            ok = false;
          } else if (c == time_column_) {
            error = {error.ordinal, static_cast<int>(c), "missing event time \"" + def.name + "\""};
            ok = false;
          }
          continue;
        }
        auto value = ParseFeatureValue(def.type, text);
        if (!value.ok()) {
          error = {error.ordinal, static_cast<int>(c),
                   "feature \"" + def.name + "\": " + value.status().message()};
          ok = false;
          break;
        }
        if (c == time_column_) {
          auto t = EventTimeMicros(*value);
          if (!t.ok()) {
            error = {error.ordinal, static_cast<int>(c),
                     "event time \"" + def.name + "\": " + t.status().message()};
            ok = false;
            break;
          }
        }
        record.Add(def.name, std::move(*value));
      }
      if (ok && options_.event_time_now) record.Add(group_.event_time_name, now_value_);
      if (!ok) {
        out.errors.push_back(std::move(error));
        if (!options_.skip_bad_rows) return out;  // the batch is not written
        continue;
      }
      out.records.push_back(std::move(record));
    }
    return out;
  }

  // Hands the converted batches, in file order, to FeatureStore::PutBatches,
  // which appends batch n+1 offline while it writes batch n online.
  Status WriteLoop(IngestReport* report) {
    std::vector<RowError> skipped;
    std::deque<int64_t> bytes_in_flight;  // bytes_read of each batch handed over
    std::optional<RowError> bad_row;
    int64_t next = 0;
    auto source = [&](std::vector<Record>* records) -> StatusOr<bool> {
      while (true) {
        TypedBatch batch;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] {
            return converted_.count(next) > 0 || (total_batches_ >= 0 && next >= total_batches_);
          });
          if (converted_.count(next) == 0) return false;  // all handed over
          batch = std::move(converted_[next]);
          converted_.erase(next);
          written_ = ++next;
        }
        cv_.notify_all();
        if (!batch.errors.empty() && !options_.skip_bad_rows) {
          bad_row = std::move(batch.errors.front());
          return InvalidArgumentError("bad row");  // reported below, with its location
        }
        for (RowError& e : batch.errors) {
          ++report->rows_skipped;
          if (skipped.size() < kMaxReportedErrors) skipped.push_back(std::move(e));
        }
        if (batch.records.empty()) {
          if (options_.on_commit) options_.on_commit(report->rows_committed, batch.bytes_read);
          continue;
        }
        *records = std::move(batch.records);
        bytes_in_flight.push_back(batch.bytes_read);
        return true;
      }
    };
    auto written = [&](const PutSummary& batch) {
      report->rows_committed += batch.records;
      const int64_t bytes = bytes_in_flight.front();
      bytes_in_flight.pop_front();
      if (options_.on_commit) options_.on_commit(report->rows_committed, bytes);
    };
    auto put = store_.PutBatches(group_.name, source, written);
    if (bad_row) {
      std::vector<std::string> where = Locate({*bad_row});
      return InvalidArgumentError(where.front() + " (nothing of this row's batch was written; " +
                                  std::to_string(report->rows_committed) +
                                  " rows committed before it)");
    }
    if (!put.ok()) {
      return put.status().WithContext("after " + std::to_string(report->rows_committed) +
                                      " committed rows");
    }
    report->first_errors = Locate(skipped);
    return Status::Ok();
  }

  FeatureStore& store_;
  const FeatureGroupDefinition& group_;
  const IngestOptions& options_;
  const std::vector<ColumnPlan> plan_;
  std::unique_ptr<CsvReader> reader_;
  FeatureValue now_value_;
  size_t id_column_ = static_cast<size_t>(-1);
  size_t time_column_ = static_cast<size_t>(-1);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  Status read_status_;
  std::deque<RawBatch> raw_;
  std::map<int64_t, TypedBatch> converted_;
  int64_t written_ = 0;
  int64_t total_batches_ = -1;  // known once the reader is done
};

}  // namespace

StatusOr<IngestReport> IngestCsv(FeatureStore& store, const std::string& group_name,
                                 const std::filesystem::path& csv, const IngestOptions& options) {
  if (options.batch_size <= 0) return InvalidArgumentError("batch size must be > 0");
  if (options.event_time_now && !options.event_time_column.empty()) {
    return InvalidArgumentError("--event-time-now and --event-time-column are exclusive");
  }
  ASSIGN_OR_RETURN(FeatureGroupDefinition group, store.DescribeFeatureGroup(group_name));
  ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::Open(csv));
  const std::vector<std::string>& header = reader->header();
  std::vector<ColumnPlan> plan(header.size());
  const std::string time_column =
      options.event_time_column.empty() ? group.event_time_name : options.event_time_column;
  bool have_id = false, have_time = false;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string& name = header[c];
    for (size_t d = 0; d < c; ++d) {
      if (header[d] == name) {
        return InvalidArgumentError(csv.string() + ": column \"" + name + "\" appears twice");
      }
    }
    if (name == time_column) {
      have_time = true;
      if (!options.event_time_now) plan[c].feature = group.FeatureIndex(group.event_time_name);
      plan[c].is_event_time = true;
      continue;
    }
    if (name == group.event_time_name && time_column != group.event_time_name) {
      return InvalidArgumentError(csv.string() + ": column \"" + name +
                                  "\" is the group's event-time feature but --event-time-column "
                                  "names \"" +
                                  time_column + "\"");
    }
    const int f = group.FeatureIndex(name);
    if (f < 0) {
      return InvalidArgumentError(csv.string() + ":1: unknown column \"" + name +
                                  "\": feature group " + group.name +
                                  " has no such feature (add it with `pantry fg add-features`)");
    }
    plan[c].feature = f;
    if (name == group.record_identifier_name) have_id = true;
  }
  if (!have_id) {
    return InvalidArgumentError(csv.string() + ": missing the record identifier column \"" +
                                group.record_identifier_name + "\"");
  }
  if (!have_time && !options.event_time_now) {
    return InvalidArgumentError(csv.string() + ": missing the event time column \"" + time_column +
                                "\" (use --event-time-now to stamp rows with the "
                                "current time)");
  }
  IngestReport report;
  Pipeline pipeline(store, group, options, std::move(plan), std::move(reader));
  RETURN_IF_ERROR(pipeline.Run(&report));
  return report;
}

StatusOr<std::vector<FeatureDefinition>> InferFeatureDefinitionsFromCsv(
    const std::filesystem::path& csv, std::string_view event_time_name) {
  constexpr size_t kSampleRows = 10000;
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(csv));
  std::vector<std::vector<std::string>> rows;
  CsvRecord record;
  while (rows.size() < kSampleRows) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) break;
    rows.emplace_back(record.fields().begin(), record.fields().end());
  }
  std::vector<FeatureDefinition> features = InferFeatureDefinitions(reader->header(), rows);
  auto event_time = std::find_if(features.begin(), features.end(), [&](const FeatureDefinition& f) {
    return f.name == event_time_name;
  });
  if (event_time == features.end()) {
    features.push_back({std::string(event_time_name), FeatureType::kFractional});
  } else if (event_time->type == FeatureType::kIntegral) {
    event_time->type = FeatureType::kFractional;
  }
  return features;
}

}  // namespace pantry::featurestore
