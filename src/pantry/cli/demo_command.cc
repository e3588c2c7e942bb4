// `pantry demo`: the README's first command (workshop/demo.h): data,
// feature groups, models, the server with the stream processor inside, a
// shopper browsing through the Kinesis API, and the before/after table.
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/common/progress.h"
#include "pantry/server/termination_signal.h"
#include "pantry/workshop/demo.h"

namespace pantry::cli {
namespace {

struct DemoFlags {
  workshop::DemoOptions demo;
  std::string data;
  bool exit = false;
};

Status RunDemo(const GlobalOptions& globals, DemoFlags& flags) {
  // Before any thread starts, so that only WaitForTerminationSignal takes
  // SIGINT/SIGTERM.
  server::BlockTerminationSignals();
  // The steps print their own numbered lines; bars would overwrite them.
  SetProgressQuiet(true);
  workshop::DemoOptions options = flags.demo;
  ASSIGN_OR_RETURN(options.home, globals.RequireHome());
  options.clock = globals.clock();
  options.data = flags.data;
  globals.ApplyStoreBackends(&options.store_backends);
  options.event_log_url = globals.event_log_url();
  ASSIGN_OR_RETURN(workshop::DemoRun run, workshop::RunDemo(options, std::cout));
  if (!flags.exit) {
    std::cout << "serving on " << run.url << " -- open the live storefront at\n  " << run.url
              << "/?customer=" << run.customer << "\nand the operator console at " << run.url
              << "/console, or try:\n  curl '" << run.url << "/v1/recommendations/" << run.customer
              << "?k=5&explain=true'\n(Ctrl-C to stop)" << std::endl;
    server::WaitForTerminationSignal();
  }
  return run.server->Stop();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Generate data, train, serve, and show recommendations change as a shopper browses");
  auto* flags = NewCommandFlags<DemoFlags>();
  workshop::DemoOptions& o = flags->demo;
  cmd->add_option("--data", flags->data,
                  "Folder with customers.csv, products.csv, click_stream_historical.csv "
                  "(and optionally orders.csv, click_stream.csv) instead of generated data");
  cmd->add_option("--customers", o.customers, "Generated customers (default 2000)")
      ->check(CLI::Range(10, 10000000));
  cmd->add_option("--products", o.products, "Generated products (default 3000)")
      ->check(CLI::Range(20, 10000000));
  cmd->add_option("--click-rows", o.click_rows, "Generated click rows (default 200000)")
      ->check(CLI::Range(static_cast<int64_t>(100), static_cast<int64_t>(1) << 40));
  cmd->add_option("--events", o.events, "Clicks per browsing phase (default 12)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--customer", o.customer, "Shopper (default: the first customer id)");
  cmd->add_option("--host", o.host, "Address to bind (default 127.0.0.1)");
  cmd->add_option("--port", o.port, "Port (default 0: any free port)")->check(CLI::Range(0, 65535));
  cmd->add_flag("--exit", flags->exit, "Exit after the demo instead of serving");
  SetAction(cmd, [&globals, flags] { return RunDemo(globals, *flags); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(demo, Setup);

}  // namespace pantry::cli
