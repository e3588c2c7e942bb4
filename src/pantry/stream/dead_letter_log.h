// DeadLetterLog: where a processor puts a row its sink refuses for good (an
// InvalidArgument for that row alone, e.g. a customer_id over 350 KB), so one
// poison event cannot stop the stream (issue 13 item 1). One JSON line per
// row: {"spec", "emission_id", "reason", "source_shard", "source_sequence",
// "row"}; each append is fdatasync'ed before the processor moves on.
#ifndef PANTRY_STREAM_DEAD_LETTER_LOG_H_
#define PANTRY_STREAM_DEAD_LETTER_LOG_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

// Where a row came from: the log record being processed when it was emitted.
struct RowSource {
  int shard = -1;  // -1: emitted by a watermark advance, not by a record
  uint64_t sequence = 0;
};

// Not thread-safe (one per processor).
class DeadLetterLog {
 public:
  // Opens (creating directories and the file, mode 0600) `path`; a torn last
  // line left by a crash is truncated. The spec must outlive the log.
  static StatusOr<std::unique_ptr<DeadLetterLog>> Open(const std::filesystem::path& path,
                                                       const WindowSpec& spec);
  ~DeadLetterLog();

  // Appends one row with the reason and makes it durable.
  Status Append(const EmittedRow& row, const RowSource& source, std::string_view reason);
  // The highest emission id in the file (0 if none): rows at or below it
  // were settled (dead-lettered), which the processor counts as delivered.
  uint64_t last_emission_id() const { return last_id_; }

 private:
  DeadLetterLog(std::filesystem::path path, const WindowSpec& spec, int fd, int64_t size,
                uint64_t last_id);
  std::filesystem::path path_;
  const WindowSpec& spec_;
  int fd_;
  int64_t size_;
  uint64_t last_id_;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_DEAD_LETTER_LOG_H_
