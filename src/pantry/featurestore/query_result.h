// Result of an offline SQL query.
#ifndef PANTRY_FEATURESTORE_QUERY_RESULT_H_
#define PANTRY_FEATURESTORE_QUERY_RESULT_H_

#include <string>
#include <string_view>
#include <vector>

#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

struct QueryResult {
  std::vector<std::string> column_names;
  // Each row has column_names.size() values; SQL NULL is an absent
  // FeatureValue, INTEGER int, REAL double, TEXT/BLOB string.
  std::vector<std::vector<FeatureValue>> rows;

  // Index of a column by name, or -1.
  int ColumnIndex(std::string_view name) const;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_QUERY_RESULT_H_
