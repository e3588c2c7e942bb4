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
  if (!o.log_options.redis_url.empty()) {
    ProcessorLeaseOptions lo;
    lo.redis_url = o.log_options.redis_url;
    lo.redis_password = o.log_options.redis_password;
    lo.lease_ms = o.lease_ms;
    lo.retry_ms = o.lease_retry_ms;
    ASSIGN_OR_RETURN(service->leases_, ProcessorLeases::OpenRedis(lo));
  }
  for (const WindowSpec& spec : o.specs) {
    auto& log = service->logs_[spec.source];
    if (!log) {
      ASSIGN_OR_RETURN(log, EventLog::Open(o.home, spec.source, o.log_options));
    }
    auto& reader = service->readers_[spec.source];
    if (!reader) reader = std::make_unique<SourceReader>(log.get(), o.clock, /*scan=*/true);
    ASSIGN_OR_RETURN(auto sink, o.sink_factory(spec));
    ProcessorOptions po;
    po.checkpoint_path = o.home / "stream" / spec.source / "processors" / (spec.name + ".ckpt");
    po.checkpoint_interval_micros = o.checkpoint_interval_micros;
    po.max_records_per_read = o.max_records_per_read;
    po.max_window_keys = o.max_window_keys;
    po.clock = o.clock;
    po.reader = reader.get();
    service->ShareProcessor(spec, &po);
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
  // One clock reading per log, so that its processors share the reads.
  std::map<std::string_view, int64_t> t0;
  std::vector<int64_t> at(processors_.size());
  for (size_t i = 0; i < processors_.size(); ++i) {
    auto [it, first] = t0.try_emplace(processors_[i]->spec().source, 0);
    if (first) it->second = options_.clock->NowMicros();
    at[i] = it->second;
  }
  std::vector<StatusOr<size_t>> polled(processors_.size(), size_t{0});
  auto poll = [&](size_t i) { polled[i] = processors_[i]->PollAt(at[i]); };
  if (options_.parallel && processors_.size() > 1) {
    // Processors share nothing but the (locked) reader and the sinks' store,
    // so each spec runs on its own core; the first on this thread.
    poll_threads_.Run(processors_.size(), poll);
  } else {
    for (size_t i = 0; i < processors_.size(); ++i) poll(i);
  }
  size_t total = 0;
  Status first_error;
  for (size_t i = 0; i < polled.size(); ++i) {
    const StatusOr<size_t>& n = polled[i];
    NoteOutcome(processors_[i]->spec().name, n.status());
    if (!n.ok()) {
      // The others' progress stands; the failing one retries next poll.
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

void StreamService::ShareProcessor(const WindowSpec& spec, ProcessorOptions* po) const {
  if (!leases_) return;
  po->leases = leases_.get();
  po->lease_name = spec.source + ":" + spec.name;
}

Status StreamService::ReleaseLeases() {
  std::lock_guard<std::mutex> lock(mu_);
  Status first;
  for (auto& p : processors_) {
    Status st = p->ReleaseLease();
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
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
  RETURN_IF_ERROR(CheckpointAll());
  return ReleaseLeases();
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

Status StreamService::AddSpec(const WindowSpec& spec, EventLog* log, const SinkFactory& make_sink,
                              bool start_at_end) {
  if (log == nullptr || !make_sink) return InvalidArgumentError("AddSpec: no log or sink");
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_lock<std::shared_mutex> list(list_mu_);
  for (const auto& p : processors_) {
    if (p->spec().name == spec.name) {
      return AlreadyExistsError("a window spec named '" + spec.name + "' is running");
    }
  }
  auto owned = std::make_unique<WindowSpec>(spec);
  ASSIGN_OR_RETURN(std::unique_ptr<RowSink> sink, make_sink(*owned));
  ProcessorOptions po;
  po.checkpoint_path =
      options_.home / "stream" / log->name() / "processors" / (spec.name + ".ckpt");
  po.checkpoint_interval_micros = options_.checkpoint_interval_micros;
  po.max_records_per_read = options_.max_records_per_read;
  po.max_window_keys = options_.max_window_keys;
  po.clock = options_.clock;
  po.start_at_end = start_at_end;
  ShareProcessor(spec, &po);
  ASSIGN_OR_RETURN(auto processor, StreamProcessor::Create(log, *owned, sink.get(), po));
  sinks_.push_back(std::move(sink));
  processors_.push_back(std::move(processor));
  added_specs_[spec.name] = std::move(owned);
  return Status::Ok();
}

Status StreamService::RemoveSpec(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_lock<std::shared_mutex> list(list_mu_);
  for (size_t i = 0; i < processors_.size(); ++i) {
    if (processors_[i]->spec().name != name) continue;
    Status checkpointed = processors_[i]->Checkpoint();
    processors_.erase(processors_.begin() + static_cast<std::ptrdiff_t>(i));
    sinks_.erase(sinks_.begin() + static_cast<std::ptrdiff_t>(i));
    added_specs_.erase(name);
    return checkpointed;
  }
  return NotFoundError("no window spec named '" + name + "' is running");
}

std::vector<SpecShardLag> StreamService::Lag() const {
  std::shared_lock<std::shared_mutex> list(list_mu_);
  const int64_t now = options_.clock->NowMicros();
  std::vector<SpecShardLag> out;
  for (const auto& p : processors_) {
    const std::vector<ShardLag> lags = p->Lag(now);
    for (size_t s = 0; s < lags.size(); ++s) {
      out.push_back({p->spec().name, p->spec().source, static_cast<int>(s), lags[s]});
    }
  }
  return out;
}

size_t StreamService::Admit(std::string_view stream, size_t n, std::string* why) const {
  std::shared_lock<std::shared_mutex> list(list_mu_);
  return AdmitLocked(stream, n, why);
}

size_t StreamService::AdmitLocked(std::string_view stream, size_t n, std::string* why) const {
  const BacklogLimits& limits = options_.backlog_limits;
  if (limits.max_events == 0 && limits.max_micros == 0) return n;
  const int64_t now = options_.clock->NowMicros();
  size_t admit = n;
  for (const auto& p : processors_) {
    if (p->spec().source != stream) continue;
    uint64_t events = 0;
    for (const ShardLag& lag : p->Lag(now)) {
      events += lag.events;
      if (limits.max_micros > 0 && lag.micros > limits.max_micros) {
        if (why) {
          *why = "spec " + p->spec().name + " is " + std::to_string(lag.micros / 1000) +
                 " ms behind (bound " + std::to_string(limits.max_micros / 1000) + " ms)";
        }
        return 0;
      }
    }
    if (limits.max_events > 0) {
      // Fill up to the bound: a batch straddling it is partly accepted.
      const uint64_t room = events >= limits.max_events ? 0 : limits.max_events - events;
      if (room < admit) {
        admit = static_cast<size_t>(room);
        if (why) {
          *why = "spec " + p->spec().name + " has " + std::to_string(events) +
                 " unprocessed events (bound " + std::to_string(limits.max_events) + ")";
        }
      }
    }
  }
  return admit;
}

Status StreamService::BacklogHealth() const {
  const BacklogLimits& limits = options_.backlog_limits;
  if (limits.max_events == 0 && limits.max_micros == 0) return Status::Ok();
  std::shared_lock<std::shared_mutex> list(list_mu_);
  std::set<std::string> sources;
  for (const auto& p : processors_) sources.insert(p->spec().source);
  for (const std::string& source : sources) {
    std::string why;
    // Degraded once the next record would be refused.
    if (AdmitLocked(source, 1, &why) == 0) return UnavailableError("stream backlog: " + why);
  }
  return Status::Ok();
}

void StreamService::NoteOutcome(const std::string& spec, const Status& status) {
  std::lock_guard<std::mutex> lock(failures_mu_);
  Failures& f = failures_[spec];
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
  for (const auto& [spec, f] : failures_) {
    if (f.since != 0 && now - f.since > options_.stuck_after_micros) {
      return UnavailableError(
          "stream processor for spec '" + spec + "' stuck: its polls have failed for " +
          std::to_string((now - f.since) / 1'000'000) + " s; last error: " + f.last_error);
    }
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, ProcessorStats>> StreamService::stats() const {
  // Not mu_: a poll holds it for its whole length (seconds under load), and
  // /metrics must answer meanwhile. Each processor publishes its stats at
  // the end of a poll or checkpoint.
  std::shared_lock<std::shared_mutex> list(list_mu_);
  std::vector<std::pair<std::string, ProcessorStats>> out;
  for (const auto& p : processors_) out.emplace_back(p->spec().name, p->StatsSnapshot());
  std::lock_guard<std::mutex> failures_lock(failures_mu_);
  for (auto& [name, stats] : out) {
    if (auto f = failures_.find(name); f != failures_.end()) stats.poll_errors = f->second.count;
  }
  return out;
}

std::vector<std::pair<std::string, size_t>> StreamService::OpenKeys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, size_t>> out;
  for (const auto& p : processors_) out.emplace_back(p->spec().name, p->open_keys());
  return out;
}

}  // namespace pantry::stream
