#include "pantry/featurestore/sql_quote.h"

namespace pantry::featurestore {
namespace {

std::string Quote(char quote, std::string_view text) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::string QuoteSqlIdentifier(std::string_view name) { return Quote('"', name); }

std::string QuoteSqlString(std::string_view text) { return Quote('\'', text); }

}  // namespace pantry::featurestore
