// A progress bar on stderr for long work (ingestion, generation, training).
// Drawn only when stderr is a terminal and quiet mode is off; otherwise every
// call is a cheap no-op, so callers need no conditionals.
#ifndef PANTRY_COMMON_PROGRESS_H_
#define PANTRY_COMMON_PROGRESS_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace pantry {

// Global switch, set by the CLI's --quiet flag.
void SetProgressQuiet(bool quiet);

// Thread-safe: several workers may Add() concurrently.
class ProgressBar {
 public:
  // `total` <= 0 means unknown: a counter and rate are shown instead of a bar.
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();  // Finish()es

  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Add(int64_t n);
  void Finish();

 private:
  void Draw(int64_t done, bool final);

  const std::string label_;
  const int64_t total_;
  const bool enabled_;
  const int64_t start_micros_;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> next_draw_micros_{0};
  std::mutex draw_mu_;
  bool finished_ = false;
};

}  // namespace pantry

#endif  // PANTRY_COMMON_PROGRESS_H_
