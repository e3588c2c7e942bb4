// The window-spec keys that KDA SQL needs beyond plain specs (docs/stream.md
// and docs/kda-sql.md describe them):
//
//   "field_case": "insensitive"      JSON keys match field names ignoring case
//                                    (KDA's default mapping of JSON to columns)
//   "columns": {"CUSTOMER_ID": {"mapping": "$.customer.id", "type": "VARCHAR(8)"}}
//                                    input columns from a KDA InputSchema: a
//                                    JSON path and an optional SQL type that
//                                    values are coerced to
//   "computed": ["price * qty AS amount"]
//                                    per-event columns (aggregation inputs or
//                                    keys), in order; each may use earlier ones
//   "filter": "activity_type IN ('purchase') AND weight > 0"
//                                    events for which this is not TRUE are
//                                    skipped (they still move time forward)
//   "select": ["ROWTIME AS t", {"expr": "CAST(total AS INTEGER)", "as": "n",
//              "type": "INTEGER"}]   the output columns, computed per row from
//                                    the key parts, the aggregations (by output
//                                    name), ROWTIME (the emission time),
//                                    WINDOW_START and WINDOW_END
//
// Expressions use the KDA SQL expression syntax (kda_sql_parser.h); a quoted
// identifier matches a name exactly, an unquoted one exactly or else ignoring
// case.
#ifndef PANTRY_STREAM_KDA_SQL_SPEC_H_
#define PANTRY_STREAM_KDA_SQL_SPEC_H_

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/event.h"
#include "pantry/stream/kda_sql_ast.h"
#include "pantry/stream/kda_sql_eval.h"
#include "pantry/stream/window_aggregator.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

struct SqlSpecExtensions {
  struct PathStep {
    std::string key;  // object member, or
    int index = -1;   // array element when >= 0
  };
  struct Column {
    std::string name;
    std::string mapping;  // "$.a.b[0]"
    std::vector<PathStep> path;
    bool typed = false;
    kda::SqlType type;
  };
  struct Computed {
    std::string name;
    std::string sql;
    kda::ExprPtr expr;  // bound to event slots
  };
  struct Projection {
    std::string name;
    std::string sql;
    std::string type;   // declared SQL type (the destination column's), may be empty
    kda::ExprPtr expr;  // bound to row slots
  };
  // A value read from the event: a mapped column, or a top-level JSON key.
  struct Input {
    std::string name;
    int column = -1;  // index into columns, or -1 for a JSON key
  };

  bool case_insensitive = false;
  std::vector<Column> columns;
  std::vector<Computed> computed;
  std::string filter_sql;
  kda::ExprPtr filter;
  std::vector<Projection> select;

  // Event slots: [0, computed.size()) computed columns, then one per input.
  std::vector<Input> inputs;
  std::unordered_map<std::string, std::vector<int>> inputs_by_lower_name;
  std::vector<int> key_slots;    // per WindowSpec::partition_by part
  std::vector<int> value_slots;  // per WindowSpec::value_fields entry
  int time_slot = -1;            // event-time basis only
  // The filter reads computed columns (so they are evaluated before it).
  bool filter_uses_computed = false;
};

// Reads the extension keys of a spec's JSON into spec->sql (left null when
// there are none) and resolves every field the spec uses against them. Runs
// after the core keys are parsed (WindowSpec::FromJson). Errors name the key.
Status ParseSqlSpecExtensions(const Json& json, WindowSpec* spec);

// EventParser's path for specs with extensions: like the plain path, but
// fields are resolved through columns, computed columns and field_case, and
// an event failing the filter is returned with `skip` set.
bool ParseSqlEvent(const WindowSpec& spec, const Json& json, int64_t arrival_micros,
                   ParsedEvent* out, Rejection* rejection);

// The "select" columns of a row, in order; an expression that fails (e.g. a
// failed CAST) gives NULL.
std::vector<std::pair<std::string, kda::SqlValue>> ProjectRow(const WindowSpec& spec,
                                                              const EmittedRow& row);

// How a "select" column is stored in a feature group: by its declared SQL
// type, else by what its expression yields (counts and integer arithmetic
// Integral, other numbers Fractional, everything else String).
enum class SqlColumnClass { kIntegral, kFractional, kString };
std::vector<SqlColumnClass> SelectColumnClasses(const WindowSpec& spec);

// RowToJson for a spec with "select": the emission fields, then the columns.
OrderedJson SqlRowToJson(const WindowSpec& spec, const EmittedRow& row, bool with_id);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_KDA_SQL_SPEC_H_
