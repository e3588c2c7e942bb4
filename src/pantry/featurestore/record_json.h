// The JSON forms of a record, in one place for the HTTP feature store API
// (server/featurestore_api.cc) and the CLI (`pantry get`, `pantry put`):
//
//   SageMaker's record list  [{"FeatureName": "customer_id", "ValueAsString": "C1"}, ...]
//     the "Record" member of PutRecord bodies, GetRecord answers and
//     BatchGetRecord items; `pantry get` prints {"Record": [...]}.
//   pantry's short form      {"customer_id": "C1", "age": 42}
//     accepted by `pantry put --record` besides the SageMaker forms.
//
// Values travel as strings (the wire form); ParseRecord (feature_group.h)
// types them by the group's definitions.
#ifndef PANTRY_FEATURESTORE_RECORD_JSON_H_
#define PANTRY_FEATURESTORE_RECORD_JSON_H_

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

// (FeatureName, ValueAsString) pairs in the order given.
using RecordStrings = std::vector<std::pair<std::string, std::string>>;

// The SageMaker record list of `record`: its non-null fields in order.
OrderedJson RecordToJsonList(const Record& record);
// Appends the same list as JSON text, exactly DumpJson(RecordToJsonList(r)),
// without building a Json value (the GetRecord response path).
void AppendRecordJsonList(const Record& record, std::string* out);
// The same list for a record in the online encoding (online_record.h),
// written straight from its bytes: what AppendRecordJsonList writes for
// the record DecodeOnlineRecord(encoded, feature_names) would return, with
// no Record in between (the BatchGetRecord response path). Corruption for
// a malformed value, with *out then unspecified.
Status AppendOnlineRecordJsonList(std::string_view encoded,
                                  std::span<const std::string> feature_names, std::string* out);

// Parses a SageMaker record list. InvalidArgument if `list` is not a
// non-empty array, or naming the entry that is not an object with string
// FeatureName and ValueAsString ("Record[2]: missing field 'ValueAsString'").
StatusOr<RecordStrings> RecordFromJsonList(const Json& list);

// Parses what `pantry put --record` takes: {"Record": [...]}, the bare list,
// or the short form, whose values must be strings or numbers (integers as
// written, other numbers as FeatureValue::Double prints them; nulls are
// skipped) and which comes back in key order. Errors start with `what`.
StatusOr<RecordStrings> ParseRecordJson(std::string_view text, std::string_view what);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_RECORD_JSON_H_
