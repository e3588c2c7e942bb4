// Loading a KDA SQL application as a user exports it from AWS: the SQL file,
// an InputSchema JSON, or the whole output of `aws kinesisanalytics
// describe-application` (application code, input schema and stream names in
// one file). This is what `pantry sql explain`, `pantry window --sql`,
// `pantry stream run --sql` and `pantry serve --sql` read.
#ifndef PANTRY_STREAM_KDA_APPLICATION_H_
#define PANTRY_STREAM_KDA_APPLICATION_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/kda_sql_compiler.h"

namespace pantry::stream::kda {

// What an exported JSON document says about an application. Every part is
// optional: an InputSchema alone has only `columns`.
struct ApplicationExport {
  std::string code;  // ApplicationCode
  bool has_schema = false;
  std::vector<InputColumn> columns;
  std::string in_app_input;  // e.g. "SOURCE_SQL_STREAM_001"
  std::string input_stream;  // the Kinesis stream's name, from its ARN
  // Output in-application stream -> destination (stream or function) name.
  std::vector<std::pair<std::string, std::string>> outputs;
};

// Accepts describe-application output (API v1 or v2, with or without the
// "ApplicationDetail" wrapper), a CreateApplication request ("Inputs"), an
// object with "InputSchema", an InputSchema ({"RecordColumns": [...]}) or a
// bare list of RecordColumns. Refused: CSV input, a RecordRowPath other than
// "$", more than one input. Errors name the JSON location.
StatusOr<ApplicationExport> ParseApplicationExport(const Json& json);

// Reads `app` (SQL text, or an exported JSON with the application code) and,
// if not empty, `input_schema` (any of the JSON forms above), fills the
// options' input columns, input stream names and (unless already set by the
// caller) the event-log stream from the export, and compiles. SQL errors are
// prefixed with the file name: "app.sql: line 3, column 8: ...".
StatusOr<std::vector<CompiledPump>> LoadApplication(const std::filesystem::path& app,
                                                    const std::filesystem::path& input_schema,
                                                    CompileOptions options);

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_APPLICATION_H_
