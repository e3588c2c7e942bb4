// The value format of an online record, shared by every online backend:
//   u8 version (1) | u8 flags (bit 0: soft-deleted tombstone)
//   | i64 event_time_micros | i64 expires_at_micros (0 = never) | u32 n
//   | n x (u16 name_len, name, u8 type (0 null, 1 int64, 2 double, 3 string),
//          payload: 8 bytes | 8 bytes | u32 len + bytes)
// little-endian (common/coding.h). Self-describing, so reads need no schema
// lookup.
#ifndef PANTRY_FEATURESTORE_ONLINE_RECORD_H_
#define PANTRY_FEATURESTORE_ONLINE_RECORD_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "pantry/common/coding.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

struct OnlineRecordHeader {
  int64_t event_time_micros = 0;
  int64_t expires_at_micros = 0;  // 0 = never
  bool deleted = false;
};

void EncodeOnlineRecord(const OnlineRecordHeader& header, const Record& record, std::string* out);
StatusOr<OnlineRecordHeader> DecodeOnlineRecordHeader(std::string_view data);
// Decodes the fields, keeping only `feature_names` if not empty (in the
// order stored).
Status DecodeOnlineRecord(std::string_view data, std::span<const std::string> feature_names,
                          Record* record);

// One field of an encoded record, viewing its bytes (valid while `data` is).
struct OnlineFieldView {
  std::string_view name;
  enum class Type : uint8_t { kNull = 0, kInt = 1, kDouble = 2, kString = 3 } type = Type::kNull;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view string_value;
};
// Calls `visit` for each field, in the order stored, without copying
// anything (for writing a response straight from the stored bytes).
// Corruption for a malformed value; `visit` may have seen some fields.
Status ForEachOnlineField(std::string_view data,
                          const std::function<void(const OnlineFieldView&)>& visit);
// The same walk with `visit` inlined (any callable taking a const
// OnlineFieldView&), for the per-record hot paths; the one parser of the
// format, which ForEachOnlineField and DecodeOnlineRecord use too.
template <typename Visit>
Status VisitOnlineFields(std::string_view data, Visit&& visit);

namespace online_record_internal {

inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 1 + 1 + 8 + 8 + 4;
inline constexpr size_t kFieldCountOffset = 18;
// Out of line: the error path stays out of the inlined loop.
Status MalformedValue();

}  // namespace online_record_internal

template <typename Visit>
Status VisitOnlineFields(std::string_view data, Visit&& visit) {
  using online_record_internal::MalformedValue;
  if (data.size() < online_record_internal::kHeaderBytes ||
      static_cast<uint8_t>(data[0]) != online_record_internal::kVersion) {
    return MalformedValue();
  }
  // Raw pointers: one bounds check per read, with nothing to update twice.
  const char* p = data.data() + online_record_internal::kHeaderBytes;
  const char* const end = data.data() + data.size();
  const auto left = [&] { return static_cast<size_t>(end - p); };
  const uint32_t n = DecodeFixed32(data.data() + online_record_internal::kFieldCountOffset);
  for (uint32_t i = 0; i < n; ++i) {
    if (left() < 2) return MalformedValue();
    const size_t name_len = DecodeFixed16(p);
    p += 2;
    if (left() < name_len + 1) return MalformedValue();
    OnlineFieldView field;
    field.name = std::string_view(p, name_len);
    p += name_len;
    const auto type = static_cast<uint8_t>(*p++);
    switch (type) {
      case 0:
        break;
      case 1:
        if (left() < 8) return MalformedValue();
        field.int_value = static_cast<int64_t>(DecodeFixed64(p));
        field.type = OnlineFieldView::Type::kInt;
        p += 8;
        break;
      case 2:
        if (left() < 8) return MalformedValue();
        field.double_value = DoubleFromBits(DecodeFixed64(p));
        field.type = OnlineFieldView::Type::kDouble;
        p += 8;
        break;
      case 3: {
        if (left() < 4) return MalformedValue();
        const uint32_t len = DecodeFixed32(p);
        p += 4;
        if (left() < len) return MalformedValue();
        field.string_value = std::string_view(p, len);
        field.type = OnlineFieldView::Type::kString;
        p += len;
        break;
      }
      default:
        return MalformedValue();
    }
    visit(field);
  }
  return Status::Ok();
}

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_ONLINE_RECORD_H_
