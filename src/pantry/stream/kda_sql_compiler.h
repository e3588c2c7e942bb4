// Compiles a KDA SQL application into pantry window specs: one spec per pump
// that aggregates (stagger, tumbling or sliding window). Pumps that only
// filter or project into an in-application stream are folded into the
// queries that read that stream. The spec's JSON is the result; the
// WindowSpec is parsed back from it, so every compiled application is also a
// plain spec file (`pantry sql explain` prints it). docs/kda-sql.md.
#ifndef PANTRY_STREAM_KDA_SQL_COMPILER_H_
#define PANTRY_STREAM_KDA_SQL_COMPILER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_ast.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream::kda {

// One RecordColumn of a KDA InputSchema.
struct InputColumn {
  std::string name;
  std::string sql_type;  // e.g. "VARCHAR(8)"; empty = untyped
  std::string mapping;   // JSONPath, e.g. "$.customer_id"
};

// Where a destination stream's rows go in pantry.
struct SinkMapping {
  std::string feature_group;
  std::string record_identifier;  // empty = the first key column
};

struct CompileOptions {
  // The application's input as SQL sees it, and the event-log stream pantry
  // reads it from.
  std::string source_in_app = "SOURCE_SQL_STREAM_001";
  std::string source_stream = "click_stream";
  // The InputSchema's columns; empty means KDA's default mapping: a column
  // is the top-level JSON key of the same name, ignoring case.
  std::vector<InputColumn> input_columns;
  // Destination in-application stream (as SQL names it, e.g.
  // "DESTINATION_SQL_STREAM") -> feature group. Unmapped destinations have
  // no sink (JSON lines).
  std::map<std::string, SinkMapping> sinks;
  // Unquoted names of output columns and fields are written lower-case (the
  // convention of JSON events and feature groups); false keeps KDA's
  // upper-case names.
  bool lower_case_names = true;
};

struct CompiledPump {
  std::string pump;         // the pump's name
  std::string destination;  // the stream it inserts into
  OrderedJson spec_json;
  WindowSpec spec;  // WindowSpec::FromJson(spec_json)
};

// Errors point into the SQL text (line, column, caret) and name the construct.
StatusOr<std::vector<CompiledPump>> CompileApplication(const Application& app,
                                                       const CompileOptions& options);
// ParseApplication + CompileApplication.
StatusOr<std::vector<CompiledPump>> CompileSql(std::string_view sql, const CompileOptions& options);

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_SQL_COMPILER_H_
