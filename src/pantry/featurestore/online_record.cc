#include "pantry/featurestore/online_record.h"

#include <algorithm>

#include "pantry/common/coding.h"

namespace pantry::featurestore {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderBytes = 1 + 1 + 8 + 8 + 4;

Status Corrupt() { return CorruptionError("malformed online record value"); }

}  // namespace

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
  if (data.size() < kHeaderBytes || static_cast<uint8_t>(data[0]) != kVersion) return Corrupt();
  OnlineRecordHeader h;
  h.deleted = (data[1] & 1) != 0;
  h.event_time_micros = static_cast<int64_t>(DecodeFixed64(data.data() + 2));
  h.expires_at_micros = static_cast<int64_t>(DecodeFixed64(data.data() + 10));
  return h;
}

namespace {

// The one parser of the field list, inlined into both users.
template <typename Visit>
Status ParseFields(std::string_view data, Visit&& visit) {
  if (data.size() < kHeaderBytes || static_cast<uint8_t>(data[0]) != kVersion) return Corrupt();
  std::string_view in = data.substr(18);
  uint32_t n = 0;
  if (!GetFixed32(&in, &n)) return Corrupt();
  for (uint32_t i = 0; i < n; ++i) {
    uint16_t name_len = 0;
    if (!GetFixed16(&in, &name_len) || in.size() < name_len + 1u) return Corrupt();
    OnlineFieldView field;
    field.name = in.substr(0, name_len);
    in.remove_prefix(name_len);
    const uint8_t type = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    switch (type) {
      case 0:
        break;
      case 1:
        if (!GetFixedI64(&in, &field.int_value)) return Corrupt();
        field.type = OnlineFieldView::Type::kInt;
        break;
      case 2:
        if (!GetDouble(&in, &field.double_value)) return Corrupt();
        field.type = OnlineFieldView::Type::kDouble;
        break;
      case 3: {
        uint32_t len = 0;
        if (!GetFixed32(&in, &len) || in.size() < len) return Corrupt();
        field.string_value = in.substr(0, len);
        field.type = OnlineFieldView::Type::kString;
        in.remove_prefix(len);
        break;
      }
      default:
        return Corrupt();
    }
    visit(field);
  }
  return Status::Ok();
}

}  // namespace

Status DecodeOnlineRecord(std::string_view data, std::span<const std::string> feature_names,
                          Record* record) {
  auto& fields = record->mutable_fields();
  fields.clear();
  if (data.size() >= kHeaderBytes) {
    fields.reserve(feature_names.empty() ? DecodeFixed32(data.data() + 18) : feature_names.size());
  }
  return ParseFields(data, [&](const OnlineFieldView& field) {
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
  return ParseFields(data, visit);
}

}  // namespace pantry::featurestore
