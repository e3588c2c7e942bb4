// libFuzzer harness: the CSV reader (quoting, embedded newlines, BOM, ragged
// rows) over arbitrary bytes must return rows or a Status, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pantry/common/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader =
      pantry::CsvReader::FromString(std::string(reinterpret_cast<const char*>(data), size));
  if (!reader.ok()) return 0;
  pantry::CsvRecord record;
  for (int rows = 0; rows < 100000; ++rows) {
    auto more = (*reader)->ReadRecord(&record);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
