#include "pantry/models/array_file.h"

#include <bit>
#include <cstring>

#include "pantry/common/checksum.h"
#include "pantry/common/file_util.h"

// The file's numbers are little-endian. Whole arrays are copied as they lie
// in memory (a per-element encoder, common/coding.h, would cost a pass over
// hundreds of MB at load), so the host must be little-endian too.
static_assert(std::endian::native == std::endian::little,
              "model files are little-endian; port the array copies to common/coding.h");

namespace pantry::models {
namespace {

constexpr char kMagic[8] = {'P', 'A', 'N', 'T', 'R', 'Y', 'A', 'F'};
constexpr uint32_t kContainerVersion = 1;

enum ElementType : uint8_t { kF32 = 1, kU32 = 2, kU64 = 3, kI64 = 4 };

template <typename T>
void Put(std::string* out, const T& value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutString(std::string* out, std::string_view s) {
  Put(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Bounds-checked cursor over the file's bytes.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetString(std::string_view* out) {
    uint32_t n = 0;
    if (!Get(&n) || bytes_.size() - pos_ < n) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(uint64_t n) {
    if (bytes_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

size_t ElementSize(uint8_t type) {
  switch (type) {
    case kF32:
    case kU32:
      return 4;
    case kU64:
    case kI64:
      return 8;
    default:
      return 0;
  }
}

}  // namespace

ArrayFileWriter::ArrayFileWriter(std::string_view kind, uint32_t version)
    : kind_(kind), version_(version) {}

void ArrayFileWriter::AddRaw(std::string_view name, uint8_t type, const void* data, size_t count,
                             size_t size) {
  PutString(&body_, name);
  Put(&body_, type);
  Put(&body_, static_cast<uint64_t>(count));
  body_.append(static_cast<const char*>(data), count * size);
  ++count_;
}

void ArrayFileWriter::Add(std::string_view name, std::span<const float> values) {
  AddRaw(name, kF32, values.data(), values.size(), sizeof(float));
}
void ArrayFileWriter::Add(std::string_view name, std::span<const uint32_t> values) {
  AddRaw(name, kU32, values.data(), values.size(), sizeof(uint32_t));
}
void ArrayFileWriter::Add(std::string_view name, std::span<const uint64_t> values) {
  AddRaw(name, kU64, values.data(), values.size(), sizeof(uint64_t));
}
void ArrayFileWriter::Add(std::string_view name, std::span<const int64_t> values) {
  AddRaw(name, kI64, values.data(), values.size(), sizeof(int64_t));
}

Status ArrayFileWriter::Write(const std::filesystem::path& path) const {
  std::string out;
  out.reserve(body_.size() + kind_.size() + 32);
  out.append(kMagic, sizeof(kMagic));
  Put(&out, kContainerVersion);
  PutString(&out, kind_);
  Put(&out, version_);
  Put(&out, count_);
  out += body_;
  Put(&out, Crc32(out));
  return WriteFileAtomic(path, out);
}

StatusOr<ArrayFileReader> ArrayFileReader::Open(const std::filesystem::path& path,
                                                std::string_view kind, uint32_t max_version) {
  ArrayFileReader reader;
  reader.path_ = path.string();
  ASSIGN_OR_RETURN(reader.bytes_, ReadFileToString(path));
  const std::string_view bytes = reader.bytes_;
  if (bytes.size() < sizeof(kMagic) + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic))) {
    return reader.Corrupt("missing PANTRYAF header");
  }
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  const std::string_view content = bytes.substr(0, bytes.size() - 4);
  Cursor cursor(content);
  cursor.Skip(sizeof(kMagic));
  uint32_t container = 0, count = 0;
  std::string_view file_kind;
  if (!cursor.Get(&container) || container != kContainerVersion) {
    return reader.Corrupt("container version " + std::to_string(container) +
                          ", this build reads version " + std::to_string(kContainerVersion));
  }
  if (Crc32(content) != stored_crc) {
    return reader.Corrupt("checksum mismatch (truncated or corrupted file)");
  }
  if (!cursor.GetString(&file_kind) || !cursor.Get(&reader.version_) || !cursor.Get(&count)) {
    return reader.Corrupt("truncated header");
  }
  if (file_kind != kind) {
    return reader.Corrupt("holds a '" + std::string(file_kind) + "' model, expected '" +
                          std::string(kind) + "'");
  }
  if (reader.version_ == 0 || reader.version_ > max_version) {
    return reader.Corrupt("model format version " + std::to_string(reader.version_) +
                          ", this build reads versions 1 to " + std::to_string(max_version));
  }
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name;
    Section section{};
    if (!cursor.GetString(&name) || !cursor.Get(&section.type) || !cursor.Get(&section.count)) {
      return reader.Corrupt("truncated array header");
    }
    const size_t size = ElementSize(section.type);
    if (size == 0) return reader.Corrupt("unknown element type in array " + std::string(name));
    section.offset = cursor.pos();
    if (section.count > content.size() / size || !cursor.Skip(section.count * size)) {
      return reader.Corrupt("array " + std::string(name) + " is truncated");
    }
    reader.sections_.emplace(std::string(name), section);
  }
  if (cursor.pos() != content.size()) return reader.Corrupt("trailing bytes");
  return reader;
}

Status ArrayFileReader::Corrupt(std::string_view why) const {
  return CorruptionError(path_ + ": not a valid pantry retrieval model file: " + std::string(why));
}

Status ArrayFileReader::GetRaw(std::string_view name, uint8_t type, size_t size,
                               int64_t expected_count, const Section** section) const {
  auto it = sections_.find(name);
  if (it == sections_.end()) return Corrupt("missing array " + std::string(name));
  if (it->second.type != type) return Corrupt("array " + std::string(name) + " has another type");
  if (expected_count >= 0 && it->second.count != static_cast<uint64_t>(expected_count)) {
    return Corrupt("array " + std::string(name) + " has " + std::to_string(it->second.count) +
                   " elements, expected " + std::to_string(expected_count));
  }
  *section = &it->second;
  return Status::Ok();
}

#define PANTRY_ARRAY_GET(T, TYPE)                                                                 \
  Status ArrayFileReader::Get(std::string_view name, std::vector<T>* out, int64_t expected_count) \
      const {                                                                                     \
    const Section* s = nullptr;                                                                   \
    RETURN_IF_ERROR(GetRaw(name, TYPE, sizeof(T), expected_count, &s));                           \
    out->resize(s->count);                                                                        \
    if (s->count) std::memcpy(out->data(), bytes_.data() + s->offset, s->count * sizeof(T));      \
    return Status::Ok();                                                                          \
  }
PANTRY_ARRAY_GET(float, kF32)
PANTRY_ARRAY_GET(uint32_t, kU32)
PANTRY_ARRAY_GET(uint64_t, kU64)
PANTRY_ARRAY_GET(int64_t, kI64)
#undef PANTRY_ARRAY_GET

}  // namespace pantry::models
