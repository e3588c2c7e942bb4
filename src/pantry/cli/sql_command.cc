// `pantry sql explain`: compiles a Kinesis Data Analytics SQL application
// (docs/kda-sql.md) and prints the window specs it becomes.
#include <filesystem>
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/cli/sql_flags.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/stream/kda_application.h"

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;
namespace kda = stream::kda;

struct ExplainOptions {
  SqlAppFlags app;
  std::string out_dir;
};

Status RunExplain(const ExplainOptions& o) {
  ASSIGN_OR_RETURN(auto pumps, CompileSqlApp(o.app));
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
  auto* o = NewCommandFlags<ExplainOptions>();
  explain
      ->add_option("app", o->app.app,
                   "The application code (.sql), or describe-application output (.json)")
      ->required();
  AddSqlAppFlags(explain, &o->app);
  explain->add_option("--out-dir", o->out_dir, "Write <spec name>.json files here instead");
  SetAction(explain, [o] { return RunExplain(*o); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(sql, Setup);

}  // namespace pantry::cli
