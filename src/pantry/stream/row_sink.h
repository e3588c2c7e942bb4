// RowSink: where a processor delivers the rows its windows emit. Exactly-once
// delivery rests on two properties (docs/stream.md, "Exactly once"):
// emission ids are deterministic (replaying the same log from a checkpoint
// re-creates the same rows with the same ids), and a sink remembers the
// highest id it has durably written, so re-delivered rows are skipped.
#ifndef PANTRY_STREAM_ROW_SINK_H_
#define PANTRY_STREAM_ROW_SINK_H_

#include <filesystem>
#include <memory>
#include <span>

#include "pantry/common/status.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

// One sink serves one spec. Not required to be thread-safe: a processor
// calls it from one thread.
class RowSink {
 public:
  virtual ~RowSink() = default;

  // The highest emission id durably written (0 if none). Called once when a
  // processor starts.
  virtual StatusOr<uint64_t> DeliveredUpTo() = 0;

  // Writes `rows` (ascending emission ids, each above every id written
  // before) and makes them durable before returning OK. On error, any prefix
  // may have been written; the caller retries with the rows whose ids are
  // above DeliveredUpTo()... which the sink must therefore keep current.
  virtual Status Write(std::span<const EmittedRow> rows) = 0;
};

// A sink that appends rows as JSON lines (RowToJson with emission_id) to a
// file and fdatasyncs each batch. On open, a torn last line left by a crash
// is truncated and the last emission_id is read back.
StatusOr<std::unique_ptr<RowSink>> OpenJsonLinesSink(const std::filesystem::path& path,
                                                     const WindowSpec& spec);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_ROW_SINK_H_
