// libFuzzer harness: event-log recovery. The input becomes the only segment
// of a one-shard stream; opening must truncate whatever is torn or corrupt
// and every record read back must be whole.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "pantry/stream/event_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  static const fs::path home =
      fs::temp_directory_path() / ("pantry_fuzz_log_" + std::to_string(::getpid()));
  fs::remove_all(home);
  pantry::stream::EventLogOptions options;
  options.shards = 1;
  options.fsync = pantry::stream::FsyncMode::kNever;
  {
    auto log = pantry::stream::EventLog::OpenFile(home, "s", options);
    if (!log.ok()) return 0;
  }
  // The shard's one segment, whatever its directory layout.
  for (const auto& entry : fs::recursive_directory_iterator(home)) {
    if (entry.path().extension() == ".log") {
      std::ofstream(entry.path(), std::ios::binary | std::ios::trunc)
          .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
  }
  auto log = pantry::stream::EventLog::OpenFile(home, "s", options);
  if (log.ok()) {
    auto records = (*log)->Read(0, 0, 10000);
    pantry::stream::AppendRecord record{"k", "{}"};
    (void)(*log)->Append({&record, 1});
  }
  return 0;
}
