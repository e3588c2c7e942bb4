#include "pantry/common/progress.h"

#include <unistd.h>

#include <cstdio>

#include "pantry/common/clock.h"

namespace pantry {
namespace {

std::atomic<bool> g_quiet{false};
constexpr int64_t kRedrawMicros = 100000;
constexpr int kBarWidth = 30;

}  // namespace

void SetProgressQuiet(bool quiet) { g_quiet.store(quiet); }

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(!g_quiet.load() && ::isatty(STDERR_FILENO) == 1),
      start_micros_(Clock::Real()->NowMicros()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Add(int64_t n) {
  int64_t done = done_.fetch_add(n, std::memory_order_relaxed) + n;
  if (!enabled_) return;
  int64_t now = Clock::Real()->NowMicros();
  int64_t next = next_draw_micros_.load(std::memory_order_relaxed);
  if (now < next) return;
  if (!next_draw_micros_.compare_exchange_strong(next, now + kRedrawMicros)) return;
  Draw(done, false);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(draw_mu_);
  if (finished_) return;
  finished_ = true;
  int64_t done = done_.load();
  // Draw while holding the lock: the final line must be the last one.
  double seconds = static_cast<double>(Clock::Real()->NowMicros() - start_micros_) / 1e6;
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::fprintf(stderr, "\r\033[K%s: %lld done in %.1fs (%.0f/s)\n", label_.c_str(),
               static_cast<long long>(done), seconds, rate);
}

void ProgressBar::Draw(int64_t done, bool final) {
  std::lock_guard<std::mutex> lock(draw_mu_);
  if (finished_) return;
  double seconds = static_cast<double>(Clock::Real()->NowMicros() - start_micros_) / 1e6;
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  if (total_ > 0) {
    double fraction = static_cast<double>(done) / static_cast<double>(total_);
    if (fraction > 1) fraction = 1;
    int filled = static_cast<int>(fraction * kBarWidth);
    char bar[kBarWidth + 1];
    for (int i = 0; i < kBarWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kBarWidth] = '\0';
    std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %lld/%lld (%.0f/s)", label_.c_str(), bar,
                 fraction * 100, static_cast<long long>(done), static_cast<long long>(total_),
                 rate);
  } else {
    std::fprintf(stderr, "\r\033[K%s %lld (%.0f/s)", label_.c_str(), static_cast<long long>(done),
                 rate);
  }
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace pantry
