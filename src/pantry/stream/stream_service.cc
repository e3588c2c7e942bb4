#include "pantry/stream/stream_service.h"

#include <limits>
#include <set>

#include "pantry/common/logging.h"

namespace pantry::stream {

SinkFactory JsonLinesSinkFactory(const std::filesystem::path& dir) {
  return [dir](const WindowSpec& spec) {
    return OpenJsonLinesSink(dir / (spec.name + ".jsonl"), spec);
  };
}

StreamService::StreamService(StreamServiceOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
}

StreamService::~StreamService() {
  Status st = Stop();
  if (!st.ok()) PANTRY_LOG_ERROR("stream service: {}", st.message());
}

StatusOr<std::unique_ptr<StreamService>> StreamService::Create(StreamServiceOptions options) {
  if (options.specs.empty()) return InvalidArgumentError("stream service: no window specs");
  if (!options.sink_factory) return InvalidArgumentError("stream service: no sink");
  std::set<std::string> names, groups;
  for (const WindowSpec& spec : options.specs) {
    if (!names.insert(spec.name).second) {
      return InvalidArgumentError("two window specs are named '" + spec.name + "'");
    }
    if (!spec.sink_feature_group.empty() && !groups.insert(spec.sink_feature_group).second) {
      return InvalidArgumentError("two window specs write feature group '" +
                                  spec.sink_feature_group + "'; give each its own");
    }
  }
  std::unique_ptr<StreamService> service(new StreamService(std::move(options)));
  StreamServiceOptions& o = service->options_;
  if (o.log_options.clock == nullptr) o.log_options.clock = o.clock;
  for (const WindowSpec& spec : o.specs) {
    auto& log = service->logs_[spec.source];
    if (!log) {
      ASSIGN_OR_RETURN(log, EventLog::OpenFile(o.home, spec.source, o.log_options));
    }
    ASSIGN_OR_RETURN(auto sink, o.sink_factory(spec));
    ProcessorOptions po;
    po.checkpoint_path = o.home / "stream" / spec.source / "processors" / (spec.name + ".ckpt");
    po.checkpoint_interval_micros = o.checkpoint_interval_micros;
    po.max_records_per_read = o.max_records_per_read;
    po.clock = o.clock;
    ASSIGN_OR_RETURN(auto processor, StreamProcessor::Create(log.get(), spec, sink.get(), po));
    service->sinks_.push_back(std::move(sink));
    service->processors_.push_back(std::move(processor));
  }
  return service;
}

EventLog* StreamService::log(const std::string& name) const {
  auto it = logs_.find(name);
  return it == logs_.end() ? nullptr : it->second.get();
}

StatusOr<size_t> StreamService::PollOnce() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t total = 0;
  Status first_error;
  for (size_t i = 0; i < processors_.size(); ++i) {
    auto n = processors_[i]->PollOnce();
    NoteOutcome(i, n.status());
    if (!n.ok()) {
      if (first_error.ok()) first_error = n.status();
      continue;
    }
    total += *n;
  }
  if (!first_error.ok()) return first_error;
  return total;
}

bool StreamService::caught_up() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : processors_) {
    if (!p->caught_up()) return false;
  }
  return true;
}

Status StreamService::CheckpointAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& p : processors_) RETURN_IF_ERROR(p->Checkpoint());
  return Status::Ok();
}

void StreamService::Notify() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_one();
}

void StreamService::Wait() {
  // Sleep until the poll interval ends, the next window closes (so a closed
  // window's row is written right away) or Notify() is called.
  int64_t wait_micros = int64_t{options_.poll_interval_ms} * 1000;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = options_.clock->NowMicros();
    for (const auto& p : processors_) {
      int64_t next = p->next_close_micros();
      if (next != std::numeric_limits<int64_t>::max()) {
        wait_micros = std::min(wait_micros, std::max<int64_t>(next - now + 1, 0));
      }
    }
  }
  std::unique_lock<std::mutex> lock(wake_mu_);
  wake_cv_.wait_for(lock, std::chrono::microseconds(wait_micros),
                    [this] { return woken_ || stop_.load(); });
  woken_ = false;
}

Status StreamService::Run(const std::function<bool()>& should_stop, bool exit_when_caught_up) {
  int64_t last_error_log = 0;
  while (!should_stop() && !stop_.load()) {
    auto n = PollOnce();
    if (!n.ok()) {
      // Typically the sink is unavailable: keep the rows queued and retry.
      int64_t now = options_.clock->NowMicros();
      if (now - last_error_log > 5'000'000) {
        PANTRY_LOG_ERROR("stream service: {} (retrying)", n.status().message());
        last_error_log = now;
      }
      Wait();
      continue;
    }
    if (*n > 0) continue;  // more may be waiting
    const bool done = caught_up();
    if (exit_when_caught_up && done) break;
    if (!done) {
      // Records stamped in the very microsecond of the poll wait for the
      // clock to pass their stamp; poll again shortly.
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      continue;
    }
    Wait();
  }
  return CheckpointAll();
}

Status StreamService::Start() {
  if (thread_.joinable()) return FailedPreconditionError("stream service already running");
  stop_ = false;
  thread_ = std::thread([this] { thread_status_ = Run([] { return false; }, false); });
  return Status::Ok();
}

Status StreamService::Stop() {
  if (!thread_.joinable()) return Status::Ok();
  stop_ = true;
  Notify();
  thread_.join();
  return thread_status_;
}

void StreamService::NoteOutcome(size_t processor, const Status& status) {
  std::lock_guard<std::mutex> lock(failures_mu_);
  if (failures_.size() < processors_.size()) failures_.resize(processors_.size());
  Failures& f = failures_[processor];
  if (status.ok()) {
    f.since = 0;
    return;
  }
  if (f.since == 0) f.since = options_.clock->NowMicros();
  ++f.count;
  f.last_error = status.message();
}

Status StreamService::Health() const {
  std::lock_guard<std::mutex> lock(failures_mu_);
  const int64_t now = options_.clock->NowMicros();
  for (size_t i = 0; i < failures_.size(); ++i) {
    const Failures& f = failures_[i];
    if (f.since != 0 && now - f.since > options_.stuck_after_micros) {
      return UnavailableError("stream processor for spec '" + options_.specs[i].name +
                              "' stuck: its polls have failed for " +
                              std::to_string((now - f.since) / 1'000'000) +
                              " s; last error: " + f.last_error);
    }
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, ProcessorStats>> StreamService::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, ProcessorStats>> out;
  for (const auto& p : processors_) out.emplace_back(p->spec().name, p->stats());
  std::lock_guard<std::mutex> failures_lock(failures_mu_);
  for (size_t i = 0; i < failures_.size() && i < out.size(); ++i) {
    out[i].second.poll_errors = failures_[i].count;
  }
  return out;
}

}  // namespace pantry::stream
