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
  if (!log_options.redis_url.empty()) {
    ASSIGN_OR_RETURN(registry->catalog_, SharedStreamCatalog::OpenRedis(log_options));
    ASSIGN_OR_RETURN(std::vector<StreamEntryInfo> listed, registry->catalog_->List());
    for (const StreamEntryInfo& info : listed) {
      if (registry->entries_.count(info.name) == 0) RETURN_IF_ERROR(registry->OpenShared(info));
    }
    return registry;
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

Status StreamRegistry::OpenShared(const StreamEntryInfo& info) {
  EventLogOptions options = log_options_;
  options.shards = info.shard_count;
  auto entry = std::make_unique<Entry>();
  ASSIGN_OR_RETURN(entry->owned, EventLog::OpenRedis(options.redis_url, info.name, options));
  entry->log = entry->owned.get();
  entry->info = info;
  entry->info.borrowed = false;
  entries_[info.name] = std::move(entry);
  return Status::Ok();
}

Status StreamRegistry::LoadShared(std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<StreamEntryInfo> info, catalog_->Find(name));
  auto lock = WriteLock();
  if (!info.has_value()) {
    DropUnlisted(name);
    return NotFoundError("stream " + std::string(name) + " not found");
  }
  if (entries_.count(name) > 0) return Status::Ok();
  return OpenShared(*info);
}

void StreamRegistry::DropUnlisted(std::string_view name) {
  auto it = entries_.find(name);
  if (it != entries_.end() && !it->second->info.borrowed && it->second->readers.empty()) {
    entries_.erase(it);
  }
}

Status StreamRegistry::Create(std::string_view name, int shards, bool on_demand) {
  if (!IsValidStreamName(name)) {
    return InvalidArgumentError("stream name '" + std::string(name) +
                                "' must be 1-128 characters of [a-zA-Z0-9_.-]");
  }
  if (shards < 1 || shards > 1024) {
    return InvalidArgumentError("shard count must be 1..1024, got " + std::to_string(shards));
  }
  Clock* clock = log_options_.clock != nullptr ? log_options_.clock : Clock::Real();
  auto lock = WriteLock();
  if (catalog_ != nullptr) {
    if (entries_.count(name) > 0) {
      return AlreadyExistsError("stream " + std::string(name) + " already exists");
    }
    const StreamEntryInfo info{std::string(name), shards, clock->NowMicros(), on_demand, false};
    RETURN_IF_ERROR(catalog_->Add(info));
    Status opened = OpenShared(info);
    if (!opened.ok()) (void)catalog_->Remove(name);  // best effort: not half created
    return opened;
  }
  const fs::path dir = home_ / "stream" / std::string(name);
  if (entries_.count(name) > 0 || fs::exists(dir)) {
    return AlreadyExistsError("stream " + std::string(name) + " already exists");
  }
  EventLogOptions options = log_options_;
  options.shards = shards;
  auto entry = std::make_unique<Entry>();
  ASSIGN_OR_RETURN(entry->owned, EventLog::OpenFile(home_, name, options));
  entry->log = entry->owned.get();
  entry->info = {std::string(name), shards, clock->NowMicros(), on_demand, false};
  Json meta = {{"created_micros", entry->info.created_micros}, {"on_demand", on_demand}};
  RETURN_IF_ERROR(WriteFileAtomic(dir / kMetaFile, DumpJson(meta, 2) + "\n"));
  entries_[std::string(name)] = std::move(entry);
  return Status::Ok();
}

Status StreamRegistry::Delete(std::string_view name) {
  if (catalog_ != nullptr) RETURN_IF_ERROR(LoadShared(name));
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
  if (catalog_ != nullptr) {
    Status removed = catalog_->Remove(name);
    // NotFound: another replica deleted it meanwhile; forget it here too.
    if (removed.ok() || removed.code() == StatusCode::kNotFound) entries_.erase(it);
    return removed;
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
  for (int attempt = 0;; ++attempt) {
    {
      auto lock = ReadLock();
      auto it = entries_.find(name);
      if (it != entries_.end()) return it->second->log->Append(records);
    }
    if (catalog_ == nullptr || attempt > 0) {
      return NotFoundError("stream " + std::string(name) + " not found");
    }
    RETURN_IF_ERROR(LoadShared(name));  // created through another replica?
  }
}

StatusOr<StreamEntryInfo> StreamRegistry::Describe(std::string_view name) {
  // The catalog is asked every time: a stream another replica deleted is
  // gone here too. Borrowed logs are not listed there.
  if (catalog_ != nullptr) {
    bool borrowed = false;
    {
      auto lock = ReadLock();
      auto it = entries_.find(name);
      borrowed = it != entries_.end() && it->second->info.borrowed;
    }
    if (!borrowed) RETURN_IF_ERROR(LoadShared(name));
  }
  auto lock = ReadLock();
  auto it = entries_.find(name);
  if (it == entries_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  return it->second->info;
}

StatusOr<std::vector<StreamEntryInfo>> StreamRegistry::List() {
  if (catalog_ != nullptr) {
    ASSIGN_OR_RETURN(std::vector<StreamEntryInfo> listed, catalog_->List());
    auto lock = WriteLock();
    std::set<std::string, std::less<>> names;
    for (const StreamEntryInfo& info : listed) {
      names.insert(info.name);
      if (entries_.count(info.name) == 0) RETURN_IF_ERROR(OpenShared(info));
    }
    std::vector<std::string> unlisted;
    for (const auto& [name, entry] : entries_) {
      if (names.count(name) == 0) unlisted.push_back(name);
    }
    for (const std::string& name : unlisted) DropUnlisted(name);
  }
  auto lock = ReadLock();
  std::vector<StreamEntryInfo> out;
  for (const auto& [name, entry] : entries_) out.push_back(entry->info);
  return out;
}

StatusOr<EventLog*> StreamRegistry::Acquire(std::string_view name, const std::string& reader) {
  if (catalog_ != nullptr) {
    bool known = false;
    {
      auto lock = ReadLock();
      known = entries_.count(name) > 0;
    }
    if (!known) RETURN_IF_ERROR(LoadShared(name));
  }
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
