#include "pantry/featurestore/online_record.h"

#include <algorithm>

#include "pantry/common/coding.h"

namespace pantry::featurestore {
using online_record_internal::kHeaderBytes;
using online_record_internal::kVersion;
using online_record_internal::MalformedValue;

namespace online_record_internal {

Status MalformedValue() { return CorruptionError("malformed online record value"); }

}  // namespace online_record_internal

void EncodeOnlineRecord(const OnlineRecordHeader& header, const Record& record, std::string* out) {
  out->clear();
  // One allocation instead of a growth sequence (this runs per ingested row).
  size_t size = kHeaderBytes;
  for (const Record::Field& f : record.fields()) {
    size += 2 + f.name.size() + 1;
    size += f.value.is_string() ? 4 + f.value.string_value().size() : 8;
  }
  out->reserve(size);
  out->push_back(static_cast<char>(kVersion));
  out->push_back(static_cast<char>(header.deleted ? 1 : 0));
  PutFixedI64(out, header.event_time_micros);
  PutFixedI64(out, header.expires_at_micros);
  PutFixed32(out, static_cast<uint32_t>(record.size()));
  for (const Record::Field& f : record.fields()) {
    PutFixed16(out, static_cast<uint16_t>(f.name.size()));
    out->append(f.name);
    const FeatureValue& v = f.value;
    if (v.is_int()) {
      out->push_back(1);
      PutFixedI64(out, v.int_value());
    } else if (v.is_double()) {
      out->push_back(2);
      PutDouble(out, v.double_value());
    } else if (v.is_string()) {
      out->push_back(3);
      PutFixed32(out, static_cast<uint32_t>(v.string_value().size()));
      out->append(v.string_value());
    } else {
      out->push_back(0);
    }
  }
}

StatusOr<OnlineRecordHeader> DecodeOnlineRecordHeader(std::string_view data) {
  if (data.size() < kHeaderBytes || static_cast<uint8_t>(data[0]) != kVersion)
    return MalformedValue();
  OnlineRecordHeader h;
  h.deleted = (data[1] & 1) != 0;
  h.event_time_micros = static_cast<int64_t>(DecodeFixed64(data.data() + 2));
  h.expires_at_micros = static_cast<int64_t>(DecodeFixed64(data.data() + 10));
  return h;
}

Status DecodeOnlineRecord(std::string_view data, std::span<const std::string> feature_names,
                          Record* record) {
  auto& fields = record->mutable_fields();
  fields.clear();
  if (data.size() >= kHeaderBytes) {
    // A field takes at least 3 bytes: a damaged count must not reserve
    // gigabytes (std::bad_alloc) before the parser reports Corruption.
    const size_t stored = std::min<size_t>(
        DecodeFixed32(data.data() + online_record_internal::kFieldCountOffset), data.size() / 3);
    fields.reserve(feature_names.empty() ? stored : std::min(stored, feature_names.size()));
  }
  return VisitOnlineFields(data, [&](const OnlineFieldView& field) {
    if (!feature_names.empty() &&
        std::find(feature_names.begin(), feature_names.end(), field.name) == feature_names.end()) {
      return;
    }
    FeatureValue value;
    switch (field.type) {
      case OnlineFieldView::Type::kNull:
        break;
      case OnlineFieldView::Type::kInt:
        value = FeatureValue::Int(field.int_value);
        break;
      case OnlineFieldView::Type::kDouble:
        value = FeatureValue::Double(field.double_value);
        break;
      case OnlineFieldView::Type::kString:
        value = FeatureValue::String(std::string(field.string_value));
        break;
    }
    fields.push_back({std::string(field.name), std::move(value)});
  });
}

Status ForEachOnlineField(std::string_view data,
                          const std::function<void(const OnlineFieldView&)>& visit) {
  return VisitOnlineFields(data, visit);
}

}  // namespace pantry::featurestore
