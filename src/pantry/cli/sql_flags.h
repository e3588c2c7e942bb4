// The flags that name a KDA SQL application (docs/kda-sql.md), shared by
// `pantry sql explain`, `pantry window --sql` and `pantry stream run --sql`.
#ifndef PANTRY_CLI_SQL_FLAGS_H_
#define PANTRY_CLI_SQL_FLAGS_H_

#include <string>
#include <vector>

#include "pantry/cli/command.h"
#include "pantry/stream/kda_application.h"

namespace pantry::cli {

struct SqlAppFlags {
  std::string app;  // .sql, or describe-application output (.json)
  std::string input_schema;
  std::string source_stream;
  std::vector<std::string> sinks;  // DEST=FEATURE_GROUP[:RECORD_ID]
  bool kda_case = false;
};

// Adds --input-schema, --source-stream, --sink and --kda-case (the app itself
// is added by the caller: positional for explain, --sql elsewhere).
void AddSqlAppFlags(CLI::App* cmd, SqlAppFlags* flags);

// Reads and compiles the application. Errors name the file, line and column.
StatusOr<std::vector<stream::kda::CompiledPump>> CompileSqlApp(const SqlAppFlags& flags);

}  // namespace pantry::cli

#endif  // PANTRY_CLI_SQL_FLAGS_H_
