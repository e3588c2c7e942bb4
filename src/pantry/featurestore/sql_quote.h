// Quoting for SQL text built by code: the offline store's DDL and inserts,
// and the queries other code runs through FeatureStore::Query. Standard SQL
// (and SQLite) quoting: the text inside the quotes with each quote doubled.
#ifndef PANTRY_FEATURESTORE_SQL_QUOTE_H_
#define PANTRY_FEATURESTORE_SQL_QUOTE_H_

#include <string>
#include <string_view>

namespace pantry::featurestore {

// "name": a table or column name, whatever characters it holds.
std::string QuoteSqlIdentifier(std::string_view name);

// 'text': a string literal.
std::string QuoteSqlString(std::string_view text);

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_SQL_QUOTE_H_
