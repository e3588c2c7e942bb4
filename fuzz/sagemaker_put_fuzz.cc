// libFuzzer harness: a SageMaker PutRecord body ({"Record": [...]}) as the
// server reads it: JSON, the record list, then typed values for a group
// with String, Integral and Fractional (event time) features.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pantry/common/json.h"
#include "pantry/featurestore/feature_group.h"
#include "pantry/featurestore/record_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pantry::featurestore;
  static const FeatureGroupDefinition group = [] {
    FeatureGroupDefinition g;
    g.name = "g";
    g.record_identifier_name = "id";
    g.event_time_name = "event_time";
    g.features = {{"id", FeatureType::kString},
                  {"event_time", FeatureType::kFractional},
                  {"n", FeatureType::kIntegral}};
    return g;
  }();
  auto body = pantry::ParseJson(std::string_view(reinterpret_cast<const char*>(data), size),
                                "request body");
  if (!body.ok() || !body->is_object()) return 0;
  auto it = body->find("Record");
  if (it == body->end()) return 0;
  auto values = RecordFromJsonList(*it);
  if (!values.ok()) return 0;
  auto record = ParseRecord(group, *values);
  if (record.ok()) (void)ValidateRecord(group, *record);
  return 0;
}
