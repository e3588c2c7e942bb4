#include "pantry/stream/stream_registry.h"

#include <mutex>
#include <set>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/stream/kinesis_ids.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

constexpr char kMetaFile[] = "kinesis.json";

}  // namespace

struct StreamRegistry::Entry {
  std::unique_ptr<EventLog> owned;
  EventLog* log = nullptr;
  StreamEntryInfo info;
  std::multiset<std::string> readers;  // guarded by the registry's mutex (exclusive)
};

StreamRegistry::StreamRegistry(fs::path home, EventLogOptions log_options)
    : home_(std::move(home)), log_options_(log_options) {}

StreamRegistry::~StreamRegistry() = default;

std::shared_lock<std::shared_mutex> StreamRegistry::ReadLock() const {
  std::lock_guard<std::mutex> gate(gate_);
  return std::shared_lock<std::shared_mutex>(mu_);
}

std::unique_lock<std::shared_mutex> StreamRegistry::WriteLock() const {
  std::lock_guard<std::mutex> gate(gate_);
  return std::unique_lock<std::shared_mutex>(mu_);
}

StatusOr<std::unique_ptr<StreamRegistry>> StreamRegistry::Open(
    const fs::path& home, const EventLogOptions& log_options,
    const std::map<std::string, EventLog*>& borrowed) {
  std::unique_ptr<StreamRegistry> registry(new StreamRegistry(home, log_options));
  Clock* clock = log_options.clock != nullptr ? log_options.clock : Clock::Real();
  for (const auto& [name, log] : borrowed) {
    auto entry = std::make_unique<Entry>();
    entry->log = log;
    entry->info = {name, log->shard_count(), clock->NowMicros(), false, true};
    registry->entries_[name] = std::move(entry);
  }
  const fs::path dir = home / "stream";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const fs::directory_entry& d : fs::directory_iterator(dir, ec)) {
      const std::string name = d.path().filename().string();
      if (registry->entries_.count(name) > 0 || !IsValidStreamName(name)) continue;
      if (!fs::exists(d.path() / "stream.json")) continue;
      RETURN_IF_ERROR(registry->OpenExisting(name));
    }
  }
  return registry;
}

Status StreamRegistry::OpenExisting(const std::string& name) {
  auto entry = std::make_unique<Entry>();
  ASSIGN_OR_RETURN(entry->owned, EventLog::OpenFile(home_, name, log_options_));
  entry->log = entry->owned.get();
  Clock* clock = log_options_.clock != nullptr ? log_options_.clock : Clock::Real();
  entry->info = {name, entry->log->shard_count(), clock->NowMicros(), false, false};
  const fs::path meta = home_ / "stream" / name / kMetaFile;
  if (fs::exists(meta)) {
    ASSIGN_OR_RETURN(Json j, ReadJsonFile(meta));
    ASSIGN_OR_RETURN(entry->info.created_micros, GetJsonInt(j, "created_micros"));
    ASSIGN_OR_RETURN(entry->info.on_demand, GetJsonBool(j, "on_demand"));
  }
  entries_[name] = std::move(entry);
  return Status::Ok();
}

Status StreamRegistry::Create(std::string_view name, int shards, bool on_demand) {
  if (!IsValidStreamName(name)) {
    return InvalidArgumentError("stream name '" + std::string(name) +
                                "' must be 1-128 characters of [a-zA-Z0-9_.-]");
  }
  if (shards < 1 || shards > 1024) {
    return InvalidArgumentError("shard count must be 1..1024, got " + std::to_string(shards));
  }
  auto lock = WriteLock();
  const fs::path dir = home_ / "stream" / std::string(name);
  if (entries_.count(name) > 0 || fs::exists(dir)) {
    return AlreadyExistsError("stream " + std::string(name) + " already exists");
  }
  EventLogOptions options = log_options_;
  options.shards = shards;
  auto entry = std::make_unique<Entry>();
  ASSIGN_OR_RETURN(entry->owned, EventLog::OpenFile(home_, name, options));
  entry->log = entry->owned.get();
  Clock* clock = log_options_.clock != nullptr ? log_options_.clock : Clock::Real();
  entry->info = {std::string(name), shards, clock->NowMicros(), on_demand, false};
  Json meta = {{"created_micros", entry->info.created_micros}, {"on_demand", on_demand}};
  RETURN_IF_ERROR(WriteFileAtomic(dir / kMetaFile, DumpJson(meta, 2) + "\n"));
  entries_[std::string(name)] = std::move(entry);
  return Status::Ok();
}

Status StreamRegistry::Delete(std::string_view name) {
  auto lock = WriteLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  Entry& entry = *it->second;
  if (entry.info.borrowed) {
    return FailedPreconditionError("stream " + std::string(name) +
                                   " is read by the window specs the server started with");
  }
  if (!entry.readers.empty()) {
    return FailedPreconditionError("stream " + std::string(name) + " is read by " +
                                   *entry.readers.begin());
  }
  entries_.erase(it);  // closes the log: no append holds it (exclusive lock)
  std::error_code ec;
  fs::remove_all(home_ / "stream" / std::string(name), ec);
  if (ec) {
    return IOError("remove " + (home_ / "stream" / std::string(name)).string() + ": " +
                   ec.message());
  }
  return Status::Ok();
}

StatusOr<std::vector<LogOffset>> StreamRegistry::Append(std::string_view name,
                                                        std::span<const AppendRecord> records) {
  auto lock = ReadLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  return it->second->log->Append(records);
}

StatusOr<StreamEntryInfo> StreamRegistry::Describe(std::string_view name) const {
  auto lock = ReadLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  return it->second->info;
}

std::vector<StreamEntryInfo> StreamRegistry::List() const {
  auto lock = ReadLock();
  std::vector<StreamEntryInfo> out;
  for (const auto& [name, entry] : entries_) out.push_back(entry->info);
  return out;
}

StatusOr<EventLog*> StreamRegistry::Acquire(std::string_view name, const std::string& reader) {
  auto lock = WriteLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  it->second->readers.insert(reader);
  return it->second->log;
}

void StreamRegistry::Release(std::string_view name, const std::string& reader) {
  auto lock = WriteLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  auto r = it->second->readers.find(reader);
  if (r != it->second->readers.end()) it->second->readers.erase(r);
}

}  // namespace pantry::stream
