// CSV ingestion into a feature group (both stores), pipelined: a reader
// thread and validation workers turn rows into batches while the caller's
// thread writes them with FeatureStore::PutBatches (batch n+1 appended
// offline while batch n is written online).
#ifndef PANTRY_FEATURESTORE_INGEST_H_
#define PANTRY_FEATURESTORE_INGEST_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::featurestore {

struct IngestOptions {
  // Rows per write batch (one offline transaction + one online write batch;
  // batch n+1 is appended offline while batch n is written online).
  // A bad row (without skip_bad_rows) stops ingestion before any row of its
  // batch is written; earlier batches stay committed.
  int64_t batch_size = 10000;
  // Set the event time of every row to the clock's now (for files without an
  // event-time column; the column may then be absent from the CSV).
  bool event_time_now = false;
  // CSV column holding the event time, if named differently from the
  // group's event-time feature.
  std::string event_time_column;
  // Validation threads (>= 1).
  int workers = 1;
  // Skip invalid rows, counting them and keeping the first few reasons.
  bool skip_bad_rows = false;
  // Called on the writing thread after each committed batch with the total
  // rows committed so far (for progress bars and "committed N" lines).
  std::function<void(int64_t committed_rows, int64_t bytes_read)> on_commit;
};

struct IngestReport {
  int64_t rows_committed = 0;
  int64_t rows_skipped = 0;
  std::vector<std::string> first_errors;  // up to 10, "file:line:column: reason"
};

// Ingests `csv` into `group`. The header must name only features of the
// group (unknown column: error); the record id and event time (unless
// event_time_now) are required columns; other features may be missing
// (absent). Empty fields are absent values. Errors name file:line:column.
StatusOr<IngestReport> IngestCsv(FeatureStore& store, const std::string& group,
                                 const std::filesystem::path& csv, const IngestOptions& options);

// The features `pantry fg create --csv` declares for `csv`: types inferred
// from the header and up to the first 10000 rows (InferFeatureDefinitions).
// As in the workshop, the event-time feature `event_time_name` is Fractional
// (Unix seconds): appended if the CSV lacks it (fill it with
// IngestOptions::event_time_now), and turned from Integral into Fractional
// if the sample holds whole seconds.
StatusOr<std::vector<FeatureDefinition>> InferFeatureDefinitionsFromCsv(
    const std::filesystem::path& csv, std::string_view event_time_name);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_INGEST_H_
