// `pantry generate` and `pantry simulate`: thin flag parsing over
// pantry/datagen (docs/datagen.md).
#include <chrono>
#include <iomanip>
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/common/json.h"
#include "pantry/datagen/click_simulator.h"
#include "pantry/datagen/generator.h"

namespace pantry::cli {
namespace {

struct SimulateFlags {
  std::string customers;
  double health_min = 0.0;
  double health_max = 1.0;
  int64_t count = 6;
  std::string rate = "1";
  bool no_wait = false;
  uint64_t seed = 0;
  bool seed_given = false;
  std::string products_csv;
  std::string data_dir;
};

Status RunGenerate(const datagen::GenerateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(OrderedJson summary, datagen::GenerateDataset(options));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << options.out.string() << " in " << seconds
            << " s: " << summary["customers"] << " customers, " << summary["products"]
            << " products, " << summary["orders_rows"] << " orders (+"
            << summary["heldout_orders_rows"] << " held out), " << summary["click_rows"]
            << " click rows\n";
  std::cout << "eval sample: " << summary["eval_sample"]["customers"] << " customers\n";
  for (const char* key :
       {"oracle_recall_at_10", "oracle_recall_at_100", "popularity_recall_at_10",
        "popularity_recall_at_100", "oracle_auc", "oracle_auc_without_activity", "bought_rate"}) {
    std::cout << "  " << key << ": " << std::fixed << std::setprecision(4)
              << summary[key].get<double>() << "\n";
  }
  return Status::Ok();
}

Status RunSimulate(const SimulateFlags& flags) {
  datagen::SimulatorOptions options;
  ASSIGN_OR_RETURN(options.customers, datagen::ParseCustomerList(flags.customers));
  options.health_min = flags.health_min;
  options.health_max = flags.health_max;
  options.count = flags.count;
  ASSIGN_OR_RETURN(options.events_per_second, datagen::ParseRate(flags.rate));
  if (flags.no_wait) options.events_per_second = 0;
  options.seed = flags.seed_given ? flags.seed : static_cast<uint64_t>(Clock::Real()->NowMicros());
  if (!flags.products_csv.empty() && !flags.data_dir.empty()) {
    return InvalidArgumentError("give either --products-csv or --data, not both");
  }
  std::filesystem::path products = flags.products_csv;
  if (products.empty()) {
    if (flags.data_dir.empty()) {
      return InvalidArgumentError("--products-csv FILE or --data DIR is required");
    }
    products = std::filesystem::path(flags.data_dir) / "products.csv";
  }
  ASSIGN_OR_RETURN(auto catalog, datagen::SimulatorCatalog::Load(products));
  datagen::JsonLinesSink sink(&std::cout);
  datagen::RealSleeper sleeper;
  datagen::ClickSimulator simulator(options, catalog.get(), Clock::Real(), &sleeper);
  return simulator.Run(&sink);
}

void Setup(CLI::App& app, const GlobalOptions& /*globals*/) {
  CLI::App* gen = app.add_subcommand(
      "generate", "Write a synthetic grocer dataset with known ground truth (docs/datagen.md)");
  auto* opts = NewCommandFlags<datagen::GenerateOptions>();
  gen->add_option("--out", opts->out, "Folder to write (created if missing)")->required();
  gen->add_option("--customers", opts->customers, "Number of customers")->capture_default_str();
  gen->add_option("--products", opts->products, "Number of products (>= 20)")
      ->capture_default_str();
  gen->add_option("--orders-per-customer", opts->orders_per_customer,
                  "Mean purchases per customer (held-out ones included)")
      ->capture_default_str();
  gen->add_option("--click-rows", opts->click_rows, "Rows of click_stream_historical.csv")
      ->capture_default_str();
  gen->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  gen->add_option("--days", opts->days, "Time span in days, ending 2026-11-01")
      ->capture_default_str();
  gen->add_option("--threads", opts->threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  gen->add_option("--eval-customers", opts->eval_customers,
                  "Customers sampled for the oracle/popularity recall")
      ->capture_default_str();
  gen->add_flag("--overwrite", opts->overwrite, "Replace a dataset already in --out");
  SetAction(gen, [opts] { return RunGenerate(*opts); });

  CLI::App* sim = app.add_subcommand(
      "simulate", "Print simulated click events as JSON lines (docs/datagen.md)");
  auto* flags = NewCommandFlags<SimulateFlags>();
  sim->add_option("--customers", flags->customers, "Comma-separated customer ids, e.g. C1,C2")
      ->required();
  sim->add_option("--health-min", flags->health_min, "Lowest product health index browsed")
      ->capture_default_str();
  sim->add_option("--health-max", flags->health_max, "Highest product health index browsed")
      ->capture_default_str();
  sim->add_option("--count", flags->count, "Events per customer")->capture_default_str();
  sim->add_option("--rate", flags->rate,
                  "Events per second over all customers (\"10\" or \"10/s\"; 0 = no waiting)")
      ->capture_default_str();
  sim->add_flag("--no-wait", flags->no_wait, "Emit as fast as possible (same as --rate 0)");
  sim->add_option("--seed", flags->seed, "Random seed (default: from the clock)")
      ->each([flags](const std::string&) { flags->seed_given = true; });
  sim->add_option("--products-csv", flags->products_csv,
                  "products.csv to browse (generated or the workshop's)");
  sim->add_option("--data", flags->data_dir, "A generated dataset folder (uses its products.csv)");
  SetAction(sim, [flags] { return RunSimulate(*flags); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(datagen, Setup);

}  // namespace pantry::cli
