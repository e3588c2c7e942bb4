// `pantry sql explain`: compiles a Kinesis Data Analytics SQL application
// (docs/kda-sql.md) and prints the window specs it becomes.
#include <cctype>
#include <filesystem>
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/stream/kda_application.h"

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;
namespace kda = stream::kda;

struct ExplainOptions {
  std::string app;
  std::string input_schema;
  std::string source_stream;
  std::vector<std::string> sinks;
  bool kda_case = false;
  std::string out_dir;
};

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

Status RunExplain(const ExplainOptions& o) {
  kda::CompileOptions options;
  if (!o.source_stream.empty()) options.source_stream = o.source_stream;
  options.lower_case_names = !o.kda_case;
  for (const std::string& s : o.sinks) RETURN_IF_ERROR(AddSink(s, &options));
  ASSIGN_OR_RETURN(auto pumps, kda::LoadApplication(o.app, o.input_schema, options));
  if (!o.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec) return IOError("cannot create " + o.out_dir + ": " + ec.message());
    for (const kda::CompiledPump& p : pumps) {
      const fs::path path = fs::path(o.out_dir) / (p.spec.name + ".json");
      RETURN_IF_ERROR(WriteFileAtomic(path, DumpJson(p.spec_json, 2) + "\n"));
      std::cout << "pump " << p.pump << " -> " << p.destination << ": " << path.string() << "\n";
    }
    return Status::Ok();
  }
  if (pumps.size() == 1) {
    std::cout << DumpJson(pumps[0].spec_json, 2) << "\n";
    return Status::Ok();
  }
  OrderedJson all = OrderedJson::array();
  for (const kda::CompiledPump& p : pumps) all.push_back(p.spec_json);
  std::cout << DumpJson(all, 2) << "\n";
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& /*globals*/) {
  CLI::App* sql = app.add_subcommand("sql", "Kinesis Data Analytics SQL applications");
  sql->require_subcommand(1);
  CLI::App* explain = sql->add_subcommand(
      "explain", "Compile a KDA SQL application and print the window spec(s) it becomes");
  auto* o = new ExplainOptions();
  explain
      ->add_option("app", o->app,
                   "The application code (.sql), or describe-application output (.json)")
      ->required();
  explain->add_option("--input-schema", o->input_schema,
                      "InputSchema JSON, RecordColumns list or describe-application output "
                      "(default: JSON keys matched to columns ignoring case)");
  explain->add_option("--source-stream", o->source_stream,
                      "Event-log stream the input is read from (default: the input ARN's "
                      "stream name, else click_stream)");
  explain->add_option("--sink", o->sinks,
                      "DEST=FEATURE_GROUP[:RECORD_ID]: write a destination stream to a feature "
                      "group (repeatable)");
  explain->add_flag("--kda-case", o->kda_case,
                    "Keep unquoted output names upper-case as KDA prints them (default: "
                    "lower-case, as feature groups and JSON events name them)");
  explain->add_option("--out-dir", o->out_dir, "Write <spec name>.json files here instead");
  SetAction(explain, [o] { return RunExplain(*o); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(sql, Setup);

}  // namespace pantry::cli
