// The file format of the retrieval models (als, item_knn, popularity): a
// versioned, checksummed container of named typed arrays, so that each
// model's Save/Load is a list of arrays and every file is validated the
// same way (magic, kind, version, sizes, CRC-32).
//
// Layout, little-endian: "PANTRYAF", uint32 container version (1), uint32
// length + kind ("als", ...), uint32 model format version, uint32 number of
// arrays, then per array: uint32 length + name, uint8 element type, uint64
// element count, the elements; finally uint32 CRC-32 of all preceding bytes.
#ifndef PANTRY_MODELS_ARRAY_FILE_H_
#define PANTRY_MODELS_ARRAY_FILE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

// Collects arrays (copied) and writes them atomically. Not thread-safe.
class ArrayFileWriter {
 public:
  ArrayFileWriter(std::string_view kind, uint32_t version);

  void Add(std::string_view name, std::span<const float> values);
  void Add(std::string_view name, std::span<const uint32_t> values);
  void Add(std::string_view name, std::span<const uint64_t> values);
  void Add(std::string_view name, std::span<const int64_t> values);

  // Atomic write (temporary file + rename + fsync).
  Status Write(const std::filesystem::path& path) const;

 private:
  void AddRaw(std::string_view name, uint8_t type, const void* data, size_t count, size_t size);

  std::string kind_;
  uint32_t version_;
  uint32_t count_ = 0;
  std::string body_;
};

// A file read and validated whole. Not thread-safe.
class ArrayFileReader {
 public:
  // Corruption (naming the path) for a wrong magic or kind, a checksum
  // mismatch, truncation, or a model version above `max_version`.
  static StatusOr<ArrayFileReader> Open(const std::filesystem::path& path, std::string_view kind,
                                        uint32_t max_version);

  uint32_t version() const { return version_; }

  // The array `name`. Corruption if it is missing or of another type; with
  // `expected_count` >= 0, also if its length differs.
  Status Get(std::string_view name, std::vector<float>* out, int64_t expected_count = -1) const;
  Status Get(std::string_view name, std::vector<uint32_t>* out, int64_t expected_count = -1) const;
  Status Get(std::string_view name, std::vector<uint64_t>* out, int64_t expected_count = -1) const;
  Status Get(std::string_view name, std::vector<int64_t>* out, int64_t expected_count = -1) const;

  // Corruption error naming the file, for a model's own consistency checks.
  Status Corrupt(std::string_view why) const;

 private:
  struct Section {
    uint8_t type;
    uint64_t count;
    size_t offset;  // into bytes_
  };
  Status GetRaw(std::string_view name, uint8_t type, size_t size, int64_t expected_count,
                const Section** section) const;

  std::string path_;
  std::string bytes_;
  uint32_t version_ = 0;
  std::map<std::string, Section, std::less<>> sections_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_ARRAY_FILE_H_
