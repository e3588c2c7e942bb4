#include "pantry/cli/sql_flags.h"

#include <cctype>

namespace pantry::cli {
namespace {

namespace kda = stream::kda;

// "DEST=GROUP" or "DEST=GROUP:RECORD_ID"; DEST as SQL names it (unquoted
// names are matched upper-cased, like KDA).
Status AddSink(const std::string& arg, kda::CompileOptions* options) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    return InvalidArgumentError("--sink '" + arg + "': expected DEST=FEATURE_GROUP[:RECORD_ID]");
  }
  std::string dest = arg.substr(0, eq);
  if (dest.size() >= 2 && dest.front() == '"' && dest.back() == '"') {
    dest = dest.substr(1, dest.size() - 2);
  } else {
    for (char& c : dest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::string group = arg.substr(eq + 1), id;
  if (size_t colon = group.find(':'); colon != std::string::npos) {
    id = group.substr(colon + 1);
    group = group.substr(0, colon);
  }
  options->sinks[dest] = {group, id};
  return Status::Ok();
}

}  // namespace

void AddSqlAppFlags(CLI::App* cmd, SqlAppFlags* flags) {
  cmd->add_option("--input-schema", flags->input_schema,
                  "InputSchema JSON, RecordColumns list or describe-application output "
                  "(default: JSON keys matched to columns ignoring case)");
  cmd->add_option("--source-stream", flags->source_stream,
                  "Event-log stream the input is read from (default: the input ARN's "
                  "stream name, else click_stream)");
  cmd->add_option("--sink", flags->sinks,
                  "DEST=FEATURE_GROUP[:RECORD_ID]: write a destination stream to a feature "
                  "group (repeatable)");
  cmd->add_flag("--kda-case", flags->kda_case,
                "Keep unquoted output names upper-case as KDA prints them (default: "
                "lower-case, as feature groups and JSON events name them)");
}

StatusOr<std::vector<kda::CompiledPump>> CompileSqlApp(const SqlAppFlags& flags) {
  kda::CompileOptions options;
  if (!flags.source_stream.empty()) options.source_stream = flags.source_stream;
  options.lower_case_names = !flags.kda_case;
  for (const std::string& s : flags.sinks) RETURN_IF_ERROR(AddSink(s, &options));
  return kda::LoadApplication(flags.app, flags.input_schema, options);
}

}  // namespace pantry::cli
