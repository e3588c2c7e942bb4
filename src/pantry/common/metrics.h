// Process metrics: counters, gauges and latency histograms that any subsystem
// can feed, rendered by the server as Prometheus text on GET /metrics.
//
// It lives in common so that featurestore, stream and models can count what
// they do without depending on the server. The hot path never takes a lock:
// look a metric up once (that takes the registry's mutex), keep the pointer,
// and Increment/Observe it from any thread. Pointers stay valid for the
// registry's lifetime; metrics are never removed.
//
//   static pantry::Counter* accepted = pantry::MetricsRegistry::Default().GetCounter(
//       "pantry_events_accepted_total", "Events appended to the event log.");
//   accepted->Increment();
#ifndef PANTRY_COMMON_METRICS_H_
#define PANTRY_COMMON_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pantry {

// Label name/value pairs, e.g. {{"route", "/v1/events"}, {"status", "200"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count. Sharded over cache lines so that threads
// incrementing the same counter do not contend. Thread-safe.
class Counter {
 public:
  void Increment(uint64_t n = 1) {
    shards_[ShardIndex()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  static constexpr int kShards = 8;
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  static int ShardIndex();
  std::array<Shard, kShards> shards_;
};

// A value that goes up and down (open connections, loaded model version).
// Thread-safe.
class Gauge {
 public:
  void Set(double value) { bits_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return bits_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> bits_{0.0};
};

// A distribution over fixed upper bounds (Prometheus "le" buckets), e.g.
// request latency in seconds. Observe is lock-free. Thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const;
  double Sum() const;

  // 100 µs .. 10 s, suited to request latency in seconds.
  static std::vector<double> LatencySecondsBuckets();

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // upper_bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Owns every metric; renders them in the Prometheus text exposition format
// (version 0.0.4). Get* returns the same object for the same name and labels.
// Using one name with two types, or a histogram name with different buckets,
// returns the first registration's object type only through its own getter:
// asking for a counter under a gauge's name returns a detached counter that
// is never rendered, and the mistake is logged once. Thread-safe.
class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The process-wide registry that `pantry serve` exposes. Never destroyed.
  static MetricsRegistry& Default();

  Counter* GetCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help,
                  const MetricLabels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const MetricLabels& labels = {},
                          std::vector<double> upper_bounds = Histogram::LatencySecondsBuckets());

  // A gauge whose value is read from `read` at render time, for figures a
  // subsystem already keeps (store sizes, log offsets). `read` must be
  // thread-safe and must outlive the registry or be removed with
  // RemoveCallbacks(owner) before what it reads is destroyed.
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        const MetricLabels& labels, std::function<double()> read,
                        const void* owner = nullptr);
  void RemoveCallbacks(const void* owner);

  // Prometheus text format, families sorted by name.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Callback {
    MetricLabels labels;
    std::function<double()> read;
    const void* owner;
  };
  struct Family {
    Type type;
    std::string help;
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
    std::vector<Callback> callbacks;
  };
  Family* FamilyFor(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<std::unique_ptr<Counter>> detached_counters_;
  std::vector<std::unique_ptr<Gauge>> detached_gauges_;
  std::vector<std::unique_ptr<Histogram>> detached_histograms_;
};

}  // namespace pantry

#endif  // PANTRY_COMMON_METRICS_H_
