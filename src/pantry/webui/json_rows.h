// Feature-store values and query results as JSON, and query parameters, for
// the web UI's endpoints.
#ifndef PANTRY_WEBUI_JSON_ROWS_H_
#define PANTRY_WEBUI_JSON_ROWS_H_

#include <string_view>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/query_result.h"
#include "pantry/featurestore/record.h"
#include "pantry/server/http_message.h"

namespace pantry::webui {

// null, a number or a string, as the value is typed.
OrderedJson ValueToJson(const featurestore::FeatureValue& value);
// {"feature": value, ...} in the record's order.
OrderedJson RecordToJson(const featurestore::Record& record);
// One object per row, keyed by column name.
OrderedJson RowsToObjects(const featurestore::QueryResult& result);

// A decimal integer query parameter in [min, max], or `fallback` if absent.
StatusOr<int> IntParam(const server::HttpRequest& request, std::string_view name, int fallback,
                       int min, int max);
// A number query parameter, or `fallback` if absent.
StatusOr<double> DoubleParam(const server::HttpRequest& request, std::string_view name,
                             double fallback);
// A query parameter's value, or "" if absent.
std::string StringParam(const server::HttpRequest& request, std::string_view name);

}  // namespace pantry::webui

#endif  // PANTRY_WEBUI_JSON_ROWS_H_
