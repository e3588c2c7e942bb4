// Clock: the one source of "now" in pantry, injected so that windows, TTLs
// and crash tests are deterministic in tests without sleeping.
#ifndef PANTRY_COMMON_CLOCK_H_
#define PANTRY_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace pantry {

// Thread-safe. Times are microseconds since the Unix epoch (UTC).
class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time.
  virtual int64_t NowMicros() const = 0;

  double NowSeconds() const { return static_cast<double>(NowMicros()) / 1e6; }

  // The process-wide real clock; never null, never destroyed.
  static Clock* Real();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 0) : now_micros_(start_micros) {}

  int64_t NowMicros() const override { return now_micros_.load(std::memory_order_acquire); }
  void SetMicros(int64_t micros) { now_micros_.store(micros, std::memory_order_release); }
  void AdvanceMicros(int64_t delta) { now_micros_.fetch_add(delta, std::memory_order_acq_rel); }
  void AdvanceSeconds(double seconds) { AdvanceMicros(static_cast<int64_t>(seconds * 1e6)); }

 private:
  std::atomic<int64_t> now_micros_;
};

}  // namespace pantry

#endif  // PANTRY_COMMON_CLOCK_H_
