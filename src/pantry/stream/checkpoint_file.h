// CheckpointFile: writes a stream processor's checkpoint file as a stream of
// pieces, then makes it durable (fsync, rename over the previous one, fsync
// of the directory), optionally on a background thread.
//
// Why: a sliding window's checkpoint holds every event of the window (about
// 200 MB at 100k events/s over 2 minutes). Assembled in one string it cost as
// much memory again (more with the string's doublings), and its fsync on the
// poll thread stopped the processor for seconds on a busy disk, which was the
// freshness tail under load (docs/stream.md, "Checkpoints under load").
// Written here, the bytes go to the page cache as they are produced and the
// poll thread goes on while the disk flushes.
//
// Readers of the path see the previous checkpoint or the new one, never a
// torn one, also after a crash. Not thread-safe: one owner thread calls
// everything; the background step touches only its own state.
#ifndef PANTRY_STREAM_CHECKPOINT_FILE_H_
#define PANTRY_STREAM_CHECKPOINT_FILE_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <thread>

#include "pantry/common/status.h"

namespace pantry::stream {

class CheckpointFile {
 public:
  explicit CheckpointFile(std::filesystem::path path);
  // Waits for a durable step in flight (an error is logged).
  ~CheckpointFile();
  CheckpointFile(const CheckpointFile&) = delete;
  CheckpointFile& operator=(const CheckpointFile&) = delete;

  // Starts a new checkpoint in <path>.tmp, after waiting for the previous
  // one's durable step; returns that step's error, if any (then nothing is
  // started and the previous file stays in place).
  Status Begin();
  // Appends bytes; the first error is kept and returned by Commit.
  void Append(std::string_view bytes);
  // Completes the checkpoint: fsync, rename, directory fsync, on a
  // background thread if `background` (then its outcome is returned by the
  // next Begin or Wait), else before returning.
  Status Commit(bool background);
  // True while a background durable step runs.
  bool busy() const { return thread_.joinable() && !done_.load(std::memory_order_acquire); }
  // Waits for a background durable step in flight and returns its outcome
  // (Ok if none; an error is returned once).
  Status Wait();
  // How long the last completed durable step took, in real (monotonic)
  // micros: it measures the disk's work, not stream time, so a fake clock
  // moved by another thread meanwhile does not count.
  int64_t last_sync_micros() const { return last_sync_micros_; }

 private:
  Status Sync(int fd);
  void Abandon();

  const std::filesystem::path path_;
  const std::filesystem::path tmp_;
  int fd_ = -1;
  Status append_error_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  Status background_result_;  // read after joining thread_
  int64_t last_sync_micros_ = 0;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_CHECKPOINT_FILE_H_
