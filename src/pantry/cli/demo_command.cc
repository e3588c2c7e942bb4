// `pantry demo`: the README's first command. Generates (or takes) a dataset,
// creates and fills the feature groups, trains both models, starts the
// server in-process with the stream processor inside, simulates a shopper
// browsing unhealthy and then healthy products through the Kinesis API
// over real HTTP, and prints the top 5 before and after each phase.
//
// The data steps run the pantry binary itself (`pantry generate`,
// `fg create`, `ingest`, `train cf`, `train rank`) so that the demo goes
// through exactly the code a user runs by hand; their output goes to
// <home>/demo-logs/.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "pantry/cli/command.h"
#include "pantry/common/csv.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/datagen/click_simulator.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/base64.h"
#include "pantry/server/event_log_ingest.h"
#include "pantry/server/http_client.h"
#include "pantry/server/recommendations_api.h"
#include "pantry/server/server.h"
#include "pantry/server/termination_signal.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"
#include "pantry/stream/workshop_streams.h"

extern char** environ;

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string data;
  int customers = 2000;
  int products = 3000;
  int64_t click_rows = 200000;
  int cf_epochs = 5;
  int events = 12;
  std::string customer;
  std::string host = "127.0.0.1";
  int port = 0;
  bool exit = false;
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs this binary with `args` (after --home), output to `log`.
Status RunSelf(const GlobalOptions& globals, std::vector<std::string> args, const fs::path& log) {
  std::vector<std::string> argv = {"pantry", "--home", globals.home().string(), "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return ErrnoError("starting pantry " + args[0], rc);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoError("waiting for pantry " + args[0], errno);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command;
    for (const std::string& a : args) command += " " + a;
    return InternalError("`pantry" + command + "` failed; see " + log.string());
  }
  return Status::Ok();
}

// Posts each event as a Kinesis PutRecord to the demo server.
class KinesisSink final : public datagen::ClickEventSink {
 public:
  KinesisSink(server::HttpClient* client) : client_(client) {}
  Status Emit(const datagen::ClickEvent& event) override {
    Json body{{"StreamName", "click_stream"},
              {"PartitionKey", event.customer_id},
              {"Data", server::Base64Encode(datagen::ClickEventToJson(event))}};
    ASSIGN_OR_RETURN(auto response, client_->Send("POST", "/",
                                                  {{"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                                                   {"Content-Type", "application/x-amz-json-1.1"}},
                                                  DumpJson(body)));
    if (response.status != 200) {
      return InternalError("PutRecord: HTTP " + std::to_string(response.status) + " " +
                           response.body);
    }
    ++sent_;
    return Status::Ok();
  }
  int sent() const { return sent_; }

 private:
  server::HttpClient* client_;
  int sent_ = 0;
};

StatusOr<Json> GetTop5(server::HttpClient* client, const std::string& customer) {
  ASSIGN_OR_RETURN(auto response,
                   client->Send("GET", "/v1/recommendations/" + customer + "?k=5&candidates=200"));
  ASSIGN_OR_RETURN(Json json, ParseJson(response.body, "recommendations response"));
  if (response.status != 200) {
    return InternalError("GET /v1/recommendations: HTTP " + std::to_string(response.status) + " " +
                         response.body);
  }
  return json;
}

// Waits (up to 10 s) for the live features to change from `previous`.
StatusOr<Json> WaitForChange(server::HttpClient* client, const std::string& customer,
                             const Json& previous, double* waited_ms) {
  auto start = Clock::now();
  for (;;) {
    ASSIGN_OR_RETURN(Json now, GetTop5(client, customer));
    if (now["live_features"] != previous["live_features"] || Seconds(start) > 10) {
      *waited_ms = Seconds(start) * 1000;
      return now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void PrintTable(const std::vector<std::pair<std::string, Json>>& phases) {
  auto cell = [](const Json& item) {
    std::ostringstream s;
    std::string name = item["product_name"].get<std::string>();
    if (name.size() > 26) name = name.substr(0, 25) + "~";
    s << std::left << std::setw(27) << name << std::right << std::fixed << std::setprecision(2)
      << std::setw(5) << item["product_health_index"].get<double>();
    return s.str();
  };
  std::cout << "\n";
  for (const auto& [title, _] : phases) std::cout << std::left << std::setw(38) << title;
  std::cout << "\n";
  for (const auto& [_, r] : phases) {
    const Json& live = r["live_features"];
    std::ostringstream s;
    s << "healthy_activity=" << std::fixed << std::setprecision(2)
      << live["healthy_activity_last_2m"].get<double>();
    std::cout << std::left << std::setw(38) << s.str();
  }
  std::cout << "\n";
  for (size_t i = 0; i < 5; ++i) {
    for (const auto& [_, r] : phases) {
      std::string c = i < r["items"].size() ? cell(r["items"][i]) : "";
      std::cout << (i + 1) << ". " << std::left << std::setw(35) << c;
    }
    std::cout << "\n";
  }
  for (const auto& [_, r] : phases) {
    double sum = 0;
    for (const auto& item : r["items"]) sum += item["product_health_index"].get<double>();
    std::ostringstream s;
    s << "mean health " << std::fixed << std::setprecision(3)
      << (r["items"].empty() ? 0.0 : sum / static_cast<double>(r["items"].size()));
    std::cout << std::left << std::setw(38) << s.str();
  }
  std::cout << "\n" << std::endl;
}

Status RunDemo(const GlobalOptions& globals, const DemoOptions& o) {
  server::BlockTerminationSignals();
  ASSIGN_OR_RETURN(fs::path home, globals.RequireHome());
  const fs::path logs = home / "demo-logs";
  std::error_code ec;
  fs::create_directories(logs, ec);
  auto total = Clock::now();
  int step_no = 0;
  auto step = [&](const std::string& label, const std::function<Status()>& fn) -> Status {
    auto start = Clock::now();
    std::cout << "[" << ++step_no << "] " << label << " ..." << std::flush;
    Status s = fn();
    std::cout << (s.ok() ? " done" : " FAILED") << " (" << std::fixed << std::setprecision(1)
              << Seconds(start) << " s)" << std::defaultfloat << std::endl;
    return s;
  };

  // ---- data ----
  fs::path data = o.data.empty() ? home / "demo-data" : fs::path(o.data);
  if (o.data.empty()) {
    if (!fs::exists(data / "products.csv")) {
      RETURN_IF_ERROR(step(
          "generate " + std::to_string(o.customers) + " customers, " + std::to_string(o.products) +
              " products, " + std::to_string(o.click_rows) + " click rows into " + data.string(),
          [&] {
            return RunSelf(
                globals,
                {"generate", "--out", data.string(), "--customers", std::to_string(o.customers),
                 "--products", std::to_string(o.products), "--click-rows",
                 std::to_string(o.click_rows), "--eval-customers", "100", "--overwrite"},
                logs / "generate.log");
          }));
    } else {
      std::cout << "using the dataset already in " << data.string() << "\n";
    }
  }
  for (const char* required : {"customers.csv", "products.csv"}) {
    if (!fs::exists(data / required)) {
      return InvalidArgumentError(std::string("--data: ") + (data / required).string() +
                                  " is missing");
    }
  }
  if (!fs::exists(data / "click_stream_historical.csv")) {
    return FailedPreconditionError(
        (data / "click_stream_historical.csv").string() +
        " is missing: the ranker trains on the click history (customer_id, product_id, bought, "
        "rating, healthy_activity_last_2m, event_time). Generating one for a foreign catalog is "
        "not supported yet; run `pantry demo` without --data to use generated data.");
  }

  // ---- feature groups ----
  {
    featurestore::FeatureStoreOptions store_options;
    store_options.home = home;
    store_options.read_only = true;
    bool have = false;
    if (fs::exists(home / "featurestore")) {
      auto store = featurestore::FeatureStore::Open(store_options);
      have = store.ok() && (*store)->DescribeFeatureGroup("products").ok();
    }
    if (have) {
      std::cout << "feature groups already exist in " << home.string() << "; not re-ingesting\n";
    } else {
      struct Group {
        const char* name;
        const char* file;
        const char* id;
        bool event_time_now;
      };
      std::vector<Group> groups = {
          {"customers", "customers.csv", "customer_id", true},
          {"products", "products.csv", "product_id", true},
          {"orders", "orders.csv", "customer_id", true},
          {"click_stream_historical", "click_stream_historical.csv", "customer_id", false},
          {"click_stream", "click_stream.csv", "customer_id", true}};
      for (const Group& g : groups) {
        fs::path csv = data / g.file;
        if (!fs::exists(csv)) {
          std::cout << "    (" << g.file << " not in " << data.string() << ": group " << g.name
                    << " skipped)\n";
          continue;
        }
        RETURN_IF_ERROR(step(std::string("create and ingest ") + g.name, [&]() -> Status {
          std::vector<std::string> create = {"fg", "create", g.name,      "--record-id",
                                             g.id, "--csv",  csv.string()};
          if (std::string(g.name) == "click_stream_historical") create.push_back("--no-online");
          RETURN_IF_ERROR(RunSelf(globals, create, logs / "ingest.log"));
          std::vector<std::string> ingest = {"ingest",     g.name,         "--csv",
                                             csv.string(), "--batch-size", "50000"};
          if (g.event_time_now) {
            // Files without their own event_time column are stamped now.
            auto reader = CsvReader::Open(csv);
            if (!reader.ok()) return reader.status();
            if (!(*reader)->RequireColumn("event_time").ok()) ingest.push_back("--event-time-now");
          }
          return RunSelf(globals, ingest, logs / "ingest.log");
        }));
      }
    }
  }

  // ---- models ----
  if (!fs::exists(home / "models" / "cf" / "current")) {
    RETURN_IF_ERROR(step("train the CF model (factorization machine, implicit feedback)", [&] {
      return RunSelf(globals,
                     {"train", "cf", "--target", "implicit", "--epochs",
                      std::to_string(o.cf_epochs), "--factors", "32"},
                     logs / "train.log");
    }));
  } else {
    std::cout << "using the trained CF model in " << (home / "models" / "cf").string() << "\n";
  }
  if (!fs::exists(home / "models" / "rank" / "current")) {
    RETURN_IF_ERROR(step("train the ranking model (XGBoost)", [&] {
      return RunSelf(globals, {"train", "rank"}, logs / "train.log");
    }));
  } else {
    std::cout << "using the trained ranking model in " << (home / "models" / "rank").string()
              << "\n";
  }

  // ---- server with the stream processor inside ----
  auto serve_start = Clock::now();
  featurestore::FeatureStoreOptions store_options;
  store_options.home = home;
  store_options.clock = globals.clock();
  ASSIGN_OR_RETURN(std::unique_ptr<featurestore::FeatureStore> store,
                   featurestore::FeatureStore::Open(store_options));
  // The workshop's stagger and sliding specs, writing exactly once into the
  // click_stream and click_stream_live feature groups (docs/stream.md).
  ASSIGN_OR_RETURN(stream::StreamServiceOptions stream_options,
                   stream::WorkshopStreamOptions(home, store.get(), globals.clock()));
  stream_options.poll_interval_ms = 5;
  ASSIGN_OR_RETURN(std::unique_ptr<stream::StreamService> streams,
                   stream::StreamService::Create(std::move(stream_options)));
  std::map<std::string, stream::EventLog*> event_logs;
  if (stream::EventLog* log = streams->log("click_stream")) event_logs["click_stream"] = log;
  stream::StreamService* streams_ptr = streams.get();
  server::EventLogIngest ingest(event_logs, globals.clock(),
                                [streams_ptr] { streams_ptr->Notify(); });
  RETURN_IF_ERROR(streams->Start());

  recommend::RecommenderOptions recommender_options;
  recommender_options.home = home;
  recommender_options.store = store.get();
  recommender_options.clock = globals.clock();
  ASSIGN_OR_RETURN(auto recommender, recommend::Recommender::Open(recommender_options));
  RETURN_IF_ERROR(recommender->Ready());
  auto watcher = std::make_unique<recommend::ModelWatcher>(recommender.get(), 2'000'000);

  server::ServerOptions options;
  options.http.host = o.host;
  options.http.port = o.port;
  options.access_log = false;
  server::ServerComponents components;
  components.features = store.get();
  components.events = &ingest;
  components.readiness.emplace_back(std::string("models"),
                                    [r = recommender.get()] { return r->Ready(); });
  components.extra_routes.push_back([r = recommender.get()](server::HttpService* s) {
    return server::RegisterRecommendationsApi(s, r);
  });
  ASSIGN_OR_RETURN(auto server, server::PantryServer::Start(options, std::move(components)));
  const std::string url = "http://" + o.host + ":" + std::to_string(server->port());
  std::cout << "[" << ++step_no << "] server on " << url << " with the stream processor inside ("
            << std::fixed << std::setprecision(1) << Seconds(serve_start) << " s; "
            << recommender->catalog_size() << " products)" << std::defaultfloat << std::endl;

  // ---- the shopper ----
  std::string customer = o.customer;
  if (customer.empty()) {
    ASSIGN_OR_RETURN(
        auto rows, store->Query("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1"));
    if (rows.rows.empty()) return FailedPreconditionError("the customers group is empty");
    customer = rows.rows[0][0].ToString();
  }
  ASSIGN_OR_RETURN(auto catalog, datagen::SimulatorCatalog::Load(data / "products.csv"));
  server::HttpClient client(o.host, server->port());
  std::vector<std::pair<std::string, Json>> phases;
  ASSIGN_OR_RETURN(Json before, GetTop5(&client, customer));
  phases.emplace_back("before browsing", before);
  double freshness_total_ms = 0;
  auto browse = [&](const std::string& title, double lo, double hi) -> Status {
    auto start = Clock::now();
    datagen::SimulatorOptions sim;
    sim.customers = {customer};
    sim.health_min = lo;
    sim.health_max = hi;
    sim.count = o.events;
    sim.events_per_second = 0;
    sim.seed = static_cast<uint64_t>(lo * 100);
    datagen::RealSleeper sleeper;
    datagen::ClickSimulator simulator(sim, catalog.get(), pantry::Clock::Real(), &sleeper);
    KinesisSink sink(&client);
    RETURN_IF_ERROR(simulator.Run(&sink));
    double waited_ms = 0;
    ASSIGN_OR_RETURN(Json after,
                     WaitForChange(&client, customer, phases.back().second, &waited_ms));
    freshness_total_ms += waited_ms;
    phases.emplace_back(title, after);
    std::cout << "[" << ++step_no << "] " << customer << " browsed " << sink.sent()
              << " products with health " << lo << "-" << hi
              << " (Kinesis PutRecord over HTTP); recommendations changed " << std::fixed
              << std::setprecision(1) << waited_ms << " ms after the last event (" << Seconds(start)
              << " s)" << std::defaultfloat << std::endl;
    return Status::Ok();
  };
  RETURN_IF_ERROR(browse("after unhealthy browsing", 0.1, 0.3));
  RETURN_IF_ERROR(browse("after healthy browsing", 0.7, 0.9));
  std::cout << "\nTop 5 for customer " << customer
            << " (product, health index) -- note how the ranking changed:";
  PrintTable(phases);
  std::cout << "demo finished in " << std::fixed << std::setprecision(1) << Seconds(total) << " s"
            << std::defaultfloat << std::endl;

  if (!o.exit) {
    std::cout << "serving on " << url << " -- try:\n  curl '" << url << "/v1/recommendations/"
              << customer << "?k=5&explain=true'\n(Ctrl-C to stop)" << std::endl;
    server::WaitForTerminationSignal();
  }
  server->Shutdown();
  server.reset();
  watcher.reset();
  RETURN_IF_ERROR(streams->Stop());
  streams.reset();
  store.reset();
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Generate data, train, serve, and show recommendations change as a shopper browses");
  auto* o = new DemoOptions();
  cmd->add_option("--data", o->data,
                  "Folder with customers.csv, products.csv, click_stream_historical.csv "
                  "(and optionally orders.csv, click_stream.csv) instead of generated data");
  cmd->add_option("--customers", o->customers, "Generated customers (default 2000)")
      ->check(CLI::Range(10, 10000000));
  cmd->add_option("--products", o->products, "Generated products (default 3000)")
      ->check(CLI::Range(20, 10000000));
  cmd->add_option("--click-rows", o->click_rows, "Generated click rows (default 200000)")
      ->check(CLI::Range(static_cast<int64_t>(100), static_cast<int64_t>(1) << 40));
  cmd->add_option("--cf-epochs", o->cf_epochs, "CF training epochs (default 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--events", o->events, "Clicks per browsing phase (default 12)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--customer", o->customer, "Shopper (default: the first customer id)");
  cmd->add_option("--host", o->host, "Address to bind (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "Port (default 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--exit", o->exit, "Exit after the demo instead of serving");
  SetAction(cmd, [&globals, o] { return RunDemo(globals, *o); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(demo, Setup);

}  // namespace pantry::cli
