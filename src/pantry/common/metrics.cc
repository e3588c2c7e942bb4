#include "pantry/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "pantry/common/logging.h"

namespace pantry {
namespace {

// Prometheus label values escape backslash, double quote and newline.
void AppendEscaped(std::string* out, const std::string& value) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void AppendLabels(std::string* out, const MetricLabels& labels, const char* extra_name = nullptr,
                  const std::string& extra_value = "") {
  if (labels.empty() && extra_name == nullptr) return;
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out->push_back(',');
    first = false;
    out->append(name);
    out->append("=\"");
    AppendEscaped(out, value);
    out->push_back('"');
  }
  if (extra_name != nullptr) {
    if (!first) out->push_back(',');
    out->append(extra_name);
    out->append("=\"");
    AppendEscaped(out, extra_value);
    out->push_back('"');
  }
  out->push_back('}');
}

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

int Counter::ShardIndex() {
  static std::atomic<int> next{0};
  thread_local int index = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return index;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const Shard& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

void Gauge::Add(double delta) { bits_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  upper_bounds_.erase(std::unique(upper_bounds_.begin(), upper_bounds_.end()), upper_bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1);
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  // Few buckets: a linear scan beats a binary search on a cache line or two.
  size_t i = 0;
  while (i < upper_bounds_.size() && value > upper_bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(upper_bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
  }
  return total;
}

double Histogram::Sum() const { return sum_.load(std::memory_order_relaxed); }

std::vector<double> Histogram::LatencySecondsBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

MetricsRegistry& MetricsRegistry::Default() {
  static MetricsRegistry* registry = new MetricsRegistry();
  return *registry;
}

MetricsRegistry::Family* MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help, Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
    return &it->second;
  }
  if (it->second.type != type) {
    PANTRY_LOG_ERROR("metric '{}' registered twice with different types; the second is ignored",
                     name);
    return nullptr;
  }
  return &it->second;
}

namespace {

// The metric for `labels` in a family's `slots`, created on first use; or,
// when the family is unusable (`slots` null: the name is taken by another
// type), a detached metric that is never rendered but keeps the caller
// working.
template <typename Metric, typename... Args>
Metric* SlotOrDetached(std::map<MetricLabels, std::unique_ptr<Metric>>* slots,
                       std::vector<std::unique_ptr<Metric>>* detached, const MetricLabels& labels,
                       Args&&... args) {
  if (slots == nullptr) {
    detached->push_back(std::make_unique<Metric>(std::forward<Args>(args)...));
    return detached->back().get();
  }
  auto& slot = (*slots)[labels];
  if (!slot) slot = std::make_unique<Metric>(std::forward<Args>(args)...);
  return slot.get();
}

}  // namespace

Counter* MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family* family = FamilyFor(name, help, Type::kCounter);
  return SlotOrDetached(family ? &family->counters : nullptr, &detached_counters_, labels);
}

Gauge* MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family* family = FamilyFor(name, help, Type::kGauge);
  return SlotOrDetached(family ? &family->gauges : nullptr, &detached_gauges_, labels);
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const MetricLabels& labels,
                                         std::vector<double> upper_bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family* family = FamilyFor(name, help, Type::kHistogram);
  return SlotOrDetached(family ? &family->histograms : nullptr, &detached_histograms_, labels,
                        std::move(upper_bounds));
}

void MetricsRegistry::AddGaugeCallback(const std::string& name, const std::string& help,
                                       const MetricLabels& labels, std::function<double()> read,
                                       const void* owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family* family = FamilyFor(name, help, Type::kGauge);
  if (family == nullptr) return;
  family->callbacks.push_back(Callback{labels, std::move(read), owner});
}

void MetricsRegistry::RemoveCallbacks(const void* owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, family] : families_) {
    std::erase_if(family.callbacks, [owner](const Callback& c) { return c.owner == owner; });
  }
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, family] : families_) {
    out.append("# HELP ").append(name).append(" ").append(family.help).append("\n");
    switch (family.type) {
      case Type::kCounter:
        out.append("# TYPE ").append(name).append(" counter\n");
        for (const auto& [labels, counter] : family.counters) {
          out.append(name);
          AppendLabels(&out, labels);
          out.append(" ").append(std::to_string(counter->Value())).append("\n");
        }
        break;
      case Type::kGauge:
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (const auto& [labels, gauge] : family.gauges) {
          out.append(name);
          AppendLabels(&out, labels);
          out.append(" ").append(FormatNumber(gauge->Value())).append("\n");
        }
        for (const Callback& callback : family.callbacks) {
          out.append(name);
          AppendLabels(&out, callback.labels);
          out.append(" ").append(FormatNumber(callback.read())).append("\n");
        }
        break;
      case Type::kHistogram:
        out.append("# TYPE ").append(name).append(" histogram\n");
        for (const auto& [labels, histogram] : family.histograms) {
          std::vector<uint64_t> counts = histogram->BucketCounts();
          uint64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            out.append(name).append("_bucket");
            std::string le = i < histogram->upper_bounds().size()
                                 ? FormatNumber(histogram->upper_bounds()[i])
                                 : std::string("+Inf");
            AppendLabels(&out, labels, "le", le);
            out.append(" ").append(std::to_string(cumulative)).append("\n");
          }
          out.append(name).append("_sum");
          AppendLabels(&out, labels);
          out.append(" ").append(FormatNumber(histogram->Sum())).append("\n");
          out.append(name).append("_count");
          AppendLabels(&out, labels);
          out.append(" ").append(std::to_string(cumulative)).append("\n");
        }
        break;
    }
  }
  return out;
}

}  // namespace pantry
