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

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_ONLINE_RECORD_H_
