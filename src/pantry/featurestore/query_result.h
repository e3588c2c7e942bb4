// Result of an offline SQL query, and the limits a query runs under.
#ifndef PANTRY_FEATURESTORE_QUERY_RESULT_H_
#define PANTRY_FEATURESTORE_QUERY_RESULT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/featurestore/record.h"

namespace pantry::featurestore {

// The SQL an offline store runs: what `pantry query` accepts and what code
// that builds SQL must stay within. pantry's own generated SQL (datasets,
// training queries) is written to run unchanged on both; each group table
// has a `rowid` column (SQLite's implicit one, an identity column in
// PostgreSQL) that orders rows by write.
enum class SqlDialect { kSqlite, kPostgres };

struct QueryResult {
  std::vector<std::string> column_names;
  // Each row has column_names.size() values; SQL NULL is an absent
  // FeatureValue, INTEGER int, REAL double, TEXT/BLOB string.
  std::vector<std::vector<FeatureValue>> rows;

  // Index of a column by name, or -1.
  int ColumnIndex(std::string_view name) const;
};

// Bounds on one read-only query (FeatureStore::Query/QueryEach), so a
// hostile or careless statement (a runaway recursive CTE, randomblob of a
// gigabyte) ends with a clear error instead of running until killed. Every
// query is additionally read-only by authorizer, in SQLite's defensive mode
// and without the FTS3 tokenizer function, whatever the limits.
struct QueryLimits {
  // Wall-clock budget per statement, checked by SQLite's progress handler;
  // 0 = none (datasets scan whole groups). `pantry query --timeout`.
  int64_t timeout_ms = 0;
  // Longest string, blob or row a query may build (SQLITE_LIMIT_LENGTH).
  int64_t max_length_bytes = 64LL << 20;
  // Ceiling on SQLite's heap for the whole process
  // (sqlite3_hard_heap_limit64); 0 = none. Process-wide, so only a process
  // that does nothing but query (`pantry query --max-memory`) sets it.
  int64_t heap_limit_bytes = 0;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_QUERY_RESULT_H_
